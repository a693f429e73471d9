"""Read-only git over smart HTTP: `git clone http://HOST/git/<project>.git` with the real git client.

The pack stream comes from `git upload-pack --stateless-rpc` (what `git http-backend` runs), fed the
request body and streamed back; protocol v2 is passed through from the `Git-Protocol` header. Pushes
(receive-pack) and the old "dumb" protocol are refused.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import anyio
import anyio.to_thread
from anyio.abc import Process
from litestar import Request, Response, get, post
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream

from schemareg.errors import InputError, NotFound
from schemareg.limits import inflate_to
from schemareg_api.context import context_of, read_guard
from schemareg_api.controllers._common import UnsupportedMediaType, problems

__all__ = ["HANDLERS"]

ADVERTISEMENT = "application/x-git-upload-pack-advertisement"
REQUEST = "application/x-git-upload-pack-request"
RESULT = "application/x-git-upload-pack-result"
_PROTOCOL = re.compile(r"[A-Za-z0-9=:._-]{1,64}")
_CHUNK = 64 * 1024
MAX_NEGOTIATION_BYTES = 64 * 1024 * 1024  # as sent; inflated, max_inflated_bytes bounds it
_NO_CACHE = {"cache-control": "no-cache", "expires": "Fri, 01 Jan 1980 00:00:00 GMT", "pragma": "no-cache"}


class GitUnavailable(HTTPException):
    status_code = 503


def _repo(request: Request[Any, Any, Any], repo: FromPath[str]) -> Path:
    if not repo.endswith(".git"):
        raise NotFound(f"no repository {repo!r}: clone /git/<project>.git")
    project = repo.removesuffix(".git")
    registry = context_of(request).registry
    registry.project(project)  # NotFound for an unknown project, InvalidName for a bad name
    return registry.repo_path(project)


def _git() -> str:
    git = shutil.which("git")
    if git is None:
        raise GitUnavailable("git clone over HTTP needs the git client installed on the server")
    return git


def _environment(request: Request[Any, Any, Any], path: Path) -> tuple[dict[str, str], bool]:
    """The child's environment, and whether the client asked for protocol v2."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    # The repos belong to the server's user; say so, so that git's ownership check never refuses them.
    env.update(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="safe.directory", GIT_CONFIG_VALUE_0=str(path))
    protocol = request.headers.get("git-protocol", "")
    version2 = False
    if protocol and all(_PROTOCOL.fullmatch(part) for part in protocol.split(":")):
        env["GIT_PROTOCOL"] = protocol
        version2 = "version=2" in protocol.split(":")
    return env, version2


def _pkt_line(text: str) -> bytes:
    data = text.encode()
    return f"{len(data) + 4:04x}".encode() + data


@get(
    "/git/{repo:str}/info/refs",
    guards=[read_guard],
    media_type=ADVERTISEMENT,
    responses=problems(400, 404),
    include_in_schema=False,
)
async def info_refs(
    request: Request[Any, Any, Any],
    repo: FromPath[str],
    service: Annotated[str | None, QueryParameter(required=False)] = None,
) -> Response[bytes]:
    """The ref advertisement that starts a clone or fetch."""
    if service == "git-receive-pack":
        raise PermissionDeniedException("this registry is read-only over git: push is refused")
    if service != "git-upload-pack":
        raise InputError("only git's smart HTTP protocol is served (service=git-upload-pack)")
    path = _repo(request, repo)
    env, version2 = _environment(request, path)
    result = await anyio.run_process(
        [_git(), "upload-pack", "--stateless-rpc", "--advertise-refs", str(path)], env=env, check=False
    )
    if result.returncode != 0:
        raise HTTPException(status_code=500, detail="git upload-pack failed")
    prefix = b"" if version2 else _pkt_line("# service=git-upload-pack\n") + b"0000"
    return Response(prefix + result.stdout, media_type=ADVERTISEMENT, headers=_NO_CACHE)


@post(
    "/git/{repo:str}/git-upload-pack",
    guards=[read_guard],
    status_code=200,
    media_type=RESULT,
    request_max_body_size=MAX_NEGOTIATION_BYTES,
    responses=problems(400, 404, 413, 415),
    include_in_schema=False,
)
async def upload_pack(request: Request[Any, Any, Any], repo: FromPath[str]) -> Stream:
    """The negotiation and the pack, streamed from git as it writes it."""
    if request.headers.get("content-type", "").split(";")[0].strip() != REQUEST:
        raise UnsupportedMediaType(f"git-upload-pack takes {REQUEST}")
    path = _repo(request, repo)
    env, _ = _environment(request, path)
    body = await request.body()
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("gzip", "x-gzip", "identity"):
        raise UnsupportedMediaType(f"git-upload-pack takes a gzip or identity body, not {encoding}")
    # The request goes in through a file, so git can write its answer while it reads: no pipe deadlock.
    with tempfile.TemporaryFile() as negotiation:
        if encoding == "identity":
            negotiation.write(body)
        else:
            # Off the event loop, into the file in small steps, and never more than max_inflated_bytes: a
            # small bomb cannot become gigabytes, nor the inflated body stay in the server's memory.
            await anyio.to_thread.run_sync(inflate_to, body, negotiation, context_of(request).limits)
        negotiation.seek(0)
        process = await anyio.open_process(
            [_git(), "upload-pack", "--stateless-rpc", str(path)], env=env, stdin=negotiation, stderr=None
        )
    return Stream(_pack(process), media_type=RESULT, headers=_NO_CACHE)


async def _pack(process: Process) -> AsyncIterator[bytes]:
    assert process.stdout is not None
    try:
        while True:
            try:
                chunk = await process.stdout.receive(_CHUNK)
            except (anyio.EndOfStream, anyio.ClosedResourceError):
                break
            yield chunk
        await process.wait()
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        with anyio.CancelScope(shield=True):
            await process.wait()


@get("/git/{repo:str}/{rest:path}", include_in_schema=False, guards=[read_guard])
async def refuse_get(repo: FromPath[str], rest: FromPath[str]) -> None:
    """Anything else under a repo (dumb protocol files): not served."""
    raise NotFound("only git's smart HTTP protocol is served: git clone http://HOST/git/<project>.git")


@post("/git/{repo:str}/git-receive-pack", include_in_schema=False, status_code=403)
async def refuse_push(repo: FromPath[str]) -> None:
    """Pushes are refused: snapshots come in through the API."""
    raise PermissionDeniedException("this registry is read-only over git: push is refused")


HANDLERS = [info_refs, upload_pack, refuse_get, refuse_push]
