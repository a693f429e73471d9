"""What one statement does to a schema, as plain data: the unit the statement cache stores.

Compiling a statement (sqlglot, the expensive part) yields a list of ops; applying ops in script order
(cheap, pure Python) builds the model. That split is what makes re-normalisation cost about the changed
statements only.
"""

from __future__ import annotations

from typing import Any

import msgspec

from schemareg.model import Column, Constraint, Definition, Index, Kind, Sequence, Table


class Grant(msgspec.Struct, frozen=True):
    """One statement's effect: privileges added to (or, revoke=True, removed from) a grantee on an object."""

    kind: str  # TABLE, SEQUENCE, FUNCTION, SCHEMA, ...
    target: str  # canonical, schema-qualified where it applies
    grantee: str
    privileges: tuple[str, ...]
    grant_option: bool = False
    revoke: bool = False


class Op(msgspec.Struct, tag=True, tag_field="op", kw_only=True, omit_defaults=True):
    # ALTER TABLE IF EXISTS: the op does nothing when this table (qualified) is not there, as in PostgreSQL.
    if_table: str = ""


class CreateTable(Op):
    table: Table
    if_not_exists: bool = False
    partition_of: bool = False  # CREATE TABLE ... PARTITION OF: columns come from the parent


class CreateTableAs(Op):
    """CREATE TABLE ... AS <query> (PostgreSQL): the table, its columns typed from `query`'s plan when
    applied, or, when they cannot be, `fallback` (the statement as written, opaque). normalize/table_as.py."""

    table: Table  # its name and options; the columns come from the query
    query: list[Any] | None  # table_as.plan_query's plan; None when it has none (`reason` says why)
    fallback: Definition
    names: list[str] = []  # CREATE TABLE t (a, b) AS: the first columns' names
    reason: str = ""
    if_not_exists: bool = False


class CopyLike(Op):
    """CREATE TABLE ... (LIKE source ...): the source's columns at `at`, and what `including` names
    (normalize/table_like.py); `fallback`, the statement as written, where the source is not a table."""

    table: str
    source: str
    at: int
    fallback: Definition
    including: list[str] = []


class CreateSequence(Op):
    sequence: Sequence
    if_not_exists: bool = False
    serial: bool = False  # made by a serial column: takes the next free name, as PostgreSQL does


class CreateDefinition(Op):
    definition: Definition
    replace: bool = False
    if_not_exists: bool = False


class CreateIndex(Op):
    table: str  # qualified
    index: Index
    if_not_exists: bool = False
    chosen: str = ""  # made without a name: the key names PostgreSQL chose it from (numbered when taken)


class AddColumn(Op):
    table: str
    column: Column
    if_not_exists: bool = False


class DropColumn(Op):
    table: str
    column: str
    if_exists: bool = False
    cascade: bool = False  # DROP COLUMN ... CASCADE: the views that read it go too


class AlterColumn(Op):
    """One change to a column; fields left at None are not changed."""

    table: str
    column: str
    type: str | None = None
    default: str | None = None
    # SET DEFAULT without the column's type at hand: the default as stored for each class of type that
    # stores it differently (tables.TYPE_CLASSES), the applier picks the column's; "" for any other type.
    default_by_type: dict[str, str] = {}
    drop_default: bool = False
    nullable: bool | None = None
    identity: str | None = None
    drop_identity: bool = False
    drop_generated: bool = False
    collation: str | None = None
    # ALTER COLUMN ... SET GENERATED ALWAYS | BY DEFAULT and SET <sequence option>: the identity's kind, and
    # its sequence options as written (upper case), which win over the ones it had.
    identity_kind: str | None = None
    identity_options: str = ""
    only: bool = False  # ALTER TABLE ONLY: not its partitions (partition_columns.py)


class RenameColumn(Op):
    table: str
    old: str
    new: str


class RenameObject(Op):
    kind: Kind  # TABLE, SEQUENCE, VIEW, ... or INDEX (looked up in tables)
    name: str  # qualified
    new: str  # unqualified
    if_exists: bool = False  # ALTER INDEX IF EXISTS ... RENAME: nothing when it is not there


class MoveObject(Op):
    """ALTER TABLE / VIEW / MATERIALIZED VIEW / SEQUENCE / TYPE / DOMAIN ... SET SCHEMA (schema_moves.py)."""

    kind: Kind
    name: str  # qualified
    schema: str  # the schema it moves to
    if_exists: bool = False


class RenameSchema(Op):
    """ALTER SCHEMA old RENAME TO new: the schema and everything in it (schema_moves.py)."""

    old: str
    new: str


class RenameConstraint(Op):
    table: str
    old: str
    new: str


class AddConstraint(Op):
    table: str
    constraint: Constraint
    named: bool = True  # False: the name was generated and may need a numeric suffix
    only: bool = False  # ALTER TABLE ONLY: on a partitioned table, the key is not put on its partitions


class ValidateConstraint(Op):
    """ALTER TABLE ... VALIDATE CONSTRAINT: a NOT VALID constraint becomes valid."""

    table: str
    name: str


class DeferConstraint(Op):
    """ALTER TABLE ... ALTER CONSTRAINT name [NOT] DEFERRABLE [INITIALLY DEFERRED | IMMEDIATE]: the
    constraint's deferral becomes what is said (what is not said is the default, as in PostgreSQL)."""

    table: str
    name: str
    deferrable: bool = False
    deferred: bool = False


class DropConstraint(Op):
    table: str
    name: str
    if_exists: bool = False


class DropObject(Op):
    kind: Kind
    name: str  # qualified; for an index, the index name
    if_exists: bool = False


class SetComment(Op):
    kind: str  # what COMMENT ON names: TABLE, COLUMN, INDEX, CONSTRAINT, VIEW, FUNCTION, ...
    target: str  # qualified object (for a column: the table; for a constraint/trigger/policy: the table)
    member: str | None = None  # column, constraint, trigger or policy name
    text: str | None = None


class SequenceOwner(Op):
    sequence: str
    owned_by: str | None  # schema.table.column, or None for OWNED BY NONE


class AlterSequence(Op):
    sequence: str
    options: str  # canonical options replacing the given ones


class AttachPartition(Op):
    parent: str
    child: str
    bound: str


class AttachIndex(Op):
    """ALTER INDEX parent ATTACH PARTITION child: a partition's index becomes part of its parent's."""

    parent: str  # qualified index names
    child: str


class TableOption(Op):
    """A table-level change we keep as text on the table (SET STATISTICS, REPLICA IDENTITY, ...)."""

    table: str
    sql: str


class SetFiring(Op):
    """ALTER TABLE ... ENABLE [REPLICA | ALWAYS] | DISABLE TRIGGER | RULE: when the trigger or rule fires."""

    table: str  # qualified
    kind: Kind  # TRIGGER or RULE
    name: str | None  # None: TRIGGER ALL or TRIGGER USER, each trigger of the table
    state: str  # DISABLE, ENABLE REPLICA, ENABLE ALWAYS; ENABLE (the default)
    written: str  # the action as canonical text, kept on the table when there is no such trigger or rule


class SetInherit(Op):
    """ALTER TABLE ... INHERIT parent, or NO INHERIT parent (`drop`)."""

    table: str  # qualified
    parent: str  # qualified
    written: str  # the action as canonical text, kept on the table when the model cannot say it
    drop: bool = False


class AlterEnum(Op):
    """ALTER TYPE ... ADD VALUE (at the end, or BEFORE / AFTER `neighbour`) or RENAME VALUE label TO ..."""

    type: str  # qualified
    label: str
    neighbour: str | None = None
    after: bool = False
    if_not_exists: bool = False
    rename_to: str | None = None


class SetSequenceLogged(Op):
    """ALTER SEQUENCE ... SET LOGGED / SET UNLOGGED."""

    sequence: str
    unlogged: bool
    if_exists: bool = False


class SetLogged(Op):
    """ALTER TABLE ... SET LOGGED / SET UNLOGGED: whether the table is written to the WAL."""

    table: str
    unlogged: bool


class AlterDomain(Op):
    """ALTER DOMAIN ... SET / DROP DEFAULT, SET / DROP NOT NULL, ADD / DROP / RENAME / VALIDATE CONSTRAINT
    (domain_alter.py): one action, as a tuple whose first item says which."""

    domain: str  # qualified
    action: tuple[str, ...]


class AlterPublication(Op):
    """ALTER PUBLICATION ... ADD / DROP / SET TABLE, or SET (options) as ` WITH (...)` (publications.py)."""

    name: str
    action: str  # ADD, DROP, SET, OPTIONS
    tables: list[tuple[str, bool]] = []  # (qualified, ONLY)
    options: str = ""


class SetStatisticsTarget(Op):
    """ALTER STATISTICS ... SET STATISTICS n: the target, None for the default (statistics.py)."""

    name: str  # qualified
    target: int | None = None
    if_exists: bool = False


class SetStorage(Op):
    """ALTER TABLE ... SET (name = value, ...) / RESET (name, ...): the table's storage parameters."""

    table: str
    parameters: dict[str, str] = {}
    reset: tuple[str, ...] = ()


class ChangePrivileges(Op):
    grants: list[Grant]


class SetOwner(Op):
    kind: str  # TABLE, VIEW, FUNCTION, ...
    target: str  # canonical name as printed
    owner: str


class AlterRoutine(Op):
    """ALTER FUNCTION / PROCEDURE / ROUTINE / AGGREGATE of attributes or schema (routine_alter.py)."""

    kinds: list[str]  # the kinds the statement may name (ROUTINE: function or procedure)
    name: str  # qualified, with its signature, or (*) when written without arguments
    actions: list[tuple[str, ...]]


class Opaque(Op):
    definition: Definition
    message: str | None = None  # why it is opaque (the parser's error), if it failed
    line: int = 0  # where the parser failed, relative to the statement
    column: int = 0


class Ignored(Op):
    reason: str
    message: str | None = None  # a warning to report where the statement is (a DO block not applied)
    line: int = 0  # relative to the statement, as for Opaque
    column: int = 0


class Check(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One catalog lookup of a DO block's guard, answered by the model when the block is applied: does the
    object exist (`what`: extension, schema, type, relation, column, constraint)? `negated`: NOT EXISTS."""

    what: str
    name: str
    schema: str = ""  # "" when the lookup names no schema: any schema matches
    table: str = ""  # a column's table, a constraint's table (qualified, or bare when no schema is named)
    relkinds: str = ""  # pg_class.relkind letters the lookup accepts ("" any)
    negated: bool = False


class Guarded(Op):
    """IF <checks, all of them> THEN ops ELSE otherwise END IF, inside a DO block."""

    when: list[Check]
    then: list[AnyOp]
    otherwise: list[AnyOp] = []


class Attempt(Op):
    """BEGIN ops EXCEPTION WHEN duplicate_object (or the like) THEN NULL END: all the ops, or none of them
    when one would create what is there already."""

    ops: list[AnyOp]
    any_error: bool = False  # WHEN OTHERS: a statement about a missing object is swallowed too
    otherwise: list[AnyOp] = []  # what the handler does instead (WHEN OTHERS THEN <ddl>)


AnyOp = (
    CreateTable
    | CreateTableAs
    | CopyLike
    | CreateSequence
    | CreateDefinition
    | CreateIndex
    | AddColumn
    | DropColumn
    | AlterColumn
    | RenameColumn
    | RenameObject
    | MoveObject
    | RenameSchema
    | RenameConstraint
    | AddConstraint
    | ValidateConstraint
    | DeferConstraint
    | DropConstraint
    | DropObject
    | SetComment
    | SequenceOwner
    | AlterSequence
    | AttachPartition
    | AttachIndex
    | TableOption
    | SetFiring
    | SetInherit
    | SetStorage
    | SetStatisticsTarget
    | AlterPublication
    | SetLogged
    | SetSequenceLogged
    | AlterDomain
    | AlterEnum
    | ChangePrivileges
    | SetOwner
    | AlterRoutine
    | Opaque
    | Ignored
    | Guarded
    | Attempt
)

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(list[AnyOp])


def encode_ops(ops: list[AnyOp]) -> bytes:
    return _encoder.encode(ops)


def decode_ops(data: bytes) -> list[AnyOp]:
    return _decoder.decode(data)
