"""The name PostgreSQL gives an index made without one: `<table>_<key names>_idx`, each key named as
FigureColname names it (a column by its name, a call by its function's, a cast by what it casts or else by
its type, anything else `expr`), a name met twice in one index numbered (`lower`, `lower1`), as
ChooseIndexColumnNames and ChooseIndexNameAddition do (src/backend/commands/indexcmds.c)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import ConstraintKind, Definition, Index, Kind, ObjectKey, Table
from schemareg.names import MAX_IDENTIFIER_BYTES, join_key, make_object_name, sibling_key, split_qualified
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.render import quote, quote_qualified

_CALL = lazy_compile(r"([A-Za-z_][A-Za-z0-9_$]*)\(")
_TRIMS = {"LEADING": "ltrim", "TRAILING": "rtrim"}
# The names PostgreSQL's grammar gives the types it spells with keywords (SystemTypeName).
_TYPE_NAMES = {
    exp.DataType.Type.INT: "int4",
    exp.DataType.Type.SMALLINT: "int2",
    exp.DataType.Type.BIGINT: "int8",
    exp.DataType.Type.FLOAT: "float4",
    exp.DataType.Type.DOUBLE: "float8",
    exp.DataType.Type.DECIMAL: "numeric",
    exp.DataType.Type.BOOLEAN: "bool",
    exp.DataType.Type.CHAR: "bpchar",
    exp.DataType.Type.NCHAR: "bpchar",
    exp.DataType.Type.VARCHAR: "varchar",
    exp.DataType.Type.NVARCHAR: "varchar",
    exp.DataType.Type.TIMESTAMPTZ: "timestamptz",
    exp.DataType.Type.TIMETZ: "timetz",
}


def key_name(
    node: exp.Expression, fold: Callable[[Any], str], generate: Callable[[exp.Expression], str]
) -> tuple[str | None, int]:
    """(name, strength) of one index key as FigureColnameInternal gives them: 2 for a name that is the
    key's own, 1 for a type's or `case`, 0 (no name) for anything else. `fold` gives an identifier's
    canonical spelling, `generate` a node's text (to read which function a sqlglot node calls)."""
    while isinstance(node, exp.Paren | exp.Bracket | exp.Collate):
        node = node.this
    if isinstance(node, exp.Column):
        return fold(node.this), 2
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Anonymous | exp.Func):
        node = node.args["expression"]
    if isinstance(node, exp.Cast):
        name, strength = key_name(node.this, fold, generate)
        if strength > 1:
            return name, strength
        return _type_name(node.to, fold), 1
    if isinstance(node, exp.Case):
        name, strength = (
            key_name(node.args["default"], fold, generate) if node.args.get("default") else (None, 0)
        )
        return (name, strength) if strength > 1 else ("case", 1)
    if isinstance(node, exp.Anonymous):
        return (node.this.lower() if isinstance(node.this, str) else fold(node.this)), 2
    if isinstance(node, exp.Trim):
        return _TRIMS.get(str(node.args.get("position") or "").upper(), "btrim"), 2
    if isinstance(node, exp.AtTimeZone):
        return "timezone", 2
    if isinstance(node, exp.Array):
        return "array", 2
    if isinstance(node, exp.Func):
        called = _CALL.match(generate(node))
        if called is not None:
            return called.group(1).lower(), 2
    return None, 0


def bare_key(ordered: exp.Expression) -> exp.Expression:
    """An index key without its order and operator class."""
    node = ordered.this if isinstance(ordered, exp.Ordered) else ordered
    return node.this if isinstance(node, exp.Opclass) else node


def inherited_addition(dialect: str, index: Index) -> str:
    """The key names of an index, read back from its canonical definition: a partition's copy of its
    parent's index is named from them (PostgreSQL copies the parent index's column names)."""
    if index.columns and " INCLUDE (" not in index.definition:
        return name_addition(list(index.columns))
    context = _context(dialect)
    tree = context.parse(f"CREATE INDEX x ON t {index.definition}")
    created = tree.this if isinstance(tree, exp.Create) else None
    params = created.args.get("params") if isinstance(created, exp.Index) else None
    if params is None:
        return "_".join(index.columns) if index.columns else "expr"
    names = [
        key_name(bare_key(o), context.fold, context.generate)[0] for o in params.args.get("columns") or []
    ]
    names += [context.key_name(i) for i in params.args.get("include") or []]
    return name_addition(names)


@functools.cache
def _context(dialect: str) -> Context:
    return Context(dialect)


def _type_name(to: exp.DataType, fold: Callable[[Any], str]) -> str:
    if to.this == exp.DataType.Type.USERDEFINED:
        kind = to.args.get("kind")
        last = kind.expression if isinstance(kind, exp.Dot) else kind
        return fold(last) if isinstance(last, exp.Identifier) else str(last).rpartition(".")[2].lower()
    if to.this == exp.DataType.Type.ARRAY and to.expressions:
        inner = to.expressions[0]
        return "_" + _type_name(inner, fold) if isinstance(inner, exp.DataType) else "anyarray"
    return _TYPE_NAMES.get(to.this) or str(to.this.value).lower()


def free_index_name(table: str, addition: str, taken: Callable[[str], bool]) -> str:
    """The first of `<table>_<addition>_idx`, `..._idx1`, `..._idx2` that no relation of the schema has,
    as ChooseRelationName numbers it."""
    name, number = make_object_name(table, addition, "idx"), 0
    while taken(name):
        number += 1
        name = make_object_name(table, addition, f"idx{number}")
    return name


_RELATIONS = (Kind.TABLE, Kind.SEQUENCE, Kind.VIEW, Kind.MATERIALIZED_VIEW, Kind.INDEX)


def relation_exists(applier: Any, table: Table, name: str) -> bool:
    """Whether the schema of `table` has a relation (table, index, sequence, view) named `name`."""
    qualified = join_key(table.schema, name)
    return qualified in applier.index_owner or any(
        ObjectKey(k, qualified) in applier.objects for k in _RELATIONS
    )


def name_addition(keys: list[str | None]) -> str:
    """The keys' part of an index's name: their names joined by `_`, one met twice numbered."""
    names: list[str] = []
    for original in (key or "expr" for key in keys):
        name, number = original, 1
        while name in names:
            suffix = str(number)
            name = original.encode()[: MAX_IDENTIFIER_BYTES - len(suffix)].decode(errors="ignore") + suffix
            number += 1
        names.append(name)
    addition = ""
    for name in names:
        addition = f"{addition}_{name}" if addition else name
        if len(addition.encode()) >= MAX_IDENTIFIER_BYTES + 1:
            break
    return addition


_KEY_KINDS = (ConstraintKind.PRIMARY_KEY, ConstraintKind.UNIQUE, ConstraintKind.EXCLUDE)


def index_on_materialized_view(objects: dict[ObjectKey, Any], op: ops.CreateIndex, dialect: str) -> bool:
    """An index on a materialized view is an object of its own (the view has no index list)."""
    if ObjectKey(Kind.MATERIALIZED_VIEW, op.table) not in objects:
        return False
    index = op.index
    schema = split_qualified(op.table)[0]
    target = quote_qualified(op.table, dialect)
    unique = "UNIQUE " if index.unique else ""
    sql = f"CREATE {unique}INDEX {quote(index.name, dialect)} ON {target} {index.definition}"
    key = ObjectKey(Kind.INDEX, sibling_key(op.table, index.name))
    if key in objects and op.if_not_exists:
        return True
    objects[key] = Definition(
        kind=Kind.INDEX, schema=schema, name=index.name, sql=sql, depends_on=(op.table,)
    )
    return True


def rename_key_index(objects: dict[ObjectKey, Any], name: str, new: str) -> bool:
    """ALTER INDEX of the index a PRIMARY KEY, UNIQUE or EXCLUDE constraint made (`name`: schema and
    index): PostgreSQL renames the constraint with it. False when no key has that index."""
    schema, index = split_qualified(name)
    for key, obj in objects.items():
        if key.kind is Kind.TABLE and isinstance(obj, Table) and obj.schema == schema:
            for constraint in obj.constraints:
                if constraint.name == index and constraint.kind in _KEY_KINDS:
                    constraint.name = new
                    return True
    return False
