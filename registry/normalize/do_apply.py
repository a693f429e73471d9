"""Applying what a DO block does (do_blocks.py reads it): its guards answered by the model as the catalog
would answer them at that point of the script, and an EXCEPTION WHEN duplicate_... block as all or nothing.
"""

from __future__ import annotations

from typing import Protocol

from schemareg.model import Definition, Kind, ObjectKey, SchemaObject, Table, object_key_name
from schemareg.names import join_key, key_part, split_key, split_qualified, split_signature
from schemareg.normalize import ops
from schemareg.normalize.enums import enum_labels


class Applier(Protocol):
    """What of apply.Applier these need (a protocol: apply.py imports this module)."""

    objects: dict[ObjectKey, SchemaObject]
    index_owner: dict[str, str]

    def table(self, name: str) -> Table | None: ...

    def apply(self, op: ops.AnyOp) -> bool: ...


# pg_class.relkind -> the kinds of object that are such relations (indexes are looked up apart).
_RELKINDS = {
    "r": (Kind.TABLE,),
    "p": (Kind.TABLE,),
    "v": (Kind.VIEW,),
    "m": (Kind.MATERIALIZED_VIEW,),
    "S": (Kind.SEQUENCE,),
}
# Every relation has a row type in pg_type, so a type lookup finds these too.
_TYPE_KINDS = (Kind.TYPE, Kind.DOMAIN, Kind.TABLE, Kind.VIEW, Kind.MATERIALIZED_VIEW, Kind.SEQUENCE)
_ALWAYS_SCHEMAS = frozenset({"public", "pg_catalog", "information_schema"})
_ROUTINE_KINDS = (Kind.FUNCTION, Kind.PROCEDURE, Kind.AGGREGATE)


def _named(key_name: str, schema: str, name: str) -> bool:
    if schema:
        return key_name == join_key(schema, name)
    return split_key(key_name)[-1] == name


def _exists(applier: Applier, kinds: tuple[Kind, ...], schema: str, name: str) -> bool:
    if schema:
        return any(ObjectKey(kind, join_key(schema, name)) in applier.objects for kind in kinds)
    return any(key.kind in kinds and _named(key.name, "", name) for key in applier.objects)


def _tables(applier: Applier, check: ops.Check) -> list[Table]:
    schema, name = split_qualified(check.table)
    return [
        obj
        for key, obj in applier.objects.items()
        if isinstance(obj, Table) and (not check.table or _named(key.name, schema, name))
    ]


def holds(applier: Applier, check: ops.Check) -> bool:
    """Whether the catalog lookup finds its object in the model as it is now (before NOT)."""
    if check.what == "extension":
        found = ObjectKey(Kind.EXTENSION, key_part(check.name)) in applier.objects
    elif check.what == "schema":
        found = (
            check.name in _ALWAYS_SCHEMAS or ObjectKey(Kind.SCHEMA, key_part(check.name)) in applier.objects
        )
    elif check.what == "type":
        found = _exists(applier, _TYPE_KINDS, check.schema, check.name)
    elif check.what == "relation":
        kinds = tuple({k for letter in check.relkinds or "rpvmS" for k in _RELKINDS.get(letter, ())})
        found = _exists(applier, kinds, check.schema, check.name)
        if not found and (not check.relkinds or set(check.relkinds) & {"i", "I"}):
            found = any(_named(index, check.schema, check.name) for index in applier.index_owner)
    elif check.what == "routine":
        found = any(
            key.kind in _ROUTINE_KINDS and _named(split_signature(key.name)[0], check.schema, check.name)
            for key in applier.objects
        )
    elif check.what == "label":
        schema, name = split_qualified(check.table) if "." in check.table else (check.schema, check.table)
        found = any(
            check.name in (enum_labels(obj) or ())
            for key, obj in applier.objects.items()
            if key.kind is Kind.TYPE and _named(key.name, schema, name)
        )
    elif check.what == "column":
        found = any(table.column(check.name) is not None for table in _tables(applier, check))
    else:  # constraint
        found = any(c.name == check.name for table in _tables(applier, check) for c in table.constraints)
    return found != check.negated


def apply_guarded(applier: Applier, op: ops.Guarded) -> bool:
    branch = op.then if all(holds(applier, check) for check in op.when) else op.otherwise
    return all([applier.apply(inner) for inner in branch])


def _creates_existing(applier: Applier, op: ops.AnyOp) -> bool:
    """Whether the op would fail because what it creates is there already (duplicate_object and kin)."""
    if isinstance(op, ops.CreateTable | ops.CreateSequence | ops.CreateDefinition):
        created = op.table if isinstance(op, ops.CreateTable) else getattr(op, "sequence", None)
        obj = created if created is not None else getattr(op, "definition", None)
        if obj is None or op.if_not_exists or getattr(op, "replace", False):
            return False
        kind = Kind.TABLE if isinstance(op, ops.CreateTable) else Kind.SEQUENCE
        if isinstance(obj, Definition):
            kind = obj.kind
        return ObjectKey(kind, object_key_name(kind, obj.schema, obj.name)) in applier.objects
    if isinstance(op, ops.CreateIndex):
        sibling = join_key(*split_key(op.table)[:-1], op.index.name)
        return not op.if_not_exists and sibling in applier.index_owner
    table = applier.table(getattr(op, "table", "") or "")
    if isinstance(op, ops.AddColumn):
        return table is not None and not op.if_not_exists and table.column(op.column.name) is not None
    if isinstance(op, ops.AddConstraint):
        return table is not None and any(c.name == op.constraint.name for c in table.constraints)
    return False


def apply_attempt(applier: Applier, op: ops.Attempt) -> bool:
    """The block's statements run in a subtransaction: one that raises undoes them all, and the handler
    swallows the error (or runs its own statements). What it creates twice, or what is there already,
    is such an error; with any error caught, so is a statement about what is not there."""
    if any(_creates_existing(applier, inner) for inner in op.ops) or (
        op.any_error and not all(_target_exists(applier, inner) for inner in op.ops)
    ):
        return all([applier.apply(inner) for inner in op.otherwise])  # the handler's, if any
    return all([applier.apply(inner) for inner in op.ops])


def _target_exists(applier: Applier, op: ops.AnyOp) -> bool:
    table = getattr(op, "table", None)
    if isinstance(table, str) and not isinstance(op, ops.CreateIndex):
        return applier.table(table) is not None
    if isinstance(op, ops.CreateIndex):
        return applier.table(op.table) is not None
    return True
