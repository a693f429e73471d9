"""The relations one SELECT reads, as the passes that judge a view's columns need them."""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp


def relations_read(select: exp.Select) -> list[exp.Expression]:
    """The tables, subqueries and functions of a SELECT's FROM and joins, those of pg_dump's parenthesised
    join groups (`FROM ((a JOIN b ON ...) JOIN c ON ...)`) included, at any depth."""
    source = select.args.get("from_") or select.args.get("from")
    relations = list(_joined(source.this)) if source is not None else []
    for join in select.args.get("joins") or []:
        relations += _joined(join.this)
    return relations


def _joined(relation: exp.Expression) -> Iterator[exp.Expression]:
    if (
        isinstance(relation, exp.Subquery)
        and not isinstance(relation.this, exp.Select | exp.SetOperation)
        and not relation.alias
    ):
        yield from _joined(relation.this)  # a join group: its relations, not one of its own
    else:
        yield relation
    for join in relation.args.get("joins") or []:
        yield from _joined(join.this)
