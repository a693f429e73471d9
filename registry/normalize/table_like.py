"""CREATE TABLE t (..., LIKE source [INCLUDING | EXCLUDING ...], ...) (PostgreSQL), applied as PostgreSQL
applies it (transformTableLikeClause): the source's columns where the clause stands, with their types,
collations and NOT NULL always; defaults, generated expressions, identities and comments when included;
CHECK constraints under their own names with CONSTRAINTS; keys, exclusions and indexes with INDEXES, each
named as PostgreSQL names an index made without a name (`t_pkey`, `t_<columns>_key`, `t_<keys>_idx`,
numbered when taken). Storage, compression and statistics settings are not modelled. A source that is not
a table of the script (a view, a composite type, one it never made) keeps the statement as written.
"""

from __future__ import annotations

from typing import Any

import msgspec
from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Column, Constraint, ConstraintKind, Table
from schemareg.names import make_object_name, sibling_key
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.index_names import inherited_addition, name_addition, relation_exists

ALL = ("COMMENTS", "COMPRESSION", "CONSTRAINTS", "DEFAULTS", "GENERATED", "IDENTITY", "INDEXES", "STATISTICS", "STORAGE")  # fmt: skip
_SEQUENCE_NAME = lazy_compile(r"SEQUENCE NAME [^ )]+ ?")


def like_op(
    context: Context, item: exp.LikeProperty, table: str, at: int, fallback: ops.Opaque
) -> ops.CopyLike:
    """The op of one LIKE clause, `at` the number of the table's own columns written before it."""
    included: set[str] = set()
    for option in item.expressions:
        word, value = str(option.this).upper(), option.args.get("value")
        what = value.name.upper() if isinstance(value, exp.Expression) else str(value).upper()
        chosen = set(ALL) if what == "ALL" else {what}
        included = included | chosen if word == "INCLUDING" else included - chosen
    return ops.CopyLike(
        table=table,
        source=context.qualified_name(item.this),
        at=at,
        including=sorted(included),
        fallback=fallback.definition,
    )


def apply_like(applier: Any, op: ops.CopyLike) -> bool:
    table, source = applier.table(op.table), applier.table(op.source)
    if table is None:
        return False
    if source is None:
        applier.put(op.fallback)  # not a table of the script: the statement as written
        return True
    including = set(op.including)
    table.columns[op.at : op.at] = [_column(c, including) for c in source.columns]
    if "CONSTRAINTS" in including:
        for check in (c for c in source.constraints if c.kind is ConstraintKind.CHECK):
            if all(c.name != check.name for c in table.constraints):
                table.constraints.append(_copy(check, including))
    if "INDEXES" in including:
        for constraint in source.constraints:
            if constraint.kind in _LABELS:
                copy = _copy(constraint, including)
                copy.name = _free(applier, table, _addition(constraint), _LABELS[constraint.kind])
                table.constraints.append(copy)
                applier.index_owner[sibling_key(op.table, copy.name)] = op.table
        for index in source.indexes:
            copy = msgspec.structs.replace(index, comment=index.comment if "COMMENTS" in including else None)
            copy.name = _free(applier, table, inherited_addition(applier.schema.dialect, index), "idx")
            table.indexes.append(copy)
            applier.index_owner[sibling_key(op.table, copy.name)] = op.table
    return True


_LABELS = {ConstraintKind.PRIMARY_KEY: "pkey", ConstraintKind.UNIQUE: "key", ConstraintKind.EXCLUDE: "excl"}


def _column(column: Column, including: set[str]) -> Column:
    copy = Column(name=column.name, type=column.type, nullable=column.nullable, collation=column.collation)
    if "DEFAULTS" in including and not column.generated:
        copy.default = column.default
    if "GENERATED" in including and column.generated:
        copy.generated, copy.virtual = column.generated, column.virtual
    if "IDENTITY" in including and column.identity:
        # The copy's sequence is its own, named after the new table.
        copy.identity = _SEQUENCE_NAME.sub("", column.identity).replace(" ()", "")
    if "COMMENTS" in including:
        copy.comment = column.comment
    return copy


def _copy(constraint: Constraint, including: set[str]) -> Constraint:
    return msgspec.structs.replace(
        constraint, comment=constraint.comment if "COMMENTS" in including else None
    )


def _addition(constraint: Constraint) -> str:
    if constraint.kind is ConstraintKind.PRIMARY_KEY:
        return ""
    return name_addition(list(constraint.columns)) if constraint.columns else "expr"


def _free(applier: Any, table: Table, addition: str, label: str) -> str:
    """The first of `<table>_<addition>_<label>`, `..._<label>1`, ... that no relation of the schema has."""
    name, number = make_object_name(table.name, addition or None, label), 0
    while relation_exists(applier, table, name) or any(c.name == name for c in table.constraints):
        number += 1
        name = make_object_name(table.name, addition or None, f"{label}{number}")
    return name
