"""Live introspection: read a database's catalog and give its schema through the one normaliser.

    Inspector.inspect() -> Introspection

An inspector writes DDL text per object from the catalog (the way pg_dump would), and its schema is
what `registry.normalize.normalize` gives for that script, so introspection, posted DDL and a
`pg_dump --schema-only` file cannot disagree. The PostgreSQL inspector gets the ops of the statements the
catalog rows describe completely (tables, columns, keys, indexes, sequences) from probes compiled once per
shape instead of compiling each statement (`assemble`, `pg_direct`); the whole script is cached, so a
second inspection of an unchanged database is one lookup.

    open_inspector("postgresql://...")  -> PostgresInspector (psycopg 3)
    open_inspector(sqlite="app.db")     -> SQLiteInspector (the standard library)
"""

from __future__ import annotations

from schemareg.errors import InputError
from schemareg.introspect.base import Inspector, Introspection, SnapshotMetadata
from schemareg.introspect.migrations import MigrationInfo

__all__ = [
    "Inspector",
    "Introspection",
    "MigrationInfo",
    "SnapshotMetadata",
    "inspect",
    "open_inspector",
]


def open_inspector(dsn: str | None = None, *, sqlite: str | None = None) -> Inspector:
    """The inspector for a PostgreSQL URL (or libpq string) or a SQLite database file."""
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
