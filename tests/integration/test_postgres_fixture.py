"""The test PostgreSQL server itself: reachable, and each `pg_database` is fresh and empty."""

from __future__ import annotations

import psycopg


def test_each_database_is_fresh_and_empty(pg_database: str) -> None:
    with psycopg.connect(pg_database) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
        assert tables == (0,)
        conn.execute("CREATE TABLE scratch (a int)")


def test_the_server_runs_a_supported_version(pg_database: str) -> None:
    with psycopg.connect(pg_database) as conn:
        assert conn.info.server_version >= 130000
