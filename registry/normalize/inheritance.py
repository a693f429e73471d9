"""A table's parents: `CREATE TABLE c (...) INHERITS (p, q)` and `ALTER TABLE c [NO] INHERIT p`.

The parents are kept in the table's options as `INHERITS (...)`, each qualified as PostgreSQL resolved it
(introspection writes them so: `INHERITS (p)` and `INHERITS (public.p)` are one table), which is also how
schema.sql finds that a parent must be made before its child (registry/creation.py). `ALTER TABLE c
INHERIT p` adds p to them, as a parent given when c was made would be: c already has p's columns, which
stay c's own either way. `NO INHERIT p` takes p out when c has p's columns and CHECK constraints of its own
(as after INHERIT); otherwise PostgreSQL leaves c with copies of what it inherited, which the model does
not have, and the action is kept on the table as before.
"""

from __future__ import annotations

import re

from sqlglot import exp

from schemareg.creation import parents_in
from schemareg.lazy_re import lazy_compile
from schemareg.model import ConstraintKind, Kind, ObjectKey, SchemaObject, Table
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.text import QNAME, squash, upper_words
from schemareg.render import quote_qualified
from schemareg.table_actions import add_alteration

__all__ = ["inherit", "inherits_clause", "set_inherit"]

_INHERIT = lazy_compile(rf"(?P<no>NO\s+)?INHERIT\s+(?P<parent>{QNAME})\s*;?\s*$", re.IGNORECASE)
_INHERITS = lazy_compile(r"INHERITS \((?P<list>[^()]*)\)")
_HEAD_WORDS = frozenset({"UNLOGGED", "TEMPORARY"})  # said before INHERITS in the options


def inherits_clause(context: Context, prop: exp.InheritsProperty) -> str:
    """`INHERITS (...)` with each parent qualified, in the order written (the order of the columns)."""
    return f"INHERITS ({', '.join(quote_qualified(context.qualified_name(t)) for t in prop.expressions)})"


def inherit(context: Context, table: str, rest: str) -> list[ops.AnyOp] | None:
    """The one action `rest` of an ALTER TABLE of `table` (qualified) as a SetInherit, or None."""
    m = _INHERIT.match(rest)
    if m is None:
        return None
    return [
        ops.SetInherit(
            table=table,
            parent=context.read_qualified_name(m.group("parent")),
            drop=m.group("no") is not None,
            written=upper_words(squash(rest.strip().rstrip(";"))),
        )
    ]


def set_inherit(objects: dict[ObjectKey, SchemaObject], op: ops.SetInherit) -> bool:
    table = objects.get(ObjectKey(Kind.TABLE, op.table))
    if not isinstance(table, Table):
        return False
    parent = objects.get(ObjectKey(Kind.TABLE, op.parent))
    parents = _parents(table.options)
    if not op.drop and op.parent not in parents:
        table.options = _with_parents(table.options, [*parents, op.parent])
    elif op.drop and op.parent in parents and _has_own_copy(table, parent, objects):
        table.options = _with_parents(table.options, [p for p in parents if p != op.parent])
    else:
        add_alteration(table, op.written)
    return True


def _has_own_copy(table: Table, parent: SchemaObject | None, objects: dict[ObjectKey, SchemaObject]) -> bool:
    """Whether `table` has each column and inheritable CHECK constraint of `parent`, and of the tables
    `parent` inherits from in turn, itself."""
    own = {c.name for c in table.constraints}
    seen: set[str] = set()
    while isinstance(parent, Table):
        if any(table.column(c.name) is None for c in parent.columns) or any(
            c.name not in own
            for c in parent.constraints
            if c.kind is ConstraintKind.CHECK and "NO INHERIT" not in c.definition.upper()
        ):
            return False
        grandparents = [p for p in _parents(parent.options) if p not in seen]
        if not grandparents:
            return True
        if len(grandparents) > 1:
            return all(
                _has_own_copy(table, objects.get(ObjectKey(Kind.TABLE, p)), objects) for p in grandparents
            )
        seen.add(grandparents[0])
        parent = objects.get(ObjectKey(Kind.TABLE, grandparents[0]))
    return False


def _parents(options: str | None) -> list[str]:
    """The parents in canonical options (each qualified), as keys."""
    return parents_in(options or "", "")


def _with_parents(options: str | None, parents: list[str]) -> str | None:
    """The options with `parents` as their INHERITS (none: without it), after UNLOGGED or TEMPORARY."""
    text = options or ""
    if not parents:
        return _INHERITS.sub("", text, count=1).strip().replace("  ", " ", 1) or None
    clause = f"INHERITS ({', '.join(quote_qualified(p) for p in parents)})"
    if _INHERITS.search(text):
        return _INHERITS.sub(lambda _: clause, text, count=1)
    words = text.split(" ") if text else []
    at = next((i for i, w in enumerate(words) if w not in _HEAD_WORDS), len(words))
    return " ".join([*words[:at], clause, *words[at:]])
