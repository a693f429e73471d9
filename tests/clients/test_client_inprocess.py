"""The client against the real app in process: the sync client through Litestar's test client (an
httpx.Client), the async one through httpx's ASGI transport. Also: 5xx answers, retries and timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from schemareg.errors import ExternalError, StoreError
from schemareg_api import create_app
from schemareg_api.settings import Settings
from schemareg_client import AsyncClient, Client, ServerError, TransportError, ValidationError
from tests.clients._contract import MAX_BODY, run_async, run_sync
from tests.clients._data import ADMIN, READER, TOKENS, V1

BASE = "http://testserver.local"


@pytest.fixture
def app(data_dir: Path) -> Litestar:
    return create_app(Settings(data_dir=str(data_dir), tokens=TOKENS, max_body_bytes=MAX_BODY))


@pytest.fixture
def http(app: Litestar) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(app, base_url=BASE) as client:
        yield client


def test_sync_client_contract(http: TestClient) -> None:  # type: ignore[type-arg]
    statuses: list[int] = []
    http.event_hooks = {"request": [], "response": [lambda response: statuses.append(response.status_code)]}
    run_sync(
        Client(BASE, token=ADMIN, http=http),
        Client(BASE, token=READER, http=http),
        Client(BASE, http=http),
        statuses,
    )


def test_async_client_contract(app: Litestar) -> None:
    async def main() -> None:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with (
            httpx.AsyncClient(transport=transport) as http,
            AsyncClient(BASE, ADMIN, http=http) as admin,
        ):
            await run_async(admin, AsyncClient(BASE, READER, http=http), AsyncClient(BASE, http=http))

    asyncio.run(main())


@pytest.mark.parametrize(
    ("error", "status"), [(StoreError("disk full"), 500), (ExternalError("S3 is down"), 502)]
)
def test_server_errors(
    http: TestClient,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    status: int,
) -> None:
    client = Client(BASE, ADMIN, http=http, backoff=0.001)
    client.create_project("shop")
    client.post_snapshot("shop", "staging", V1)
    statuses: list[int] = []
    http.event_hooks = {"request": [], "response": [lambda response: statuses.append(response.status_code)]}

    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(http.app.state.context.registry, "history", fail)
    with pytest.raises(ServerError) as raised:
        client.history("shop", "staging")
    assert raised.value.status == status and raised.value.problem.status == status
    # A GET is retried on 502 (not on 500): three attempts, then the error.
    assert statuses == [status] * (3 if status == 502 else 1)


def recording(statuses: list[int], *answers: int) -> httpx.MockTransport:
    """A transport that answers each request with the next status (the last one repeats)."""

    def handle(request: httpx.Request) -> httpx.Response:
        status = answers[min(len(statuses), len(answers) - 1)]
        statuses.append(status)
        if status == 200:
            return httpx.Response(200, json={"status": "ok", "checks": {}})
        return httpx.Response(status, headers={"retry-after": "0"}, text="<html>bad gateway</html>")

    return httpx.MockTransport(handle)


def test_idempotent_calls_are_retried_and_posts_are_not() -> None:
    statuses: list[int] = []
    with Client(BASE, transport=recording(statuses, 503, 504, 200), backoff=0.001) as client:
        assert client.health()["status"] == "ok"
    assert statuses == [503, 504, 200]

    statuses.clear()
    with Client(BASE, transport=recording(statuses, 502), backoff=0.001) as client:
        with pytest.raises(ServerError) as raised:
            client.post_snapshot("shop", "staging", V1)
        assert statuses == [502]  # not retried unless asked
        assert raised.value.problem.detail == "<html>bad gateway</html>"  # not problem+json: kept as text
        statuses.clear()
        with pytest.raises(ServerError):
            client.post_snapshot("shop", "staging", V1, retry=True)
        assert statuses == [502, 502, 502]


def test_transport_errors_and_timeouts() -> None:
    attempts: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    with Client(BASE, transport=httpx.MockTransport(refuse), backoff=0.001) as client:
        with pytest.raises(TransportError, match="after 3 attempts"):
            client.expected("shop", "production")
        assert len(attempts) == 3
        with pytest.raises(TransportError):
            client.release("shop", "v1.0.0", "staging")
        assert len(attempts) == 4  # a release is never resent

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with Client(BASE, transport=httpx.MockTransport(slow), retries=1) as client:
        assert client.timeout == 10.0
        with pytest.raises(TransportError, match="timed out"):
            client.projects()


def test_bad_input_never_reaches_the_server(http: TestClient) -> None:  # type: ignore[type-arg]
    client = Client(BASE, ADMIN, http=http)
    with pytest.raises(ValueError):
        client.check("shop", "staging")
    with pytest.raises(ValueError):
        client.expected("shop", "")
    with pytest.raises(ValidationError):
        client.create_project("shop", "klingon")
