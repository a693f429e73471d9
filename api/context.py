"""What the handlers share: the registry, the tokens, the encoded env heads, and the auth guards."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from schemareg.service import Registry
from schemareg_api.auth import ANONYMOUS, Principal, Tokens
from schemareg_api.metrics import Metrics
from schemareg_api.models import ExpectedOut
from schemareg_api.normalizing import NormalizePool
from schemareg_api.settings import Settings

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

__all__ = [
    "POLL_CACHE_CONTROL",
    "ExpectedEntry",
    "ServerContext",
    "admin_guard",
    "read_guard",
    "release_guard",
    "write_guard",
]

_ENCODER = msgspec.json.Encoder()
# Services poll the expected version: caches may keep it but must ask again (a 304 is cheap).
POLL_CACHE_CONTROL = "no-cache"
# How long an encoded head is answered on an unchanged generation counter alone before the refs are read
# again: a writer killed between moving a ref and bumping the counter is seen within this time.
REVALIDATE_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class ExpectedEntry:
    """An env head, encoded once: the answer body, its ETag and the ready-made response headers."""

    sha: str
    tags: tuple[int, int]  # the stamp of the tags when `release` was read
    etag: str
    body: bytes
    headers: list[tuple[bytes, bytes]]
    ok_headers: list[tuple[bytes, bytes]]  # a 200's: the headers and the body's length
    not_modified_headers: list[tuple[bytes, bytes]]  # a 304's: no content-type
    generation: int | None = None  # the project's generation counter when the refs were last read
    checked: float = 0.0  # time.monotonic() of that read


class ServerContext:
    """One per worker process."""

    def __init__(self, settings: Settings, *, registry: Registry | None = None) -> None:
        self.settings = settings
        self.data_dir = Path(settings.data_dir)
        self.registry = registry if registry is not None else Registry(self.data_dir)
        self.tokens = Tokens.parse(settings.tokens)
        self.metrics = Metrics()
        self.limits = settings.limits
        self.pool = NormalizePool(settings.normalize_workers, self.limits)
        self._heads: dict[tuple[str, str], ExpectedEntry] = {}
        self._lock = threading.Lock()

    def expected(self, project: str, env: str) -> ExpectedEntry:
        """The env head, from bytes encoded once per (head, tags).

        Correct across worker processes without messaging: every writer, in any process, bumps the
        project's generation counter (a word of shared memory) after it moves a ref. While the counter
        has not moved, the encoded answer stands without a system call; when it has (or a second has
        passed), the registry is asked for the head and the tags stamp, and only what is derived from
        them is cached here.
        """
        key = (project, env)
        entry = self._heads.get(key)
        if entry is not None:
            generation = self.registry.generation(project)
            now = time.monotonic()
            if (
                generation is not None
                and generation == entry.generation
                and now - entry.checked < REVALIDATE_SECONDS
            ):
                return entry
            sha, tags = self.registry.head(project, env)
            if entry.sha == sha and entry.tags == tags:
                self._heads[key] = entry = dataclasses.replace(entry, generation=generation, checked=now)
                return entry
        return self._refresh(project, env)

    def _refresh(self, project: str, env: str) -> ExpectedEntry:
        generation = self.registry.generation(project)  # first: a later change is seen next time
        checked = time.monotonic()
        sha, tags = self.registry.head(project, env)
        version = self.registry.version(project, sha)
        body = _ENCODER.encode(
            ExpectedOut(
                project=project,
                env=env,
                sha=version.sha,
                fingerprint=version.fingerprint,
                created_at=version.created_at,
                subject=version.subject,
                release=version.release,
                info=version.info,
            )
        )
        etag = etag_of(version.sha, version.release)
        headers = [
            (b"content-type", b"application/json"),
            (b"etag", etag.encode()),
            (b"cache-control", POLL_CACHE_CONTROL.encode()),
        ]
        entry = ExpectedEntry(
            sha=version.sha,
            tags=tags,
            etag=etag,
            body=body,
            headers=headers,
            ok_headers=[*headers, (b"content-length", str(len(body)).encode())],
            not_modified_headers=headers[1:],
            generation=generation,
            checked=checked,
        )
        with self._lock:
            if len(self._heads) > 4096:
                self._heads.clear()
            self._heads[(project, env)] = entry
        return entry

    def principal(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
        if not self.tokens:
            return ANONYMOUS
        found = self.tokens.authenticate(connection.headers.get("authorization"))
        if found is None:
            raise NotAuthorizedException(
                "a valid bearer token is required (Authorization: Bearer TOKEN)",
                headers={"WWW-Authenticate": 'Bearer realm="schemareg", Basic realm="schemareg"'},
            )
        return found


def etag_of(sha: str, release: str | None = None) -> str:
    if release is None:
        return f'"{sha}"'
    return f'"{sha}-{hashlib.sha256(release.encode()).hexdigest()[:8]}"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def context_of(connection: ASGIConnection[Any, Any, Any, Any]) -> ServerContext:
    context: ServerContext = connection.app.state.context
    return context


# -- guards --------------------------------------------------------------------------------------------


async def read_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    context = context_of(connection)
    if context.tokens and not context.principal(connection).can_read():
        raise PermissionDeniedException("this token cannot read")


async def write_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    context = context_of(connection)
    if not context.tokens:
        return
    project = str(connection.path_params.get("project", ""))
    env = str(connection.path_params.get("env", ""))
    if not context.principal(connection).can_write(project, env):
        raise PermissionDeniedException(f"this token cannot write to {project}/{env}")


async def release_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    context = context_of(connection)
    if not context.tokens:
        return
    project = str(connection.path_params.get("project", ""))
    if not context.principal(connection).can_release(project):
        raise PermissionDeniedException(f"cutting a release needs admin or write:{project}/*")


async def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    context = context_of(connection)
    if context.tokens and not context.principal(connection).is_admin():
        raise PermissionDeniedException("this needs an admin token")
