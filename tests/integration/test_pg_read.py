"""The catalog read on two connections (`introspect.pg_read`), against a real PostgreSQL: both read one
snapshot, the answers are those of one connection, and the helper is only ever a help: refused, routed
elsewhere, failing on a query, or on a server that exports no snapshot, the inspection is the same."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from schemareg.errors import ExternalError
from schemareg.introspect import pg_read
from schemareg.introspect.pg_read import SnapshotNotExported, read_queries
from schemareg.introspect.postgres import QUERIES, PostgresInspector, load_query
from tests.support.postgres import PostgresServer

NAMES = QUERIES[2:]  # what read_queries is given: the server's and the schemas' rows come first


@pytest.fixture
def url(pg: PostgresServer) -> str:
    url = pg.database("pgread")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "".join(
                f"CREATE TABLE t{i} (id serial PRIMARY KEY, code text UNIQUE, n int CHECK (n > 0));"
                f" CREATE INDEX ON t{i} (n); CREATE VIEW v{i} AS SELECT id, n FROM t{i};"
                for i in range(20)
            )  # type: ignore[arg-type]
        )
    return url


class Reading:
    """An inspection's transaction, its namespaces read, and a `run` that records which connection ran
    what (the inspection's is "main")."""

    def __init__(self, inspector: PostgresInspector, conn: Any) -> None:
        self.inspector, self.conn = inspector, conn
        conn.execute("SET LOCAL search_path = ''")
        schemas = conn.execute(load_query("schemas")).fetchall()
        self.params = {"namespaces": [row["oid"] for row in schemas]}
        self.by: dict[str, str] = {}
        self.helper_started = threading.Event()

    def run(self, connection: Any, name: str) -> list[dict[str, Any]]:
        who = "main" if connection is self.conn else "helper"
        if who == "helper":
            self.helper_started.set()
        elif not self.by:  # the first query waits for the helper, so that both read
            assert self.helper_started.wait(10)
        self.by[name] = who
        query = load_query(name)
        rows: list[dict[str, Any]] = connection.execute(
            query, self.params if "%(namespaces)s" in query else None
        ).fetchall()
        return rows


@pytest.fixture
def reading(url: str) -> Iterator[Reading]:
    inspector = PostgresInspector(url)
    with inspector._connect() as conn, conn.transaction():
        yield Reading(inspector, conn)


def one_connection(url: str) -> dict[str, list[dict[str, Any]]]:
    inspector = PostgresInspector(url)
    with inspector._connect() as conn, conn.transaction():
        conn.execute("SET LOCAL search_path = ''")
        results, _ = inspector._read(conn)
    return results


def test_both_connections_read_and_the_answers_are_one_connections(url: str, reading: Reading) -> None:
    results = read_queries(reading.conn, NAMES, reading.run, reading.inspector._connect, ExternalError)
    assert set(reading.by.values()) == {"main", "helper"}, reading.by
    assert dict(results) == {name: rows for name, rows in one_connection(url).items() if name in NAMES}


def test_the_helper_reads_the_inspections_snapshot(url: str, reading: Reading) -> None:
    """A table made after the inspection's transaction began (its columns, key, check and index: one of
    them at least the helper reads) is seen by neither connection."""
    run = reading.run

    def run_after_a_write(connection: Any, name: str) -> list[dict[str, Any]]:
        if connection is reading.conn and not reading.by:
            with psycopg.connect(url, autocommit=True) as other:
                other.execute(
                    "CREATE TABLE late (id int PRIMARY KEY, n int CHECK (n > 0)); CREATE INDEX ON late (n)"
                )
        return run(connection, name)

    results = read_queries(reading.conn, NAMES, run_after_a_write, reading.inspector._connect, ExternalError)
    assert "helper" in reading.by.values()
    assert not [row for rows in results.values() for row in rows if "late" in str(row)]
    assert not [
        row for row in results["columns"] if row["relation"] not in {r["oid"] for r in results["relations"]}
    ]


def test_a_refused_helper_leaves_the_reading_to_the_inspection(url: str, reading: Reading) -> None:
    def refused() -> Any:
        raise ExternalError("too many connections")

    reading.helper_started.set()  # nothing to wait for
    results = read_queries(reading.conn, NAMES, reading.run, refused, ExternalError)
    assert set(reading.by.values()) == {"main"} and set(results) == set(NAMES)


def test_a_helper_in_another_database_reads_nothing(pg: PostgresServer, url: str, reading: Reading) -> None:
    """A pooler may send the second connection elsewhere: the snapshot does not import, or is another."""
    elsewhere = PostgresInspector(pg.database("elsewhere"))
    reading.helper_started.set()
    results = read_queries(reading.conn, NAMES, reading.run, elsewhere._connect, ExternalError)
    assert set(reading.by.values()) == {"main"}
    assert dict(results) == {name: rows for name, rows in one_connection(url).items() if name in NAMES}


def test_a_query_that_fails_on_the_helper_is_read_by_the_inspection(url: str, reading: Reading) -> None:
    run = reading.run
    failed: list[str] = []

    def failing_once(connection: Any, name: str) -> list[dict[str, Any]]:
        if connection is not reading.conn and not failed:
            failed.append(name)
            reading.helper_started.set()
            raise psycopg.OperationalError("the connection was lost")
        return run(connection, name)

    results = read_queries(reading.conn, NAMES, failing_once, reading.inspector._connect, ExternalError)
    assert failed and reading.by[failed[0]] == "main"
    assert dict(results) == {name: rows for name, rows in one_connection(url).items() if name in NAMES}


def test_no_snapshot_exported_in_a_subtransaction(reading: Reading) -> None:
    with pytest.raises(SnapshotNotExported), reading.conn.transaction():
        read_queries(reading.conn, NAMES, reading.run, reading.inspector._connect, ExternalError)


def test_a_server_that_exports_no_snapshot_is_read_on_one_connection(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = PostgresInspector(url, cache=False, parallel=False).inspect()

    def refuse(conn: Any) -> tuple[str, str]:
        with pytest.raises(psycopg.Error):
            conn.execute("SELECT pg_catalog.pg_export_snapshot() FROM pg_catalog.pg_class WHERE 1 / 0 = 1")
        raise SnapshotNotExported("refused")  # the transaction is aborted, as a refusal leaves it

    monkeypatch.setattr(pg_read, "_export", refuse)
    result = PostgresInspector(url, cache=False).inspect()
    assert result.ddl == expected.ddl and result.schema.rendered() == expected.schema.rendered()
