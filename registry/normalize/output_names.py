"""A view's select items without AS are named as PostgreSQL names them, and pg_get_viewdef prints the name.

PostgreSQL gives every output column a name (FigureColname): a column keeps its own, a function call
takes the function's name, CASE is "case", anything else "?column?"; pg_get_viewdef then writes
`expr AS name` for every item that is not a column of that name. The canonical text writes it too, so a
view spelt without the AS and one read back from the database are one view; and `t.id AS id`, a column
named as itself, loses its AS, as pg_get_viewdef prints it.
"""

from __future__ import annotations

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.names import needs_quotes
from schemareg.normalize.triggers import looks_for

_LEADING_NAME = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*")


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
        inner = _figure_name(node.this, dialect)
        return inner if inner not in (None, "?column?") else None  # the type's name: not modelled here
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
