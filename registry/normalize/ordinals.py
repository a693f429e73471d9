"""A view's sort and group keys as PostgreSQL stores them: `GROUP BY 1` / `ORDER BY 2` and `ORDER BY alias`
as the expression the position or the output name names; ascending without ASC.

pg_get_viewdef prints a sort or group key by the target entry it points at, so an ordinal, an output
column's name and the expression they name are one view; the canonical text spells the expression.
`GROUP BY name` looks for a column of the tables first, and for an output name only then: that waits
until the tables' columns are known (group_names.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp

from schemareg.normalize.triggers import looks_for


@looks_for(exp.Select)
def ordinal_keys(node: exp.Expression, dialect: str) -> exp.Expression:
    """Each integer key of GROUP BY and ORDER BY replaced by the select item it names."""
    for select in node.find_all(exp.Select):
        items = [p.this if isinstance(p, exp.Alias) else p for p in select.expressions]
        group = select.args.get("group")
        keys: list[exp.Expression] = list(group.expressions) if group is not None else []
        order = select.args.get("order")
        if order is not None:
            keys += [o.this for o in order.expressions if isinstance(o, exp.Ordered)]
        for key in keys:
            if not (isinstance(key, exp.Literal) and key.is_int):
                continue
            position = int(key.name)
            if not 1 <= position <= len(items):
                continue
            item = items[position - 1]
            if isinstance(item, (exp.Star, exp.Literal)):
                continue
            key.replace(item.copy())
        # A key named twice is one key (PostgreSQL adds a target to the list once): the first one stays.
        if group is not None:
            group.set("expressions", first_of_each(group.expressions, lambda k: k))
        if order is not None:
            order.set("expressions", first_of_each(order.expressions, lambda o: o.this))
    return node


def first_of_each(keys: list[exp.Expression], of: Callable[[exp.Expression], exp.Expression]) -> list[Any]:
    seen: set[str] = set()
    kept = []
    for key in keys:
        text = of(key).sql()
        if text not in seen:
            seen.add(text)
            kept.append(key)
    return kept


@looks_for(exp.Ordered)
def plain_ascending(node: exp.Expression, dialect: str) -> exp.Expression:
    """`ORDER BY x ASC` is `ORDER BY x`: ascending is the default, and pg_get_viewdef does not print it."""
    for ordered in node.find_all(exp.Ordered):
        if ordered.args.get("desc") is False:
            ordered.set("desc", None)
    return node


@looks_for(exp.Select)
def order_by_output_names(node: exp.Expression, dialect: str) -> exp.Expression:
    """`ORDER BY alias` and `DISTINCT ON (alias)` sort by the output column's expression, as PostgreSQL
    prints them: for these keys an output name is looked for before the tables' columns."""
    for select in node.find_all(exp.Select):
        order = select.args.get("order")
        distinct = select.args.get("distinct")
        on = distinct.args.get("on") if distinct is not None else None
        if order is None and on is None:
            continue
        keys = [o.this for o in order.expressions if isinstance(o, exp.Ordered)] if order is not None else []
        keys += list(on.expressions) if isinstance(on, exp.Tuple) else [on] if on is not None else []
        named = output_expressions(select)
        for key in keys:
            if isinstance(key, exp.Column) and not key.table and key.name in named:
                key.replace(named[key.name].copy())
    return node


def output_expressions(select: exp.Select) -> dict[str, exp.Expression]:
    """A select's output names, each with the expression it names; a name given twice is left out (a key
    naming it is ambiguous, or names one expression twice), and so is a constant's (PostgreSQL prints a
    constant key with its cast, `ORDER BY 1::integer`, which written without it is a position)."""
    found: dict[str, exp.Expression] = {}
    twice: set[str] = set()
    for item in select.expressions:
        if not isinstance(item, exp.Alias):
            continue
        if item.alias in found:
            twice.add(item.alias)
        found[item.alias] = item.this
    return {name: e for name, e in found.items() if name not in twice and not _constant(e)}


def _constant(node: exp.Expression) -> bool:
    while isinstance(node, exp.Cast | exp.Paren | exp.Neg):
        node = node.this
    return isinstance(node, exp.Literal | exp.Null | exp.Boolean)
