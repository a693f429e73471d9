"""The test PostgreSQL server itself: reachable, and each `pg_database` is fresh and empty."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg

from tests.support.postgres import ENV_URL, PostgresServer


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


def test_both_ends_of_the_supported_range(pg: PostgresServer, pg_debian: PostgresServer) -> None:
    """The suite's server is the embedded PostgreSQL 18 (unless one is named); the system's is older."""
    versions = []
    for server in (pg, pg_debian):
        with psycopg.connect(server.admin_url) as conn:
            versions.append(conn.info.server_version)
    if not os.environ.get(ENV_URL):
        assert versions[0] >= 180000
        assert pg.bin_dir is not None and Path(pg.bin_dir, "pg_dump").exists()
    assert versions[1] < 180000
