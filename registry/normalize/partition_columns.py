"""A partitioned table's column changes reach its partitions, as PostgreSQL makes them: ADD COLUMN, DROP
COLUMN, RENAME COLUMN and ALTER COLUMN recurse to every partition (a partition's columns are its own in
the model, copied from its parent when it was made, and schema.sql attaches it, which PostgreSQL refuses
unless its columns match). ALTER TABLE ONLY sets the parent's alone (a default; PostgreSQL refuses ONLY
for the rest on a table with partitions). Inheritance children hold only their own columns, so nothing is
copied to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from schemareg.model import Table
from schemareg.normalize import ops

__all__ = ["to_partitions"]

ColumnOp = ops.AddColumn | ops.DropColumn | ops.RenameColumn | ops.AlterColumn
A = TypeVar("A")


def to_partitions(handler: Callable[[A, Any], bool]) -> Callable[[A, Any], bool]:
    """`handler` (an Applier's handler of a column op), applied to the table, then to its partitions."""

    def apply(applier: A, op: ColumnOp) -> bool:
        done = handler(applier, op)
        if done and not getattr(op, "only", False):
            objects = applier.objects  # type: ignore[attr-defined]
            for key, obj in list(objects.items()):
                if isinstance(obj, Table) and obj.partition_of == op.table:
                    change = _for(op, key.name)
                    if change is not None:
                        apply(applier, change)
        return done

    return apply


def _for(op: ColumnOp, partition: str) -> ColumnOp | None:
    """The op for a partition: a column of its own, never an identity (its parent's sequence serves it, and
    PostgreSQL refuses to attach a partition with one); None when nothing else is left to change."""
    if isinstance(op, ops.AddColumn):
        column = msgspec.structs.replace(op.column, identity=None)
        return msgspec.structs.replace(op, table=partition, column=column)
    if isinstance(op, ops.AlterColumn):
        plain = msgspec.structs.replace(
            op, table=partition, identity=None, drop_identity=False, identity_kind=None, identity_options=""
        )
        return None if plain == ops.AlterColumn(table=partition, column=op.column, only=op.only) else plain
    return msgspec.structs.replace(op, table=partition)
