"""Which migration tool manages a database, how many migrations it applied and which came last.

Detected from the tool's bookkeeping table, read in the inspector's transaction (at most one query per
tool found, so a fixed number whatever the history's length):

| tool | table | count | last |
|---|---|---|---|
| knex | knex_migrations | rows | name of the highest id |
| alembic | alembic_version | rows (heads) | version_num |
| flyway | flyway_schema_history | successful versioned rows | version and description of the highest rank |
| django | django_migrations | rows | app.name of the highest id |
| rails | schema_migrations (+ ar_internal_metadata, or no `dirty` column) | rows | highest version |
| golang-migrate | schema_migrations with a `dirty` column | unknown (no history kept) | version, "(dirty)" when dirty |
| prisma | _prisma_migrations | finished, not rolled back | migration_name started last |
| sqitch | sqitch.changes | rows | change committed last |
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import msgspec

__all__ = ["MigrationInfo", "detect_migrations"]

Query = Callable[[str], Sequence[Sequence[Any]]]


class MigrationInfo(msgspec.Struct, frozen=True, kw_only=True):
    tool: str
    count: int | None = None
    last: str | None = None
    table: str | None = None  # where it was read, schema-qualified


def _find(
    tables: Collection[tuple[str, str]], name: str, schema: str | None = None
) -> tuple[str, str] | None:
    matches = sorted(t for t in tables if t[1] == name and (schema is None or t[0] == schema))
    if not matches:
        return None
    # Prefer the default schema when the same table name exists in several.
    for preferred in ("public", "main", ""):
        for match in matches:
            if match[0] == preferred:
                return match
    return matches[0]


def detect_migrations(
    tables: Collection[tuple[str, str]],
    columns: Callable[[tuple[str, str]], Collection[str]],
    query: Query,
    quote: Callable[[tuple[str, str]], str],
) -> MigrationInfo | None:
    """The first bookkeeping table found among `tables` ((schema, name) pairs), read with `query`.

    `columns` lists a table's column names; `quote` writes a qualified, quoted table name for the dialect.
    """
    found = _find(tables, "knex_migrations")
    if found:
        rows = query(
            f"SELECT count(*), (SELECT name FROM {quote(found)} ORDER BY id DESC LIMIT 1) FROM {quote(found)}"
        )
        return _info("knex", found, rows)
    found = _find(tables, "alembic_version")
    if found:
        rows = query(f"SELECT count(*), max(version_num) FROM {quote(found)}")
        return _info("alembic", found, rows)
    found = _find(tables, "flyway_schema_history")
    if found:
        table = quote(found)
        rows = query(
            f"SELECT (SELECT count(*) FROM {table} WHERE success AND version IS NOT NULL),"
            f" (SELECT version || ' ' || description FROM {table} WHERE success AND version IS NOT NULL"
            f" ORDER BY installed_rank DESC LIMIT 1)"
        )
        return _info("flyway", found, rows)
    found = _find(tables, "django_migrations")
    if found:
        table = quote(found)
        rows = query(
            f"SELECT count(*), (SELECT app || '.' || name FROM {table} ORDER BY id DESC LIMIT 1) FROM {table}"
        )
        return _info("django", found, rows)
    found = _find(tables, "_prisma_migrations")
    if found:
        table = quote(found)
        rows = query(
            f"SELECT (SELECT count(*) FROM {table} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL),"
            f" (SELECT migration_name FROM {table} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL"
            f" ORDER BY started_at DESC, migration_name DESC LIMIT 1)"
        )
        return _info("prisma", found, rows)
    found = _find(tables, "changes", "sqitch")
    if found:
        table = quote(found)
        rows = query(
            f"SELECT count(*), (SELECT change FROM {table} ORDER BY committed_at DESC LIMIT 1) FROM {table}"
        )
        return _info("sqitch", found, rows)
    found = _find(tables, "schema_migrations")
    if found:
        table = quote(found)
        names = {name.lower() for name in columns(found)}
        rails = _find(tables, "ar_internal_metadata", found[0]) is not None
        if "dirty" in names and not rails:
            rows = query(f"SELECT version, dirty FROM {table} LIMIT 1")
            if not rows:
                return MigrationInfo(tool="golang-migrate", table=_label(found))
            version, dirty = rows[0][0], rows[0][1]
            last = f"{version} (dirty)" if dirty else str(version)
            # golang-migrate keeps only the current version, not a history: the count is unknown.
            return MigrationInfo(tool="golang-migrate", last=last, table=_label(found))
        # Rails versions are timestamps stored as text: the longest, then the greatest, is the newest.
        rows = query(
            f"SELECT count(*), (SELECT version FROM {table} ORDER BY length(CAST(version AS TEXT)) DESC, version DESC LIMIT 1) FROM {table}"
        )
        return _info("rails", found, rows)
    return None


def _label(table: tuple[str, str]) -> str:
    return f"{table[0]}.{table[1]}" if table[0] else table[1]


def _info(tool: str, table: tuple[str, str], rows: Sequence[Sequence[Any]]) -> MigrationInfo:
    count, last = (rows[0][0], rows[0][1]) if rows else (0, None)
    return MigrationInfo(
        tool=tool, count=int(count or 0), last=None if last is None else str(last), table=_label(table)
    )
