"""The ops of the inspector's statements whose structure the catalog rows give completely, had without
compiling each statement: sequences, plain tables and their columns, the ALTER SEQUENCE ... OWNED BY of a
serial, constraints and indexes.

What PostgreSQL prints (a type, a default, a constraint's or an index's definition) still goes through
the normaliser, in a probe: the statement the DDL writer would emit with the object's own names replaced
by stand-ins. A probe names no object, so its ops (compiled once, then cached like any statement) serve
every object of the same shape: every `PRIMARY KEY (id)`, every `amount numeric(12,2) DEFAULT 0 NOT NULL`
column, every `REFERENCES <table>(id)`. The real names are put back into the probe's ops; the catalog's
names need no parser (`quote_ident` wrote them). A probe whose ops are not the one op expected gives no
ops, and the inspector compiles the statement itself (`assemble`), so nothing is ever guessed.

A serial's `nextval('<sequence>'::regclass)` default names its sequence, so no probe could serve two of
them: it is read here, as the normaliser reads it (tests/unit/test_pg_direct.py proves the two equal).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import msgspec

from schemareg.lazy_re import lazy_compile
from schemareg.model import Table
from schemareg.names import join_key, make_object_name, split_key, truncate_identifier
from schemareg.normalize import ops
from schemareg.render import literal, quote_qualified

__all__ = ["Direct", "constraint", "identity", "index", "owned_by", "sequence", "table"]

Row = dict[str, Any]
Ops = list[ops.AnyOp]

# The stand-ins: plain identifiers, so they read as any plain name does.
PROBE_SCHEMA = "schemareg_probe"
PROBE_RELATION = "schemareg_probe_table"
PROBE_TABLE = f"{PROBE_SCHEMA}.{PROBE_RELATION}"
PROBE_REFERENCED = f"{PROBE_SCHEMA}.schemareg_probe_referenced"
PROBE_NAME = "schemareg_probe_name"
PROBE_SEQUENCE = f"{PROBE_SCHEMA}.schemareg_probe_sequence"
# The name PostgreSQL gives the stand-in column's identity sequence unless told another one.
PROBE_DEFAULT_SEQUENCE = f"{PROBE_SCHEMA}.{make_object_name(PROBE_RELATION, PROBE_NAME, 'seq')}"

_IDENT = lazy_compile(r'"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*')
_NEXTVAL = lazy_compile(r"nextval\('((?:[^']|'')+)'::regclass\)")


class Direct(NamedTuple):
    """A statement's ops from its probes: `build` is given each probe's ops, in order, and returns the
    statement's ops, or None when a probe's ops are not what it expects (the statement is then compiled)."""

    probes: tuple[str, ...]
    build: Callable[[Sequence[Ops]], Ops | None]


# -- names, as the normaliser reads them -------------------------------------------------------------


def unquote(part: str) -> str:
    """One identifier as `quote_ident` wrote it -> its canonical name (`Context.unquote`)."""
    name = part[1:-1].replace('""', '"') if part[:1] == '"' else part.lower()
    return name if len(name) <= 15 else truncate_identifier(name)


@functools.lru_cache(maxsize=8192)  # a table's name is read for its every key, index and sequence
def read_name(text: str) -> tuple[str, str]:
    """`schema.name` as `quote_ident` wrote it -> (schema, name), `public` when unqualified."""
    if '"' in text:
        parts = [unquote(m.group(0)) for m in _IDENT.finditer(text)]
    else:
        parts = [unquote(part) for part in text.split(".")]
    return (parts[-2], parts[-1]) if len(parts) > 1 else ("public", parts[-1])


def qualified(text: str) -> str:
    return join_key(*read_name(text))


def nextval_default(expression: str | None) -> str | None:
    """A serial's default, `nextval('<sequence>'::regclass)` as PostgreSQL prints it, in canonical form;
    None for any other expression."""
    found = _NEXTVAL.fullmatch(expression or "")
    if found is None:
        return None
    sequence = qualified(found.group(1).replace("''", "'"))
    return f"NEXTVAL(CAST({literal(quote_qualified(sequence))} AS REGCLASS))"


def _one(probe: Ops, kind: type[Any]) -> Any:
    return probe[0] if len(probe) == 1 and type(probe[0]) is kind and not probe[0].if_table else None


# -- the statements ----------------------------------------------------------------------------------


def sequence(qname: str, head: str, options: str) -> Direct:
    """`CREATE [UNLOGGED] SEQUENCE <qname> <options>`."""
    schema, name = read_name(qname)

    def build(probes: Sequence[Ops]) -> Ops | None:
        op = _one(probes[0], ops.CreateSequence)
        if op is None or op.if_not_exists or op.serial:
            return None
        seq = op.sequence
        if (seq.schema, seq.name, seq.owned_by, seq.comment) != (PROBE_SCHEMA, PROBE_RELATION, None, None):
            return None
        seq.schema, seq.name = schema, name
        return [op]

    return Direct((f"{head} {PROBE_TABLE} {options}",), build)


def owned_by(sequence_qname: str, table_qname: str, column: str) -> Direct:
    """`ALTER SEQUENCE <sequence> OWNED BY <table>.<column>`: names only."""
    owner = join_key(*read_name(table_qname), unquote(column))
    return Direct((), lambda _: [ops.SequenceOwner(sequence=qualified(sequence_qname), owned_by=owner)])


def table(qname: str, columns: Sequence[tuple[str, str, str | None]]) -> Direct | None:
    """`CREATE TABLE <qname> (<columns>)` of a plain table: each column `(name, definition without the
    name, canonical default read here or None)` is a probe of its own."""
    if not columns:
        return None
    schema, name = read_name(qname)
    probes = tuple(f"CREATE TABLE {PROBE_TABLE} (\n    {PROBE_NAME} {spec}\n)" for _, spec, _ in columns)
    empty = Table(schema=PROBE_SCHEMA, name=PROBE_RELATION)

    def build(found: Sequence[Ops]) -> Ops | None:
        built = []
        for probe, (column_name, _, default) in zip(found, columns, strict=True):
            op = _one(probe, ops.CreateTable)
            if op is None or op.if_not_exists or op.partition_of or len(op.table.columns) != 1:
                return None
            if msgspec.structs.replace(op.table, columns=[]) != empty:
                return None
            column = op.table.columns[0]
            if column.name != PROBE_NAME or (default is not None and column.default is not None):
                return None
            column.name = unquote(column_name)
            if default is not None:
                column.default = default
            built.append(column)
        return [ops.CreateTable(table=Table(schema=schema, name=name, columns=built))]

    return Direct(probes, build)


def identity(table_qname: str, column: str, how: str, sequence_qname: str, options: str) -> Direct | None:
    """`ALTER TABLE <table> ALTER COLUMN <column> ADD GENERATED <how> AS IDENTITY (SEQUENCE NAME <sequence>
    <options>)`. The normaliser keeps the sequence's name unless it is the one PostgreSQL would have
    chosen (`<table>_<column>_seq`), and reads it from the statement's words upper-cased, then lower-cased
    again; the probe's stand-in is the default name or not as the real one is. Only for names
    `quote_ident` left bare (ASCII lower case, which that round trip keeps): any other is compiled."""
    if '"' in table_qname or '"' in column or '"' in sequence_qname:
        return None
    table_schema, table_name = read_name(table_qname)
    column_name = unquote(column)
    sequence_name = qualified(sequence_qname)
    default = split_key(sequence_name)[-1] == make_object_name(table_name, column_name, "seq")
    stand_in = PROBE_DEFAULT_SEQUENCE if default else PROBE_SEQUENCE
    marker = f"SEQUENCE NAME {PROBE_SEQUENCE}"

    def build(probes: Sequence[Ops]) -> Ops | None:
        op = _one(probes[0], ops.AlterColumn)
        if op is None or (op.table, op.column) != (PROBE_TABLE, PROBE_NAME) or op.identity is None:
            return None
        text = op.identity
        if not default:
            if text.count(marker) != 1:
                return None
            text = text.replace(marker, "")
        if PROBE_SCHEMA in text or op.type is not None or op.default is not None:
            return None
        if not default:
            text = op.identity.replace(marker, f"SEQUENCE NAME {quote_qualified(sequence_name)}")
        op.table, op.column, op.identity = join_key(table_schema, table_name), column_name, text
        return [op]

    probe = (
        f"ALTER TABLE {PROBE_TABLE} ALTER COLUMN {PROBE_NAME} ADD GENERATED {how} AS IDENTITY"
        f" (SEQUENCE NAME {stand_in} {options})"
    )
    return Direct((probe,), build)


def constraint(table_qname: str, name: str, definition: str, referenced: str | None) -> Direct:
    """`ALTER TABLE ONLY <table> ADD CONSTRAINT <name> <definition>`; a foreign key's referenced table
    is a stand-in too when the definition names it once."""
    table_name = qualified(table_qname)
    stand_in = None
    if referenced is not None and definition.count(f" REFERENCES {referenced}(") == 1:
        definition = definition.replace(f" REFERENCES {referenced}(", f" REFERENCES {PROBE_REFERENCED}(")
        stand_in = (
            f"REFERENCES {PROBE_REFERENCED} ",
            f"REFERENCES {quote_qualified(qualified(referenced))} ",
        )

    def build(probes: Sequence[Ops]) -> Ops | None:
        op = _one(probes[0], ops.AddConstraint)
        if op is None or op.table != PROBE_TABLE or op.constraint.name != PROBE_NAME or not op.named:
            return None
        found = op.constraint
        if stand_in is not None:
            if found.references != PROBE_REFERENCED or found.definition.count(stand_in[0]) != 1:
                return None
            found.definition = found.definition.replace(*stand_in)
            found.references = qualified(referenced or "")
        if PROBE_SCHEMA in found.definition or found.comment is not None:
            return None
        op.table, found.name = table_name, unquote(name)
        return [op]

    probe = f"ALTER TABLE ONLY {PROBE_TABLE} ADD CONSTRAINT {PROBE_NAME} {definition}"
    return Direct((probe,), build)


def index(table_qname: str, name: str, definition: str) -> Direct | None:
    """`CREATE [UNIQUE] INDEX <name> ON [ONLY] <table> <rest>` as `pg_get_indexdef` prints it."""
    for head in ("CREATE INDEX ", "CREATE UNIQUE INDEX "):
        for on in (" ON ", " ON ONLY "):
            prefix = f"{head}{name}{on}{table_qname} "
            if definition.startswith(prefix):
                probe = f"{head}{PROBE_NAME}{on}{PROBE_TABLE} {definition[len(prefix) :]}"
                return Direct((probe,), _index_build(qualified(table_qname), unquote(name)))
    return None


def _index_build(table_name: str, name: str) -> Callable[[Sequence[Ops]], Ops | None]:
    def build(probes: Sequence[Ops]) -> Ops | None:
        op = _one(probes[0], ops.CreateIndex)
        if op is None or op.table != PROBE_TABLE or op.index.name != PROBE_NAME or op.if_not_exists:
            return None
        if PROBE_SCHEMA in op.index.definition or op.index.comment is not None:
            return None
        op.table, op.index.name = table_name, name
        return [op]

    return build
