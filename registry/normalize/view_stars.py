"""`SELECT *` in a view, expanded as PostgreSQL expands it when the view is made.

PostgreSQL stores a view's `*` (and `t.*`) as the columns the tables had then, and pg_get_viewdef prints
them (`SELECT a.id, a.name FROM a`): a column added to the table later is not in the view. So the star is
expanded when the CREATE VIEW is applied, from the columns the script has given the tables by then: each
table's in order, qualified with its alias where the query reads more than one; a subquery's or a CTE's
are its output names, once its own stars are expanded (inner queries first). A star over anything whose
columns are not known here (a function, a view, a join with USING or NATURAL, which merge columns) is
kept as written.
"""

from __future__ import annotations

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, ObjectKey, SchemaObject, Table
from schemareg.names import join_key, needs_quotes
from schemareg.normalize.views import edit_query

# A star as a select item of the canonical text: `SELECT *`, `, t.*`, `SELECT DISTINCT "T".*`,
# `SELECT DISTINCT ON (t.id) t.*` (a filter only: the tree says which `) *` is a star).
_SELECT_STAR = lazy_compile(r'(?:\bSELECT(?: DISTINCT(?: ON \(.*?\))?)?|,) (?:(?:"(?:[^"]|"")+"|\w+)\.)?\*')


def expand_stars(view: Definition, objects: dict[ObjectKey, SchemaObject], dialect: str) -> None:
    """Expand the stars of a view's select lists in place, where every table they cover is known."""
    if "*" not in view.sql or view.opaque or dialect != "postgres" or not _SELECT_STAR.search(view.sql):
        return  # `count(*)` alone: nothing to parse
    view.sql = edit_query(view.sql, dialect, lambda query: _expand(query, objects))


def _expand(query: exp.Expression, objects: dict[ObjectKey, SchemaObject]) -> bool:
    changed = False
    ctes = {cte.alias_or_name: cte.this for cte in query.find_all(exp.CTE)}
    # Reversed pre-order: every subquery and CTE before the query that reads it.
    for select in reversed(list(query.find_all(exp.Select, bfs=False))):
        if not any(_is_star(item) for item in select.expressions):
            continue
        sources = _sources(select, objects, ctes)
        items: list[exp.Expression] = []
        for item in select.expressions:
            if not _is_star(item):
                items.append(item)
                continue
            covered = _covered(item, sources)
            if covered is None:
                return False  # one star not known: the query is left as written
            for alias, names in covered:
                qualifier = alias if len(sources or ()) > 1 else None
                items += [_column(name, qualifier) for name in names]
        select.set("expressions", items)
        changed = True
    return changed


def _is_star(item: exp.Expression) -> bool:
    return isinstance(item, exp.Star) or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star))


def _sources(
    select: exp.Select, objects: dict[ObjectKey, SchemaObject], ctes: dict[str, exp.Expression]
) -> list[tuple[str, list[str] | None]] | None:
    """The relations a select reads, in order, each with its column names where they are known; None
    when a join merges columns (USING, NATURAL)."""
    joins = select.args.get("joins") or []
    if any(join.args.get("using") or join.args.get("method") for join in joins):
        return None
    return relations(select, objects, ctes)


def relations(
    select: exp.Select, objects: dict[ObjectKey, SchemaObject], ctes: dict[str, exp.Expression]
) -> list[tuple[str, list[str] | None]]:
    """The relations a select's FROM and joins read, in order, each with its column names where they are
    known (a table's, a CTE's or a subquery's output names, a VALUES list's given ones)."""
    source = select.args.get("from_") or select.args.get("from")
    joins = select.args.get("joins") or []
    found: list[tuple[str, list[str] | None]] = []
    for node in ([source.this] if source is not None else []) + [join.this for join in joins]:
        names = None
        alias = node.args.get("alias")
        listed = alias.columns if isinstance(alias, exp.TableAlias) else []
        if listed and isinstance(node, exp.Values | exp.Subquery):
            names = [c.name for c in listed]  # `(VALUES ...) AS t(n, s)`, `(SELECT ...) AS s(a, b)`
        elif isinstance(node, exp.Table) and not node.db and node.name in ctes:
            names = output_names(ctes[node.name])
        elif isinstance(node, exp.Table):
            table = objects.get(ObjectKey(Kind.TABLE, join_key(node.db, node.name)))
            names = [c.name for c in table.columns] if isinstance(table, Table) else None
        elif isinstance(node, exp.Subquery):
            names = output_names(node.this)
        found.append((node.alias_or_name, names))
    return found


def output_names(query: exp.Expression) -> list[str] | None:
    """A query's output column names (a set operation's are its first branch's), or None where one is
    not a plain name (a star left, an expression without AS)."""
    while isinstance(query, exp.SetOperation | exp.Subquery):
        query = query.this
    if not isinstance(query, exp.Select):
        return None
    names = []
    for item in query.expressions:
        if isinstance(item, exp.Alias):
            names.append(item.alias)
        elif isinstance(item, exp.Column) and isinstance(item.this, exp.Identifier):
            names.append(item.name)
        else:
            return None
    return names


def _covered(
    star: exp.Expression, sources: list[tuple[str, list[str] | None]] | None
) -> list[tuple[str, list[str]]] | None:
    """The relations a star covers (all of them, or the one `t.*` names) with their columns, or None where
    one's are not known."""
    if not sources:
        return None
    if isinstance(star, exp.Column):
        sources = [(alias, names) for alias, names in sources if alias == star.table]
        if len(sources) != 1:
            return None
    known = [(alias, names) for alias, names in sources if names is not None]
    return known if len(known) == len(sources) else None


def _column(name: str, qualifier: str | None) -> exp.Column:
    column = exp.Column(this=exp.to_identifier(name, quoted=needs_quotes(name)))
    if qualifier is not None:
        column.set("table", exp.to_identifier(qualifier, quoted=needs_quotes(qualifier)))
    return column
