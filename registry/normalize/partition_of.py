"""What `CREATE TABLE p PARTITION OF parent (...)` declares in its parentheses: constraints of its own and
options on the columns it inherits (`col [WITH OPTIONS] NOT NULL DEFAULT ...`), applied after the parent's
columns are copied, as PostgreSQL applies them."""

from __future__ import annotations

import re

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.names import split_key
from schemareg.normalize import ops
from schemareg.normalize.alter_table import _set_default
from schemareg.normalize.constraints import table_constraint
from schemareg.normalize.context import Context, Unsupported
from schemareg.normalize.tables import column_def, create_table
from schemareg.normalize.text import IDENT

# `col WITH OPTIONS ...` is `col ...`: the words say only that the column is inherited.
_WITH_OPTIONS = lazy_compile(rf"([(,]\s*{IDENT})\s+WITH\s+OPTIONS\b", re.IGNORECASE)


def drop_with_options(text: str) -> str:
    return _WITH_OPTIONS.sub(r"\1", text)


def create_table_or_partition(context: Context, tree: exp.Create, text: str) -> list[ops.AnyOp]:
    """CREATE TABLE, and after it what a partition declares in its own list."""
    found = create_table(context, tree, text)
    properties = tree.args.get("properties")
    for prop in properties.expressions if properties else []:
        if isinstance(prop, exp.PartitionedOfProperty) and isinstance(prop.this, exp.Schema):
            created = next(op for op in found if isinstance(op, ops.CreateTable)).table
            table = context.qualify(created.schema, created.name)
            found += partition_items(context, prop.this.expressions, table)
    return found


def partition_items(context: Context, items: list[exp.Expression], table: str) -> list[ops.AnyOp]:
    """The ops of a partition's own list: constraints, then each inherited column's NOT NULL and DEFAULT."""
    found: list[ops.AnyOp] = []
    table_name = split_key(table)[-1]
    for item in items:
        if not isinstance(item, exp.ColumnDef):
            found.append(table_constraint(context, item, table, table_name))
            continue
        if item.args.get("kind") is not None:
            raise Unsupported  # PostgreSQL refuses a type here: the columns are the parent's
        column, extra = column_def(context, item, table)
        change = ops.AlterColumn(table=table, column=column.name)
        if not column.nullable:
            change.nullable = False
        for constraint in item.constraints:
            if isinstance(constraint.kind, exp.DefaultColumnConstraint):
                _set_default(context, change, constraint.kind.this)
        found += [change, *(op for op in extra if isinstance(op, ops.AddConstraint))]
    return found
