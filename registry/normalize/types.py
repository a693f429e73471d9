"""Types and domains: CREATE TYPE (enums, composites, ranges) from sqlglot's tree, CREATE DOMAIN by pattern."""

from __future__ import annotations

from sqlglot import exp

from schemareg.model import Definition, Kind
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.routines import by_pattern
from schemareg.normalize.rules import fold_identifiers


def create_type(context: Context, tree: exp.Create, text: str) -> list[ops.AnyOp]:
    schema, name = context.table_name(tree.this)
    fold_identifiers(tree, context.dialect)
    tree.this.set("db", exp.to_identifier(schema) if schema else None)
    return [
        ops.CreateDefinition(
            definition=Definition(kind=Kind.TYPE, schema=schema, name=name, sql=context.generate(tree)),
            if_not_exists=bool(tree.args.get("exists")),
        )
    ]


def read_domain(context: Context, text: str) -> list[ops.AnyOp] | None:
    """CREATE DOMAIN, read by pattern (PostgreSQL)."""
    return by_pattern(context, text, context.patterns.domain)
