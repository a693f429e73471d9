"""Identity columns' sequence options, which sqlglot reads only in part.

`GENERATED ... AS IDENTITY (START WITH 3 INCREMENT BY 4 CACHE 5 NO MINVALUE SEQUENCE NAME s)`: sqlglot
refuses CACHE, NO MINVALUE / NO MAXVALUE, SEQUENCE NAME and AS, and the table that said any of them was
kept opaque whole (its partitions lost their columns). The options are cut from the text sqlglot reads and
read from the statement as written, one per identity column in the order written, by the sequence
options reader (sequences.py), as ALTER COLUMN ... ADD GENERATED AS IDENTITY is.
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import Table
from schemareg.normalize import ops
from schemareg.normalize.text import SKIPPED, balanced, cut_spans

# Skipped: quoted text, quoted names, dollar-quoted bodies; matched: `AS IDENTITY (`.
_IDENTITY = lazy_compile(
    SKIPPED
    + r"""
    | (?P<identity>\bAS\s+IDENTITY\b)(?P<open>\s*\()?""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


def _identities(text: str) -> list[tuple[int, int, str]]:
    """Each `AS IDENTITY`: where its options' parentheses start and end (equal when it has none), and the
    options' text."""
    found = []
    for m in _IDENTITY.finditer(text):
        if m.group("identity") is None:
            continue
        if m.group("open") is None:
            found.append((m.end(), m.end(), ""))
            continue
        close = balanced(text, m.end())
        found.append((m.end() - len(m.group("open")), close + 1, text[m.end() : close]))
    return found


def identity_options(text: str) -> list[str]:
    """The options of each identity column of the statement, in the order written ('' where none)."""
    return [options for _, _, options in _identities(text)]


def drop_identity_options(text: str) -> str:
    """The statement with each identity column's options cut, for sqlglot to read."""
    return cut_spans(text, [(start, end) for start, end, _ in _identities(text)])


# `SEQUENCE NAME <name>` at the head of an identity's canonical options (sequences.sequence_options).
_SEQUENCE_NAME = lazy_compile(r'SEQUENCE NAME (?:"(?:[^"]|"")*"|[^\s."]+)(?:\.(?:"(?:[^"]|"")*"|[^\s."]+))?')


def retune_identity(table: Table | None, op: ops.AlterColumn) -> bool:
    """ALTER COLUMN ... SET GENERATED / SET <sequence option> applied to an identity column of `table`
    (the rest of the op is Applier.alter_column's, which found the column)."""
    column = table.column(op.column) if table is not None else None
    if column is not None and column.identity and (op.identity_kind or op.identity_options):
        column.identity = retuned_identity(
            column.identity, op.identity_kind, op.identity_options, column.type
        )
    return True


def retuned_identity(identity: str, kind: str | None, options: str, column_type: str) -> str:
    """An identity column's identity (`ALWAYS (START WITH 10)`) after ALTER COLUMN ... SET GENERATED
    `kind` and SET `options` (as written, upper case): the options said win over the ones it had, `NO
    MINVALUE` and the like take theirs away, and its sequence keeps its name (PostgreSQL alters the
    identity's sequence in place, as ALTER SEQUENCE would)."""
    from schemareg.normalize.sequences import sequence_options

    how, _, old = identity.partition(" (")
    old = old.removesuffix(")")
    name = _SEQUENCE_NAME.match(old)
    if name is not None:
        old = old[name.end() :]
    for word in ("MINVALUE", "MAXVALUE", "CYCLE"):
        if f"NO {word}" in options:
            old = re.sub(rf"\b{word}\b(?: -?\d+)?", "", old)
    merged = sequence_options(f"{options} {old}", column_type=column_type)
    if name is not None:
        merged = f"{name.group(0)} {merged}".strip()
    return (kind or how) + (f" ({merged})" if merged else "")
