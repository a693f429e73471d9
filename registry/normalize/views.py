"""Views and materialized views: CREATE [MATERIALIZED] VIEW as PostgreSQL stores the query, and, once the
whole schema is known, bare column names in views over joins qualified with their table.

Which table a bare column belongs to depends on the other objects of the schema, so this runs after all
statements are applied, on the views that join; results are memoised by the view text and the columns of
the tables it reads, so a warm normalisation does not parse them again.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlglot import exp
from sqlglot.errors import SqlglotError

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, ObjectKey, Schema, Table, key_of
from schemareg.names import join_key
from schemareg.normalize import ops
from schemareg.normalize.context import Context, Unsupported
from schemareg.normalize.indexes import storage_options
from schemareg.normalize.ordinals import order_by_output_names
from schemareg.normalize.pg_parser import parse_one
from schemareg.normalize.rules import VIEW_RULES, canonical_expression, identifier

_VIEW_OPTIONS = lazy_compile(r"\bWITH\s*\(([^)]*)\)", re.IGNORECASE)
_JOIN = lazy_compile(r"\bJOIN\b")
_AS = lazy_compile(r"\sAS\s", re.IGNORECASE)
# `WITH [LOCAL | CASCADED] CHECK OPTION` after a view's query (compile.py cuts it for sqlglot).
CHECK_OPTION = lazy_compile(r"\s+WITH\s+(?:(LOCAL|CASCADED)\s+)?CHECK\s+OPTION\s*;?\s*$", re.IGNORECASE)
_NO_DATA = " WITH NO DATA"
_memo: dict[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], str] = {}
_MEMO_LIMIT = 10_000


def create_view(context: Context, tree: exp.Create, text: str) -> list[ops.AnyOp]:
    materialized = str(tree.args.get("kind")).upper() == "MATERIALIZED VIEW" or bool(
        tree.args.get("properties") and tree.find(exp.MaterializedProperty)
    )
    target = tree.this
    schema, name = context.table_name(target)
    query = tree.expression
    if query is None:
        raise Unsupported
    context.qualify_tables(query)
    columns = ""
    if isinstance(target, exp.Schema) and target.expressions and not _name_outputs(query, target.expressions):
        columns = f" ({', '.join(context.quote(context.key_name(e)) for e in target.expressions)})"
    kind = Kind.MATERIALIZED_VIEW if materialized else Kind.VIEW
    head = "CREATE MATERIALIZED VIEW" if materialized else "CREATE VIEW"
    as_query = _AS.search(text)  # `AS` then a newline, as pg_dump and introspection write it, or a space
    storage = _VIEW_OPTIONS.search(text[: as_query.start() + 1] if as_query else "")
    check = CHECK_OPTION.search(text)
    checked = (check.group(1) or "CASCADED").upper() if check else ""
    if storage:
        settings = [o for o in storage_options(storage.group(1)).split(", ") if o]
        for setting in [o for o in settings if o.startswith("check_option = ")]:
            settings.remove(setting)  # stored as the query's WITH ... CHECK OPTION, and printed so
            checked = setting.removeprefix("check_option = ").upper()
        columns += f" WITH ({', '.join(settings)})" if settings else ""
    body = canonical_expression(query, context.dialect, context.generate, VIEW_RULES)
    body += f" WITH {checked} CHECK OPTION" if checked else ""
    sql_text = f"{head} {context.quote_qualified(context.qualify(schema, name))}{columns} AS {body}"
    depends = tuple(sorted({context.qualified_name(t) for t in query.find_all(exp.Table)}))
    return [
        ops.CreateDefinition(
            definition=Definition(kind=kind, schema=schema, name=name, sql=sql_text, depends_on=depends),
            replace=bool(tree.args.get("replace")),
            if_not_exists=bool(tree.args.get("exists")),
        )
    ]


def _name_outputs(query: exp.Expression, names: list[exp.Expression]) -> bool:
    """`CREATE VIEW v (x, y) AS SELECT a, b ...` as PostgreSQL stores it, `SELECT a AS x, b AS y ...`: the
    list names the first output columns (of a set operation's first branch, which names its columns), and
    pg_get_viewdef prints the names as the items' aliases. False, and the list kept, where the names cannot
    be placed here: a star among the columns named (expanded once the tables are known), a list longer
    than the select's, or a key the old names name that is not resolved yet (`GROUP BY b` may be a table's
    column, a set operation's `ORDER BY b` is the branch's output)."""
    first = query
    while isinstance(first, exp.SetOperation | exp.Subquery) and not first.alias:
        first = first.this
    if not isinstance(first, exp.Select) or len(names) > len(first.expressions):
        return False
    items = list(first.expressions)
    named = items[: len(names)]
    if any(
        isinstance(i, exp.Star) or (isinstance(i, exp.Column) and isinstance(i.this, exp.Star)) for i in named
    ):
        return False
    if not all(isinstance(name, exp.Identifier) for name in names):
        return False
    order_by_output_names(first, "postgres")  # ORDER BY and DISTINCT ON keys by the old names
    aliases = {i.alias.lower() for i in named if isinstance(i, exp.Alias)}
    outputs = aliases | {i.name.lower() for i in named if isinstance(i, exp.Column)}
    group = first.args.get("group")
    order = query.args.get("order") if query is not first else None
    keys = [(k, aliases) for k in (group.expressions if group is not None else [])]
    keys += [(o.this, outputs) for o in (order.expressions if order is not None else [])]
    if any(isinstance(k, exp.Column) and not k.table and k.name.lower() in old for k, old in keys):
        return False
    for i, (item, name) in enumerate(zip(named, names, strict=True)):
        assert isinstance(name, exp.Identifier)
        items[i] = exp.alias_(item.this if isinstance(item, exp.Alias) else item, name.copy())
    first.set("expressions", items)
    return True


def tables_read(schema: Schema, view: Definition) -> list[tuple[str, Table]]:
    """The tables of the schema a view reads (`depends_on`), with their qualified names."""
    found = []
    for name in set(view.depends_on):
        table = schema.objects.get(ObjectKey(Kind.TABLE, name))
        if isinstance(table, Table) and key_of(table).name == name:
            found.append((name, table))
    return found


def qualify_join_views(schema: Schema) -> None:
    """Qualify bare columns of views over joins, once every table's columns are known (read for the
    tables such a view reads only: most views join nothing, and the word is looked for before the
    pattern, which steps through every character of a view that has none)."""
    for obj in schema.objects.values():
        if (
            isinstance(obj, Definition)
            and obj.kind in (Kind.VIEW, Kind.MATERIALIZED_VIEW)
            and not obj.opaque
            and "JOIN" in obj.sql
            and _JOIN.search(obj.sql)
        ):
            relevant = tuple(
                sorted((name, tuple(c.name for c in t.columns)) for name, t in tables_read(schema, obj))
            )
            key = (obj.sql, relevant)
            result = _memo.get(key)
            if result is None:
                result = _qualify(obj.sql, dict(relevant), schema.dialect)
                if len(_memo) > _MEMO_LIMIT:
                    _memo.clear()
                _memo[key] = result
            obj.sql = result


def edit_query(sql: str, dialect: str, edit: Callable[[exp.Expression], bool]) -> str:
    """A view's canonical text with its query edited in place by `edit` (which says whether it changed
    anything); the text as it was where the query cannot be read back."""
    suffix = _NO_DATA if sql.endswith(_NO_DATA) else ""
    check = CHECK_OPTION.search(sql) if not suffix and sql.endswith(" CHECK OPTION") else None
    suffix = check.group(0) if check else suffix
    text = sql[: -len(suffix)] if suffix else sql
    try:
        tree = parse_one(text, dialect)
    except (SqlglotError, ValueError):
        return sql
    query = tree.expression if isinstance(tree, exp.Create) else None
    if query is None:
        return sql
    before = query.sql(dialect=dialect)
    if not text.endswith(before) or not edit(query):
        return sql
    after: str = query.sql(dialect=dialect)
    return text[: -len(before)] + after + suffix


def _qualify(sql: str, columns: dict[str, tuple[str, ...]], dialect: str) -> str:
    return edit_query(sql, dialect, lambda query: _qualify_columns(query, columns))


def _qualify_columns(query: exp.Expression, columns: dict[str, tuple[str, ...]]) -> bool:
    changed = False
    for select in query.find_all(exp.Select):
        sources: list[tuple[str, tuple[str, ...]]] = []
        source = select.args.get("from_") or select.args.get("from")
        tables = [source.this] if source is not None else []
        tables += [join.this for join in select.args.get("joins") or []]
        for table in tables:
            if not isinstance(table, exp.Table):
                continue
            name = join_key(table.db, table.name)
            sources.append((table.alias_or_name, columns.get(name, ())))
        if len(sources) < 2:
            continue
        outputs = {p.alias for p in select.expressions if isinstance(p, exp.Alias)}
        for column in select.find_all(exp.Column):
            if column.table or column.find_ancestor(exp.Select) is not select:
                continue
            owners = [alias for alias, cols in sources if column.name in cols]
            if len(owners) == 1 and not (column.name in outputs and column.find_ancestor(exp.Order)):
                column.set("table", identifier(owners[0]))
                changed = True
    return changed
