"""Suite-wide set-up: the normaliser's on-disk cache goes to a temporary folder, never the user's home."""

from __future__ import annotations

import contextlib
import os
import tempfile

os.environ.setdefault("SCHEMAREG_CACHE_DIR", tempfile.mkdtemp(prefix="schemareg-cache-"))

from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresServer, debian_server, postgres_server


def _serve(context: contextlib.AbstractContextManager[PostgresServer]) -> Iterator[PostgresServer]:
    try:
        server = context.__enter__()
    except FileNotFoundError as missing:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {missing}")
        pytest.skip(f"no PostgreSQL server: {missing}")
    try:
        yield server
    finally:
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def pg() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session (per xdist worker): the one SCHEMAREG_TEST_POSTGRES names,
    else the embedded PostgreSQL 18; see tests/support/postgres.py."""
    yield from _serve(postgres_server())


@pytest.fixture(scope="session")
def pg_debian() -> Iterator[PostgresServer]:
    """A throwaway cluster of the system's PostgreSQL (Debian's 15): the oldest end of the supported range."""
    yield from _serve(debian_server())


@pytest.fixture
def pg_database(pg: PostgresServer) -> str:
    """The URL of a fresh, empty database on the test server."""
    return pg.database()
