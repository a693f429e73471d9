"""`backup`: pg_dump streamed through a compressor and sha256 into a local file and/or an S3 multipart
upload. Nothing is copied whole: memory holds one read buffer and a few upload parts.

A backup becomes visible only when complete: the file is written under a temporary name and renamed, the
S3 object appears when its multipart upload completes, and the manifest, which `list` reads, goes last.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from schemareg import __version__
from schemareg.backup import crypto
from schemareg.backup import s3 as s3lib
from schemareg.backup.manifest import FULL_KINDS, Manifest, manifest_name
from schemareg.backup.pg import (
    RESTRICT_KEY,
    Database,
    Tools,
    exported_snapshot,
    first_error,
    schema_fingerprint,
)
from schemareg.backup.sinks import FileSink, S3Sink, Sink
from schemareg.errors import ExternalError, InputError

READ_SIZE = 1024 * 1024
PIPE_SIZE = 1024 * 1024
GZIP_LEVEL = 6  # gzip's own default: the same ratio as `pg_dump | gzip`, and zlib keeps up with it
ZSTD_LEVEL = 3

Progress = Callable[[int, int], None]  # (bytes pg_dump wrote, bytes stored so far)


class Compressor(Protocol):
    def compress(self, data: bytes | memoryview, /) -> bytes: ...
    def flush(self) -> bytes: ...


class _Identity:
    """For custom archives, which pg_dump compresses table by table itself."""

    def compress(self, data: bytes | memoryview, /) -> bytes:
        return bytes(data)

    def flush(self) -> bytes:
        return b""


def parse_compression(spec: str, level: int | None = None) -> tuple[str, int | None]:
    """`gzip`, `zstd` or `zstd:19` (an explicit --level wins over none)."""
    method, _, detail = spec.partition(":")
    if method not in ("gzip", "zstd"):
        raise InputError(f"unknown compression {spec!r}: gzip, zstd or zstd:LEVEL")
    if detail:
        if not detail.isdigit():
            raise InputError(f"compression level {detail!r} is not a number")
        level = int(detail)
    if level is not None and not (0 <= level <= (9 if method == "gzip" else 22)):
        raise InputError(f"{method} level {level} is out of range (gzip 0-9, zstd 0-22)")
    return method, level


def zstd_threads() -> int:
    """zstd's worker threads: every CPU (pg_dump mostly waits on the server and the pipe)."""
    return max(1, os.cpu_count() or 1)


def compressor(compression: str, level: int | None = None) -> Compressor:
    if compression == "gzip":
        # wbits 31: a gzip member with mtime 0, so equal dumps give equal files.
        return zlib.compressobj(GZIP_LEVEL if level is None else level, zlib.DEFLATED, 31)
    if compression == "zstd":
        import zstandard

        chosen = ZSTD_LEVEL if level is None else level
        threads = zstd_threads() if zstd_threads() > 1 else 0
        return zstandard.ZstdCompressor(level=chosen, threads=threads).compressobj()  # type: ignore[no-any-return]
    raise InputError(f"unknown compression {compression!r}: gzip or zstd")


def backup_name(
    kind: str,
    fmt: str,
    compression: str,
    when: datetime,
    release: str | None = None,
    encrypted: bool = False,
) -> str:
    stamp = when.strftime("%Y%m%d_%H%M%S")
    age = crypto.SUFFIX if encrypted else ""
    if fmt == "custom":
        return f"full_backup_{stamp}.dump{age}"
    if fmt == "directory":
        return f"full_backup_{stamp}.dir.tar{'' if compression == 'gzip' else '.zst'}{age}"
    suffix = (".sql.gz" if compression == "gzip" else ".sql.zst") + age
    if kind == "schema":
        return f"schema_{stamp}{suffix}"
    if kind == "release":
        return f"release_{release}{suffix}"
    return f"full_backup_{stamp}{suffix}"


@dataclass
class BackupRequest:
    database: Database | None  # None for a release, whose schema comes from the registry
    tools: Tools = field(default_factory=Tools)
    kind: str = "manual"  # daily | manual | pre-migration | schema | release
    format: str = "plain"  # plain | custom | directory
    compression: str = "gzip"
    level: int | None = None
    jobs: int = 1  # pg_dump --jobs, directory format only
    dest: Path | None = None
    s3: s3lib.Location | None = None
    encryption: s3lib.Encryption = field(default_factory=s3lib.Encryption)
    recipients: list[str] = field(default_factory=list)  # age recipients: encrypt on the client
    project: str | None = None
    env: str | None = None
    env_head: str | None = None
    env_fingerprint: str | None = None
    release: str | None = None
    release_sql: str | None = None  # the release's schema.sql
    release_fingerprint: str | None = None
    progress: Progress | None = None
    s3_client: Any = None
    work_dir: Path | None = None  # where a directory-format dump is written before it is stored


@dataclass
class BackupResult:
    manifest: Manifest
    locations: list[str]


def _free_name(directory: Path, name: str) -> str:
    """`name`, or `<stem>_2<suffixes>`... when a backup of that name (taken the same second) exists."""
    stem, dot, suffixes = name.partition(".")
    candidate, n = name, 1
    while (directory / candidate).exists() or (directory / manifest_name(candidate)).exists():
        n += 1
        candidate = f"{stem}_{n}{dot}{suffixes}"
    return candidate


def pg_dump_args(
    request: BackupRequest, snapshot: str | None = None, output: Path | None = None
) -> list[str]:
    tools = request.tools
    assert request.database is not None
    args = [tools.path("pg_dump"), "--no-password"]
    if snapshot is not None:
        args.append(f"--snapshot={snapshot}")
    if request.kind == "schema":
        args.append("--schema-only")
    if request.format in ("custom", "directory"):
        if compressed_by_pg_dump(request.format, request.compression):
            args += [
                f"--format={request.format}",
                _archive_compression(tools, request.compression, request.level),
            ]
        else:
            args += [f"--format={request.format}", "--compress=0"]
        if request.format == "directory":
            assert output is not None
            args += [f"--jobs={max(1, request.jobs)}", f"--file={output}"]
    else:
        # --clean --if-exists: a plain dump can be replayed over an existing database (`restore --force`);
        # into an empty one the DROPs are no-ops.
        args += ["--format=plain", "--clean", "--if-exists"]
        if tools.restrict_key_supported:
            args.append(f"--restrict-key={RESTRICT_KEY}")
    return [*args, "--dbname", request.database.conninfo]


def compressed_by_pg_dump(fmt: str, compression: str) -> bool:
    """Who compresses: pg_dump inside custom archives, and inside directory dumps with gzip (one worker per
    job); schemareg on the stream for plain dumps and for directory dumps with zstd (pg_dump writes the
    files uncompressed, schemareg compresses their tar on every CPU: no pg_dump build needs zstd)."""
    return fmt == "custom" or (fmt == "directory" and compression == "gzip")


def _archive_compression(tools: Tools, compression: str, level: int | None) -> str:
    if compression == "gzip":
        return f"--compress={GZIP_LEVEL if level is None else level}"
    if not tools.zstd_supported:
        raise InputError(
            f"{tools.pg_dump_version} in {tools.directory} was built without zstd: use --compress gzip with"
            " --format custom, or --format plain or directory, which schemareg compresses itself"
        )
    return f"--compress=zstd:{ZSTD_LEVEL if level is None else level}"


def run_backup(request: BackupRequest) -> BackupResult:
    """Take one backup and store it everywhere asked; all or nothing per destination."""
    if request.dest is None and request.s3 is None:
        raise InputError("no destination: give a directory, an S3 location, or both")
    if request.format not in ("plain", "custom", "directory"):
        raise InputError(f"unknown format {request.format!r}: plain, custom or directory")
    if request.kind in ("schema", "release") and request.format != "plain":
        raise InputError(f"a {request.kind} backup is plain SQL: leave --format out")
    if request.jobs > 1 and request.format != "directory":
        raise InputError("--jobs dumps in parallel with --format directory only")
    recipients = crypto.parse_recipients(request.recipients)
    started = datetime.now(UTC).replace(microsecond=0)
    clock = time.monotonic()
    name = backup_name(
        request.kind, request.format, request.compression, started, request.release, bool(recipients)
    )
    if request.dest is not None:
        name = _free_name(request.dest, name)
    database = request.database
    server_version, pg_dump_version, fingerprint = "", "", request.release_fingerprint
    restrict_key: str | None = None
    if database is not None:
        server_version = database.server_version()  # fails fast, in one line, on a wrong DSN
        request.tools.require(server_version, f"a backup of {database.redacted} ({server_version})")
        pg_dump_version = request.tools.pg_dump_version
        fingerprint = schema_fingerprint(request.tools, database)
        if request.format == "plain" and request.tools.restrict_key_supported:
            restrict_key = RESTRICT_KEY
    by_pg_dump = compressed_by_pg_dump(request.format, request.compression)
    compress = _Identity() if by_pg_dump else compressor(request.compression, request.level)

    sinks: list[Sink] = []
    with contextlib.ExitStack() as stack:
        try:
            if request.dest is not None:
                sinks.append(FileSink(request.dest, name))
            if request.s3 is not None:
                client = request.s3_client or s3lib.client()
                storage = s3lib.FULL_BACKUP_CLASS if request.kind in FULL_KINDS else s3lib.SCHEMA_CLASS
                sinks.append(
                    S3Sink(client, request.s3, name, storage_class=storage, encryption=request.encryption)
                )
            counts: dict[str, int] | None = None
            if database is None:
                chunks: Iterable[bytes | memoryview] = [(request.release_sql or "").encode()]
            else:
                snapshot: str | None = None
                if request.kind != "schema":
                    snapshot, counts = stack.enter_context(exported_snapshot(database))
                if request.format == "directory":
                    chunks = _directory_dump(request, snapshot, stack)
                else:
                    chunks = _pg_dump_output(pg_dump_args(request, snapshot), database)
            pumped = _pump(chunks, compress, sinks, request.progress, recipients)
            manifest = Manifest(
                name=name,
                kind=request.kind,
                format=request.format,
                compression=request.compression,
                compressed_by="pg_dump" if by_pg_dump else "schemareg",
                sha256=pumped.stored_sha256,
                size=pumped.stored_size,
                raw_size=pumped.raw_size,
                created_at=started.isoformat().replace("+00:00", "Z"),
                duration_seconds=round(time.monotonic() - clock, 3),
                database=database.redacted if database is not None else "",
                server_version=server_version,
                pg_dump_version=pg_dump_version,
                restrict_key=restrict_key,
                fingerprint=fingerprint,
                project=request.project,
                env=request.env,
                env_head=request.env_head,
                env_fingerprint=request.env_fingerprint,
                release=request.release,
                schemareg_version=__version__,
                encryption="age" if recipients else None,
                recipients=[text.strip() for text in request.recipients if text.strip()],
                plaintext_sha256=pumped.plain_sha256 if recipients else None,
                plaintext_size=pumped.plain_size if recipients else None,
                row_counts=counts,
            )
            for sink in sinks:
                sink.commit(manifest)
        except BaseException:
            for sink in sinks:
                sink.abort()
            raise
    return BackupResult(manifest=manifest, locations=[sink.location for sink in sinks])


@dataclass(frozen=True)
class Pumped:
    raw_size: int  # bytes pg_dump wrote
    plain_sha256: str  # of the compressed stream, before encryption
    plain_size: int
    stored_sha256: str  # of what was stored (the ciphertext when encrypted)
    stored_size: int


def _pump(
    chunks: Iterable[bytes | memoryview],
    compress: Compressor,
    sinks: list[Sink],
    progress: Progress | None,
    recipients: list[Any],
) -> Pumped:
    plain, stored = hashlib.sha256(), hashlib.sha256()
    raw = plain_size = stored_size = 0

    def store(data: bytes) -> None:
        nonlocal stored_size
        if not data:
            return
        stored.update(data)
        stored_size += len(data)
        for sink in sinks:
            sink.write(data)

    def compressed() -> Iterator[bytes]:
        nonlocal raw, plain_size
        for consumed, data in _chunks_then_flush(chunks, compress):
            raw += consumed
            if data:
                plain.update(data)
                plain_size += len(data)
                yield data
            if progress is not None:
                progress(raw, stored_size)

    if recipients:
        crypto.encrypt(compressed(), store, recipients)
    else:
        for data in compressed():
            store(data)
    if progress is not None:
        progress(raw, stored_size)
    return Pumped(raw, plain.hexdigest(), plain_size, stored.hexdigest(), stored_size)


def _chunks_then_flush(
    chunks: Iterable[bytes | memoryview], compress: Compressor
) -> Iterator[tuple[int, bytes]]:
    """(raw bytes consumed, compressed bytes) per chunk, then the compressor's tail."""
    for chunk in chunks:
        yield len(chunk), compress.compress(chunk)
    yield 0, compress.flush()


def _directory_dump(
    request: BackupRequest, snapshot: str | None, stack: contextlib.ExitStack
) -> Iterator[bytes]:
    """`pg_dump --format directory --jobs N` into a private temporary directory, then that directory as
    one tar stream (pg_dump compressed each file already). The temporary copy is the price of parallel
    dumping: pg_dump's workers each write their own file."""
    assert request.database is not None
    parent = request.work_dir or request.dest
    temp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=".schemareg-dump-", dir=parent)))
    output = temp / "dump"
    args = pg_dump_args(request, snapshot, output)
    with tempfile.TemporaryFile() as errors:
        try:
            result = subprocess.run(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=request.database.child_env(),
            )
        except OSError as error:
            raise ExternalError(f"cannot run pg_dump: {error.strerror}") from None
        if result.returncode != 0:
            errors.seek(0)
            detail = first_error(errors.read(), f"exit code {result.returncode}")
            raise ExternalError(f"pg_dump of {request.database.redacted} failed: {detail}")
    return tar_stream(output)


def tar_stream(directory: Path) -> Iterator[bytes]:
    """The files of a flat directory as an uncompressed tar, in name order, with fixed metadata so equal
    directories give equal bytes."""
    for path in sorted(directory.iterdir()):
        info = tarfile.TarInfo(path.name)
        info.size, info.mode, info.mtime = path.stat().st_size, 0o600, 0
        yield info.tobuf(format=tarfile.PAX_FORMAT)
        with path.open("rb") as handle:
            while chunk := handle.read(READ_SIZE):
                yield chunk
        if padding := -info.size % tarfile.BLOCKSIZE:
            yield bytes(padding)
    yield bytes(2 * tarfile.BLOCKSIZE)


def _pg_dump_output(args: list[str], database: Database) -> Iterator[memoryview]:
    return command_output(args, database, "pg_dump")


def command_output(args: list[str], database: Database, tool: str) -> Iterator[memoryview]:
    """A client tool's stdout in 1 MiB chunks (one buffer, reused); an error if the tool fails."""
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                args,
                stdout=subprocess.PIPE,
                stderr=errors,
                stdin=subprocess.DEVNULL,
                env=database.child_env(),
            )
        except OSError as error:
            raise ExternalError(f"cannot run {tool}: {error.strerror}") from None
        assert process.stdout is not None
        with contextlib.suppress(OSError):
            fcntl.fcntl(process.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        buffer = bytearray(READ_SIZE)
        view = memoryview(buffer)
        finished = False
        try:
            while count := process.stdout.readinto(view):  # type: ignore[attr-defined]
                yield view[:count]
            finished = True
        finally:
            if not finished:
                process.kill()
            process.stdout.close()
            code = process.wait()
        if code != 0:
            errors.seek(0)
            detail = first_error(errors.read(), f"exit code {code}")
            raise ExternalError(f"{tool} of {database.redacted} failed: {detail}")
