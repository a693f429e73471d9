"""An array constructor under a cast to an array type, as PostgreSQL reads it: `ARRAY[a, b]::t[]` is
`ARRAY[a::t, b::t]`, each element cast to the element type, and stored so (`ARRAY['x'::mood]`); an
empty `ARRAY[]` has no elements to take the type and keeps its cast."""

from __future__ import annotations

from sqlglot import exp

__all__ = ["into_elements"]


def into_elements(node: exp.Expression) -> exp.Expression:
    """`ARRAY[a, b]::t[]` is `ARRAY[a::t, b::t]`: PostgreSQL types an array constructor under a cast by
    casting each element to the element type, and stores it so (`ARRAY['x'::mood]`)."""
    for cast in list(node.find_all(exp.Cast)):
        inner = cast.this
        while isinstance(inner, exp.Paren):
            inner = inner.this
        target = cast.to
        if not (
            isinstance(inner, exp.Array)
            and inner.expressions
            and target is not None
            and target.this == exp.DataType.Type.ARRAY
            and len(target.expressions) == 1
            and isinstance(target.expressions[0], exp.DataType)
            and target.expressions[0].this != exp.DataType.Type.ARRAY
            and not any(isinstance(e, exp.Array) for e in inner.expressions)
        ):
            continue
        element = target.expressions[0]
        pushed = exp.Array(
            expressions=[exp.Cast(this=e.copy(), to=element.copy()) for e in inner.expressions]
        )
        if cast is node:
            node = pushed
        else:
            cast.replace(pushed)
    return node
