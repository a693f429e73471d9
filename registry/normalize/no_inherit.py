"""CHECK constraints declared NO INHERIT, which sqlglot does not read.

`CHECK (a > 0) NO INHERIT` in a column, a table's list or ALTER TABLE ... ADD made the whole statement
opaque, in a file and in a database read back (pg_get_constraintdef prints it so). The words are cut from
the text sqlglot reads, and each CHECK of the statement as written says whether it had them, in order: the
constraint compiled from the n-th CHECK gets PostgreSQL's ` NO INHERIT` (before any NOT VALID).
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import ConstraintKind
from schemareg.normalize import ops
from schemareg.normalize.text import SKIPPED, balanced, cut_spans

# Skipped: quoted text, quoted names, dollar-quoted bodies; matched: `CHECK (`.
_CHECK = lazy_compile(
    SKIPPED
    + r"""
    | (?P<check>\bCHECK\s*\()""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_NO_INHERIT = lazy_compile(r"\s+NO\s+INHERIT\b", re.IGNORECASE)


def _checks(text: str) -> list[tuple[int, int]]:
    """Each CHECK's closing parenthesis's end and where its NO INHERIT ends (the same where it has none)."""
    found = []
    for m in _CHECK.finditer(text):
        if m.group("check") is None:
            continue
        close = balanced(text, m.end()) + 1
        words = _NO_INHERIT.match(text, close)
        found.append((close, words.end() if words else close))
    return found


def drop_no_inherit(text: str) -> str:
    """The statement without the NO INHERIT of its checks, for sqlglot to read."""
    return cut_spans(text, _checks(text))


def mark_no_inherit(text: str, found: list[ops.AnyOp]) -> None:
    """Give each CHECK constraint compiled from the statement its NO INHERIT, as written."""
    flags = [end > close for close, end in _checks(text)]
    checks = [
        op for op in found if isinstance(op, ops.AddConstraint) and op.constraint.kind is ConstraintKind.CHECK
    ]
    if len(checks) != len(flags):
        return  # a CHECK the text shows and the tree does not (or the other way): not guessed at
    for op, flag in zip(checks, flags, strict=True):
        if flag and " NO INHERIT" not in op.constraint.definition:
            definition = op.constraint.definition
            valid = definition.removesuffix(" NOT VALID")
            op.constraint.definition = f"{valid} NO INHERIT" + definition[len(valid) :]
