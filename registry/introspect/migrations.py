"""Which migration tool manages a database, how many migrations it applied and which came last.

Detected from the tool's bookkeeping table as the tool itself creates it (docs/introspection.md lists each
table with its columns), read in the inspector's transaction: at most one query for the tool found, so a
fixed number whatever the history's length. The first tool in `DETECTORS` that matches wins; tools whose
table name is generic (`migrations`, `schema_migrations`) are told apart by their columns.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import msgspec

from schemareg.lazy_re import lazy_compile

__all__ = ["DETECTORS", "MigrationInfo", "detect_migrations"]

Query = Callable[[str], Sequence[Sequence[Any]]]
Table = tuple[str, str]  # (schema, name); the schema is "" where the dialect has none (SQLite)


class MigrationInfo(msgspec.Struct, frozen=True, kw_only=True):
    tool: str
    count: int | None = None
    last: str | None = None
    table: str | None = None  # where it was read, schema-qualified


@dataclass(frozen=True)
class Catalog:
    """The tables of one database and the means to read them, as one dialect's inspector gives them."""

    tables: Collection[Table]
    columns_of: Callable[[Table], Collection[str]]
    query: Query
    quote: Callable[[Table], str]

    def find(self, name: str, schema: str | None = None) -> Table | None:
        """The table called `name` (in any case: Liquibase's is upper case on SQLite, lower on PostgreSQL),
        preferring the default schema when several schemas have one."""
        matches = sorted(t for t in self._by_name.get(name.lower(), ()) if schema is None or t[0] == schema)
        for preferred in ("public", "main", ""):
            for match in matches:
                if match[0] == preferred:
                    return match
        return matches[0] if matches else None

    @cached_property
    def _by_name(self) -> dict[str, list[Table]]:
        """The tables by their name in lower case (probed once per migration tool: one pass, not one each)."""
        found: dict[str, list[Table]] = {}
        for table in self.tables:
            found.setdefault(table[1].lower(), []).append(table)
        return found

    def columns(self, table: Table) -> set[str]:
        return {name.lower() for name in self.columns_of(table)}

    def read(self, tool: str, table: Table, select: Callable[[str], str]) -> MigrationInfo:
        """Run `select(quoted table)`, which answers one row (count, last)."""
        rows = self.query(select(self.quote(table)))
        count, last = (rows[0][0], rows[0][1]) if rows else (0, None)
        return MigrationInfo(
            tool=tool, count=int(count or 0), last=None if last is None else str(last), table=_label(table)
        )


def _count_and_last(last: str, where: str = "TRUE", order: str = "") -> Callable[[str], str]:
    """count(*) of the rows matching `where`, and `last` of the first one in `order` (descending)."""

    def select(table: str) -> str:
        ordered = f"SELECT {last} FROM {table} WHERE {where} ORDER BY {order} LIMIT 1" if order else None
        newest = f"({ordered})" if ordered else f"(SELECT max({last}) FROM {table} WHERE {where})"
        return f"SELECT (SELECT count(*) FROM {table} WHERE {where}), {newest}"

    return select


_WORD = lazy_compile(r"'(?:[^']|'')*'|\"?([A-Za-z_][A-Za-z_0-9]*)(?![A-Za-z_0-9])\"?(?!\s*\()")
_NOT_COLUMNS = frozenset({"and", "or", "not", "is", "null", "in", "like", "desc", "asc", "true", "false"})


def _columns_read(*parts: str) -> set[str]:
    """The columns a detector's expressions read (not its keywords, functions and strings), lower case."""
    words = {m.group(1).lower() for part in parts for m in _WORD.finditer(part) if m.group(1)}
    return words - _NOT_COLUMNS


def _by_name(
    tool: str, name: str, last: str, where: str = "TRUE", order: str = "", schema: str | None = None
) -> Callable[[Catalog], MigrationInfo | None]:
    """A detector for a tool known by its table's name alone."""

    def detect(catalog: Catalog) -> MigrationInfo | None:
        found = catalog.find(name, schema)
        if not found or not _columns_read(last, where, order) <= catalog.columns(found):
            return None  # a table of that name that is not the tool's: its query would fail
        return catalog.read(tool, found, _count_and_last(last, where, order))

    detect.__name__ = tool
    return detect


def _goose(catalog: Catalog) -> MigrationInfo | None:
    # goose inserts version 0 when it creates the table; older releases recorded a down migration as a
    # new row with is_applied false, newer ones delete the row: the latest row of each version decides.
    found = catalog.find("goose_db_version")
    if not found or not {"id", "version_id", "is_applied"} <= catalog.columns(found):
        return None

    def select(table: str) -> str:
        latest = (
            f"SELECT version_id, is_applied, row_number() OVER (PARTITION BY version_id ORDER BY id DESC) AS n"
            f" FROM {table} WHERE version_id > 0"
        )
        return f"SELECT count(*), max(version_id) FROM ({latest}) AS latest WHERE n = 1 AND is_applied"

    return catalog.read("goose", found, select)


def _laravel_or_typeorm(catalog: Catalog) -> MigrationInfo | None:
    found = catalog.find("migrations")
    if not found:
        return None
    columns = catalog.columns(found)
    if {"migration", "batch"} <= columns:
        # Laravel's own order: the latest batch, then the name within it.
        return catalog.read(
            "laravel", found, _count_and_last("migration", order="batch DESC, migration DESC")
        )
    if {"timestamp", "name"} <= columns:
        # TypeORM's latest migration is the one with the greatest timestamp.
        return catalog.read(
            "typeorm",
            found,
            _count_and_last(
                "name", order='"timestamp" DESC, id DESC' if "id" in columns else '"timestamp" DESC'
            ),
        )
    return None


def _schema_migrations(catalog: Catalog) -> MigrationInfo | None:
    """Rails, golang-migrate, Ecto and dbmate all name their table `schema_migrations`."""
    found = catalog.find("schema_migrations")
    if not found:
        return None
    columns = catalog.columns(found)
    if "version" not in columns:
        # Sequel's timestamp migrator keeps the file names; another table of that name is no tool's.
        if "filename" in columns:
            return catalog.read("sequel", found, _count_and_last("filename", order="filename DESC"))
        return None
    if catalog.find("ar_internal_metadata", found[0]) is not None:
        # Rails versions are timestamps stored as text: the longest, then the greatest, is the newest.
        return catalog.read(
            "rails",
            found,
            _count_and_last("version", order="length(CAST(version AS TEXT)) DESC, version DESC"),
        )
    if "dirty" in columns:
        rows = catalog.query(f"SELECT version, dirty FROM {catalog.quote(found)} LIMIT 1")
        if not rows:
            return MigrationInfo(tool="golang-migrate", table=_label(found))
        version, dirty = rows[0][0], rows[0][1]
        last = f"{version} (dirty)" if dirty else str(version)
        # golang-migrate keeps only the current version, not a history: the count is unknown.
        return MigrationInfo(tool="golang-migrate", last=last, table=_label(found))
    if "inserted_at" in columns:
        return catalog.read("ecto", found, _count_and_last("version"))
    # dbmate's table has the version alone (so had Rails before 5.0 added ar_internal_metadata).
    return catalog.read(
        "dbmate", found, _count_and_last("version", order="length(version) DESC, version DESC")
    )


# In this order: tools with a table name of their own first, the shared names last.
DETECTORS: tuple[Callable[[Catalog], MigrationInfo | None], ...] = (
    _by_name("knex", "knex_migrations", "name", order="id DESC"),
    _by_name("alembic", "alembic_version", "version_num"),
    _by_name(
        "flyway",
        "flyway_schema_history",
        "version || ' ' || description",
        where="success AND version IS NOT NULL",
        order="installed_rank DESC",
    ),
    _by_name(
        "liquibase",
        "databasechangelog",
        "filename || '::' || id || '::' || author",
        where="exectype IN ('EXECUTED', 'RERAN', 'MARK_RAN')",
        order="dateexecuted DESC, orderexecuted DESC",
    ),
    _by_name("django", "django_migrations", "app || '.' || name", order="id DESC"),
    _by_name(
        "prisma",
        "_prisma_migrations",
        "migration_name",
        where="finished_at IS NOT NULL AND rolled_back_at IS NULL",
        order="started_at DESC, migration_name DESC",
    ),
    _by_name("sqitch", "changes", "change", order="committed_at DESC", schema="sqitch"),
    _goose,
    _by_name(
        "sqlx", "_sqlx_migrations", "version || ' ' || description", where="success", order="version DESC"
    ),
    _by_name("diesel", "__diesel_schema_migrations", "version", order="version DESC"),
    _by_name("ef-core", "__EFMigrationsHistory", '"MigrationId"', order='"MigrationId" DESC'),
    _by_name("sequelize", "SequelizeMeta", "name", order="name DESC"),
    # drizzle keeps a hash and the journal entry's time (`when`, in ms), not the migration's name.
    _by_name("drizzle", "__drizzle_migrations", "created_at", order="created_at DESC, id DESC"),
    # Atlas: rows whose version starts with "." are its own metadata; a failed file keeps its error
    # until `migrate set` marks it resolved (type bit 4).
    _by_name(
        "atlas",
        "atlas_schema_revisions",
        "version || ' ' || description",
        where="version NOT LIKE '.%' AND (coalesce(error, '') = '' OR (type & 4) <> 0)",
        order="version DESC",
    ),
    _laravel_or_typeorm,
    _schema_migrations,
)


def detect_migrations(
    tables: Collection[Table],
    columns: Callable[[Table], Collection[str]],
    query: Query,
    quote: Callable[[Table], str],
) -> MigrationInfo | None:
    """The first bookkeeping table found among `tables` ((schema, name) pairs), read with `query`.

    `columns` lists a table's column names; `quote` writes a qualified, quoted table name for the dialect.
    """
    catalog = Catalog(tables, columns, query, quote)
    for detect in DETECTORS:
        found = detect(catalog)
        if found is not None:
            return found
    return None


def _label(table: Table) -> str:
    return f"{table[0]}.{table[1]}" if table[0] else table[1]
