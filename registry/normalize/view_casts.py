"""A view's column casts to text once the types of the tables it reads are known.

PostgreSQL stores `WHERE status = 'x'` on a varchar column as `WHERE (status)::text = 'x'::text`: the cast
is one its parser inserts, and a script that does not write it means the same. On a column of another
type the cast is the user's and part of the query: `n::text LIKE '1%'` of an integer is not `n LIKE '1%'`,
which PostgreSQL refuses. A view is compiled with every cast kept (its tables' columns are not known then);
once the script is applied, a cast to text of a column the view reads from a text or varchar column is
dropped, and so is one whose column cannot be found (a subquery's, a CTE's, a column of a table the
schema does not define), where the view's text alone cannot say, so that both spellings give one
fingerprint as before. A cast of a column found to be of another type is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, Schema, Table
from schemareg.names import join_key
from schemareg.normalize.output_casts import output_items
from schemareg.normalize.relations import relations_read
from schemareg.normalize.table_casts import column_type, named_types
from schemareg.normalize.views import edit_query, tables_read

# A cast of a (qualified) column to a textual type, as the compiler prints it.
_COLUMN_CAST = lazy_compile(
    r'CAST\((?:(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+")\.){0,2}(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+") AS (?:TEXT|VARCHAR|CHAR|NAME)\b'
)
_TEXTUAL = (exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR, exp.DataType.Type.NAME)
_PLAIN_TEXT = ("text", "varchar")
_memo: dict[tuple[str, Any], str] = {}
_MEMO_LIMIT = 10_000

Columns = dict[str, dict[str, bool]]  # table -> column -> whether it is text or varchar


def resolve_view_casts(schema: Schema) -> None:
    """Drop the casts to text PostgreSQL inserts in every view, keep the ones that mean something."""
    if schema.dialect != "postgres":
        return  # SQLite and MySQL keep a view as written: a cast in it is the user's
    rewrite_views(schema, _COLUMN_CAST, _textual, _without_inserted_casts, _memo)


def rewrite_views(
    schema: Schema,
    marker: re.Pattern[str],
    columns_of: Callable[[Table, dict[str, str]], tuple[tuple[str, Any], ...]],
    rewrite: Callable[[str, dict[str, dict[str, Any]]], str],
    memo: dict[tuple[str, Any], str],
) -> None:
    """Rewrite every view whose text `marker` finds, given what `columns_of` says of the columns of each
    table it reads; memoised by the view's text and that (a warm normalisation parses no view again)."""
    named: dict[str, str] | None = None  # the schema's own types, read once some view needs them
    for obj in schema.objects.values():
        if (
            isinstance(obj, Definition)
            and obj.kind in (Kind.VIEW, Kind.MATERIALIZED_VIEW)
            and not obj.opaque
            and marker.search(obj.sql)
        ):
            named = named_types(schema) if named is None else named
            relevant = tuple(
                sorted((name, columns_of(table, named)) for name, table in tables_read(schema, obj))
            )
            key = (obj.sql, relevant)
            result = memo.get(key)
            if result is None:
                result = rewrite(obj.sql, {name: dict(cols) for name, cols in relevant})
                if len(memo) > _MEMO_LIMIT:
                    memo.clear()
                memo[key] = result
            obj.sql = result


def _textual(table: Table, named: dict[str, str]) -> tuple[tuple[str, bool], ...]:
    """A table's columns, sorted, each with whether it is text or varchar."""
    textual = {c.name: (named.get(c.type) or column_type(c.type)) in _PLAIN_TEXT for c in table.columns}
    return tuple(sorted(textual.items()))


def _without_inserted_casts(sql: str, tables: Columns) -> str:
    return edit_query(sql, "postgres", lambda query: _drop_inserted_casts(query, tables))


def _drop_inserted_casts(query: exp.Expression, tables: Columns) -> bool:
    outputs = {id(item.this if isinstance(item, exp.Alias) else item) for item in output_items(query)}
    ctes = {cte.alias_or_name: cte.this for cte in query.find_all(exp.CTE)}
    changed = False
    for cast in list(query.find_all(exp.Cast)):
        inner = cast.this
        while isinstance(inner, exp.Paren):
            inner = inner.this
        target = cast.to
        if (
            id(cast) in outputs
            or target is None
            or target.this not in _TEXTUAL
            or isinstance(cast.parent, exp.Collate)
            or not isinstance(inner, exp.Column)
        ):
            continue
        textual = _is_plain_text(inner, tables, ctes)
        if textual is None or (textual and target.this == exp.DataType.Type.TEXT and not target.expressions):
            cast.replace(inner)
            changed = True
    return changed


def _is_plain_text(column: exp.Column, tables: Columns, ctes: dict[str, exp.Expression]) -> bool | None:
    """Whether the column is a text or varchar one (of a table the view reads, or an output of a subquery
    or CTE that is one); None where it is not known which column it is."""
    select = column.find_ancestor(exp.Select)
    if select is None:
        return None
    sources: list[tuple[str, dict[str, bool | None] | None]] = []
    for relation in relations_read(select):
        alias = relation.alias_or_name if isinstance(relation, exp.Expression) else ""
        if isinstance(relation, exp.Table) and not relation.db and relation.name in ctes:
            others = {name: cte for name, cte in ctes.items() if name != relation.name}  # WITH RECURSIVE
            sources.append((alias, _outputs(ctes[relation.name], tables, others)))
        elif isinstance(relation, exp.Table):
            name = join_key(relation.db, relation.name)
            known = tables.get(name)
            sources.append((alias, dict(known) if known is not None else None))
        elif isinstance(relation, exp.Subquery):
            sources.append((alias, _outputs(relation.this, tables, ctes)))
        else:
            sources.append((alias, None))
    if column.table:
        found = [cols for alias, cols in sources if alias == column.table]
    elif all(cols is not None for _, cols in sources):
        found = [cols for _, cols in sources if cols is not None and column.name in cols]
    else:
        return None  # a function's columns are not known
    if len(found) != 1 or found[0] is None:
        return None
    return found[0].get(column.name)


def _outputs(
    query: exp.Expression, tables: Columns, ctes: dict[str, exp.Expression]
) -> dict[str, bool | None] | None:
    """A subquery's output columns, each text or varchar or not where it passes a column through or casts
    to text; None for a query that is not one SELECT."""
    if not isinstance(query, exp.Select):
        return None
    outputs: dict[str, bool | None] = {}
    for item in query.expressions:
        core = item.this if isinstance(item, exp.Alias) else item
        if isinstance(core, exp.Star):
            return None
        if isinstance(core, exp.Column):
            outputs[item.alias_or_name] = _is_plain_text(core, tables, ctes)
        elif isinstance(core, exp.Cast) and core.to is not None and core.to.this == exp.DataType.Type.TEXT:
            outputs[item.alias_or_name] = True
        elif isinstance(core, exp.Literal) and not core.is_string:
            outputs[item.alias_or_name] = False  # a number
        else:
            outputs[item.alias_or_name] = None
    return outputs
