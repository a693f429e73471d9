"""What a partition takes from its partitioned table once the script is applied: its keys and indexes,
named as PostgreSQL names them, and bounds written as PostgreSQL stores them for the key's type."""

from __future__ import annotations

from functools import partial

import msgspec

from schemareg.lazy_re import lazy_compile
from schemareg.model import ConstraintKind, Schema, Table
from schemareg.names import join_key, make_object_name
from schemareg.normalize.index_names import inherited_addition
from schemareg.normalize.literals import bound_literal
from schemareg.normalize.partition_keys import settle

_KEY_COLUMN = lazy_compile(r"^\w+ \((\w+)\)$")
_BOUND_LITERAL = lazy_compile(
    r"'(\d{4}-\d\d-\d\d)(?:[ T](\d\d:\d\d(?::\d\d(?:\.\d+)?)?))?\s*(Z|[+-]\d\d(?::?\d\d)?)?'"
)


def normalise_partition_bounds(schema: Schema) -> None:
    """Date and time bounds as PostgreSQL stores them for the key's type: `'2026-01-01'` on a timestamptz
    key is `'2026-01-01 00:00:00+00'` (zones as printed in UTC, the zone pg_dump and introspection use)."""
    tables = {join_key(t.schema, t.name): t for t in schema.tables()}
    for child in tables.values():
        parent = tables.get(child.partition_of or "")
        if parent is None or not child.partition_bound or not parent.partition_by:
            continue
        key = _KEY_COLUMN.match(parent.partition_by)
        column = parent.column(key.group(1)) if key else None
        kind = column.type.upper() if column else ""
        if kind not in ("DATE", "TIMESTAMP", "TIMESTAMPTZ"):
            continue
        child.partition_bound = _BOUND_LITERAL.sub(partial(bound_literal, kind=kind), child.partition_bound)


def inherit_partition_indexes(schema: Schema) -> None:
    """A partition has the unique constraints and indexes of its partitioned table, with names PostgreSQL
    gives them (`<partition>_pkey`, `<partition>_<columns>_idx`), whether it was declared with PARTITION OF,
    attached later, or dumped with its own copies."""
    tables = {join_key(t.schema, t.name): t for t in schema.tables()}
    settle(tables)

    def depth(table: Table) -> int:
        n = 0
        while table.partition_of and table.partition_of in tables and n < 32:
            table, n = tables[table.partition_of], n + 1
        return n

    for child in sorted((t for t in tables.values() if t.partition_of), key=depth):
        parent = tables.get(child.partition_of or "")
        if parent is None:
            continue
        for constraint in parent.constraints:
            if constraint.kind not in (ConstraintKind.PRIMARY_KEY, ConstraintKind.UNIQUE):
                continue
            if any(c.kind is constraint.kind and c.columns == constraint.columns for c in child.constraints):
                continue
            if join_key(child.schema, child.name) in constraint.unattached:
                continue  # ALTER TABLE ONLY: not on this partition
            label = "pkey" if constraint.kind is ConstraintKind.PRIMARY_KEY else "key"
            columns = None if constraint.kind is ConstraintKind.PRIMARY_KEY else "_".join(constraint.columns)
            child.constraints.append(
                msgspec.structs.replace(
                    constraint, name=make_object_name(child.name, columns, label), comment=None, unattached=()
                )
            )
            child.constraints.sort(key=lambda c: c.name)
        for index in parent.indexes:
            if any(i.definition == index.definition and i.unique == index.unique for i in child.indexes):
                continue
            label = inherited_addition(schema.dialect, index)
            child.indexes.append(
                msgspec.structs.replace(index, name=make_object_name(child.name, label, "idx"), comment=None)
            )
            child.indexes.sort(key=lambda i: i.name)
