"""`restore`: check the backup's sha256 (and, when encrypted, the identity and the plaintext's sha256)
before touching the target, refuse a non-empty target without force, replay it stopping at the first
error, then compare the restored schema with the manifest."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
import queue
import subprocess
import tarfile
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from schemareg.backup import catalog, crypto
from schemareg.backup.dump import command_output
from schemareg.backup.manifest import Manifest
from schemareg.backup.pg import Database, Tools, first_error, major_of, schema_fingerprint
from schemareg.backup.sinks import private_file
from schemareg.errors import ExternalError, InputError

CHUNK = 1024 * 1024
QUEUED_CHUNKS = 4  # decompressed chunks waiting for psql: memory stays a few MiB
HEAD_BYTES = 64 * 1024  # pg_dump's preamble (SET lines) is in the first few hundred bytes
OLDEST_WITH_TRANSACTION_TIMEOUT = 17


@dataclass
class RestoreRequest:
    backup: str  # a local path or s3://bucket/key
    database: Database
    tools: Tools = field(default_factory=Tools)
    force: bool = False
    jobs: int = 4  # pg_restore -j, custom and directory formats
    identities: list[Any] = field(default_factory=list)  # age identities, for encrypted backups
    s3_client: Any = None
    # (phase, bytes just done, the phase's total from the manifest): download or verify of the stored
    # file (its size), then restore, the dump streamed to psql (pg_dump's output size)
    progress: Callable[[str, int, int], None] | None = None
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
    with tempfile.TemporaryDirectory(prefix="schemareg-restore-", dir=request.work_dir) as temp:
        if request.backup.startswith("s3://"):
            from schemareg.backup import s3 as s3lib

            client = request.s3_client or s3lib.client()
            fetched = catalog.download(client, request.backup, Path(temp), _phase(request, "download"))
        else:
            fetched = catalog.read_local(Path(request.backup), _phase(request, "verify"))
        return _restore_fetched(request, fetched, Path(temp), clock)


def _phase(request: RestoreRequest, phase: str) -> Callable[[int, int], None] | None:
    report = request.progress
    if report is None:
        return None
    return lambda count, total: report(phase, count, total)


def verify_stored(label: str, fetched: catalog.Fetched, identities: list[Any]) -> None:
    """Everything that can be checked without a database: the stored bytes' sha256 and size, and for an
    encrypted backup the identity and the plaintext's sha256 and size (one decryption pass)."""
    manifest = fetched.manifest
    if fetched.sha256 != manifest.sha256 or fetched.path.stat().st_size != manifest.size:
        raise InputError(
            f"{label}: checksum mismatch (sha256 {fetched.sha256[:16]}..., manifest says"
            f" {manifest.sha256[:16]}...): the backup is corrupted or incomplete; nothing was restored"
        )
    if not manifest.encrypted:
        return
    if manifest.encryption != "age":
        raise InputError(f"{label}: unknown encryption {manifest.encryption!r} in its manifest")
    digest = hashlib.sha256()
    size = 0

    def take(data: bytes) -> None:
        nonlocal size
        digest.update(data)
        size += len(data)

    with fetched.path.open("rb") as source:
        crypto.decrypt(source, take, identities, label)
    if digest.hexdigest() != manifest.plaintext_sha256 or size != manifest.plaintext_size:
        raise InputError(
            f"{label}: the decrypted backup does not match the manifest's plaintext sha256: it is"
            " corrupted; nothing was restored"
        )


def _restore_fetched(
    request: RestoreRequest, fetched: catalog.Fetched, temp: Path, clock: float
) -> RestoreResult:
    manifest = fetched.manifest
    verify_stored(request.backup, fetched, request.identities)
    database = request.database
    server_version = database.server_version()
    request.tools.require(server_version, f"a restore into {database.redacted} ({server_version})")
    if manifest.format != "plain":  # pg_restore reads archives of its own version or older
        request.tools.require(
            manifest.pg_dump_version, f"restoring {manifest.name} ({manifest.pg_dump_version})"
        )
    if not request.force and database.user_objects() > 0:
        raise InputError(
            f"{database.redacted} is not empty; restore into an empty database, or pass --force to"
            " replace the objects the backup holds"
        )
    older = major_of(server_version) < OLDEST_WITH_TRANSACTION_TIMEOUT
    if manifest.format == "plain":
        chunks = _plaintext(fetched.path, manifest, request.identities, decompress=True)
        _psql(request, chunks, older, total=manifest.raw_size)
    elif manifest.format in ("custom", "directory"):
        archive = _archive(fetched.path, manifest, request.identities, temp)
        if older and request.tools.pg_dump_major >= OLDEST_WITH_TRANSACTION_TIMEOUT:
            # pg_restore 17+ sets transaction_timeout, which older servers refuse: restore its script
            # through the same filter as a plain dump (one stream instead of --jobs).
            _psql(request, _pg_restore_script(request, archive), older)
        else:
            _pg_restore(request, archive)
    else:
        raise InputError(f"{request.backup}: unknown format {manifest.format!r} in its manifest")
    fingerprint = schema_fingerprint(request.tools, database)
    return RestoreResult(manifest, request.backup, fingerprint, time.monotonic() - clock)


def _archive(path: Path, manifest: Manifest, identities: list[Any], temp: Path) -> Path:
    """What pg_restore reads: the custom archive itself (decrypted into a private temporary file when
    encrypted), or the directory a directory-format backup's tar unpacks to."""
    ours = manifest.compressed_by == "schemareg"  # a directory dump's tar, compressed on the stream
    if manifest.format == "custom" and not manifest.encrypted:
        return path
    chunks = _plaintext(path, manifest, identities, decompress=ours)
    if manifest.format == "custom":
        target = temp / "archive.dump"
        with private_file(target) as handle:
            for chunk in chunks:
                handle.write(chunk)
        return target
    target = temp / "dump"
    target.mkdir(mode=0o700)
    reader = io.BufferedReader(crypto.ChunkReader(chunks), CHUNK)
    with tarfile.open(fileobj=reader, mode="r|") as archive:
        for member in archive:
            if not member.isfile() or "/" in member.name or member.name.startswith("."):
                raise InputError(f"{path}: unexpected entry {member.name!r} in a directory-format backup")
            source = archive.extractfile(member)
            assert source is not None
            with private_file(target / member.name) as handle:
                while block := source.read(CHUNK):
                    handle.write(block)
    return target


def _decompressor(
    compression: str, emit: Callable[[bytes], None]
) -> tuple[Callable[[bytes], None], Callable[[], None]]:
    """(write, finish) of a push decompressor that hands what it inflates to `emit`."""
    if compression == "gzip":
        state = {"inflate": zlib.decompressobj(31)}

        def write(data: bytes) -> None:
            while data:
                inflate = state["inflate"]
                emit(inflate.decompress(data))
                data = inflate.unused_data
                if inflate.eof and data:  # a second gzip member, as `cat a.gz b.gz` makes
                    state["inflate"] = zlib.decompressobj(31)

        def finish() -> None:
            if not state["inflate"].eof:
                raise InputError("the gzip stream is truncated")

        return write, finish
    if compression == "zstd":
        import zstandard

        writer = zstandard.ZstdDecompressor().stream_writer(
            cast(IO[bytes], crypto.CallbackWriter(emit)), write_return_read=True
        )

        def feed(data: bytes) -> None:
            writer.write(data)

        def done() -> None:
            writer.flush()  # type: ignore[no-untyped-call]

        return feed, done
    raise InputError(f"unknown compression {compression!r} in the manifest")


def _produce(
    path: Path, manifest: Manifest, identities: list[Any], decompress: bool, emit: Callable[[bytes], None]
) -> None:
    """Push the backup's bytes to `emit`: decrypted when encrypted, decompressed when asked."""

    def nothing() -> None:
        pass

    write, finish = emit, nothing
    if decompress:
        write, finish = _decompressor(manifest.compression, emit)
    with path.open("rb") as source:
        if manifest.encrypted:
            crypto.decrypt(source, write, identities, str(path))
        else:
            while chunk := source.read(CHUNK):
                write(chunk)
    finish()


class _Stopped(Exception):
    pass


def _plaintext(path: Path, manifest: Manifest, identities: list[Any], *, decompress: bool) -> Iterator[bytes]:
    """The backup's bytes as a stream of chunks, produced in a thread (zlib, zstd and age release the
    GIL) through a short queue, so the consumer never waits for it and memory stays a few MiB."""
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=QUEUED_CHUNKS)
    stop = threading.Event()

    def emit(data: bytes) -> None:
        if stop.is_set():
            raise _Stopped
        if data:
            chunks.put(data)

    def run() -> None:
        try:
            _produce(path, manifest, identities, decompress, emit)
            chunks.put(None)
        except BaseException as error:
            chunks.put(error)

    producer = threading.Thread(target=run, name="decode", daemon=True)
    producer.start()
    try:
        while (item := chunks.get()) is not None:
            if isinstance(item, BaseException):
                if isinstance(item, InputError):
                    raise item
                raise InputError(f"{path}: cannot read the backup: {item}") from None
            yield item
    finally:
        stop.set()
        while producer.is_alive():  # unblock the producer if it waits on a full queue
            with contextlib.suppress(queue.Empty):
                chunks.get(timeout=0.05)


def _compatible(chunks: Iterable[bytes | memoryview], older_server: bool) -> Iterator[bytes | memoryview]:
    """The stream, less pg_dump 17+'s `SET transaction_timeout = 0;` preamble line when the target server
    predates that setting (it would stop the restore at its first line)."""
    if not older_server:
        yield from chunks
        return
    head = b""
    iterator = iter(chunks)
    for chunk in iterator:
        head += chunk
        if len(head) >= HEAD_BYTES:
            break
    yield head.replace(b"\nSET transaction_timeout = 0;\n", b"\n", 1)
    yield from iterator


def _psql(
    request: RestoreRequest,
    chunks: Iterator[bytes | memoryview],
    older_server: bool,
    *,
    total: int | None = None,
) -> None:
    """Stream `chunks` into psql in one transaction; progress counts them against `total` (a plain
    dump's size; for an archive's script, unknown: 0)."""
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
        try:
            for chunk in _compatible(chunks, older_server):
                process.stdin.write(chunk)
                if request.progress is not None:
                    request.progress("restore", len(chunk), total or 0)
        except BrokenPipeError:
            pass  # psql stopped at an error: its exit code and stderr say which
        except BaseException:
            # Never close psql's input on a failed read: end of input would commit a partial restore.
            process.kill()
            process.wait()
            raise
        finally:
            if isinstance(chunks, Generator):
                chunks.close()
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
        code = process.wait()
        if code != 0:
            errors.seek(0)
            detail = first_error(errors.read(), f"exit code {code}")
            raise ExternalError(f"restore into {database.redacted} stopped (rolled back): {detail}")


def _pg_restore_script(request: RestoreRequest, archive: Path) -> Iterator[bytes | memoryview]:
    args = [request.tools.path("pg_restore"), "--file=-"]
    if request.force:
        args += ["--clean", "--if-exists"]
    return command_output([*args, str(archive)], request.database, "pg_restore")


def _pg_restore(request: RestoreRequest, archive: Path) -> None:
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
        process = _start([*args, str(archive)], database, stdin=subprocess.DEVNULL, stderr=errors)
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
