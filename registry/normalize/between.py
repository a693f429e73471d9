"""BETWEEN and SIMILAR TO as PostgreSQL stores them: its parser rewrites `x BETWEEN a AND b` into `x >= a
AND x <= b` and `x SIMILAR TO p` into `x ~ similar_to_escape(p)` (and pg_get_expr prints that), so a check,
an index predicate or a view written either way and the same one read back from a database are one
expression."""

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
        target: exp.Expr = between.parent if negated and between.parent is not None else between
        wrapped = exp.Paren(this=replacement)
        target.replace(wrapped)
        if target is node:
            node = wrapped
    return node


@looks_for(exp.SimilarTo, adds=(exp.RegexpLike, exp.Operator, exp.Anonymous))
def plain_similar_to(node: exp.Expression, dialect: str) -> exp.Expression:
    """`x SIMILAR TO p [ESCAPE e]` is `x ~ similar_to_escape(p[, e])`, `NOT SIMILAR TO` `x !~ ...`: how
    PostgreSQL (13 on) rewrites, stores and prints them."""
    if dialect != "postgres":
        return node
    for similar in list(node.find_all(exp.SimilarTo)):
        escape = similar.parent if isinstance(similar.parent, exp.Escape) else None
        outer = escape or similar
        negated = isinstance(outer.parent, exp.Not)
        arguments = [similar.expression.copy()]
        if escape is not None and isinstance(escape.expression, exp.Expression):
            arguments.append(escape.expression.copy())
        pattern = exp.Anonymous(this="similar_to_escape", expressions=arguments)
        if negated:
            replacement: exp.Expression = exp.Operator(
                this=similar.this.copy(), operator="pg_catalog.!~", expression=pattern
            )
        else:
            replacement = exp.RegexpLike(this=similar.this.copy(), expression=pattern)
        target: exp.Expr = outer.parent if negated and outer.parent is not None else outer
        target.replace(replacement)
        if target is node:
            node = replacement
    return node
