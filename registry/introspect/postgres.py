"""The PostgreSQL inspector (psycopg 3): the catalog, read in a fixed number of set-based queries inside one
read-only REPEATABLE READ transaction, written out as DDL the way pg_dump writes it (`pg_script.Script`),
then normalised (`assemble`: the statements the rows describe completely from probes, the rest compiled).

The queries live in `queries/*.sql` (one per kind); this module runs them, the assembly is `pg_script`. Expressions, types and definitions come from the
server's own deparsers (`pg_get_indexdef`, `pg_get_constraintdef`, `pg_get_viewdef`, `pg_get_functiondef`,
`pg_get_triggerdef`, `pg_get_expr`, `format_type`), with an empty `search_path` as pg_dump sets it, so
names come out schema-qualified exactly as in a dump. Objects that belong to an extension, and the system
schemas, are left out.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from importlib.resources import files
from typing import Any

from schemareg.dsn import error_line, redact
from schemareg.errors import ExternalError, InputError
from schemareg.introspect.assemble import cached_schema, compiler_loading, normalize_pieces, resolve_cache
from schemareg.introspect.base import Introspection
from schemareg.introspect.migrations import MigrationInfo, detect_migrations
from schemareg.introspect.pg_read import SnapshotNotExported, read_queries
from schemareg.introspect.pg_script import Row, Script
from schemareg.introspect.pg_state import Known, database_key, recall, remember, seen, state_key
from schemareg.normalize import StatementCache

__all__ = ["QUERIES", "PostgresInspector", "load_query"]

# Every catalog query, in the order they run: the count is fixed, whatever the number of objects.
QUERIES = (
    "server",
    "schemas",
    "extensions",
    "collations",
    "types",
    "sequences",
    "relations",
    "columns",
    "constraints",
    "indexes",
    "statistics",
    "routines",
    "operators",
    "triggers",
    "policies",
    "rules",
    "event_triggers",
    "publications",
    "comments",
)
MINIMUM_VERSION = 130000  # pg_trigger.tgparentid


@functools.cache
def load_query(name: str) -> str:
    return (files("schemareg.introspect.queries") / f"{name}.sql").read_text(encoding="utf-8")


class PostgresInspector:
    """Introspect one PostgreSQL database. The DSN is never shown unredacted (`schemareg.dsn`)."""

    dialect = "postgres"

    def __init__(
        self,
        dsn: str,
        *,
        cache: StatementCache | bool | None = True,
        connect_timeout: int = 10,
        by_state: bool = True,
        parallel: bool = True,
    ) -> None:
        """`by_state`: answer from the cache when the server is in a state read before, and remember this
        one (`pg_state`); off for a database read once (the postgres engine's scratch databases).
        `parallel`: read on a second connection too, in the same snapshot, while queries are left
        (`pg_read`)."""
        self.dsn = dsn
        self.cache = cache
        self.connect_timeout = connect_timeout
        self.by_state = by_state
        self.parallel = parallel

    def __repr__(self) -> str:
        return f"PostgresInspector({redact(self.dsn)!r})"

    # -- the public verbs --------------------------------------------------------------------------------

    def inspect(self) -> Introspection:
        if self.parallel:
            try:
                return self._inspect(parallel=True)
            except SnapshotNotExported:  # a server that exports no snapshot is read on one connection
                pass
        return self._inspect(parallel=False)

    def _inspect(self, *, parallel: bool) -> Introspection:
        started = time.perf_counter()
        store = resolve_cache(self.cache)
        with self._connect() as conn, conn.transaction():
            conn.execute("SET LOCAL search_path = ''")
            state = self._state(conn) if store is not None and self.by_state else None
            key = state_key(self.dsn, state) if state is not None else None
            database = database_key(self.dsn, state) if state is not None else None
            known = recall(store, key) if store is not None and key is not None else None
            if store is not None and known is not None:
                schema = cached_schema(known.ddl, store, source=redact(self.dsn))
                if schema is not None:  # the same state as an inspection before: nothing to read
                    return Introspection(
                        dialect="postgres",
                        ddl=known.ddl,
                        schema=schema,
                        database_version=known.database_version,
                        migrations=known.migrations,
                        queries=1,
                        timings={"read": time.perf_counter() - started, "normalise": 0.0},
                    )
            # A database never read before is read for the first time: its script will need compiling,
            # so the compiler loads while the server answers. One read before (in another state: a busy
            # server's snapshot moves on with any write) most likely has the same catalog, whose schema
            # is cached, and needs no compiler at all.
            with compiler_loading(store is None or database is None or not seen(store, database)):
                results, migrations = self._read(conn, parallel=parallel)
        read = time.perf_counter() - started
        server = results["server"][0]
        script = Script(results)
        ddl = script.render()
        schema = normalize_pieces(ddl, script.pieces, source=redact(self.dsn), cache=store)
        if store is not None and key is not None:
            remember(store, key, Known(ddl, server["database_version"], migrations), database)
        return Introspection(
            dialect="postgres",
            ddl=ddl,
            schema=schema,
            database_version=server["database_version"],
            migrations=migrations,
            queries=len(QUERIES) + (1 if key is not None else 0) + (1 if migrations is not None else 0),
            timings={"read": read, "normalise": time.perf_counter() - started - read},
        )

    def seed_data(self, tables: Sequence[str]) -> str:
        """Rows of each table as INSERT statements, sorted by primary key (all columns without one).

        Values are written by the server (`quote_nullable` of their text form), so every type round-trips.
        """
        if not tables:
            return ""
        import psycopg
        from psycopg.rows import tuple_row

        out: list[str] = []
        try:
            with self._connect() as conn, conn.transaction():
                conn.row_factory = tuple_row
                conn.execute("SET LOCAL search_path = ''")
                self._seed_rows(conn, tables, out)
        except psycopg.Error as error:
            raise ExternalError(
                f"reading seed rows from {redact(self.dsn)} failed: {error_line(error, self.dsn)}"
            ) from error
        return "\n".join(out) + "\n"

    @staticmethod
    def _seed_rows(conn: Any, tables: Sequence[str], out: list[str]) -> None:
        for table in tables:
            schema, _, name = table.rpartition(".")
            row = conn.execute(
                "SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_catalog.pg_class c"
                " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relname = %s AND n.nspname = %s AND c.relkind IN ('r', 'p')",
                (name, schema or "public"),
            ).fetchone()
            if row is None:
                raise InputError(f"--seed-tables: no table {table!r} in the database")
            oid, qname = row
            columns = [
                name
                for (name,) in conn.execute(
                    "SELECT quote_ident(attname) FROM pg_catalog.pg_attribute WHERE attrelid = %s"
                    " AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                    (oid,),
                )
            ]
            key = [
                name
                for (name,) in conn.execute(
                    "SELECT quote_ident(a.attname) FROM pg_catalog.pg_index i"
                    " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)"
                    " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                    " WHERE i.indrelid = %s AND i.indisprimary ORDER BY k.n",
                    (oid,),
                )
            ] or columns
            values = " || ', ' || ".join(f"quote_nullable({column})" for column in columns)
            order = ", ".join(key)
            always = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = %s AND attidentity = 'a')",
                (oid,),
            ).fetchone()[0]
            overriding = "OVERRIDING SYSTEM VALUE " if always else ""
            head = f"INSERT INTO {qname} ({', '.join(columns)}) {overriding}VALUES ("
            out.append(f"-- {qname}")
            for (text,) in conn.execute(f"SELECT {values} FROM {qname} ORDER BY {order}"):  # type: ignore[arg-type]
                out.append(f"{head}{text});")

    # -- reading -----------------------------------------------------------------------------------------

    def _connect(self) -> Any:
        import psycopg
        from psycopg.rows import dict_row

        try:
            conn = psycopg.connect(
                self.dsn,
                connect_timeout=self.connect_timeout,
                application_name="schemareg",
                row_factory=dict_row,
                autocommit=True,
            )
        except psycopg.Error as error:
            raise ExternalError(
                f"cannot connect to {redact(self.dsn)}: {error_line(error, self.dsn)}"
            ) from error
        if conn.info.server_version < MINIMUM_VERSION:
            version = (conn.info.parameter_status("server_version") or "").split(" ")[0]
            conn.close()
            raise ExternalError(f"PostgreSQL {version} is too old: introspection needs PostgreSQL 13+")
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        return conn

    def _state(self, conn: Any) -> Row:
        """What decides this transaction's reads (`queries/state.sql`, the cache keys of `pg_state`)."""
        import psycopg

        try:
            row: Row = conn.execute(load_query("state")).fetchone()
        except psycopg.Error as error:
            raise ExternalError(
                f"reading the catalog of {redact(self.dsn)} failed: {error_line(error, self.dsn)}"
            ) from error
        return row

    def _read(
        self, conn: Any, *, parallel: bool = False
    ) -> tuple[dict[str, list[Row]], MigrationInfo | None]:
        import psycopg

        results: dict[str, list[Row]] = {}
        params: dict[str, Any] = {}

        def run(connection: Any, name: str) -> list[Row]:
            query = load_query(name)
            rows: list[Row] = connection.execute(
                query, params if "%(namespaces)s" in query else None
            ).fetchall()
            return rows

        try:
            for name in QUERIES[:2]:  # the server, and the schemas every other query reads in
                results[name] = run(conn, name)
            params["namespaces"] = [row["oid"] for row in results["schemas"]]
            helper = self._connect if parallel else None
            results.update(read_queries(conn, QUERIES[2:], run, helper, ExternalError))
            migrations = self._migrations(conn, results)
        except psycopg.Error as error:
            raise ExternalError(
                f"reading the catalog of {redact(self.dsn)} failed: {error_line(error, self.dsn)}"
            ) from error
        return {name: results[name] for name in QUERIES}, migrations

    @staticmethod
    def _migrations(conn: Any, results: Mapping[str, list[Row]]) -> MigrationInfo | None:
        tables: dict[tuple[str, str], int] = {}
        for row in results["relations"]:
            if row["kind"] in ("r", "p"):
                schema, _, name = row["qname"].partition(".")
                tables[(schema.strip('"'), name.strip('"'))] = row["oid"]
        columns_by_oid: dict[int, list[str]] = defaultdict(list)
        for row in results["columns"]:
            columns_by_oid[row["relation"]].append(row["name"].strip('"'))

        def query(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(row.values()) for row in conn.execute(sql).fetchall()]

        def quote(table: tuple[str, str]) -> str:
            return ".".join('"' + part.replace('"', '""') + '"' for part in table)

        return detect_migrations(tables, lambda table: columns_by_oid[tables[table]], query, quote)
