"""A partitioned table's key added with ALTER TABLE ONLY, as PostgreSQL keeps it.

`ALTER TABLE parent ADD PRIMARY KEY` puts the key on every partition. With ONLY, PostgreSQL makes the
parent's index alone, marked invalid, and leaves the partitions that exist as they are: each gets the key
by `ALTER INDEX parent_key ATTACH PARTITION partition_key` (of a key the partition has), and the parent's
index is valid once all have one. A partition created or attached later gets the key as usual.

So the key records the partitions it is not on yet (`Constraint.unattached`): ONLY sets them to the
partitions there are, an attached index takes its partition off, and only the others get the key's copy.
This is also how pg_dump writes every partitioned key (ONLY, then one ATTACH per partition), so a dump
and a script that adds the key plainly are one schema; and what the live inspector reads back.
"""

from __future__ import annotations

from schemareg.model import ConstraintKind, Kind, ObjectKey, SchemaObject, Table
from schemareg.names import join_key, split_qualified
from schemareg.normalize import ops

_KEYS = (ConstraintKind.PRIMARY_KEY, ConstraintKind.UNIQUE)


def _name(table: Table) -> str:
    return join_key(table.schema, table.name)


def only_key(objects: dict[ObjectKey, SchemaObject], op: ops.AddConstraint) -> bool:
    """After ALTER TABLE ONLY parent ADD <key>: the key is on none of the partitions there are yet."""
    table = objects.get(ObjectKey(Kind.TABLE, op.table))
    if not (op.only and isinstance(table, Table) and table.partition_by) or op.constraint.kind not in _KEYS:
        return True
    partitions = sorted(
        _name(t) for t in objects.values() if isinstance(t, Table) and t.partition_of == op.table
    )
    for constraint in table.constraints:
        if constraint.name == op.constraint.name:
            constraint.unattached = tuple(partitions)
    return True


def attach_index(objects: dict[ObjectKey, SchemaObject], op: ops.AttachIndex) -> bool:
    """ALTER INDEX parent_key ATTACH PARTITION partition_key: that partition has the key now."""
    parent_schema, parent_name = split_qualified(op.parent)
    child_schema, child_name = split_qualified(op.child)
    owner = next(
        (
            t
            for t in objects.values()
            if isinstance(t, Table)
            and t.schema == child_schema
            and any(c.name == child_name for c in t.constraints)
        ),
        None,
    )
    if owner is None:
        return True  # a plain index attached to its parent's: nothing the model records
    for table in objects.values():
        if isinstance(table, Table) and table.schema == parent_schema and table.partition_by:
            for constraint in table.constraints:
                if constraint.name == parent_name and constraint.unattached:
                    constraint.unattached = tuple(n for n in constraint.unattached if n != _name(owner))
    return True


def settle(tables: dict[str, Table]) -> None:
    """At the end: a key is not waiting for what is no partition of its table any more."""
    for table in tables.values():
        for constraint in table.constraints:
            if constraint.unattached:
                constraint.unattached = tuple(
                    n for n in constraint.unattached if n in tables and tables[n].partition_of == _name(table)
                )
