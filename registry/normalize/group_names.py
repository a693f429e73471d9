"""`GROUP BY alias` in a view, resolved as PostgreSQL resolves it when the view is made.

A bare name in GROUP BY is a column of the query's tables where one of them has a column of that name,
and an output column's name only where none has: `SELECT n / 10 AS bucket ... GROUP BY bucket` groups by
`n / 10`, and pg_get_viewdef prints that expression. Unlike ORDER BY's (ordinals.py), the key cannot be
read from the query alone, so it is resolved when the CREATE VIEW is applied, from the columns the script
has given the tables by then (after the stars are expanded, view_stars.py). A key is kept as written
where a relation the query reads has columns not known here (a view, a function, a table the schema does
not define), since one of them could be the key's column.
"""

from __future__ import annotations

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, ObjectKey, SchemaObject
from schemareg.normalize.ordinals import first_of_each, output_expressions
from schemareg.normalize.view_stars import expand_stars, relations
from schemareg.normalize.views import edit_query

_GROUP_BY = " GROUP BY "
# An output name as the compiler prints it (`AS bucket`, `AS "Bucket"`), and the words of a clause.
_OUTPUT_NAME = lazy_compile(r' AS ((?:"(?:[^"]|"")+")|[A-Za-z_][\w$]*)')
_WORD = lazy_compile(r'"(?:[^"]|"")+"|[A-Za-z_][\w$]*')


def resolve_as_made(view: Definition, objects: dict[ObjectKey, SchemaObject], dialect: str) -> None:
    """What PostgreSQL resolves in a view from the tables as they are when it is made: its stars, then its
    GROUP BY names."""
    expand_stars(view, objects, dialect)
    group_by_output_names(view, objects, dialect)


def group_by_output_names(view: Definition, objects: dict[ObjectKey, SchemaObject], dialect: str) -> None:
    """Resolve the GROUP BY keys of a view that name an output column and no column of its tables (the
    text is parsed only where a word after GROUP BY is one of its output names)."""
    if dialect != "postgres" or view.opaque or _GROUP_BY not in view.sql:
        return
    names = set(_OUTPUT_NAME.findall(view.sql))
    if not names or names.isdisjoint(_WORD.findall(view.sql, view.sql.index(_GROUP_BY))):
        return
    view.sql = edit_query(view.sql, dialect, lambda query: _resolve(query, objects))


def _resolve(query: exp.Expression, objects: dict[ObjectKey, SchemaObject]) -> bool:
    changed = False
    ctes = {cte.alias_or_name: cte.this for cte in query.find_all(exp.CTE)}
    for select in query.find_all(exp.Select):
        group = select.args.get("group")
        if group is None:
            continue
        named = output_expressions(select)
        keys = [k for k in group.expressions if isinstance(k, exp.Column) and not k.table and k.name in named]
        if not keys:
            continue
        read = relations(select, objects, ctes)
        if any(columns is None for _, columns in read):
            continue  # a column of that name could be in the relation not known here
        columns = {name for _, names in read for name in names or ()}
        for key in keys:
            if key.name not in columns:
                key.replace(named[key.name].copy())
                changed = True
        # `GROUP BY bucket, n / 10` is one key: PostgreSQL adds a target to the list once.
        group.set("expressions", first_of_each(group.expressions, lambda k: k))
    return changed
