"""A partition's CHECK that its parent has too is the parent's, as live introspection reads it.

PostgreSQL merges a partition's CHECK into the parent's of the same name, whether the partition was made
with PARTITION OF or had its own copy before ATTACH PARTITION (as pg_dump writes it); the inspector then
counts it as the parent's only (queries/constraints.sql), and schema.sql writes it on the partition again
(render._inherited_checks). So the model keeps it on the parent alone, whichever way the DDL spelt it.
"""

from __future__ import annotations

from schemareg.model import ConstraintKind, Schema, Table
from schemareg.names import join_key


def drop_inherited_checks(schema: Schema) -> None:
    tables = {join_key(t.schema, t.name): t for t in schema.tables()}
    for table in tables.values():
        if not table.partition_of or not any(c.kind is ConstraintKind.CHECK for c in table.constraints):
            continue
        inherited = _ancestor_checks(table, tables)
        if inherited:
            table.constraints = [
                c for c in table.constraints if not (c.kind is ConstraintKind.CHECK and c.name in inherited)
            ]


def _ancestor_checks(table: Table, tables: dict[str, Table]) -> set[str]:
    names: set[str] = set()
    seen: set[str] = set()
    while table.partition_of and table.partition_of not in seen:
        seen.add(table.partition_of)
        parent = tables.get(table.partition_of)
        if parent is None:
            break
        names.update(
            c.name
            for c in parent.constraints
            if c.kind is ConstraintKind.CHECK and "NO INHERIT" not in c.definition.upper()
        )
        table = parent
    return names
