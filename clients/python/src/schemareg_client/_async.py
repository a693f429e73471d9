"""`AsyncClient`: the asyncio client, method for method the same as `Client` (see there)."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import httpx

from schemareg_client._base import DEFAULT_RETRIES, DEFAULT_TIMEOUT, BaseClient, Operation, describe_mismatch
from schemareg_client._exceptions import SchemaMismatch
from schemareg_client._models import (
    Check,
    Diff,
    DriftRecord,
    Environment,
    Expected,
    HistoryEntry,
    Project,
    ProjectDetail,
    Release,
    SchemaObject,
    SnapshotResult,
    TableHistory,
    Version,
)
from schemareg_client._verify import introspect

__all__ = ["AsyncClient"]

T = TypeVar("T")


class AsyncClient(BaseClient):
    """`Client`'s twin for asyncio (and trio): the same methods, awaited.

        async with AsyncClient("https://schemareg.internal", token=TOKEN) as registry:
            expected = await registry.expected("shop", "production")

    Calls that cannot change anything twice (GET, PUT, check) are retried with exponential backoff on
    connection errors, timeouts and 502/503/504; `post_snapshot` and `promote` only with `retry=True`.
    `http` lets you bring your own `httpx.AsyncClient` (a proxy, mTLS, a test transport): it is not closed.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = 0.25,
        max_backoff: float = 5.0,
        headers: Mapping[str, str] | None = None,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url,
            token,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            max_backoff=max_backoff,
            headers=headers,
        )
        self._owns_http = http is None
        self._http = http if http is not None else httpx.AsyncClient(transport=transport, timeout=timeout)

    @classmethod
    def from_env(cls, base_url: str | None = None, token: str | None = None, **options: Any) -> AsyncClient:
        """A client of `SCHEMAREG_REGISTRY_URL` with `SCHEMAREG_TOKEN` (the CLI's names for them)."""
        url, token = cls.env_settings(base_url, token)
        return cls(url, token, **options)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _send(self, op: Operation[T]) -> T:
        args = self._request_args(op)
        attempts = self._attempts(op)
        for attempt in range(attempts):
            last = attempt + 1 == attempts
            try:
                response = await self._http.request(**args)
            except httpx.TransportError as error:
                if last:
                    raise self._transport_error(op, args["url"], error, attempts) from error
                await anyio.sleep(self._delay(attempt))
                continue
            if not last and self._should_retry(response):
                await response.aclose()
                await anyio.sleep(self._delay(attempt, response))
                continue
            return self._finish(op, response)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- reading ------------------------------------------------------------------------------------

    async def health(self) -> dict[str, Any]:
        """`GET /healthz`."""
        return await self._send(self._op_health())

    async def projects(self) -> list[Project]:
        return await self._send(self._op_projects())

    async def project(self, name: str) -> ProjectDetail:
        """A project with its environments and releases."""
        return await self._send(self._op_project(name))

    async def environments(self, project: str) -> list[Environment]:
        return await self._send(self._op_environments(project))

    async def expected(self, project: str, env: str, *, cached: bool = True) -> Expected:
        """The version `env` expects (its head). The last answer is kept with its ETag, so polling costs
        a 304 without a body until the env moves; `cached=False` asks for the full answer."""
        return await self._send(self._op_expected(project, env, cached=cached))

    async def history(self, project: str, env: str, *, limit: int | None = None) -> list[HistoryEntry]:
        """The env's snapshots, newest first."""
        return await self._send(self._op_history(project, env, limit=limit))

    async def table_history(self, project: str, table: str, *, env: str | None = None) -> TableHistory:
        """When each column of `table` appeared or changed along `env`'s history (default: production,
        else the first env), and in which release."""
        return await self._send(self._op_table_history(project, table, env=env))

    async def version(self, project: str, ref: str) -> Version:
        """A version by release, env, full or short sha."""
        return await self._send(self._op_version(project, ref))

    async def schema_sql(self, project: str, ref: str) -> str:
        """The whole canonical schema of a version, replayable into an empty database."""
        return await self._send(self._op_schema_sql(project, ref))

    async def objects(self, project: str, ref: str) -> list[SchemaObject]:
        return await self._send(self._op_objects(project, ref))

    async def releases(self, project: str) -> list[Release]:
        """Every release, oldest first."""
        return await self._send(self._op_releases(project))

    async def diff(self, project: str, from_: str, to: str) -> Diff:
        """The semantic diff between two refs (release, env or sha)."""
        return await self._send(self._op_diff(project, from_, to))

    async def unified_diff(self, project: str, from_: str, to: str) -> str:
        """A unified diff of the changed objects' canonical DDL."""
        return await self._send(self._op_unified_diff(project, from_, to))

    async def changelog(self, project: str, from_: str, to: str, *, title: str | None = None) -> str:
        """The markdown changelog between two refs (titled `to` unless `title` is given)."""
        return await self._send(self._op_changelog(project, from_, to, title=title))

    # -- checking a live schema ---------------------------------------------------------------------

    async def check(
        self,
        project: str,
        env: str,
        *,
        ddl: str | None = None,
        fingerprint: str | None = None,
        dialect: str | None = None,
    ) -> Check:
        """Compare a schema (its DDL, or only its fingerprint) with what `env` expects; stores nothing.
        Look at `.match`; `.diff` lists the differences when DDL was sent."""
        return await self._send(
            self._op_check(project, env, ddl=ddl, fingerprint=fingerprint, dialect=dialect)
        )

    async def verify_database(self, dsn: str, project: str, env: str) -> Check:
        """Introspect the database at `dsn` (needs the `schemareg` package) and raise `SchemaMismatch`,
        listing the differences, unless it has the schema `env` expects."""
        live = await anyio.to_thread.run_sync(introspect, dsn)
        result = await self.check(project, env, fingerprint=live.fingerprint)
        if result.match:
            return result
        # The fingerprints differ: send the DDL, so the server decides (with its own normaliser) and says why.
        result = await self.check(project, env, ddl=live.ddl, dialect=live.dialect)
        if result.match:
            return result
        raise SchemaMismatch(
            describe_mismatch(result, project=project, env=env, database=live.label), check=result
        )

    # -- writing ------------------------------------------------------------------------------------

    async def create_project(
        self,
        name: str,
        dialect: str | None = None,
        *,
        description: str | None = None,
        default_env: str | None = None,
        engine: str | None = None,
    ) -> Project:
        """Create a project (dialect `postgres` unless given), or update its dialect, description,
        default env (the env `git clone` checks out; "" clears it) and engine (`sqlglot` or `postgres`;
        fixed once the project has a snapshot: 409)."""
        return await self._send(self._op_create_project(name, dialect, description, default_env, engine))

    async def post_snapshot(
        self,
        project: str,
        env: str,
        ddl: str,
        dialect: str | None = None,
        *,
        message: str | None = None,
        description: str = "",
        retry: bool = False,
        force: bool = False,
    ) -> SnapshotResult:
        """Record the schema `env` has now. `.created` is False when the env head had that fingerprint
        already (nothing committed). `retry=True` resends after a lost answer: posting the same schema
        twice is harmless. A schema the env's compatibility level refuses raises `Incompatible`;
        `force=True` (an admin token) stores it anyway, recorded in the commit message."""
        return await self._send(
            self._op_post_snapshot(
                project,
                env,
                ddl,
                dialect=dialect,
                message=message,
                description=description,
                retry=retry,
                force=force,
            )
        )

    async def promote(
        self,
        project: str,
        env: str,
        from_: str,
        *,
        message: str | None = None,
        retry: bool = False,
        force: bool = False,
    ) -> SnapshotResult:
        """Make `env` expect what `from_` (an env, a release or a sha) has (`Incompatible` as for a
        snapshot; `force=True` with an admin token)."""
        return await self._send(
            self._op_promote(project, env, from_, message=message, retry=retry, force=force)
        )

    async def record_drift(self, project: str, env: str, report: Mapping[str, Any]) -> DriftRecord:
        """Store `report` (a drift report as `schemareg drift --format json` prints it) as the env's latest."""
        return await self._send(self._op_record_drift(project, env, report))

    async def release(
        self, project: str, name: str, ref: str, *, description: str = "", force: bool = False
    ) -> Release:
        """Cut the immutable release `name` from `ref`; an existing name raises `Conflict`, a semver name
        bumped less than its changes need `Incompatible` when the project enforces semver."""
        return await self._send(self._op_release(project, name, ref, description=description, force=force))

    async def compatibility(self, project: str, env: str) -> str:
        """The env's compatibility level: none, backward, backward_transitive or additive."""
        return await self._send(self._op_compatibility(project, env, None))

    async def set_compatibility(self, project: str, env: str, level: str) -> str:
        """Set the env's compatibility level (an admin token)."""
        return await self._send(self._op_compatibility(project, env, level))
