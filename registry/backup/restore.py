"""`restore`: check the backup's sha256 before touching the target, refuse a non-empty target without
force, replay it stopping at the first error, then compare the restored schema with the manifest."""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import os
import queue
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from schemareg.backup import catalog
from schemareg.backup.manifest import Manifest
from schemareg.backup.pg import Database, Tools, first_error, schema_fingerprint
from schemareg.errors import ExternalError, InputError

CHUNK = 1024 * 1024
QUEUED_CHUNKS = 4  # decompressed chunks waiting for psql: memory stays a few MiB


@dataclass
class RestoreRequest:
    backup: str  # a local path or s3://bucket/key
    database: Database
    tools: Tools = field(default_factory=Tools)
    force: bool = False
    jobs: int = 4  # pg_restore -j, custom format only
    s3_client: Any = None
    progress: Callable[[str, int], None] | None = None  # (phase, bytes)
    work_dir: Path | None = None  # where an S3 backup is downloaded (default: the system temp dir)


@dataclass
class RestoreResult:
    manifest: Manifest
    source: str
    fingerprint: str  # of the restored database
    seconds: float

    @property
    def matches(self) -> bool:
        return self.manifest.fingerprint is None or self.manifest.fingerprint == self.fingerprint


def restore(request: RestoreRequest) -> RestoreResult:
    clock = time.monotonic()
    if request.backup.startswith("s3://"):
        from schemareg.backup import s3 as s3lib

        client = request.s3_client or s3lib.client()
        with tempfile.TemporaryDirectory(prefix="schemareg-restore-", dir=request.work_dir) as temp:
            fetched = catalog.download(client, request.backup, Path(temp), _phase(request, "download"))
            return _restore_fetched(request, fetched, clock)
    fetched = catalog.read_local(Path(request.backup), _phase(request, "verify"))
    return _restore_fetched(request, fetched, clock)


def _phase(request: RestoreRequest, phase: str) -> Callable[[int], None] | None:
    report = request.progress
    if report is None:
        return None
    return lambda count: report(phase, count)


def _restore_fetched(request: RestoreRequest, fetched: catalog.Fetched, clock: float) -> RestoreResult:
    manifest = fetched.manifest
    if fetched.sha256 != manifest.sha256 or fetched.path.stat().st_size != manifest.size:
        raise InputError(
            f"{request.backup}: checksum mismatch (sha256 {fetched.sha256[:16]}..., manifest says"
            f" {manifest.sha256[:16]}...): the backup is corrupted or incomplete; nothing was restored"
        )
    database = request.database
    if not request.force and database.user_objects() > 0:
        raise InputError(
            f"{database.redacted} is not empty; restore into an empty database, or pass --force to"
            " replace the objects the backup holds"
        )
    if manifest.format == "custom":
        _pg_restore(request, fetched.path)
    elif manifest.format == "plain":
        _psql(request, fetched.path, manifest.compression)
    else:
        raise InputError(f"{request.backup}: unknown format {manifest.format!r} in its manifest")
    fingerprint = schema_fingerprint(request.tools, database)
    return RestoreResult(manifest, request.backup, fingerprint, time.monotonic() - clock)


def _open_plain(path: Path, compression: str) -> IO[bytes]:
    if compression == "gzip":
        return cast(IO[bytes], gzip.open(path, "rb"))
    if compression == "zstd":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(path.open("rb"), closefd=True)  # type: ignore[no-any-return]
    raise InputError(f"unknown compression {compression!r} in the manifest")


def _psql(request: RestoreRequest, path: Path, compression: str) -> None:
    database = request.database
    args = [
        request.tools.path("psql"),
        "-X",
        "-q",
        "--no-password",
        "-v",
        "ON_ERROR_STOP=1",
        "--single-transaction",
        "--dbname",
        database.conninfo,
    ]
    with tempfile.TemporaryFile() as errors:
        process = _start(args, database, stdin=subprocess.PIPE, stderr=errors)
        assert process.stdin is not None
        with contextlib.suppress(OSError):
            fcntl.fcntl(process.stdin.fileno(), fcntl.F_SETPIPE_SZ, CHUNK)
        # Decompression runs in a thread (zlib and zstd release the GIL) so psql never waits for it.
        chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=QUEUED_CHUNKS)
        stop = threading.Event()

        def produce() -> None:
            try:
                with _open_plain(path, compression) as source:
                    while not stop.is_set() and (chunk := source.read(CHUNK)):
                        chunks.put(chunk)
                chunks.put(None)
            except BaseException as error:
                chunks.put(error)

        reader = threading.Thread(target=produce, name="decompress", daemon=True)
        reader.start()
        try:
            while (item := chunks.get()) is not None:
                if isinstance(item, BaseException):
                    process.kill()
                    process.wait()
                    raise InputError(f"{request.backup}: cannot decompress: {item}") from None
                process.stdin.write(item)
                if request.progress is not None:
                    request.progress("restore", len(item))
        except BrokenPipeError:
            pass  # psql stopped at an error: its exit code and stderr say which
        finally:
            stop.set()
            while reader.is_alive():  # unblock the producer if it waits on a full queue
                with contextlib.suppress(queue.Empty):
                    chunks.get(timeout=0.05)
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()
        code = process.wait()
        if code != 0:
            errors.seek(0)
            detail = first_error(errors.read(), f"exit code {code}")
            raise ExternalError(f"restore into {database.redacted} stopped (rolled back): {detail}")


def _pg_restore(request: RestoreRequest, path: Path) -> None:
    database = request.database
    args = [
        request.tools.path("pg_restore"),
        "--no-password",
        "--exit-on-error",
        f"--jobs={max(1, request.jobs)}",
        "--dbname",
        database.conninfo,
    ]
    if request.force:
        args += ["--clean", "--if-exists"]
    with tempfile.TemporaryFile() as errors:
        process = _start([*args, str(path)], database, stdin=subprocess.DEVNULL, stderr=errors)
        code = process.wait()
        if code != 0:
            errors.seek(0)
            detail = first_error(errors.read(), f"exit code {code}")
            raise ExternalError(f"pg_restore into {database.redacted} stopped: {detail}")


def _start(args: list[str], database: Database, *, stdin: Any, stderr: Any) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            args,
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=database.child_env(),
            cwd=os.getcwd(),
        )
    except OSError as error:
        raise ExternalError(f"cannot run {Path(args[0]).name}: {error.strerror}") from None
