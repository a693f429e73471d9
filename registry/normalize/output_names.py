"""A view's select items without AS are named as PostgreSQL names them, and pg_get_viewdef prints the name.

PostgreSQL gives every output column a name (FigureColname): a column keeps its own, a function call
takes the function's name, CASE is "case", a cast of anything else its type's name (`'B'::text` is
"text", `1::integer` "int4"), anything else "?column?"; pg_get_viewdef then writes `expr AS name` for
every item that is not a column of that name. The canonical text writes it too, so a view spelt without
the AS and one read back from the database are one view; and `t.id AS id`, a column named as itself,
loses its AS, as pg_get_viewdef prints it.

A cast is named from the query as written (`cast_names`, before the rules that drop a constant's cast to
its own type or add one to a bare literal): a bare `'x'` that the rules give its type is "?column?".
"""

from __future__ import annotations

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.names import needs_quotes
from schemareg.normalize.triggers import looks_for
from schemareg.normalize.type_grammar import MARKER

_LEADING_NAME = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The cast a rule gives a bare literal (output_casts.py): not written, so not a name.
IMPLICIT = "implicit cast"
_Type = exp.DataType.Type
# The name PostgreSQL's grammar gives a type (the last part of its TypeName), by sqlglot's reading of it.
_TYPE_NAMES = {
    _Type.INT: "int4",
    _Type.BIGINT: "int8",
    _Type.SMALLINT: "int2",
    _Type.DECIMAL: "numeric",
    _Type.DOUBLE: "float8",
    _Type.FLOAT: "float4",
    _Type.BOOLEAN: "bool",
    _Type.CHAR: "bpchar",
    _Type.BPCHAR: "bpchar",
    _Type.VARCHAR: "varchar",
    _Type.VARBINARY: "bytea",
    _Type.TIMESTAMP: "timestamp",
    _Type.TIMESTAMPTZ: "timestamptz",
    _Type.TIMETZ: "timetz",
    _Type.BIT: "bit",
    **{
        t: t.value.lower()
        for t in (
            _Type.TEXT, _Type.NAME, _Type.DATE, _Type.TIME, _Type.INTERVAL, _Type.JSON, _Type.JSONB,
            _Type.UUID, _Type.INET, _Type.MONEY, _Type.XML,
        )
    },
}  # fmt: skip
# What FigureColname names "?column?" (then a cast around it takes its type's name).
_NAMELESS = (exp.Literal, exp.Null, exp.Boolean, exp.Binary, exp.Unary, exp.Interval)


@looks_for(exp.Cast, exp.Interval, adds=(exp.Alias, exp.Identifier))
def cast_names(node: exp.Expression, dialect: str) -> exp.Expression:
    """`SELECT 'B'::text` -> `SELECT 'B'::text AS text`, `1::integer` -> `1::integer AS int4`: an item
    that is a cast of something nameless (a constant, an operator) is named by its type, as written."""
    if dialect != "postgres":
        return node
    for select in node.find_all(exp.Select):
        items = select.expressions
        for i, item in enumerate(items):
            name = cast_type_name(item)
            if name is not None:
                items[i] = exp.alias_(item, exp.to_identifier(name, quoted=needs_quotes(name)))
        select.set("expressions", items)
    return node


def cast_type_name(node: exp.Expression) -> str | None:
    """The name of a cast's type where FigureColname names the cast by it; None elsewhere."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Interval):
        return "interval"  # `INTERVAL '1 day'` is a cast to interval to PostgreSQL's grammar
    if not isinstance(node, exp.Cast) or node.to is None:
        return None
    inner = node.this
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if isinstance(inner, exp.Dot) or (not isinstance(inner, _NAMELESS) and cast_type_name(inner) is None):
        return None  # a column, a field, a call: named by it, as implicit_names names it
    target = node.to
    if target.this == _Type.ARRAY and target.expressions:
        target = target.expressions[0]  # `text[]` is named by its element type
    if not isinstance(target, exp.DataType):
        return None
    if target.this == _Type.USERDEFINED:
        kind = target.args.get("kind")
        last = kind.expression if isinstance(kind, exp.Dot) else kind
        if not isinstance(last, exp.Identifier) or last.name.startswith(MARKER):
            return None
        return last.name if last.quoted else last.name.lower()
    if target.this == _Type.DOUBLE and target.expressions:
        size = target.expressions[0]
        return "float4" if isinstance(size, exp.Literal) and int(size.name) <= 24 else "float8"
    return _TYPE_NAMES.get(target.this)


@looks_for(exp.Select, adds=(exp.Alias, exp.Identifier))
def implicit_names(node: exp.Expression, dialect: str) -> exp.Expression:
    """`SELECT lower(c)` -> `SELECT LOWER(c) AS lower`, `SELECT a + 1` -> `SELECT a + 1 AS "?column?"`."""
    for select in node.find_all(exp.Select):
        items = select.expressions
        for i, item in enumerate(items):
            if _named_as_itself(item):
                items[i] = item.this
                continue
            if isinstance(item, (exp.Alias, exp.Column, exp.Star)):
                continue
            name = _figure_name(item, dialect)
            if name is not None:
                items[i] = exp.alias_(item, exp.to_identifier(name, quoted=needs_quotes(name)))
        select.set("expressions", items)
    return node


def _named_as_itself(item: exp.Expression) -> bool:
    """`c AS c`, `t.c AS c`: a column given its own name (same spelling, same quoting)."""
    if not isinstance(item, exp.Alias) or not isinstance(item.this, exp.Column):
        return False
    alias, column = item.args.get("alias"), item.this.this
    return (
        isinstance(alias, exp.Identifier)
        and isinstance(column, exp.Identifier)
        and alias.name == column.name
        and (alias.quoted or needs_quotes(alias.name)) == (column.quoted or needs_quotes(column.name))
    )


def _figure_name(node: exp.Expression, dialect: str) -> str | None:
    """PostgreSQL's FigureColname for the forms it is sure of; None where it cannot tell (then unchanged)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column):
        return node.name
    if isinstance(node, exp.Cast):
        if node.meta.get(IMPLICIT):
            return "?column?"  # a bare literal's: as written, the literal was nameless
        inner = _figure_name(node.this, dialect)
        return inner if inner not in (None, "?column?") else None  # the type's: named by cast_names
    if isinstance(node, exp.Case):
        return "case"
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func) and not isinstance(node, exp.Cast):
        lead = _LEADING_NAME.match(node.sql(dialect=dialect))
        return lead.group(0).lower() if lead else None
    if isinstance(node, (exp.Literal, exp.Binary, exp.Unary, exp.Boolean, exp.Null)):
        return "?column?"
    return None
