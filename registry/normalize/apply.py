"""Apply ops in script order, as the database would: DROP removes, CREATE OR REPLACE replaces, ALTER changes.

This is the cheap half of normalisation; it works on decoded copies of cached ops, so it may mutate them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from schemareg.model import (
    ConstraintKind,
    Definition,
    Index,
    Issue,
    Kind,
    ObjectKey,
    Schema,
    SchemaObject,
    Sequence,
    Table,
    key_of,
)
from schemareg.names import (
    join_key,
    key_head,
    sibling_key,
    split_key,
)
from schemareg.normalize import ops
from schemareg.normalize.column_refs import drop_column_readers, rename_column_everywhere
from schemareg.normalize.constraints import defer_constraint
from schemareg.normalize.dependents import drop_dependents, drop_key_dependents, sole_overload
from schemareg.normalize.do_apply import apply_attempt, apply_guarded
from schemareg.normalize.domain_alter import apply_alter_domain
from schemareg.normalize.enums import alter_enum
from schemareg.normalize.firing import keep_rule_firing, set_firing
from schemareg.normalize.group_names import resolve_as_made
from schemareg.normalize.identity import retune_identity
from schemareg.normalize.index_names import (
    free_index_name,
    index_on_materialized_view,
    relation_exists,
    rename_key_index,
)
from schemareg.normalize.inheritance import set_inherit
from schemareg.normalize.literals import default_for, retyped_default
from schemareg.normalize.opclasses import drop_default_opclasses
from schemareg.normalize.partition_checks import drop_inherited_checks
from schemareg.normalize.partition_columns import to_partitions
from schemareg.normalize.partition_keys import attach_index, only_key
from schemareg.normalize.partitions import inherit_partition_indexes, normalise_partition_bounds
from schemareg.normalize.policy_queries import qualify_policy_queries
from schemareg.normalize.privileges import PrivilegeSet
from schemareg.normalize.publications import apply_alter_publication
from schemareg.normalize.renames import carry_renamed, renamed_sql
from schemareg.normalize.routine_alter import apply_alter_routine
from schemareg.normalize.schema_moves import apply_move, apply_rename_schema
from schemareg.normalize.sequences import sequence_options
from schemareg.normalize.serials import place_serial, retarget_serials
from schemareg.normalize.statistics import order_statistics_columns, set_target
from schemareg.normalize.storage import set_logged, set_sequence_logged, set_storage
from schemareg.normalize.table_as import apply_table_as
from schemareg.normalize.table_casts import resolve_table_casts
from schemareg.normalize.table_like import apply_like
from schemareg.normalize.text import statement_name
from schemareg.normalize.using_index import key_from_index
from schemareg.normalize.view_casts import resolve_view_casts
from schemareg.normalize.view_containers import type_view_containers
from schemareg.normalize.views import qualify_join_views
from schemareg.render import quote, quote_qualified
from schemareg.table_actions import add_alteration


class Applier:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.objects = schema.objects
        self.index_owner: dict[str, str] = {}  # qualified index name -> qualified table name
        self.serials: dict[str, tuple[str, str]] = {}  # serial column -> its sequence's (old, chosen) name
        self.privileges = PrivilegeSet()
        # Warnings of the statement applied, each about an object, said if it is there at the end.
        self.notes: list[tuple[SchemaObject, str]] = []
        self.noted: list[tuple[SchemaObject, Issue]] = []

    # -- lookups -------------------------------------------------------------------------------------------

    def table(self, name: str) -> Table | None:
        obj = self.objects.get(ObjectKey(Kind.TABLE, name))
        return obj if isinstance(obj, Table) else None

    def put(self, obj: SchemaObject) -> None:
        self.objects[key_of(obj)] = obj

    # -- ops -----------------------------------------------------------------------------------------------

    def apply(self, op: ops.AnyOp) -> bool:
        """Apply one op; return False when its target does not exist (the statement is then kept opaque)."""
        if op.if_table and self.table(op.if_table) is None:
            return True
        return _HANDLERS[type(op)](self, op)

    def create_table(self, op: ops.CreateTable) -> bool:
        table = op.table
        key = key_of(table)
        if key in self.objects and op.if_not_exists:
            return True
        if op.partition_of and table.partition_of:
            parent = self.table(table.partition_of)
            if parent is not None and not table.columns:
                # A partition's columns are its parent's, but not their identity: the parent's sequence
                # serves them (PostgreSQL shows none on the partition).
                table.columns = [msgspec.structs.replace(c, identity=None) for c in parent.columns]
        self.objects[key] = table
        retarget_serials(table, self.serials)
        return True

    def create_sequence(self, op: ops.CreateSequence) -> bool:
        key = key_of(op.sequence)
        if key in self.objects and op.if_not_exists:
            return True
        owner = self.table(key_head(op.sequence.owned_by or "")[0]) if op.serial else None
        if op.serial and owner is None:
            return place_serial(self.objects, self.serials, op.sequence)
        op.sequence.unlogged |= owner is not None and "UNLOGGED" in (owner.options or "").split()
        self.objects[key] = op.sequence
        return True

    def create_definition(self, op: ops.CreateDefinition) -> bool:
        key = key_of(op.definition)
        if key in self.objects and op.if_not_exists:
            return True
        old = self.objects.get(key)
        if isinstance(old, Definition) and old.comment is not None and op.replace:
            op.definition.comment = old.comment  # CREATE OR REPLACE keeps the comment
        if key.kind in (Kind.VIEW, Kind.MATERIALIZED_VIEW):
            resolve_as_made(op.definition, self.objects, self.schema.dialect)
        self.objects[key] = op.definition
        return True

    def create_index(self, op: ops.CreateIndex) -> bool:
        table = self.table(op.table)
        if table is None:
            return index_on_materialized_view(self.objects, op, self.schema.dialect)
        if op.chosen:  # PostgreSQL numbers a name it chose that another relation of the schema has
            op.index.name = free_index_name(table.name, op.chosen, lambda n: relation_exists(self, table, n))
        if self.index_owner.get(sibling_key(op.table, op.index.name)) == op.table and any(
            i.name == op.index.name for i in table.indexes
        ):
            if op.if_not_exists:
                return True
            table.indexes = [i for i in table.indexes if i.name != op.index.name]
        table.indexes.append(op.index)
        self.index_owner[sibling_key(op.table, op.index.name)] = op.table
        return True

    def add_column(self, op: ops.AddColumn) -> bool:
        table = self.table(op.table)
        if table is None:
            return False
        if table.column(op.column.name) is not None:
            return op.if_not_exists
        table.columns.append(op.column)
        return True

    def drop_column(self, op: ops.DropColumn) -> bool:
        table = self.table(op.table)
        if table is None:
            return op.if_exists
        if table.column(op.column) is None:
            return op.if_exists
        table.columns = [c for c in table.columns if c.name != op.column]
        drop_column_readers(self.objects, table, op.column, cascade=op.cascade)
        return True

    def alter_column(self, op: ops.AlterColumn) -> bool:
        table = self.table(op.table)
        column = table.column(op.column) if table is not None else None
        if column is None:
            return False
        if op.type is not None:
            column.default = retyped_default(column.default, column.type, op.type)
            column.type = op.type
        if op.default is not None:
            column.default = default_for(column.type, op.default, op.default_by_type)
        if op.drop_default:
            column.default = None
        if op.nullable is not None:
            column.nullable = op.nullable
        if op.identity is not None:
            column.identity = op.identity
            column.default = None
        if op.drop_identity:
            column.identity = None
        if op.drop_generated:
            column.generated = None
        if op.collation is not None:
            column.collation = op.collation
        return True

    def rename_column(self, op: ops.RenameColumn) -> bool:
        table = self.table(op.table)
        column = table.column(op.old) if table is not None else None
        if table is None or column is None:
            return False
        column.name = op.new
        for constraint in table.constraints:
            if op.old in constraint.columns:
                constraint.columns = tuple(op.new if c == op.old else c for c in constraint.columns)
        rename_column_everywhere(self.objects, table, op.old, op.new, self.schema.dialect)
        return True

    def rename_object(self, op: ops.RenameObject) -> bool:
        if op.kind is Kind.INDEX:
            owner = self.index_owner.get(op.name)
            table = self.table(owner) if owner else None
            for index in table.indexes if table is not None else ():
                if sibling_key(owner or "", index.name) == op.name:
                    index.name = op.new
                    self.index_owner[sibling_key(owner or "", op.new)] = owner or ""
                    return True
            if table is not None:
                return op.if_exists
            if rename_key_index(self.objects, op.name, op.new):  # a key's index: the key is renamed
                return True
        key = ObjectKey(op.kind, op.name)  # an index of a materialized view is an object of its own
        if op.name.endswith("(*)"):  # ALTER FUNCTION f RENAME: the one overload there is
            key = sole_overload(self.objects, op.kind, op.name) or key
        obj = self.objects.pop(key, None)
        if obj is None:
            return op.if_exists
        old_name = obj.name
        obj.name = op.new if not op.new.endswith("(*)") else op.new[:-3] + key.name[key.name.index("(") :]
        if isinstance(obj, Definition) and (not obj.opaque or obj.kind is Kind.AGGREGATE):
            obj.sql = renamed_sql(obj, old_name, self.schema.dialect)
        self.put(obj)
        carry_renamed(self.objects, self.index_owner, obj, key.name, self.schema.dialect)
        return True

    def rename_constraint(self, op: ops.RenameConstraint) -> bool:
        table = self.table(op.table)
        if table is None:
            return False
        for constraint in table.constraints:
            if constraint.name == op.old:
                constraint.name = op.new
                return True
        return False

    def add_constraint(self, op: ops.AddConstraint) -> bool:
        table = self.table(op.table)
        if table is None:
            return False
        constraint = op.constraint
        if not op.named:
            base = constraint.name
            taken = {c.name for c in table.constraints} | {i.name for i in table.indexes}
            n = 0
            while constraint.name in taken:
                n += 1
                constraint.name = f"{base}{n}"
        table.constraints = [c for c in table.constraints if c.name != constraint.name]
        table.constraints.append(constraint)
        if constraint.kind is ConstraintKind.PRIMARY_KEY and self.schema.dialect != "sqlite":
            for name in constraint.columns:
                column = table.column(name)
                if column is not None:
                    column.nullable = False
        return True

    def drop_object(self, op: ops.DropObject) -> bool:
        if op.kind is Kind.INDEX:
            owner = self.index_owner.get(op.name)
            table = self.table(owner) if owner else None
            if table is None:
                return self.objects.pop(ObjectKey(Kind.INDEX, op.name), None) is not None or op.if_exists
            table.indexes = [i for i in table.indexes if sibling_key(owner or "", i.name) != op.name]
            self.index_owner.pop(op.name, None)
            return True
        if op.name.endswith("(*)"):  # DROP FUNCTION f without arguments: the one overload there is
            sole = sole_overload(self.objects, op.kind, op.name)
            if sole is None:
                return op.if_exists
            del self.objects[sole]
            drop_dependents(self.objects, sole)
            return True
        key = ObjectKey(op.kind, op.name)
        if key not in self.objects:
            if key == _PUBLIC and self.schema.dialect == "postgres":
                drop_dependents(self.objects, key)  # initdb's schema, never an object (objects.py)
                return True
            return op.if_exists
        obj = self.objects.pop(key)
        drop_dependents(self.objects, key)
        if isinstance(obj, Table):
            # Owned sequences and the table's triggers, policies and rules go with it.
            for other_key, other in list(self.objects.items()):
                if (
                    isinstance(other, Sequence) and other.owned_by and key_head(other.owned_by)[0] == op.name
                ) or (
                    isinstance(other, Definition)
                    and other.kind in (Kind.TRIGGER, Kind.POLICY, Kind.RULE)
                    and key_head(other_key.name)[0] == op.name
                ):
                    del self.objects[other_key]
            self.index_owner = {k: v for k, v in self.index_owner.items() if v != op.name}
        return True

    def sequence_owner(self, op: ops.SequenceOwner) -> bool:
        sequence = self.objects.get(ObjectKey(Kind.SEQUENCE, op.sequence))
        if not isinstance(sequence, Sequence):
            return False
        sequence.owned_by = op.owned_by
        return True

    def alter_sequence(self, op: ops.AlterSequence) -> bool:
        sequence = self.objects.get(ObjectKey(Kind.SEQUENCE, op.sequence))
        if not isinstance(sequence, Sequence):
            return False
        # Options given now win over the ones the sequence had.
        sequence.options = sequence_options(f"{op.options} {sequence.options}")
        return True

    def attach_partition(self, op: ops.AttachPartition) -> bool:
        child = self.table(op.child)
        if child is None:
            return False
        child.partition_of = op.parent
        child.partition_bound = op.bound
        return True

    def table_option(self, op: ops.TableOption) -> bool:
        table = self.table(op.table)
        if table is None:
            return False
        if key_from_index(table, op.sql, self.index_owner, op.table):
            return True
        add_alteration(table, op.sql)  # kept as text on the table: in its file and its fingerprint
        return True

    def change_privileges(self, op: ops.ChangePrivileges) -> bool:
        for grant in op.grants:
            self.privileges.apply(grant)
        return True

    def set_owner(self, op: ops.SetOwner) -> bool:
        name = f"{op.kind.lower()} {op.target}"
        sql = f"ALTER {op.kind} {op.target} OWNER TO {quote(op.owner, self.schema.dialect)}"
        self.put(Definition(kind=Kind.OWNER, schema="", name=name, sql=sql))
        return True

    def finish_privileges(self) -> None:
        for name, sql in self.privileges.statements().items():
            self.put(Definition(kind=Kind.GRANT, schema="", name=name, sql=sql))

    def opaque(self, op: ops.Opaque) -> bool:
        self.put(op.definition)
        return True

    def ignored(self, op: ops.Ignored) -> bool:
        return True


def _validate_constraint(applier: Applier, op: ops.ValidateConstraint) -> bool:
    table = applier.table(op.table)
    constraint = next((c for c in table.constraints if c.name == op.name), None) if table else None
    if constraint is None:
        return False
    constraint.definition = constraint.definition.removesuffix(" NOT VALID")
    return True


def view_column_comment(objects: dict[ObjectKey, SchemaObject], op: ops.SetComment) -> bool:
    """COMMENT ON COLUMN of a view's column: kept as its statement, spelt as PostgreSQL prints it (the view
    qualified), so that the script's and the database's are one object; a later one replaces it."""
    if not any(ObjectKey(kind, op.target) in objects for kind in (Kind.VIEW, Kind.MATERIALIZED_VIEW)):
        return False
    head = f"COMMENT ON COLUMN {quote_qualified(op.target)}.{quote(op.member or '')} IS "
    for key, obj in list(objects.items()):
        if key.kind is Kind.OTHER and isinstance(obj, Definition) and obj.sql.startswith(head):
            del objects[key]
    if op.text is not None:
        sql = head + "'" + op.text.replace("'", "''") + "'"
        objects[ObjectKey(Kind.OTHER, statement_name(sql))] = Definition(
            kind=Kind.OTHER, schema="", name=statement_name(sql), sql=sql, opaque=True
        )
    return True


def _drop_constraint(applier: Applier, op: ops.DropConstraint) -> bool:
    table = applier.table(op.table)
    dropped = next((c for c in table.constraints if c.name == op.name), None) if table else None
    if table is None or dropped is None:
        return op.if_exists
    table.constraints = [c for c in table.constraints if c is not dropped]
    drop_key_dependents(applier.objects, table, dropped, applier.schema.dialect)  # its foreign keys
    return True


def _referenced_now(schema: Schema, op: ops.AddConstraint) -> bool:
    """A foreign key that names no referenced columns references the primary key there is now, as
    PostgreSQL resolves it when the key is made (one made later does not change it)."""
    constraint = op.constraint
    if constraint.kind is ConstraintKind.FOREIGN_KEY and constraint.references:
        _fill_referenced_columns(schema, constraint)
    return True


def made_already(objects: dict[ObjectKey, SchemaObject], statement: list[ops.AnyOp]) -> bool:
    """Whether `statement` is a CREATE TABLE IF NOT EXISTS of a table that is there: PostgreSQL then does
    nothing of it, its serial sequences, constraints and indexes included."""
    return any(
        isinstance(op, ops.CreateTable) and op.if_not_exists and key_of(op.table) in objects
        for op in statement
    )


def _set_comment(applier: Applier, op: ops.SetComment) -> bool:
    """COMMENT ON: the comment is kept on the object, or on its column, constraint, trigger, policy or index."""
    kind = op.kind
    if kind == "COLUMN":
        table = applier.table(op.target)
        column = table.column(op.member or "") if table is not None else None
        if column is None:
            return table is None and view_column_comment(applier.objects, op)
        column.comment = op.text
        return True
    if kind == "CONSTRAINT":
        table = applier.table(op.target)
        if table is None:
            return False
        for constraint in table.constraints:
            if constraint.name == op.member:
                constraint.comment = op.text
                return True
        return False
    if kind in ("TRIGGER", "POLICY", "RULE"):
        key = ObjectKey(Kind(kind.lower()), join_key(*split_key(op.target), op.member or ""))
        obj = applier.objects.get(key)
        if obj is None:
            return False
        obj.comment = op.text
        return True
    if kind == "INDEX":
        owner = applier.index_owner.get(op.target)
        table = applier.table(owner) if owner else None
        if table is None:  # an index of a materialized view is an object of its own
            found = applier.objects.get(ObjectKey(Kind.INDEX, op.target))
            if found is not None:
                found.comment = op.text
            return found is not None
        for index in table.indexes:
            if sibling_key(owner or "", index.name) == op.target:
                index.comment = op.text
                return True
        return False
    mapped = _COMMENT_KINDS.get(kind)
    if mapped is None:
        return False
    key = ObjectKey(mapped, op.target)
    if op.target.endswith("(*)"):  # COMMENT ON FUNCTION f without arguments: the one overload there is
        key = sole_overload(applier.objects, mapped, op.target) or key
    target = applier.objects.get(key)
    if target is None and mapped is Kind.TABLE:
        target = applier.objects.get(ObjectKey(Kind.VIEW, op.target))
    if target is None:
        return False
    target.comment = op.text
    return True


# Op type -> how it changes the schema.
_PUBLIC = ObjectKey(Kind.SCHEMA, "public")
_HANDLERS: dict[type[ops.Op], Callable[[Applier, Any], bool]] = {
    ops.CreateTable: Applier.create_table,
    ops.CreateTableAs: lambda applier, op: apply_table_as(applier, op),
    ops.CopyLike: lambda applier, op: apply_like(applier, op),
    ops.CreateSequence: Applier.create_sequence,
    ops.CreateDefinition: Applier.create_definition,
    ops.CreateIndex: Applier.create_index,
    ops.AddColumn: to_partitions(Applier.add_column),
    ops.DropColumn: to_partitions(Applier.drop_column),
    ops.AlterColumn: to_partitions(
        lambda applier, op: Applier.alter_column(applier, op) and retune_identity(applier.table(op.table), op)
    ),
    ops.RenameColumn: to_partitions(Applier.rename_column),
    ops.RenameObject: Applier.rename_object,
    ops.MoveObject: lambda applier, op: apply_move(applier.objects, applier.index_owner, op),
    ops.RenameSchema: lambda applier, op: apply_rename_schema(applier.objects, applier.index_owner, op),
    ops.RenameConstraint: Applier.rename_constraint,
    ops.AddConstraint: lambda applier, op: (
        _referenced_now(applier.schema, op)
        and Applier.add_constraint(applier, op)
        and only_key(applier.objects, op)
    ),
    ops.ValidateConstraint: _validate_constraint,
    ops.DeferConstraint: lambda applier, op: defer_constraint(applier.table(op.table), op),
    ops.DropConstraint: lambda applier, op: _drop_constraint(applier, op),
    ops.DropObject: Applier.drop_object,
    ops.SetComment: _set_comment,
    ops.SequenceOwner: Applier.sequence_owner,
    ops.AlterSequence: Applier.alter_sequence,
    ops.AttachPartition: Applier.attach_partition,
    ops.AttachIndex: lambda applier, op: attach_index(applier.objects, op),
    ops.TableOption: Applier.table_option,
    ops.SetFiring: lambda applier, op: set_firing(applier.objects, op),
    ops.SetInherit: lambda applier, op: set_inherit(applier.objects, op),
    ops.SetStorage: lambda applier, op: set_storage(applier.table(op.table), op),
    ops.SetLogged: lambda applier, op: set_logged(applier.objects, applier.table(op.table), op),
    ops.SetSequenceLogged: lambda applier, op: set_sequence_logged(applier.objects, op),
    ops.AlterEnum: lambda applier, op: alter_enum(applier.objects, op),
    ops.AlterDomain: lambda applier, op: apply_alter_domain(applier.objects, op),
    ops.SetStatisticsTarget: lambda applier, op: set_target(applier.objects, op),
    ops.AlterPublication: lambda applier, op: apply_alter_publication(applier.objects, op),
    ops.ChangePrivileges: Applier.change_privileges,
    ops.SetOwner: Applier.set_owner,
    ops.AlterRoutine: lambda applier, op: apply_alter_routine(applier.objects, op),
    ops.Opaque: lambda applier, op: Applier.opaque(applier, keep_rule_firing(applier.objects, op)),
    ops.Ignored: Applier.ignored,
    ops.Guarded: apply_guarded,
    ops.Attempt: apply_attempt,
}


_COMMENT_KINDS = {
    "TABLE": Kind.TABLE,
    "FOREIGN TABLE": Kind.TABLE,
    "VIEW": Kind.VIEW,
    "MATERIALIZED VIEW": Kind.MATERIALIZED_VIEW,
    "SEQUENCE": Kind.SEQUENCE,
    "FUNCTION": Kind.FUNCTION,
    "PROCEDURE": Kind.PROCEDURE,
    "AGGREGATE": Kind.AGGREGATE,
    "TYPE": Kind.TYPE,
    "DOMAIN": Kind.DOMAIN,
    "SCHEMA": Kind.SCHEMA,
    "EXTENSION": Kind.EXTENSION,
    "STATISTICS": Kind.STATISTICS,
}


def finish(schema: Schema, typed: dict[tuple[object, ...], str] | None = None) -> None:
    """Sort what has no order of its own, fill foreign keys that named only their table, and type stored
    expressions (`typed`: the statement cache's memo of typed expressions, None without a cache)."""
    for obj in schema.objects.values():
        if isinstance(obj, Table):
            obj.constraints.sort(key=lambda c: c.name)
            obj.indexes.sort(key=lambda i: i.name)
            for constraint in obj.constraints:
                if constraint.kind is ConstraintKind.FOREIGN_KEY and constraint.references:
                    _fill_referenced_columns(schema, constraint)
    inherit_partition_indexes(schema)
    drop_inherited_checks(schema)
    normalise_partition_bounds(schema)
    resolve_table_casts(schema, typed)
    order_statistics_columns(schema)
    drop_default_opclasses(schema)
    qualify_join_views(schema)
    qualify_policy_queries(schema)
    resolve_view_casts(schema)
    type_view_containers(schema)


def _fill_referenced_columns(schema: Schema, constraint: object) -> None:
    from schemareg.model import Constraint
    from schemareg.render import quote, quote_qualified

    assert isinstance(constraint, Constraint)
    ref = constraint.references or ""
    marker = f"REFERENCES {quote_qualified(ref, schema.dialect)}"
    if marker not in constraint.definition or f"{marker} (" in constraint.definition:
        return
    target = schema.objects.get(ObjectKey(Kind.TABLE, ref))
    if not isinstance(target, Table):
        return
    pk = next((c for c in target.constraints if c.kind is ConstraintKind.PRIMARY_KEY), None)
    if pk is None:
        return
    columns = ", ".join(quote(c, schema.dialect) for c in pk.columns)
    constraint.definition = constraint.definition.replace(marker, f"{marker} ({columns})", 1)


__all__ = ["Applier", "Index", "finish"]
