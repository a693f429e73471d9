"""A foreign key's `ON DELETE SET NULL (a)` / `SET DEFAULT (a)` (PostgreSQL 15): only the columns listed
are set when the referenced row goes. sqlglot does not read the column list, so the whole statement was
kept as written, its foreign key created before the table it references. The list is taken out before the
statement is read and put back on its foreign key, as pg_get_constraintdef prints it."""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import ConstraintKind
from schemareg.normalize import ops
from schemareg.normalize.context import Context

__all__ = ["put_set_columns", "take_set_columns"]

_WITH_COLUMNS = lazy_compile(r"(\bON\s+DELETE\s+SET\s+(?:NULL|DEFAULT))\s*\(([^()]*)\)", re.IGNORECASE)
_ON_DELETE_SET = lazy_compile(r"\bON DELETE SET (?:NULL|DEFAULT)\b")


def take_set_columns(text: str) -> tuple[str, list[str]]:
    """The statement without its SET NULL / SET DEFAULT column lists, and the lists, in order."""
    found = [m.group(2) for m in _WITH_COLUMNS.finditer(text)]
    return (_WITH_COLUMNS.sub(r"\1", text), found) if found else (text, [])


def put_set_columns(context: Context, found: list[ops.AnyOp], lists: list[str]) -> bool:
    """Each list back on its foreign key, in order; False when the keys that say ON DELETE SET are not
    as many as the lists (the statement is then better kept as written)."""
    keys = [
        op
        for op in found
        if isinstance(op, ops.AddConstraint)
        and op.constraint.kind is ConstraintKind.FOREIGN_KEY
        and _ON_DELETE_SET.search(op.constraint.definition)
    ]
    if len(keys) != len(lists):
        return False
    for op, columns in zip(keys, lists, strict=True):
        names = ", ".join(context.quote(context.unquote(c)) for c in columns.split(","))
        definition = op.constraint.definition
        at = _ON_DELETE_SET.search(definition)
        assert at is not None  # as the keys were chosen
        op.constraint.definition = f"{definition[: at.end()]} ({names}){definition[at.end() :]}"
    return True
