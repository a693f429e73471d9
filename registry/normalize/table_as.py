"""CREATE TABLE ... AS <query> (PostgreSQL): a table with the columns the query gives, typed as PostgreSQL
types them, so that the canonical schema.sql creates the table itself and not the query, which may read
tables a later statement drops (migration histories do this: copy into a new table, drop the old ones).

Compiling reads the query into a plan that names no object's type (`plan_query`): each output column's
name and what decides its type (a cast, a literal, a column of a table or of a subquery, an aggregate over
one of those, the common type of a UNION's branches or of coalesce's arguments). Applying the statement
resolves the plan against the tables as the script has made them so far (`create_table_as`); the columns
are nullable and have no default, as in PostgreSQL. A query whose columns are not all known this way (a
function whose result type is not known here, a view read, an operator's result, branches of different
types) keeps the statement as written, opaque, with a warning: it replays only while what it reads exists.

The rules are PostgreSQL's own: a column keeps its type modifier, a function's result has none
(`max(numeric(12,2))` is `numeric`, `max(varchar(40))` is `text`: max has no varchar form); an unknown
literal is `text` alone and takes its siblings' type in a UNION or coalesce; branches of one type with
different modifiers give the type without one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Column, Definition, Kind, ObjectKey, Table, key_of
from schemareg.normalize import ops
from schemareg.normalize.context import Context

__all__ = ["Untyped", "apply_table_as", "create_table_as", "plan_query", "table_as"]

Plan = list[Any]  # plain lists, as the statement cache stores ops (msgpack)

_MODIFIER = lazy_compile(r"\(\s*[\d\s,]*\)")
INTEGER_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

# Aggregates whose result is their argument's type (without its modifier): PostgreSQL's max and min exist
# for these types (text for varchar, bpchar for char(n)); anything else is not typed here.
_SAME_TYPE = {
    "SMALLINT", "INT", "BIGINT", "DECIMAL", "REAL", "DOUBLE PRECISION", "DATE", "TIME", "TIMETZ",
    "TIMESTAMP", "TIMESTAMPTZ", "INTERVAL", "MONEY", "OID", "TEXT", "BPCHAR", "INET",
}  # fmt: skip
_MAX_BY_TYPE = {"VARCHAR": "TEXT", "CHAR": "BPCHAR"}
_SUM = {"SMALLINT": "BIGINT", "INT": "BIGINT", "BIGINT": "DECIMAL", "DECIMAL": "DECIMAL", "REAL": "REAL",
        "DOUBLE PRECISION": "DOUBLE PRECISION", "INTERVAL": "INTERVAL", "MONEY": "MONEY"}  # fmt: skip
_AVG = {"SMALLINT": "DECIMAL", "INT": "DECIMAL", "BIGINT": "DECIMAL", "DECIMAL": "DECIMAL",
        "REAL": "DOUBLE PRECISION", "DOUBLE PRECISION": "DOUBLE PRECISION", "INTERVAL": "INTERVAL"}  # fmt: skip
# Types of one category in the order PostgreSQL's implicit casts go (int2 -> int4 -> ... -> float8), so the
# common type of several is the last: the one all others cast to.
_LADDERS = (
    ("SMALLINT", "INT", "BIGINT", "DECIMAL", "REAL", "DOUBLE PRECISION"),
    ("DATE", "TIMESTAMP", "TIMESTAMPTZ"),
    ("VARCHAR", "TEXT"),
)
_BOOLEAN = (
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.In, exp.Like, exp.ILike, exp.And, exp.Or,
    exp.Not, exp.Between, exp.Exists, exp.Boolean, exp.LogicalOr, exp.LogicalAnd,
)  # fmt: skip
_TYPED_CALLS = {
    exp.Count: "BIGINT", exp.CurrentTimestamp: "TIMESTAMPTZ", exp.CurrentDate: "DATE", exp.RowNumber: "BIGINT",
    exp.Rank: "BIGINT", exp.DenseRank: "BIGINT",
}  # fmt: skip
# Functions whose column PostgreSQL names as sqlglot names them (`now()` reads as CURRENT_TIMESTAMP: not one).
_NAMED_CALLS = {"max", "min", "count", "sum", "avg", "coalesce"}


class Untyped(Exception):
    """What keeps a query's columns from being known here (the warning's words)."""


# -- compiling: the query's plan ------------------------------------------------------------------------


def table_as(context: Context, tree: exp.Create, table: Table, fallback: Definition) -> ops.CreateTableAs:
    """The op of `CREATE [UNLOGGED] TABLE [IF NOT EXISTS] t [(names)] AS <query> [WITH [NO] DATA]`."""
    names = [context.fold(n) for n in tree.this.expressions] if isinstance(tree.this, exp.Schema) else []
    op = ops.CreateTableAs(
        table=table, query=None, fallback=fallback, names=names, if_not_exists=bool(tree.args.get("exists"))
    )
    options = []
    for prop in (tree.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.UnloggedProperty):
            options.append("UNLOGGED")
        elif not isinstance(prop, exp.WithDataProperty):
            op.reason = f"the table option {prop.sql(dialect='postgres')[:40]}"
            return op
    table.options = " ".join(options) or None
    try:
        op.query = plan_query(context, tree.expression)
    except Untyped as reason:
        op.reason = str(reason)
    return op


def plan_query(
    context: Context, query: exp.Expression, ctes: dict[str, Plan] | None = None, *, named: bool = True
) -> Plan:
    """["select", sources, columns] or ["union", [plans]]: sources [alias, ["table", key] | plan], columns
    [name, expression plan] or ["*", qualifier]. `named`: the columns' names count (not in a UNION's
    later branches, whose names are the first's)."""
    ctes = dict(ctes or {})
    if isinstance(query, exp.Subquery):
        return plan_query(context, query.this, ctes, named=named)
    with_ = query.args.get("with_") or query.args.get("with")
    if isinstance(with_, exp.With):
        if with_.args.get("recursive"):
            raise Untyped("a recursive WITH")
        for cte in with_.expressions:
            ctes[cte.alias_or_name.lower()] = plan_query(context, cte.this, ctes)
    if isinstance(query, exp.SetOperation):
        first = plan_query(context, query.this, ctes, named=named)
        return ["union", [first, plan_query(context, query.expression, ctes, named=False)]]
    if not isinstance(query, exp.Select):
        raise Untyped(f"a {type(query).__name__.upper()} query")
    sources: list[Plan] = []
    from_ = query.args.get("from_") or query.args.get("from")
    joins = query.args.get("joins") or []
    for item in ([from_.this] if from_ is not None else []) + [j.this for j in joins]:
        sources.append(_source(context, item, ctes))
    merged = any(j.args.get("using") or j.args.get("method") for j in joins)  # USING, NATURAL
    columns: list[Plan] = []
    for node in query.expressions:
        star = isinstance(node, exp.Star) or (
            isinstance(node, exp.Column) and isinstance(node.this, exp.Star)
        )
        if star and merged:
            raise Untyped("* of a join that merges columns (USING, NATURAL)")
        if isinstance(node, exp.Star):
            columns.append(["*", ""])
        elif star:
            columns.append(["*", context.fold(node.args.get("table"))])
        else:
            name = _output_name(context, node) if named else ""
            columns.append([name, _expression(context, node.unalias())])
    return ["select", sources, columns]


def _source(context: Context, item: exp.Expression, ctes: dict[str, Plan]) -> Plan:
    alias = context.fold(item.args["alias"].this) if item.args.get("alias") is not None else ""
    if isinstance(item, exp.Table) and isinstance(item.this, exp.Identifier):
        if item.args.get("alias") is not None and item.args["alias"].columns:
            raise Untyped("a table alias with column names")
        name = item.name.lower()
        if not item.args.get("db") and name in ctes:
            return [alias or name, ctes[name]]
        schema, table = context.table_name(item)
        return [alias or table, ["table", context.qualify(schema, table)]]
    if isinstance(item, exp.Subquery) and not (item.args.get("alias") and item.args["alias"].columns):
        return [alias, plan_query(context, item.this, ctes)]
    raise Untyped(f"reads {item.sql(dialect='postgres')[:60]}")


def _output_name(context: Context, node: exp.Expression) -> str:
    """The column's name as PostgreSQL gives it: the alias, a column's own (also through a cast), a
    function's; others (a literal, CASE, an operator) are named `?column?` or by a type: not made here."""
    if isinstance(node, exp.Alias):
        return context.fold(node.args["alias"])
    if isinstance(node, exp.Cast):
        return _output_name(context, node.this)
    if isinstance(node, exp.Column):
        return context.fold(node.this)
    if (
        isinstance(node, exp.Func)
        and not isinstance(node, exp.Anonymous)
        and node.sql_name().lower() in _NAMED_CALLS
    ):
        return node.sql_name().lower()
    raise Untyped(f"a column without a name: {node.sql(dialect='postgres')[:60]}")


def _expression(context: Context, node: exp.Expression) -> Plan:
    if isinstance(node, exp.Paren):
        return _expression(context, node.this)
    if isinstance(node, exp.Cast | exp.TryCast) and isinstance(node.to, exp.DataType):
        return ["type", context.column_type_sql(node.to)]
    if isinstance(node, exp.Column) and isinstance(node.this, exp.Identifier):
        return ["ref", context.fold(node.args.get("table")), context.fold(node.this)]
    if isinstance(node, exp.Null):
        return ["unknown"]
    if isinstance(node, exp.Literal):
        if node.is_string:
            return ["unknown"]
        return ["type", _number_type(node.this)]
    if isinstance(node, _BOOLEAN):
        return ["type", "BOOLEAN"]
    for kind, type_text in _TYPED_CALLS.items():
        if isinstance(node, kind):
            return ["type", type_text]
    if isinstance(node, exp.Max | exp.Min):
        return ["max", _expression(context, node.this)]
    if isinstance(node, exp.Sum | exp.Avg):
        return ["sum" if isinstance(node, exp.Sum) else "avg", _expression(context, node.this)]
    if isinstance(node, exp.Coalesce):
        return ["common", [_expression(context, e) for e in [node.this, *node.expressions]]]
    if isinstance(node, exp.Case):
        branches = [i.args["true"] for i in node.args.get("ifs") or []]
        if node.args.get("default") is not None:
            branches.append(node.args["default"])
        return ["common", [_expression(context, e) for e in branches]]
    if isinstance(node, exp.Window):
        return _expression(context, node.this)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return ["type", _number_type("-" + node.this.this)]
    raise Untyped(f"the type of {node.sql(dialect='postgres')[:60]} is not known here")


def _number_type(text: str) -> str:
    if not text.lstrip("-").isdigit():
        return "DECIMAL"
    value = abs(int(text))
    return "INT" if value <= INTEGER_MAX else "BIGINT" if value <= BIGINT_MAX else "DECIMAL"


# -- applying: the plan against the tables made so far ----------------------------------------------------


def apply_table_as(applier: Any, op: ops.CreateTableAs) -> bool:
    """Apply `op` to an `Applier`: the typed table, or the statement as written with a warning."""

    def is_enum(type_text: str) -> bool:
        found = applier.objects.get(ObjectKey(Kind.TYPE, type_text))
        return isinstance(found, Definition) and not found.opaque and " AS ENUM (" in found.sql

    try:
        table = create_table_as(applier.table, op, is_enum)
    except Untyped as reason:
        if not (op.if_not_exists and key_of(op.fallback) in applier.objects):
            applier.put(op.fallback)
        applier.notes.append(
            (
                op.fallback,
                f"CREATE TABLE {op.fallback.name} AS: its columns are not known here ({reason}), so schema.sql"
                " runs the query, which needs what it reads (--engine postgres types them)",
            )
        )
        return True
    return bool(applier.create_table(ops.CreateTable(table=table, if_not_exists=op.if_not_exists)))


def create_table_as(
    tables: Callable[[str], Table | None],
    op: ops.CreateTableAs,
    is_enum: Callable[[str], bool] = lambda _: False,
) -> Table:
    """The table `op` creates, its columns typed from `tables(key)` (`is_enum(type)`: an enum of the
    schema, whose max and min are of its type); raises `Untyped`."""
    if op.query is None:
        raise Untyped(op.reason)
    columns = _Typing(tables, is_enum).columns(op.query)
    names = list(op.names) + [name for name, _ in columns[len(op.names) :]]
    if len(op.names) > len(columns):
        raise Untyped("more column names than the query has columns")
    if len(set(names)) != len(names):
        raise Untyped("a column name given twice")
    table = msgspec.structs.replace(op.table, columns=[])
    table.columns = [
        Column(name=name, type=_resolved(type_)) for name, (_, type_) in zip(names, columns, strict=True)
    ]
    return table


class _Typing:
    """The plan's columns typed against the tables made so far."""

    def __init__(self, tables: Callable[[str], Table | None], is_enum: Callable[[str], bool]) -> None:
        self.tables, self.is_enum = tables, is_enum

    def columns(self, plan: Plan) -> list[tuple[str, str | None]]:
        """The query's columns and their types, None for an unknown literal (its context decides)."""
        if plan[0] == "union":
            branches = [self.columns(branch) for branch in plan[1]]
            if len({len(b) for b in branches}) != 1:
                raise Untyped("UNION branches with different numbers of columns")
            return [(column[0][0], _common([t for _, t in column])) for column in zip(*branches, strict=True)]
        _, sources, outputs = plan
        scope = [(alias, self.source_columns(source)) for alias, source in sources]
        found: list[tuple[str, str | None]] = []
        for output in outputs:
            if output[0] == "*":
                for alias, columns in scope:
                    if not output[1] or alias == output[1]:
                        found.extend(columns)
            else:
                found.append((output[0], self.type(scope, output[1])))
        return found

    def source_columns(self, source: Plan) -> list[tuple[str, str]]:
        if source[0] == "table":
            table = self.tables(source[1])
            if table is None:
                raise Untyped(f"reads {source[1]}, which is not a table made here")
            return [(column.name, column.type) for column in table.columns]
        return [(name, _resolved(type_)) for name, type_ in self.columns(source)]  # a subquery's: text

    def type(self, scope: list[tuple[str, list[tuple[str, str]]]], plan: Plan) -> str | None:
        """The expression's type; None for an unknown literal."""
        kind = plan[0]
        if kind == "type":
            return str(plan[1])
        if kind == "unknown":
            return None
        if kind == "ref":
            qualifier, name = plan[1], plan[2]
            types = {
                t
                for alias, columns in scope
                if not qualifier or alias == qualifier
                for n, t in columns
                if n == name
            }
            if len(types) != 1:
                raise Untyped(f"column {name} is {'ambiguous' if types else 'not known'} here")
            return types.pop()
        if kind == "common":
            return _common([self.type(scope, e) for e in plan[1]])
        argument = self.type(scope, plan[1])
        base = _MODIFIER.sub("", argument or "TEXT")
        if kind == "max":
            if base in _SAME_TYPE or base.endswith("[]") or self.is_enum(base):
                return base
            if base in _MAX_BY_TYPE:
                return _MAX_BY_TYPE[base]
        elif base in (_SUM if kind == "sum" else _AVG):
            return (_SUM if kind == "sum" else _AVG)[base]
        raise Untyped(f"{kind}() of {argument or 'an unknown literal'} is not typed here")


def _common(types: list[str | None]) -> str:
    """PostgreSQL's UNION / coalesce type of the same type: unknown literals take it, modifiers that
    differ are dropped; types that differ are not resolved here. All unknown: text (a UNION of two
    branches is resolved before the next branch meets it, as PostgreSQL resolves them)."""
    known = {t for t in types if t is not None}
    if not known:
        return "TEXT"
    if len(known) == 1:
        return known.pop()
    bases = {_MODIFIER.sub("", t) for t in known}
    if len(bases) == 1:
        return bases.pop()
    for ladder in _LADDERS:  # each type casts implicitly to those after it, and not back
        if bases <= set(ladder):
            return max(bases, key=ladder.index)
    raise Untyped(f"branches of different types ({', '.join(sorted(known))})")


def _resolved(type_: str | None) -> str:
    return "TEXT" if type_ is None else type_
