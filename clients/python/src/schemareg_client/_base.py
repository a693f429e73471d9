"""What the sync and the async client share: every request as a description (`Operation`), the retry
policy, response decoding, the mapping of error answers to exceptions, and the ETag cache of expected
versions. The two clients only send operations, each with its own httpx client and sleep."""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from schemareg_client._exceptions import SchemaregError, TransportError, error_class
from schemareg_client._models import (
    Change,
    Check,
    Diff,
    DriftRecord,
    Environment,
    Expected,
    HistoryEntry,
    Problem,
    Project,
    ProjectDetail,
    Release,
    SchemaObject,
    SnapshotResult,
    TableHistory,
    Version,
)

__all__ = [
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "REGISTRY_ENV",
    "RETRY_STATUSES",
    "TOKEN_ENV",
    "BaseClient",
    "Operation",
    "describe_mismatch",
    "problem_of",
    "raise_for_status",
    "segment",
]

__version__ = "0.1.0"
T = TypeVar("T")

DEFAULT_TIMEOUT = 10.0  # seconds, for connecting, reading and writing
DEFAULT_RETRIES = 3  # attempts of an idempotent call, the first included
RETRY_STATUSES = frozenset({502, 503, 504})
# The names the `schemareg` CLI uses for `--registry URL` and its token.
REGISTRY_ENV = "SCHEMAREG_REGISTRY_URL"
TOKEN_ENV = "SCHEMAREG_TOKEN"

_JSON = "application/json"
_SQL = "application/sql"


@dataclass(frozen=True, slots=True)
class Operation(Generic[T]):
    """One API call: what to send, whether it may be sent again, and how to read a success answer."""

    method: str
    path: str
    decode: Callable[[httpx.Response], T]
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes | None = None
    idempotent: bool = False


def segment(value: str) -> str:
    """A path segment, quoted so that a name can never reach another route."""
    if not value:
        raise ValueError("an empty name cannot be part of a path")
    return quote(value, safe="")


def _forced(force: bool) -> dict[str, str]:
    """`?force=true`: store what the env's guards would refuse (needs an admin token; recorded)."""
    return {"force": "true"} if force else {}


def _json_of(value: Mapping[str, Any]) -> bytes:
    return msgspec.json.encode({key: item for key, item in value.items() if item is not None})


def _decoder(kind: Any) -> Callable[[httpx.Response], Any]:
    decoder = msgspec.json.Decoder(kind)

    def decode(response: httpx.Response) -> Any:
        try:
            return decoder.decode(response.content)
        except msgspec.DecodeError as error:
            raise SchemaregError(
                f"{response.request.method} {response.request.url}: unexpected answer ({error})"
            ) from None

    return decode


def _text(response: httpx.Response) -> str:
    return response.text


def problem_of(response: httpx.Response) -> Problem:
    """The problem details of an error answer; a body that is not problem+json (a proxy's HTML page)
    gives a problem made of the status and the start of the text."""
    problem: Problem | None = None
    if "json" in response.headers.get("content-type", ""):
        try:
            problem = msgspec.json.decode(response.content, type=Problem)
        except msgspec.DecodeError:
            problem = None
    if problem is None:
        problem = Problem(
            type="about:blank",
            title=response.reason_phrase or "Error",
            status=response.status_code,
            detail=response.text[:500].strip(),
        )
    if problem.status != response.status_code:
        problem.status = response.status_code
    if problem.instance is None:
        problem.instance = response.request.url.path
    return problem


class BaseClient:
    """Settings and request building shared by `Client` and `AsyncClient`."""

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
    ) -> None:
        if not base_url:
            raise ValueError(f"no server URL: pass base_url (or set {REGISTRY_ENV})")
        if retries < 1:
            raise ValueError("retries counts attempts: at least 1")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._headers = {"user-agent": f"schemareg-client/{__version__}", "accept": _JSON}
        if token:
            self._headers["authorization"] = f"Bearer {token}"
        self._headers.update({key.lower(): value for key, value in (headers or {}).items()})
        # (project, env) -> (ETag, the answer it names): a 304 gives the answer back without a body.
        self._expected_cache: dict[tuple[str, str], tuple[str, Expected]] = {}
        self._cache_lock = threading.Lock()

    @staticmethod
    def env_settings(base_url: str | None, token: str | None) -> tuple[str, str | None]:
        """The server URL and token: the arguments, else `SCHEMAREG_REGISTRY_URL` / `SCHEMAREG_TOKEN`."""
        url = base_url or os.environ.get(REGISTRY_ENV, "")
        if not url:
            raise SchemaregError(f"no server URL: pass base_url or set {REGISTRY_ENV}")
        return url, token if token is not None else (os.environ.get(TOKEN_ENV) or None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    # -- sending: the parts both clients share -----------------------------------------------------

    def _request_args(self, op: Operation[Any]) -> dict[str, Any]:
        return {
            "method": op.method,
            "url": self.base_url + op.path,
            "params": dict(op.params) or None,
            "headers": {**self._headers, **op.headers},
            "content": op.content,
            "timeout": self.timeout,
        }

    def _attempts(self, op: Operation[Any]) -> int:
        return self.retries if op.idempotent else 1

    def _delay(self, attempt: int, response: httpx.Response | None = None) -> float:
        """Exponential backoff with full jitter; a Retry-After in seconds is honoured up to the cap."""
        if response is not None:
            after = response.headers.get("retry-after", "")
            if after.isdigit():
                return min(float(after), self.max_backoff)
        return random.uniform(0, min(self.backoff * 2**attempt, self.max_backoff))

    @staticmethod
    def _should_retry(response: httpx.Response) -> bool:
        return response.status_code in RETRY_STATUSES

    @staticmethod
    def _transport_error(
        op: Operation[Any], url: str, error: httpx.TransportError, attempts: int
    ) -> TransportError:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        kind = "timed out" if isinstance(error, httpx.TimeoutException) else "failed"
        return TransportError(f"{op.method} {url} {kind}{tries}: {error or type(error).__name__}")

    @staticmethod
    def _finish(op: Operation[T], response: httpx.Response) -> T:
        if response.status_code >= 400:
            problem = problem_of(response)
            raise error_class(response.status_code, problem)(problem)
        return op.decode(response)

    # -- operations ---------------------------------------------------------------------------------

    def _op_health(self) -> Operation[dict[str, Any]]:
        return Operation("GET", "/healthz", _decoder(dict[str, Any]), idempotent=True)

    def _op_projects(self) -> Operation[list[Project]]:
        return Operation("GET", "/v1/projects", _decoder(list[Project]), idempotent=True)

    def _op_project(self, name: str) -> Operation[ProjectDetail]:
        return Operation("GET", f"/v1/projects/{segment(name)}", _decoder(ProjectDetail), idempotent=True)

    def _op_create_project(
        self,
        name: str,
        dialect: str | None,
        description: str | None,
        default_env: str | None = None,
        engine: str | None = None,
    ) -> Operation[Project]:
        body = {"dialect": dialect, "description": description}
        if default_env is not None:  # sent only when given: older servers refuse unknown fields
            body["default_env"] = default_env
        if engine is not None:
            body["engine"] = engine
        return Operation(
            "PUT",
            f"/v1/projects/{segment(name)}",
            _decoder(Project),
            headers={"content-type": _JSON},
            content=_json_of(body),
            idempotent=True,
        )

    def _op_environments(self, project: str) -> Operation[list[Environment]]:
        return Operation(
            "GET",
            f"/v1/projects/{segment(project)}/environments",
            _decoder(list[Environment]),
            idempotent=True,
        )

    def _op_expected(self, project: str, env: str, *, cached: bool) -> Operation[Expected]:
        key = (project, env)
        with self._cache_lock:
            known = self._expected_cache.get(key) if cached else None
        decode_fresh = _decoder(Expected)

        def decode(response: httpx.Response) -> Expected:
            if response.status_code == 304:
                if known is None:
                    raise SchemaregError(f"{response.request.url}: 304 Not Modified without a cached answer")
                return known[1]
            expected: Expected = decode_fresh(response)
            etag = response.headers.get("etag")
            if etag:
                with self._cache_lock:
                    self._expected_cache[key] = (etag, expected)
            return expected

        return Operation(
            "GET",
            f"/v1/projects/{segment(project)}/environments/{segment(env)}",
            decode,
            headers={"if-none-match": known[0]} if known is not None else {},
            idempotent=True,
        )

    def _op_post_snapshot(
        self,
        project: str,
        env: str,
        ddl: str,
        *,
        dialect: str | None,
        message: str | None,
        description: str,
        retry: bool,
        force: bool = False,
    ) -> Operation[SnapshotResult]:
        body = {"ddl": ddl, "dialect": dialect, "message": message, "description": description}
        return Operation(
            "POST",
            f"/v1/projects/{segment(project)}/environments/{segment(env)}/snapshots",
            _decoder(SnapshotResult),
            params=_forced(force),
            headers={"content-type": _JSON},
            content=_json_of(body),
            # Posting the same schema again answers with the head: safe to resend when asked for.
            idempotent=retry,
        )

    def _op_check(
        self, project: str, env: str, *, ddl: str | None, fingerprint: str | None, dialect: str | None
    ) -> Operation[Check]:
        if (ddl is None) == (fingerprint is None):
            raise ValueError("check() takes either ddl= or fingerprint=")
        body = {"fingerprint": fingerprint} if fingerprint is not None else {"ddl": ddl, "dialect": dialect}
        return Operation(
            "POST",
            f"/v1/projects/{segment(project)}/environments/{segment(env)}/check",
            _decoder(Check),
            headers={"content-type": _JSON},
            content=_json_of(body),
            idempotent=True,  # stores nothing
        )

    def _op_promote(
        self, project: str, env: str, from_: str, *, message: str | None, retry: bool, force: bool = False
    ) -> Operation[SnapshotResult]:
        return Operation(
            "POST",
            f"/v1/projects/{segment(project)}/environments/{segment(env)}/promote",
            _decoder(SnapshotResult),
            params=_forced(force),
            headers={"content-type": _JSON},
            content=_json_of({"from": from_, "message": message}),
            idempotent=retry,
        )

    def _op_compatibility(self, project: str, env: str, level: str | None) -> Operation[str]:
        return Operation(
            "GET" if level is None else "PUT",
            f"/v1/projects/{segment(project)}/environments/{segment(env)}/config",
            lambda response: str(msgspec.json.decode(response.content)["compatibility"]),
            headers={} if level is None else {"content-type": _JSON},
            content=None if level is None else _json_of({"compatibility": level}),
            idempotent=True,  # setting the same level twice is the same as once
        )

    def _op_history(self, project: str, env: str, *, limit: int | None) -> Operation[list[HistoryEntry]]:
        return Operation(
            "GET",
            f"/v1/projects/{segment(project)}/environments/{segment(env)}/history",
            _decoder(list[HistoryEntry]),
            params={"limit": str(limit)} if limit is not None else {},
            idempotent=True,
        )

    def _op_table_history(self, project: str, table: str, *, env: str | None) -> Operation[TableHistory]:
        return Operation(
            "GET",
            f"/v1/projects/{segment(project)}/tables/{segment(table)}/history",
            _decoder(TableHistory),
            params={"env": env} if env is not None else {},
            idempotent=True,
        )

    def _op_record_drift(self, project: str, env: str, report: Mapping[str, Any]) -> Operation[DriftRecord]:
        return Operation(
            "POST",
            f"/v1/projects/{segment(project)}/environments/{segment(env)}/drift",
            _decoder(DriftRecord),
            headers={"content-type": _JSON},
            content=_json_of(report),
            idempotent=True,  # it replaces the env's latest report
        )

    def _op_version(self, project: str, ref: str) -> Operation[Version]:
        return Operation(
            "GET",
            f"/v1/projects/{segment(project)}/versions/{segment(ref)}",
            _decoder(Version),
            idempotent=True,
        )

    def _op_schema_sql(self, project: str, ref: str) -> Operation[str]:
        return Operation(
            "GET",
            f"/v1/projects/{segment(project)}/versions/{segment(ref)}/schema.sql",
            _text,
            headers={"accept": "text/plain"},
            idempotent=True,
        )

    def _op_objects(self, project: str, ref: str) -> Operation[list[SchemaObject]]:
        return Operation(
            "GET",
            f"/v1/projects/{segment(project)}/versions/{segment(ref)}/objects",
            _decoder(list[SchemaObject]),
            idempotent=True,
        )

    def _op_releases(self, project: str) -> Operation[list[Release]]:
        return Operation(
            "GET", f"/v1/projects/{segment(project)}/releases", _decoder(list[Release]), idempotent=True
        )

    def _op_release(
        self, project: str, name: str, ref: str, *, description: str, force: bool = False
    ) -> Operation[Release]:
        return Operation(
            "POST",
            f"/v1/projects/{segment(project)}/releases",
            _decoder(Release),
            params=_forced(force),
            headers={"content-type": _JSON},
            content=_json_of({"name": name, "ref": ref, "description": description}),
            idempotent=False,  # a second attempt after a lost answer would be a 409
        )

    def _op_diff(self, project: str, from_: str, to: str) -> Operation[Diff]:
        return Operation(
            "GET",
            f"/v1/projects/{segment(project)}/diff",
            _decoder(Diff),
            params={"from": from_, "to": to},
            idempotent=True,
        )

    def _op_unified_diff(self, project: str, from_: str, to: str) -> Operation[str]:
        return Operation(
            "GET",
            f"/v1/projects/{segment(project)}/diff",
            _text,
            params={"from": from_, "to": to},
            headers={"accept": "text/x-diff"},
            idempotent=True,
        )

    def _op_changelog(self, project: str, from_: str, to: str, *, title: str | None) -> Operation[str]:
        params = {"from": from_, "to": to}
        if title is not None:
            params["title"] = title
        return Operation(
            "GET",
            f"/v1/projects/{segment(project)}/changelog",
            _text,
            params=params,
            headers={"accept": "text/markdown"},
            idempotent=True,
        )


SHOWN_DIFFERENCES = 5


def describe_mismatch(check: Check, *, project: str, env: str, database: str) -> str:
    """The message of `SchemaMismatch`: what the env expects, what was found, the differences counted by
    kind of change and severity, and the first few (all of them are in `SchemaMismatch.differences`): an
    empty database against a real schema is hundreds of them."""
    changes: list[Change] = check.diff.changes if check.diff is not None else []
    by_change = Counter(change.change for change in changes)
    by_severity = Counter(change.severity for change in changes)
    counts = ", ".join(f"{n} {name}" for name, n in sorted(by_change.items()))
    severities = ", ".join(f"{n} {name}" for name, n in sorted(by_severity.items()))
    lines = [
        f"{database} does not match {project}/{env}: expected {check.expected} (version {check.sha[:12]}),"
        f" found {check.actual}; {len(changes)} difference(s) from the expected schema to the database"
        + (f" ({counts}; {severities})" if changes else "")
        + ":"
    ]
    lines += [f"  - {change}" for change in changes[:SHOWN_DIFFERENCES]]
    if len(changes) > SHOWN_DIFFERENCES:
        lines.append(f"  ... and {len(changes) - SHOWN_DIFFERENCES} more (SchemaMismatch.differences)")
    return "\n".join(lines)


def raise_for_status(response: httpx.Response) -> None:
    """Raise the client's exception for an error answer (for callers that send their own requests)."""
    if response.status_code >= 400:
        problem = problem_of(response)
        raise error_class(response.status_code, problem)(problem)
