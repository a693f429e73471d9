"""`ALTER TABLE t ADD CONSTRAINT name PRIMARY KEY | UNIQUE USING INDEX idx`: the unique index becomes the
constraint's own, renamed to the constraint's name, as PostgreSQL does it.

Kept as an alteration of the table's text, it replayed before the index it names existed (indexes come
after tables in schema.sql), and the index stayed an index of its own besides. A plain unique index of
columns (what PostgreSQL accepts here: no expressions, no predicate) becomes the key; anything else stays
as written.
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import Constraint, ConstraintKind, Table
from schemareg.names import name_parts, sibling_key, truncate_identifier
from schemareg.normalize.constraints import deferrable_words
from schemareg.render import quote

__all__ = ["key_from_index"]

_USING_INDEX = lazy_compile(
    r'ADD\s+CONSTRAINT\s+(?P<name>"(?:[^"]|"")+"|\w+)\s+(?P<kind>PRIMARY\s+KEY|UNIQUE)\s+USING\s+INDEX\s+'
    r'(?P<index>"(?:[^"]|"")+"|\w+)(?P<rest>(?:\s+(?:NOT\s+)?DEFERRABLE|\s+INITIALLY\s+(?:DEFERRED|IMMEDIATE))*)',
    re.IGNORECASE,
)


def key_from_index(table: Table, sql: str, index_owner: dict[str, str], table_key: str) -> bool:
    """Make the key `sql` adds from the index it names, on `table`; False if `sql` is no such statement
    or the index is not one a key can take."""
    found = _USING_INDEX.fullmatch(sql.strip())
    if found is None:
        return False
    name, index_name = (truncate_identifier(name_parts(found.group(part))[0]) for part in ("name", "index"))
    index = next((i for i in table.indexes if i.name == index_name), None)
    if index is None or not index.unique or not index.columns:
        return False
    columns = ", ".join(quote(c) for c in index.columns)
    if index.definition != f"USING btree ({columns})":
        return False
    primary = found.group("kind").upper().startswith("PRIMARY")
    deferrable = deferrable_words(" ".join(found.group("rest").upper().split()))
    head = "PRIMARY KEY" if primary else "UNIQUE"
    table.indexes = [i for i in table.indexes if i is not index]
    index_owner.pop(sibling_key(table_key, index_name), None)
    table.constraints = [c for c in table.constraints if c.name != name]
    table.constraints.append(
        Constraint(
            name=name,
            kind=ConstraintKind.PRIMARY_KEY if primary else ConstraintKind.UNIQUE,
            definition=f"{head} ({columns}){deferrable}",
            columns=index.columns,
        )
    )
    if primary:
        for column in table.columns:
            if column.name in index.columns:
                column.nullable = False
    return True
