"""Whether a number's cast is part of what an operator computes: `7 / 2::numeric` is 3.5, `7 / 2` is 3.

pg_dump prints `(0)::numeric` where PostgreSQL coerced a number to the type of what it is compared with or
added to, and a script that does not write the cast means the same: rules.py drops such casts. But where
the other operand's type does not take the number there, the cast chooses the operator: without it
PostgreSQL divides integers (`7 / 2`), takes bigint (`COALESCE(1, 2::bigint)`), or makes an integer of a
view's column. `changes_operator` tells those apart by choosing the operator PostgreSQL would choose with
the number uncast (typing.py's rules), from the other operands' types as far as the text alone says them
(literals, casts). An operand of a type not known there (a column) keeps the old reading (the cast is
dropped) except under `/`, where the reading decides between integer and exact division.
"""

from __future__ import annotations

from sqlglot import exp

from schemareg.normalize.signatures import CAST_TYPES, OPERATORS
from schemareg.normalize.typing import Resolver, choose, common_type, number_type

ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
COMMON = (exp.Coalesce, exp.Greatest, exp.Least)


def operand_of(cast: exp.Cast) -> tuple[exp.Expression, exp.Expression | None]:
    """The node standing for the cast in its operator (the cast, or the parentheses around it) and the
    operator (None where it is not an arithmetic operator or COALESCE, GREATEST or LEAST)."""
    child: exp.Expression = cast
    parent = cast.parent
    while isinstance(parent, exp.Paren):
        child, parent = parent, parent.parent
    return child, parent if isinstance(parent, ARITHMETIC + COMMON) else None


def changes_operator(cast: exp.Cast, number: str) -> bool:
    """Whether PostgreSQL would compute another thing with the cast of the number `number` dropped."""
    child, parent = operand_of(cast)
    target = CAST_TYPES.get(cast.to.this) if cast.to is not None else None
    if parent is None or target is None:
        return False
    own = number_type(number.lstrip("-"))
    if isinstance(parent, COMMON):
        arguments = [parent.this, *parent.expressions]
        types = [own if argument is child else _type(argument) for argument in arguments]
        if any(t is None for t in types):
            return False
        return common_type([t for t in types if t is not None]) != target
    left = child is parent.this
    other = _type(parent.expression if left else parent.this)
    if other is None:
        return isinstance(parent, exp.Div)
    chosen = choose(OPERATORS[type(parent)], [own, other] if left else [other, own], operator=True)
    return chosen is None or chosen[0][0 if left else 1] != target


def _type(node: exp.Expression) -> str | None:
    """An operand's type as its text says it (a literal's, a cast's), None where it names a column."""
    return Resolver({}).type_of(node.copy())
