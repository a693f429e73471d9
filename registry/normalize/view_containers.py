"""A view's untyped literals beside jsonb's and arrays' operators, typed as PostgreSQL types them.

`meta @> '{"k": 1}'` on a jsonb column is stored as `meta @> '{"k": 1}'::jsonb`, `tags && '{a}'` on a text[]
column as `'{a}'::text[]`, `meta #>> '{a,b}'` as `'{a,b}'::text[]`: the literal takes the operator's
argument type, and pg_get_viewdef prints the cast. A view is compiled before the tables' columns are
known, so once the script is applied, each such operator of a view whose other operand is a column of a
table the view reads (by its alias, or the only table that has it) gets the cast (typing.Resolver's rule,
`_container`, which checks, index predicates and defaults go through). A column whose table is not known
here (a subquery's, a CTE's) leaves the literal as written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Schema, Table
from schemareg.names import join_key
from schemareg.normalize.relations import relations_read
from schemareg.normalize.table_casts import column_type
from schemareg.normalize.typing import CONTAINERS, Resolver
from schemareg.normalize.view_casts import rewrite_views
from schemareg.normalize.views import edit_query

_OPERATOR = lazy_compile(r"@>|<@|&&|#>|\?[|&]")
_memo: dict[tuple[str, Any], str] = {}
Kinds = dict[str, dict[str, str]]  # table -> column -> type (signatures.py names)


def type_view_containers(schema: Schema) -> None:
    if schema.dialect == "postgres":
        rewrite_views(schema, _OPERATOR, _kinds, _typed, _memo)


def _typed(sql: str, tables: Kinds) -> str:
    return edit_query(sql, "postgres", _typer(tables))


def _typer(tables: Kinds) -> Callable[[exp.Expression], bool]:
    return lambda query: _type(query, tables)


def _kinds(table: Table, named: dict[str, str]) -> tuple[tuple[str, str], ...]:
    found = ((c.name, named.get(c.type) or column_type(c.type)) for c in table.columns)
    return tuple(sorted((name, kind) for name, kind in found if kind is not None))


def _type(query: exp.Expression, tables: Kinds) -> bool:
    changed = False
    for node in list(query.find_all(*CONTAINERS)):
        assert isinstance(node, exp.Expression)
        operands = [node.this, node.expression]
        columns = [o for o in operands if isinstance(o, exp.Column) and isinstance(o.this, exp.Identifier)]
        if len(columns) != 1:
            continue
        kind = _column_kind(columns[0], tables)
        if kind is None:
            continue
        resolver = Resolver({columns[0].name: kind}, columns[0].table)
        resolver.type_of(node)
        changed = changed or resolver.changed
    return changed


def _column_kind(column: exp.Column, tables: Kinds) -> str | None:
    """The type of a column of a table its select reads: by the alias it is qualified with, or the only
    table read that has it; None where it is not known (a subquery's, a CTE's, a function's)."""
    select = column.find_ancestor(exp.Select)
    if select is None:
        return None
    relations = relations_read(select)
    found: list[dict[str, str] | None] = []
    for relation in relations:
        if column.table and relation.alias_or_name != column.table:
            continue
        known = tables.get(join_key(relation.db, relation.name)) if isinstance(relation, exp.Table) else None
        found.append(known)
    if not column.table and any(f is None for f in found):
        return None
    having = [f for f in found if f is not None and column.name in f]
    return having[0][column.name] if len(having) == 1 else None
