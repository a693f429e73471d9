"""Live introspection: read a database's catalog and give its schema through the one normaliser.

    Inspector.inspect() -> Introspection

An inspector does not build the model itself: it writes DDL text per object from the catalog (the way
pg_dump would) and hands the script to `registry.normalize.normalize`, so introspection, posted DDL and a
`pg_dump --schema-only` file cannot disagree by construction, and the statement cache makes a second
inspection of an unchanged database cheap.

    open_inspector("postgresql://...")  -> PostgresInspector (psycopg 3)
    open_inspector(sqlite="app.db")     -> SQLiteInspector (the standard library)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from schemareg.introspect.migrations import MigrationInfo
from schemareg.model import Schema

if TYPE_CHECKING:
    from schemareg.service import SnapshotMetadata

__all__ = [
    "Inspector",
    "Introspection",
    "MigrationInfo",
    "inspect",
    "open_inspector",
]


@dataclass(frozen=True)
class Introspection:
    """What an inspector read: the DDL it wrote, the normalised schema, and facts about the database."""

    dialect: str
    ddl: str  # the script fed to the normaliser: one statement per object or alteration
    schema: Schema
    database_version: str  # "PostgreSQL 15.5", "SQLite 3.45.1"
    migrations: MigrationInfo | None = None
    queries: int = 0  # catalog queries run (a fixed number, whatever the schema's size)
    timings: dict[str, float] = field(default_factory=dict)  # seconds: read, normalise

    @property
    def fingerprint(self) -> str:
        return self.schema.fingerprint

    def metadata(self) -> SnapshotMetadata:
        from schemareg.service import SnapshotMetadata

        return SnapshotMetadata(
            database_version=self.database_version,
            migration_tool=self.migrations.tool if self.migrations else None,
            migration_count=self.migrations.count if self.migrations else None,
            last_migration=self.migrations.last if self.migrations else None,
        )


class Inspector(Protocol):
    """The role: a live database in, its schema out (Atlas's `Inspector`)."""

    dialect: str

    def inspect(self) -> Introspection: ...

    def seed_data(self, tables: Sequence[str]) -> str:
        """The rows of `tables` as INSERT statements, sorted by primary key (for `--seed-tables`)."""
        ...


def open_inspector(dsn: str | None = None, *, sqlite: str | None = None) -> Inspector:
    """The inspector for a PostgreSQL URL (or libpq string) or a SQLite database file."""
    from schemareg.errors import InputError

    if (dsn is None) == (sqlite is None):
        raise InputError("give either a PostgreSQL DSN or a SQLite database file")
    if sqlite is not None:
        from schemareg.introspect.sqlite import SQLiteInspector

        return SQLiteInspector(sqlite)
    assert dsn is not None
    if dsn.startswith(("sqlite://", "sqlite:")):
        from schemareg.introspect.sqlite import SQLiteInspector

        return SQLiteInspector(dsn.split(":", 1)[1].removeprefix("//"))
    from schemareg.introspect.postgres import PostgresInspector

    return PostgresInspector(dsn)


def inspect(dsn: str | None = None, *, sqlite: str | None = None) -> Introspection:
    return open_inspector(dsn, sqlite=sqlite).inspect()
