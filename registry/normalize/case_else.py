"""CASE without ELSE: PostgreSQL stores the missing branch as `ELSE NULL` and prints it so."""

from __future__ import annotations

from sqlglot import exp

from schemareg.normalize.triggers import looks_for


@looks_for(exp.Case, adds=(exp.Null,))
def case_else_null(node: exp.Expression, dialect: str) -> exp.Expression:
    """`CASE WHEN c THEN x END` is `CASE WHEN c THEN x ELSE NULL END`, simple CASE (`CASE a WHEN ...`) too.

    The parser does not record what was left out, so every spelling ends with the branch PostgreSQL adds.
    """
    if dialect != "postgres":
        return node
    for case in node.find_all(exp.Case):
        if case.args.get("default") is None:
            case.set("default", exp.Null())
    return node
