"""Statements about a table kept opaque go with it.

A CREATE TABLE the parser cannot read is kept whole, as written (an opaque definition). What the script
says about that table afterwards (a column added, a constraint, an index, a comment on the index or a
column) finds no modelled table; kept as statements of their own (kind `other`, ordered by name, last),
they replayed before the objects they depend on or after the views that read them: `COMMENT ON INDEX`
before its `CREATE INDEX`, a view before the `ADD COLUMN` it reads. So such a statement is appended, as
the normaliser keeps any opaque statement, to the table's own definition, in script order: schema.sql
replays them where the table is made, and the table's text changes with any of them.

Foreign keys stay apart: they replay last, once every table they may reference exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from schemareg.model import ConstraintKind, Definition, Kind, ObjectKey
from schemareg.names import sibling_key
from schemareg.normalize import ops as o

__all__ = ["absorb"]

# The ops that name the table they change.
_TABLE_OPS = (
    o.AddColumn,
    o.DropColumn,
    o.AlterColumn,
    o.RenameColumn,
    o.AddConstraint,
    o.ValidateConstraint,
    o.DropConstraint,
    o.RenameConstraint,
    o.TableOption,
    o.SetInherit,
    o.SetStorage,
    o.CreateIndex,
)
# COMMENT ON <kind> whose target is the table (the member is on it; COMMENT ON TABLE sets the opaque
# table's own comment).
_MEMBER_COMMENTS = frozenset({"COLUMN", "CONSTRAINT"})


def absorb(
    objects: Mapping[ObjectKey, object],
    index_owner: dict[str, str],
    op: o.AnyOp,
    statement: Callable[[], str],
) -> bool:
    """Append the statement (`statement()`: its text as an opaque one's) to the opaque table `op` is
    about; False if there is none."""
    table = _table_of(op, index_owner)
    host = objects.get(ObjectKey(Kind.TABLE, table)) if table else None
    if not isinstance(host, Definition) or not host.opaque or table is None:
        return False
    host.sql = f"{host.sql};\n{statement()}"
    if isinstance(op, o.CreateIndex):
        index_owner[sibling_key(table, op.index.name)] = table
    elif isinstance(op, o.RenameObject):
        index_owner[sibling_key(table, op.new)] = table
    return True


def _table_of(op: o.AnyOp, index_owner: dict[str, str]) -> str | None:
    if isinstance(op, o.AddConstraint) and op.constraint.kind is ConstraintKind.FOREIGN_KEY:
        return None
    if isinstance(op, _TABLE_OPS):
        return op.table
    if isinstance(op, o.SetComment):
        if op.kind in _MEMBER_COMMENTS:
            return op.target
        return index_owner.get(op.target) if op.kind == "INDEX" else None
    if isinstance(op, (o.RenameObject, o.DropObject)) and op.kind is Kind.INDEX:
        return index_owner.get(op.name)
    return None
