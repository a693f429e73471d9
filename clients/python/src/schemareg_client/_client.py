"""`Client`: the blocking client. Every method builds its request in `BaseClient` and sends it here."""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, TypeVar

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

__all__ = ["Client", "verify_database"]

T = TypeVar("T")


class Client(BaseClient):
    """A schemareg server, from a script, a CI job or a service:

        with Client("https://schemareg.internal", token=TOKEN) as registry:
            expected = registry.expected("shop", "production")

    Calls that cannot change anything twice (GET, PUT, check) are retried with exponential backoff on
    connection errors, timeouts and 502/503/504; `post_snapshot` and `promote` only with `retry=True`.
    `http` lets you bring your own `httpx.Client` (a proxy, mTLS, a test transport): it is not closed.
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
        http: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
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
        self._http = http if http is not None else httpx.Client(transport=transport, timeout=timeout)

    @classmethod
    def from_env(cls, base_url: str | None = None, token: str | None = None, **options: Any) -> Client:
        """A client of `SCHEMAREG_REGISTRY_URL` with `SCHEMAREG_TOKEN` (the CLI's names for them)."""
        url, token = cls.env_settings(base_url, token)
        return cls(url, token, **options)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def _send(self, op: Operation[T]) -> T:
        args = self._request_args(op)
        attempts = self._attempts(op)
        for attempt in range(attempts):
            last = attempt + 1 == attempts
            try:
                response = self._http.request(**args)
            except httpx.TransportError as error:
                if last:
                    raise self._transport_error(op, args["url"], error, attempts) from error
                time.sleep(self._delay(attempt))
                continue
            if not last and self._should_retry(response):
                response.close()
                time.sleep(self._delay(attempt, response))
                continue
            return self._finish(op, response)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- reading ------------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """`GET /healthz`."""
        return self._send(self._op_health())

    def projects(self) -> list[Project]:
        return self._send(self._op_projects())

    def project(self, name: str) -> ProjectDetail:
        """A project with its environments and releases."""
        return self._send(self._op_project(name))

    def environments(self, project: str) -> list[Environment]:
        return self._send(self._op_environments(project))

    def expected(self, project: str, env: str, *, cached: bool = True) -> Expected:
        """The version `env` expects (its head). The last answer is kept with its ETag, so polling costs
        a 304 without a body until the env moves; `cached=False` asks for the full answer."""
        return self._send(self._op_expected(project, env, cached=cached))

    def history(self, project: str, env: str, *, limit: int | None = None) -> list[HistoryEntry]:
        """The env's snapshots, newest first."""
        return self._send(self._op_history(project, env, limit=limit))

    def table_history(self, project: str, table: str, *, env: str | None = None) -> TableHistory:
        """When each column of `table` appeared or changed along `env`'s history (default: production,
        else the first env), and in which release."""
        return self._send(self._op_table_history(project, table, env=env))

    def version(self, project: str, ref: str) -> Version:
        """A version by release, env, full or short sha."""
        return self._send(self._op_version(project, ref))

    def schema_sql(self, project: str, ref: str) -> str:
        """The whole canonical schema of a version, replayable into an empty database."""
        return self._send(self._op_schema_sql(project, ref))

    def objects(self, project: str, ref: str) -> list[SchemaObject]:
        return self._send(self._op_objects(project, ref))

    def releases(self, project: str) -> list[Release]:
        """Every release, oldest first."""
        return self._send(self._op_releases(project))

    def diff(self, project: str, from_: str, to: str) -> Diff:
        """The semantic diff between two refs (release, env or sha)."""
        return self._send(self._op_diff(project, from_, to))

    def unified_diff(self, project: str, from_: str, to: str) -> str:
        """A unified diff of the changed objects' canonical DDL."""
        return self._send(self._op_unified_diff(project, from_, to))

    def changelog(self, project: str, from_: str, to: str, *, title: str | None = None) -> str:
        """The markdown changelog between two refs (titled `to` unless `title` is given)."""
        return self._send(self._op_changelog(project, from_, to, title=title))

    # -- checking a live schema ---------------------------------------------------------------------

    def check(
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
        return self._send(self._op_check(project, env, ddl=ddl, fingerprint=fingerprint, dialect=dialect))

    def verify_database(self, dsn: str, project: str, env: str) -> Check:
        """Introspect the database at `dsn` (needs the `schemareg` package) and raise `SchemaMismatch`,
        listing the differences, unless it has the schema `env` expects."""
        live = introspect(dsn)
        result = self.check(project, env, fingerprint=live.fingerprint)
        if result.match:
            return result
        # The fingerprints differ: send the DDL, so the server decides (with its own normaliser) and says why.
        result = self.check(project, env, ddl=live.ddl, dialect=live.dialect)
        if result.match:
            return result
        raise SchemaMismatch(
            describe_mismatch(result, project=project, env=env, database=live.label), check=result
        )

    # -- writing ------------------------------------------------------------------------------------

    def create_project(
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
        return self._send(self._op_create_project(name, dialect, description, default_env, engine))

    def post_snapshot(
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
        return self._send(
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

    def promote(
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
        return self._send(self._op_promote(project, env, from_, message=message, retry=retry, force=force))

    def record_drift(self, project: str, env: str, report: Mapping[str, Any]) -> DriftRecord:
        """Store `report` (a drift report as `schemareg drift --format json` prints it) as the env's latest."""
        return self._send(self._op_record_drift(project, env, report))

    def release(
        self, project: str, name: str, ref: str, *, description: str = "", force: bool = False
    ) -> Release:
        """Cut the immutable release `name` from `ref`; an existing name raises `Conflict`, a semver name
        bumped less than its changes need `Incompatible` when the project enforces semver."""
        return self._send(self._op_release(project, name, ref, description=description, force=force))

    def compatibility(self, project: str, env: str) -> str:
        """The env's compatibility level: none, backward, backward_transitive or additive."""
        return self._send(self._op_compatibility(project, env, None))

    def set_compatibility(self, project: str, env: str, level: str) -> str:
        """Set the env's compatibility level (an admin token)."""
        return self._send(self._op_compatibility(project, env, level))


def verify_database(
    dsn: str,
    project: str,
    env: str,
    *,
    client: Client | None = None,
    base_url: str | None = None,
    token: str | None = None,
) -> Check:
    """Check a service's own database against what its environment expects, at start-up:

        verify_database(os.environ["DATABASE_URL"], "shop", "production")

    Raises `SchemaMismatch` listing the differences. Without `client`, the server is `base_url` or
    `SCHEMAREG_REGISTRY_URL` and the token `token` or `SCHEMAREG_TOKEN`."""
    if client is not None:
        return client.verify_database(dsn, project, env)
    with Client.from_env(base_url, token) as own:
        return own.verify_database(dsn, project, env)
