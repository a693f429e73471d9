"""The columns a policy's queries read, named as PostgreSQL prints them once the tables are known.

In `EXISTS (SELECT 1 FROM members WHERE members.user_id = owner)` on table docs, `owner` is docs' column
(members has none of that name): PostgreSQL prints it `docs.owner`. In a query over a join it prints
every column with its table (`m.role`). A column of the query's one table is bare in the canonical text
(rules.single_table_columns), as written or as PostgreSQL qualifies it. Which table a bare column is
depends on the other tables' columns, so this runs after every statement is applied, on the policies
that hold a query; a query over something whose columns are not known here (a view, a function, a
subquery in FROM) is left as it is.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import SqlglotError

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, ObjectKey, Schema, Table
from schemareg.names import join_key, split_key
from schemareg.normalize.pg_parser import parse_one
from schemareg.normalize.relations import relations_read
from schemareg.normalize.rules import identifier
from schemareg.normalize.text import balanced

__all__ = ["qualify_policy_queries"]

_CLAUSE = lazy_compile(r" (?:USING|WITH CHECK) \(")


def qualify_policy_queries(schema: Schema) -> None:
    for obj in schema.objects.values():
        if (
            isinstance(obj, Definition)
            and obj.kind is Kind.POLICY
            and not obj.opaque
            and "SELECT " in obj.sql
        ):
            table_name = split_key(obj.name)[0]
            table = schema.objects.get(ObjectKey(Kind.TABLE, join_key(obj.schema, table_name)))
            if isinstance(table, Table):
                obj.sql = _qualified(obj.sql, table_name, table, schema)


def _qualified(sql: str, table_name: str, table: Table, schema: Schema) -> str:
    out, at = [], 0
    for clause in _CLAUSE.finditer(sql):
        if clause.start() < at:
            continue  # inside the clause before it
        close = balanced(sql, clause.end())
        expression = sql[clause.end() : close]
        out += [sql[at : clause.end()], _qualify(expression, table_name, table, schema)]
        at = close
    return "".join(out) + sql[at:]


def _qualify(expression: str, table_name: str, table: Table, schema: Schema) -> str:
    try:
        tree = parse_one(f"SELECT {expression}", schema.dialect)
    except (SqlglotError, ValueError):
        return expression
    if not isinstance(tree, exp.Select) or len(tree.expressions) != 1:
        return expression
    value = tree.expressions[0]
    if value.sql(dialect=schema.dialect) != expression:
        return expression  # not printed back as it reads: left as it is
    outer = {column.name for column in table.columns}
    scopes: dict[int, list[tuple[str, set[str]]]] = {}
    for select in value.find_all(exp.Select):
        sources = _sources(select, schema)
        if sources is None:
            return expression
        scopes[id(select)] = sources
    changed = False
    for select in value.find_all(exp.Select):
        sources = scopes[id(select)]
        for column in select.find_all(exp.Column):
            if column.table or column.find_ancestor(exp.Select) is not select:
                continue
            name = column.name
            owners = [alias for alias, columns in sources if name in columns]
            if len(owners) == 1 and len(sources) > 1:
                column.set("table", identifier(owners[0]))  # over a join, each column with its table
                changed = True
            elif not owners and not _enclosing_has(select, name, scopes) and name in outer:
                column.set("table", identifier(table_name))  # the policy's table, read from the query
                changed = True
    return value.sql(dialect=schema.dialect) if changed else expression


def _sources(select: exp.Select, schema: Schema) -> list[tuple[str, set[str]]] | None:
    """The tables a query reads (FROM and JOIN), each with its columns; None if one is not a table here."""
    found = []
    for relation in relations_read(select):
        if not isinstance(relation, exp.Table):
            return None
        table = schema.objects.get(ObjectKey(Kind.TABLE, join_key(relation.db, relation.name)))
        if not isinstance(table, Table):
            return None
        found.append((relation.alias_or_name, {column.name for column in table.columns}))
    return found


def _enclosing_has(select: exp.Select, name: str, scopes: dict[int, list[tuple[str, set[str]]]]) -> bool:
    parent = select.parent.find_ancestor(exp.Select) if select.parent is not None else None
    while parent is not None and id(parent) in scopes:
        if any(name in columns for _, columns in scopes[id(parent)]):
            return True
        parent = parent.parent.find_ancestor(exp.Select) if parent.parent is not None else None
    return False
