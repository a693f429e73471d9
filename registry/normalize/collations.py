"""A collation of pg_catalog named bare, as PostgreSQL prints it: `a COLLATE pg_catalog."C"` (pg_dump's
spelling of a column's collation, and what a script copies from it into an index key or a view) is
`a COLLATE "C"`. A collation of another schema keeps its schema."""

from __future__ import annotations

from sqlglot import exp

from schemareg.normalize.triggers import looks_for


@looks_for(exp.Collate)
def catalog_collations(node: exp.Expression, dialect: str) -> exp.Expression:
    if dialect != "postgres":
        return node
    for collate in node.find_all(exp.Collate):
        named = collate.expression
        if isinstance(named, exp.Column) and named.table.lower() == "pg_catalog" and not named.args.get("db"):
            named.set("table", None)
    return node
