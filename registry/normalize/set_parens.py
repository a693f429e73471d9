"""A view's query and the branches of its set operations in parentheses exactly where pg_get_viewdef puts
them.

Parentheses around a query change nothing: `CREATE VIEW v AS (SELECT ...)` and `(SELECT a FROM t) UNION
(SELECT b FROM u)` are stored as the query without them. pg_get_viewdef prints a branch in parentheses
where the grammar needs them, a select with its own WITH, ORDER BY, LIMIT, OFFSET or FOR UPDATE, and a set
operation nested in another, except the left one of the same kind (`a UNION b UNION c` is read as
`(a UNION b) UNION c`, and printed so without them; `(a UNION ALL b) UNION c` keeps them, as does any
right one). The canonical text follows that one rule, whatever the script wrote.
"""

from __future__ import annotations

from sqlglot import exp

from schemareg.normalize.triggers import looks_for

# What makes a branch a query of its own to the grammar, which it reads only in parentheses.
_OWN_CLAUSES = ("with_", "with", "order", "limit", "offset", "locks")


@looks_for(exp.SetOperation, exp.Subquery, adds=(exp.Subquery,))
def set_operation_parens(node: exp.Expression, dialect: str) -> exp.Expression:
    """`(SELECT ...)` as the whole query is `SELECT ...`; each branch of a set operation is wrapped in
    parentheses where pg_get_viewdef wraps it and unwrapped elsewhere."""
    node = _unwrapped(_sorted_inside(node))
    for operation in list(node.find_all(exp.SetOperation)):
        for side in ("this", "expression"):
            branch = operation.args.get(side)
            if not isinstance(branch, exp.Expression):
                continue
            core = _unwrapped(branch)
            if _needs_parens(operation, side, core):
                operation.set(side, exp.Subquery(this=core))
            elif core is not branch:
                operation.set(side, core)
    return node


def _unwrapped(node: exp.Expression) -> exp.Expression:
    """A query without the parentheses around it that hold nothing else (no alias, no clause of their own)."""
    while isinstance(node, exp.Subquery | exp.Paren):
        if not isinstance(node.this, exp.Query) or any(v for k, v in node.args.items() if k != "this"):
            break
        node = node.args["this"]
    return node


def _sorted_inside(node: exp.Expression) -> exp.Expression:
    """`(SELECT ...) ORDER BY x LIMIT n` as the query is the select sorted and limited, where the select
    has no sort or limit of its own (then the two are separate queries, and stay so)."""
    clauses = ("order", "limit", "offset")
    inner = node.this if isinstance(node, exp.Subquery) else None
    if (
        not isinstance(inner, exp.Select | exp.SetOperation)
        or any(value for key, value in node.args.items() if key not in ("this", *clauses))
        or any(inner.args.get(clause) for clause in (*clauses, "locks"))
    ):
        return node
    for clause in clauses:
        value = node.args.get(clause)
        if value is not None:
            inner.set(clause, value)
            node.set(clause, None)
    return node


def _needs_parens(operation: exp.SetOperation, side: str, branch: exp.Expression) -> bool:
    if any(branch.args.get(clause) for clause in _OWN_CLAUSES):
        return True
    if not isinstance(branch, exp.SetOperation):
        return False
    same_kind = type(branch) is type(operation) and bool(branch.args.get("distinct")) == bool(
        operation.args.get("distinct")
    )
    return side == "expression" or not same_kind
