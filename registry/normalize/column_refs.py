"""Where a table's column is named, for what happens to it: a dropped column takes with it the keys,
checks and indexes that read it (also in an expression or a predicate), as PostgreSQL drops them.

ALTER TABLE ... RENAME COLUMN, everywhere the column is named, as PostgreSQL does it: the catalog
keeps columns by number, so after a rename every definition that reads the column prints the new name.
The table's keys, checks, exclusions and foreign keys (and the foreign keys of other tables that
reference it), its indexes' keys, expressions and predicates, generated columns, partition key and
recorded alterations, the sequence a serial column owns, the table's triggers (`UPDATE OF`, `WHEN`) and
policies, and every view that reads the table (an output column keeps its name: `x AS a`, as
PostgreSQL prints it). A schema.sql written after the rename must name the column as it is then.

Canonical text prints identifiers in lower case or quoted and keywords and types in upper case, so a
word is the column where it is the column's name exactly, unqualified or qualified by the table (or by
OLD / NEW in a trigger's WHEN), and not a function's name, a qualifier itself, a type after `::`, or a
storage parameter of `WITH (...)`. Text in quotes or dollar quotes is never touched (`text.sql_tokens`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import ConstraintKind, Definition, Kind, ObjectKey, Sequence, Table, key_of
from schemareg.names import join_key, name_parts, needs_quotes, split_key
from schemareg.normalize.relations import relations_read
from schemareg.normalize.text import SqlToken, sql_tokens, upper_words
from schemareg.render import quote

__all__ = ["drop_column_readers", "mentions", "rename_column_everywhere", "rename_in_text"]

_UPDATE_OF = lazy_compile(r"\bUPDATE OF (?P<columns>.+?) ON ")
# CREATE STATISTICS, as written or in canonical text (statistics.py: a target may be said after it).
_STATISTICS = lazy_compile(
    r'CREATE STATISTICS .*? ON (?P<on>.+) FROM (?P<table>(?:"(?:[^"]|"")*"|[^\s.";]+)(?:\.(?:"(?:[^"]|"")*"|[^\s.";]+))*)(?:;|$)',
    re.DOTALL,
)
_ALTER_COLUMN = lazy_compile(r'^(ALTER COLUMN )((?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*))')


def _name_of(token: SqlToken) -> str | None:
    if token.kind == "quoted":
        return token.text[1:-1].replace('""', '"')
    return token.text if token.kind == "word" else None


def rename_in_text(
    text: str, old: str, new: str, qualifiers: frozenset[str], dialect: str, *, folded: bool = False
) -> str:
    """`text` with every reference to column `old` named `new` (unqualified, or qualified by one of
    `qualifiers`: the table's name, OLD / NEW). `folded`: text kept as written, whose bare words may be
    in upper case (as a statement kept opaque has its keywords), so a bare word is the column in any case."""
    spans = list(_references(text, old, qualifiers, folded))
    if not spans:
        return text
    replaced, out, last = quote(new, dialect), [], 0
    for start, end in spans:
        out += [text[last:start], replaced]
        last = end
    return "".join(out) + text[last:]


def mentions(text: str, column: str, qualifiers: frozenset[str], *, folded: bool = False) -> bool:
    """Whether `text` reads `column` (as `rename_in_text` finds it)."""
    return next(_references(text, column, qualifiers, folded), None) is not None


def _references(text: str, old: str, qualifiers: frozenset[str], folded: bool) -> Iterator[tuple[int, int]]:
    if old not in (text.lower() if folded else text):
        return
    tokens = sql_tokens(text)
    params_depth = -1  # inside WITH ( ... ): storage parameters, not columns
    depth = 0
    for i, token in enumerate(tokens):
        if token.text == "(":
            depth += 1
            if i > 0 and tokens[i - 1].word == "WITH" and params_depth < 0:
                params_depth = depth
        elif token.text == ")":
            if depth == params_depth:
                params_depth = -1
            depth -= 1
        name = _name_of(token)
        if (name.lower() if folded and token.kind == "word" and name else name) != old or params_depth >= 0:
            continue
        after = tokens[i + 1].text if i + 1 < len(tokens) else ""
        before = tokens[i - 1].text if i > 0 else ""
        if after in ("(", ".") or before == "::" or (i > 0 and tokens[i - 1].word == "AS"):
            continue  # a function, a qualifier, a type, an output name
        if before == ".":
            qualifier = _name_of(tokens[i - 2]) if i > 1 else None
            if qualifier is None or qualifier.lower() not in qualifiers:
                continue
        yield token.start, token.end


def drop_column_readers(
    objects: dict[ObjectKey, Any], table: Table, column: str, *, cascade: bool = False
) -> None:
    """Drop what goes with `table`'s column `column`: the constraints and indexes that read it, the
    foreign keys that reference it, the sequence it owns (a serial's), and statistics objects on it; with
    `cascade` (DROP COLUMN ... CASCADE), the views that read the table and name the column."""
    own = frozenset({table.name.lower()})
    table.constraints = [
        c
        for c in table.constraints
        if column not in c.columns and not mentions(c.definition.partition(" REFERENCES ")[0], column, own)
    ]
    table.indexes = [
        i for i in table.indexes if column not in i.columns and not mentions(i.definition, column, own)
    ]
    key = key_of(table).name
    owned = join_key(*split_key(key), column)
    for obj in objects.values():
        if isinstance(obj, Table) and obj is not table:
            obj.constraints = [
                c
                for c in obj.constraints
                if not (
                    c.kind is ConstraintKind.FOREIGN_KEY
                    and c.references == key
                    and mentions(c.definition.partition(" REFERENCES ")[2].split(")")[0], column, frozenset())
                )
            ]
    if cascade:
        from schemareg.normalize.dependents import drop_dependents

        for name, obj in list(objects.items()):
            if (
                name in objects
                and name.kind in (Kind.VIEW, Kind.MATERIALIZED_VIEW)
                and isinstance(obj, Definition)
                and key in obj.depends_on
                and mentions(obj.sql, column, own)
            ):
                del objects[name]
                drop_dependents(objects, name)
    for name, obj in list(objects.items()):
        if (isinstance(obj, Sequence) and obj.owned_by == owned) or (
            isinstance(obj, Definition)
            and obj.sql.startswith("CREATE STATISTICS ")
            and _statistics_read(obj.sql, key, column, folded=obj.opaque)
        ):
            del objects[name]


def _foreign_key(definition: str, old: str, new: str, local: bool, remote: bool, dialect: str) -> str:
    """`FOREIGN KEY (cols) REFERENCES t (cols) ...`: the local list, the referenced list, or both."""
    at = definition.find(" REFERENCES ")
    if at < 0:
        return definition
    head, tail = definition[:at], definition[at:]
    if local:
        head = rename_in_text(head, old, new, frozenset(), dialect)
    if remote:
        opening = tail.find("(")
        closing = tail.find(")", opening)
        if opening >= 0 and closing >= 0:
            group = rename_in_text(tail[opening : closing + 1], old, new, frozenset(), dialect)
            tail = tail[:opening] + group + tail[closing + 1 :]
    return head + tail


def rename_column_everywhere(
    objects: dict[ObjectKey, Any], table: Table, old: str, new: str, dialect: str
) -> None:
    """After `table`'s column `old` is named `new` (the column itself already renamed)."""
    key = key_of(table).name
    own = frozenset({table.name.lower()})
    for constraint in table.constraints:
        if constraint.kind is ConstraintKind.FOREIGN_KEY:
            constraint.definition = _foreign_key(
                constraint.definition, old, new, True, constraint.references == key, dialect
            )
        else:
            constraint.definition = rename_in_text(constraint.definition, old, new, own, dialect)
    for index in table.indexes:
        index.definition = rename_in_text(index.definition, old, new, own, dialect)
        index.columns = tuple(new if c == old else c for c in index.columns)
    for column in table.columns:
        if column.generated:
            column.generated = rename_in_text(column.generated, old, new, own, dialect)
    if table.partition_by:
        table.partition_by = rename_in_text(table.partition_by, old, new, own, dialect)
    table.alterations = [_alteration(text, old, new, dialect) for text in table.alterations]
    owned = join_key(*split_key(key), old)
    for obj in objects.values():
        if isinstance(obj, Table) and obj is not table:
            for constraint in obj.constraints:
                if constraint.kind is ConstraintKind.FOREIGN_KEY and constraint.references == key:
                    constraint.definition = _foreign_key(
                        constraint.definition, old, new, False, True, dialect
                    )
        elif isinstance(obj, Sequence) and obj.owned_by == owned:
            obj.owned_by = join_key(*split_key(key), new)
        elif isinstance(obj, Definition) and obj.sql.startswith("CREATE STATISTICS "):
            obj.sql = _statistics(obj.sql, key, old, new, dialect, folded=obj.opaque)
        elif isinstance(obj, Definition) and not obj.opaque:
            if obj.kind is Kind.TRIGGER and _on_table(obj, key):
                obj.sql = _trigger(obj.sql, old, new, dialect)
            elif obj.kind is Kind.POLICY and _on_table(obj, key):
                obj.sql = _policy(obj.sql, old, new, own, dialect)
            elif obj.kind in (Kind.VIEW, Kind.MATERIALIZED_VIEW) and key in obj.depends_on:
                obj.sql = _view(objects, obj.sql, key, old, new, dialect)


def _view(objects: dict[ObjectKey, Any], sql: str, key: str, old: str, new: str, dialect: str) -> str:
    from schemareg.normalize.views import edit_query

    def columns(name: str) -> set[str] | None:
        found = objects.get(ObjectKey(Kind.TABLE, name))
        return {c.name for c in found.columns} if isinstance(found, Table) else None

    return edit_query(sql, dialect, lambda query: rename_in_query(query, key, old, new, columns))


def _statistics_on(sql: str, key: str) -> tuple[re.Match[str], frozenset[str]] | None:
    """CREATE STATISTICS (kept as written) on table `key`: its match (`on` is what is between ON and FROM)
    and the names that qualify the table's columns there; None for another table's, or another text."""
    match = _STATISTICS.match(sql)
    if match is None:
        return None
    parts = name_parts(match.group("table"))
    if join_key(parts[-2] if len(parts) > 1 else "public", parts[-1]) != key:
        return None
    return match, frozenset({parts[-1]})


def _statistics(sql: str, key: str, old: str, new: str, dialect: str, *, folded: bool) -> str:
    """`folded`: kept as written (bare words in any case), not canonical text (statistics.py)."""
    found = _statistics_on(sql, key)
    if found is None:
        return sql
    match, own = found
    on = rename_in_text(match.group("on"), old, new, own, dialect, folded=folded)
    return sql[: match.start("on")] + on + sql[match.end("on") :]


def _statistics_read(sql: str, key: str, column: str, *, folded: bool) -> bool:
    found = _statistics_on(sql, key)
    return found is not None and mentions(found[0].group("on"), column, found[1], folded=folded)


def _on_table(obj: Definition, key: str) -> bool:
    return key_of(obj).name.rpartition(".")[0] == key


def _alteration(text: str, old: str, new: str, dialect: str) -> str:
    match = _ALTER_COLUMN.match(text)
    if match is None:
        return text
    word = match.group(2)
    name = word[1:-1].replace('""', '"') if word.startswith('"') else word.lower()
    # Kept as canonical text is kept: bare words in upper case (alter_table.table_option).
    return upper_words(match.group(1) + quote(new, dialect) + text[match.end() :]) if name == old else text


def _trigger(sql: str, old: str, new: str, dialect: str) -> str:
    match = _UPDATE_OF.search(sql)
    if match is not None:
        columns = []
        for part in match.group("columns").split(", "):
            name = part[1:-1].replace('""', '"') if part.startswith('"') else part.lower()
            renamed = quote(new, dialect)
            # The list's bare names are in upper case, as the trigger's canonical text has them.
            columns.append((renamed if renamed.startswith('"') else renamed.upper()) if name == old else part)
        sql = sql[: match.start("columns")] + ", ".join(columns) + sql[match.end("columns") :]
    at = sql.find(" WHEN (")
    if at >= 0:
        sql = sql[:at] + rename_in_text(sql[at:], old, new, frozenset({"old", "new"}), dialect)
    return sql


def _policy(sql: str, old: str, new: str, own: frozenset[str], dialect: str) -> str:
    at = sql.find(" USING (")
    if at < 0:
        at = sql.find(" WITH CHECK (")
    return sql if at < 0 else sql[:at] + rename_in_text(sql[at:], old, new, own, dialect)


# -- views ------------------------------------------------------------------------------------------------


def rename_in_query(
    query: exp.Expression, table: str, old: str, new: str, columns: Callable[[str], set[str] | None]
) -> bool:
    """Rename, in a view's query, the references to `table`'s column `old` (`table` qualified); the
    view's own output columns keep their names. `columns(qualified)`: a table's column names, None for
    what is not a table here. A reference is `table`'s where PostgreSQL resolves it there: qualified by
    its name or alias in the nearest query that has that name, unqualified in the nearest query whose
    sources include it, unless a nearer one has a source that has or may have such a column."""
    outputs = _output_columns(query)
    changed = False
    for column in list(query.find_all(exp.Column)):
        if (
            column.name != old
            or not isinstance(column.this, exp.Identifier)
            or not _resolves_to(column, table, old, columns)
        ):
            continue
        identifier = exp.Identifier(this=new, quoted=needs_quotes(new))
        if id(column) in outputs:
            renamed = column.copy()
            renamed.set("this", identifier)
            column.replace(exp.alias_(renamed, exp.Identifier(this=old, quoted=needs_quotes(old))))
        else:
            column.set("this", identifier)
        changed = True
    return changed


def _resolves_to(column: exp.Column, table: str, old: str, columns: Callable[[str], set[str] | None]) -> bool:
    qualifier = column.table
    select = column.find_ancestor(exp.Select)
    while select is not None:
        names: dict[str, str | None] = {}  # alias -> qualified table, None for another kind of source
        for item in relations_read(select):
            if isinstance(item, exp.Table) and item.name:
                names[item.alias_or_name] = join_key(item.db or "public", item.name) if item.db else None
            else:
                names[item.alias_or_name] = None
        if qualifier:
            if qualifier in names:
                return names[qualifier] == table
        else:
            if table in names.values():
                return True
            for source in names.values():
                known = columns(source) if source is not None else None
                if known is None or old in known:
                    return False  # this query's own source has it, or may
        select = select.find_ancestor(exp.Select)
    return False


def _output_columns(query: exp.Expression) -> set[int]:
    """The bare columns of the query's output lists: of every branch of a UNION, whose columns keep the
    names they had (PostgreSQL prints `x AS a` in each branch once a column `a` is named `x`)."""
    found: set[int] = set()
    branches = [query]
    while branches:
        branch = branches.pop()
        if isinstance(branch, exp.SetOperation):
            branches += [branch.this, branch.expression]
        elif isinstance(branch, exp.Subquery):
            branches.append(branch.this)
        elif isinstance(branch, exp.Select):
            found |= {id(e) for e in branch.expressions if isinstance(e, exp.Column)}
    return found
