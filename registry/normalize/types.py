"""Types and domains: CREATE TYPE (enums, composites, ranges) from sqlglot's tree, CREATE DOMAIN by pattern."""

from __future__ import annotations

import re

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.heads import applies_to
from schemareg.normalize.routines import by_pattern
from schemareg.normalize.rules import fold_identifiers, identifier
from schemareg.normalize.text import QNAME, STRING, string_value
from schemareg.normalize.type_grammar import name_catalog_arrays

_ALTER_ENUM = lazy_compile(
    rf"\s*ALTER\s+TYPE\s+(?P<name>{QNAME})\s+(?:"
    rf"ADD\s+VALUE\s+(?P<exists>IF\s+NOT\s+EXISTS\s+)?(?P<label>{STRING})"
    rf"(?:\s+(?P<where>BEFORE|AFTER)\s+(?P<neighbour>{STRING}))?"
    rf"|RENAME\s+VALUE\s+(?P<old>{STRING})\s+TO\s+(?P<new>{STRING}))\s*$",
    re.IGNORECASE | re.DOTALL,
)


def create_type(context: Context, tree: exp.Create, text: str) -> list[ops.AnyOp]:
    schema, name = context.table_name(tree.this)
    fold_identifiers(tree, context.dialect)
    if context.dialect == "postgres":
        name_catalog_arrays(tree)  # an attribute's `_int4` is `INT[]`
    tree.this.set("db", identifier(schema) if schema else None)
    if context.dialect == "postgres" and isinstance(tree.expression, exp.Schema):
        # A composite type's attribute of a user type names it qualified, as pg_dump prints it.
        for attribute in tree.expression.expressions:
            kind = attribute.args.get("kind") if isinstance(attribute, exp.ColumnDef) else None
            if isinstance(kind, exp.DataType) and kind.find(exp.Identifier, exp.Dot) is not None:
                spelled = exp.Var(this=context.column_type_sql(kind))
                attribute.set("kind", exp.DataType(this=exp.DataType.Type.USERDEFINED, kind=spelled))
    return [
        ops.CreateDefinition(
            definition=Definition(kind=Kind.TYPE, schema=schema, name=name, sql=context.generate(tree)),
            if_not_exists=bool(tree.args.get("exists")),
        )
    ]


@applies_to("CREATE DOMAIN")
def read_domain(context: Context, text: str) -> list[ops.AnyOp] | None:
    """CREATE DOMAIN, read by pattern (PostgreSQL)."""
    return by_pattern(context, text, context.patterns.domain)


@applies_to("ALTER TYPE")
def alter_enum(context: Context, text: str) -> list[ops.AnyOp] | None:
    """ALTER TYPE ... ADD VALUE [IF NOT EXISTS] 'x' [BEFORE | AFTER 'y'] and RENAME VALUE 'x' TO 'y'."""
    m = _ALTER_ENUM.match(text)
    if m is None:
        return None
    name = context.read_qualified_name(m.group("name"))
    if m.group("old") is not None:
        return [
            ops.AlterEnum(
                type=name, label=string_value(m.group("old")), rename_to=string_value(m.group("new"))
            )
        ]
    neighbour = m.group("neighbour")
    return [
        ops.AlterEnum(
            type=name,
            label=string_value(m.group("label")),
            neighbour=string_value(neighbour) if neighbour is not None else None,
            after=(m.group("where") or "").upper() == "AFTER",
            if_not_exists=m.group("exists") is not None,
        )
    ]
