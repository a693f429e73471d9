"""The SQLite inspector (the standard library's sqlite3): `sqlite_master` holds each object's own DDL, read
in one query inside one read transaction on a read-only connection, then normalised."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from schemareg.errors import ExternalError, InputError
from schemareg.introspect.base import Introspection
from schemareg.introspect.migrations import MigrationInfo, detect_migrations
from schemareg.normalize import StatementCache, normalize

__all__ = ["SQLiteInspector"]

_OBJECTS = (
    "SELECT type, name, tbl_name, sql FROM sqlite_master"
    " WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    " ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, rowid"
)

_SHADOWS = "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'"


def _shadow_tables(conn: sqlite3.Connection) -> set[str]:
    """The tables a virtual table's module keeps its data in (FTS5's `<name>_data`, ...): its implementation,
    not part of the schema (see schemareg.normalize.shadow_tables)."""
    try:
        return {name for (name,) in conn.execute(_SHADOWS)}
    except sqlite3.OperationalError:
        return set()  # SQLite before 3.37 has no table_list: the normaliser knows the built-in modules'


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SQLiteInspector:
    dialect = "sqlite"

    def __init__(self, path: str | Path, *, cache: StatementCache | bool | None = True) -> None:
        self.path = Path(path)
        self.cache = cache

    def _connect(self) -> sqlite3.Connection:
        if not self.path.is_file():
            raise InputError(f"{self.path}: no such SQLite database file")
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
            conn.execute("BEGIN")  # one read snapshot for every query that follows
            return conn
        except sqlite3.Error as error:
            raise ExternalError(f"cannot open {self.path}: {error}") from error

    def inspect(self) -> Introspection:
        started = time.perf_counter()
        conn = self._connect()
        try:
            version = conn.execute("SELECT sqlite_version()").fetchone()[0]
            shadows = _shadow_tables(conn)
            rows = [row for row in conn.execute(_OBJECTS).fetchall() if row[2] not in shadows]
            migrations = self._migrations(conn, rows)
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            raise ExternalError(f"cannot read {self.path}: {error}") from error
        finally:
            conn.close()
        read = time.perf_counter() - started
        ddl = "".join(sql.rstrip().rstrip(";") + ";\n" for _, _, _, sql in rows)
        schema = normalize(ddl, "sqlite", source=str(self.path), cache=self.cache)
        return Introspection(
            dialect="sqlite",
            ddl=ddl,
            schema=schema,
            database_version=f"SQLite {version}",
            migrations=migrations,
            queries=4 + (migrations is not None),
            timings={"read": read, "normalise": time.perf_counter() - started - read},
        )

    @staticmethod
    def _migrations(conn: sqlite3.Connection, rows: list[Any]) -> MigrationInfo | None:
        tables = {("", name) for kind, name, _, _ in rows if kind == "table"}

        def columns(table: tuple[str, str]) -> list[str]:
            return [row[1] for row in conn.execute(f"PRAGMA table_info({_quote(table[1])})")]

        def query(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(row) for row in conn.execute(sql).fetchall()]

        return detect_migrations(tables, columns, query, lambda table: _quote(table[1]))

    def seed_data(self, tables: Sequence[str]) -> str:
        if not tables:
            return ""
        out: list[str] = []
        conn = self._connect()
        try:
            known = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for table in tables:
                name = table.rpartition(".")[2]
                if name not in known:
                    raise InputError(f"--seed-tables: no table {table!r} in the database")
                info = conn.execute(f"PRAGMA table_xinfo({_quote(name)})").fetchall()
                columns = [row[1] for row in info if row[6] == 0]  # hidden == 0: not generated
                key = [row[1] for row in sorted((r for r in info if r[5] > 0), key=lambda r: r[5])]
                order = ", ".join(_quote(c) for c in key) if key else "rowid"
                values = " || ', ' || ".join(f"quote({_quote(c)})" for c in columns)
                head = f"INSERT INTO {_quote(name)} ({', '.join(_quote(c) for c in columns)}) VALUES ("
                out.append(f"-- {name}")
                out.extend(
                    f"{head}{text});"
                    for (text,) in conn.execute(f"SELECT {values} FROM {_quote(name)} ORDER BY {order}")
                )
        finally:
            conn.close()
        return "\n".join(out) + "\n"
