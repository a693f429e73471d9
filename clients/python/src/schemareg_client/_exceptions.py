"""The client's exception tree. Every error the client raises on purpose is a `SchemaregError`:

SchemaregError
├── TransportError          the server could not be reached or did not answer in time (after retries)
├── APIError                the server answered with an error (`.status`, `.problem`: its problem details)
│   ├── ValidationError     400, 413, 415, 422: bad input, nothing stored (`.problem.line`, `.column`)
│   ├── Unauthorized        401: no valid token
│   │   └── Forbidden       403: the token lacks the scope
│   ├── NotFound            404: unknown project, env, ref or object
│   ├── Conflict            409: the release (or project) exists already
│   │   └── Incompatible    409: refused by the env's compatibility level or the release semver policy
│   └── ServerError         5xx: the server failed (502: a database, S3 or GitHub behind it)
└── SchemaMismatch          verify_database(): the live database is not what its env expects
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemareg_client._models import Change, Check, Problem

__all__ = [
    "APIError",
    "Conflict",
    "Forbidden",
    "Incompatible",
    "NotFound",
    "SchemaMismatch",
    "SchemaregError",
    "ServerError",
    "TransportError",
    "Unauthorized",
    "ValidationError",
]


class SchemaregError(Exception):
    """Root of every error the client raises on purpose."""


class TransportError(SchemaregError):
    """No answer: connection refused, DNS, TLS, timeout. Idempotent calls were retried first."""


class APIError(SchemaregError):
    """The server answered with an error status; `problem` holds its RFC 9457 problem details."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.status = problem.status
        where = f" (line {problem.line}, column {problem.column})" if problem.line is not None else ""
        detail = f": {problem.detail}" if problem.detail else ""
        super().__init__(f"{problem.status} {problem.title}{detail}{where}")


class ValidationError(APIError):
    """The request was refused (400, 413, 415, 422) and nothing was stored."""


class Unauthorized(APIError):
    """401: no valid token (403, a token without the scope, is the subclass `Forbidden`)."""


class Forbidden(Unauthorized):
    """403: the token is valid but lacks the scope."""


class NotFound(APIError):
    """404: unknown project, environment, ref or object."""


class Conflict(APIError):
    """409: a release that exists already (releases are immutable)."""


class Incompatible(Conflict):
    """409: the env's compatibility level (or the project's release semver policy) refused the write and
    nothing was stored. `changes` are the offending changes, each with its `rule` code; `guard` is the
    level (`backward`, `backward_transitive`, `additive`) or `semver`; `against` what was checked.
    An admin token may force the write (`force=True`)."""

    @property
    def guard(self) -> str:
        return self.problem.guard or ""

    @property
    def against(self) -> list[str]:
        return list(self.problem.against)

    @property
    def changes(self) -> list[Change]:
        return list(self.problem.changes)


class ServerError(APIError):
    """5xx: the server, or a system behind it, failed."""


class SchemaMismatch(SchemaregError):
    """The live database's schema is not the one its environment expects; `differences` lists why."""

    def __init__(self, message: str, *, check: Check) -> None:
        self.check = check
        super().__init__(message)

    @property
    def differences(self) -> list[Change]:
        return list(self.check.diff.changes) if self.check.diff is not None else []


def error_class(status: int, problem: Problem | None = None) -> type[APIError]:
    """The exception for an HTTP error status (and, for a 409, what the problem says)."""
    if status in (400, 413, 415, 422):
        return ValidationError
    if status == 401:
        return Unauthorized
    if status == 403:
        return Forbidden
    if status == 404:
        return NotFound
    if status == 409:
        return Incompatible if problem is not None and problem.guard else Conflict
    if status >= 500:
        return ServerError
    return APIError
