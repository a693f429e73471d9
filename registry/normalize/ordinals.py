"""A view's sort and group keys as PostgreSQL stores them: `GROUP BY 1` / `ORDER BY 2` as the expression the
position names, not the position; ascending without ASC.

pg_get_viewdef prints a sort or group key by the target entry it points at, so an ordinal and the
expression it names are one view; the canonical text spells the expression.
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
            group.set("expressions", _first_of_each(group.expressions, lambda k: k))
        if order is not None:
            order.set("expressions", _first_of_each(order.expressions, lambda o: o.this))
    return node


def _first_of_each(keys: list[exp.Expression], of: Callable[[exp.Expression], exp.Expression]) -> list[Any]:
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
