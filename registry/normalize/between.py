"""BETWEEN as PostgreSQL stores it: its parser rewrites `x BETWEEN a AND b` into `x >= a AND x <= b` (and
pg_get_expr prints that), so a check, an index predicate or a view written with BETWEEN and the same one
read back from a database are one expression."""

from __future__ import annotations

from sqlglot import exp

from schemareg.normalize.triggers import looks_for


@looks_for(exp.Between, adds=(exp.And, exp.Or, exp.GTE, exp.LTE, exp.LT, exp.GT, exp.Paren))
def plain_between(node: exp.Expression, dialect: str) -> exp.Expression:
    """`x BETWEEN a AND b` is `x >= a AND x <= b`, `NOT BETWEEN` `x < a OR x > b`, and `BETWEEN SYMMETRIC`
    either order of the bounds: PostgreSQL's parser rewrites them so, and stores and prints that."""
    if dialect != "postgres":
        return node
    for between in list(node.find_all(exp.Between)):
        x, low, high = between.this, between.args.get("low"), between.args.get("high")
        if not isinstance(low, exp.Expression) or not isinstance(high, exp.Expression):
            continue
        negated = isinstance(between.parent, exp.Not)

        def bounded(
            a: exp.Expression, b: exp.Expression, x: exp.Expression = x, negated: bool = negated
        ) -> exp.Expression:
            if negated:
                return exp.Or(
                    this=exp.LT(this=x.copy(), expression=a.copy()),
                    expression=exp.GT(this=x.copy(), expression=b.copy()),
                )
            return exp.And(
                this=exp.GTE(this=x.copy(), expression=a.copy()),
                expression=exp.LTE(this=x.copy(), expression=b.copy()),
            )

        replacement = bounded(low, high)
        if between.args.get("symmetric"):
            other = bounded(high, low)
            joined = exp.And if negated else exp.Or
            replacement = joined(this=exp.Paren(this=replacement), expression=exp.Paren(this=other))
        target = between.parent if negated else between
        target.replace(exp.Paren(this=replacement))
        if target is node:
            node = target.parent or node
    return node
