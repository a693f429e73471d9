"""The client against `schemareg serve` over a real socket: the whole contract for both clients, a 5xx
from the process itself, a closed port, and `verify_database` on live databases."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from schemareg_client import (
    AsyncClient,
    Client,
    SchemaMismatch,
    SchemaregError,
    ServerError,
    TransportError,
    verify_database,
)
from tests.clients._contract import MAX_BODY, run_async, run_sync
from tests.clients._data import ADMIN, READER, TOKENS, V1
from tests.support.server import free_port, serve

pytestmark = pytest.mark.integration

SERVER_ENV = {"SCHEMAREG_TOKENS": TOKENS, "SCHEMAREG_MAX_BODY_BYTES": str(MAX_BODY)}


@pytest.fixture
def server(data_dir: Path) -> Iterator[str]:
    with serve(data_dir, env=SERVER_ENV) as base:
        yield base


def test_sync_client_over_a_socket(server: str) -> None:
    statuses: list[int] = []
    hooks = {"response": [lambda response: statuses.append(response.status_code)]}
    with httpx.Client(event_hooks=hooks) as http:
        admin = Client(server, ADMIN, http=http)
        with Client(server, READER) as reader, Client(server) as anonymous:
            run_sync(admin, reader, anonymous, statuses)


def test_async_client_over_a_socket(server: str) -> None:
    async def main() -> None:
        async with (
            AsyncClient(server, ADMIN) as admin,
            AsyncClient(server, READER) as reader,
            AsyncClient(server) as anonymous,
        ):
            await run_async(admin, reader, anonymous)

    asyncio.run(main())


def test_a_server_error_and_a_closed_port(server: str, data_dir: Path) -> None:
    with Client(server, ADMIN) as client:
        client.create_project("shop")
        head = client.post_snapshot("shop", "staging", V1)
        # A damaged commit object: the server answers 500 with a problem, and no details.
        loose = data_dir / "shop.git" / "objects" / head.sha[:2] / head.sha[2:]
        loose.chmod(0o644)
        loose.write_bytes(b"not a zlib stream")
        with pytest.raises(ServerError) as raised:
            client.history("shop", "staging")
        assert raised.value.status == 500 and raised.value.problem.type.endswith("internal-error")
    with (
        Client(f"http://127.0.0.1:{free_port()}", backoff=0.01) as closed,
        pytest.raises(TransportError, match="after 3 attempts"),
    ):
        closed.expected("shop", "production")


def test_verify_database_with_sqlite(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "app.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)")
    dsn = f"sqlite:{database}"
    with Client(server, ADMIN) as client:
        client.create_project("app", "sqlite")
        client.post_snapshot(
            "app", "production", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);"
        )
        assert client.verify_database(dsn, "app", "production").match

        with sqlite3.connect(database) as connection:
            connection.execute("ALTER TABLE users ADD COLUMN nickname TEXT")
        with pytest.raises(SchemaMismatch) as mismatch:
            client.verify_database(dsn, "app", "production")
        message = str(mismatch.value)
        assert "does not match app/production" in message and "nickname" in message
        assert [change.name for change in mismatch.value.differences] == ["nickname"]

    # The module function, configured the way the CLI is: SCHEMAREG_REGISTRY_URL and SCHEMAREG_TOKEN.
    monkeypatch.setenv("SCHEMAREG_REGISTRY_URL", server)
    monkeypatch.setenv("SCHEMAREG_TOKEN", ADMIN)
    with pytest.raises(SchemaMismatch):
        verify_database(dsn, "app", "production")

    async def main() -> None:
        async with AsyncClient(server, ADMIN) as client:
            with pytest.raises(SchemaMismatch):
                await client.verify_database(dsn, "app", "production")

    asyncio.run(main())

    # Without the schemareg package the error says what is missing.
    monkeypatch.setitem(sys.modules, "schemareg.introspect", None)
    with pytest.raises(SchemaregError, match="schemareg is not installed"):
        verify_database(dsn, "app", "production")


def test_verify_database_with_postgres(server: str, pg_database: str) -> None:
    import psycopg

    with psycopg.connect(pg_database, autocommit=True) as connection:
        connection.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL)")
    with Client(server, ADMIN) as client:
        client.create_project("shop", "postgres")
        client.post_snapshot("shop", "production", V1)
        assert client.verify_database(pg_database, "shop", "production").match
        with psycopg.connect(pg_database, autocommit=True) as connection:
            connection.execute("ALTER TABLE users ALTER COLUMN email DROP NOT NULL")
        with pytest.raises(SchemaMismatch) as mismatch:
            client.verify_database(pg_database, "shop", "production")
        assert "public.users.email (nullable)" in str(mismatch.value)
        assert "password" not in str(mismatch.value)
