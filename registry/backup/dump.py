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
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from schemareg import __version__
from schemareg.backup import s3 as s3lib
from schemareg.backup.manifest import FULL_KINDS, Manifest, encode, manifest_name
from schemareg.backup.pg import RESTRICT_KEY, Database, Tools, first_error, schema_fingerprint
from schemareg.errors import ExternalError, InputError

READ_SIZE = 1024 * 1024
PIPE_SIZE = 1024 * 1024
GZIP_LEVEL = 6  # gzip's own default: the same ratio as `pg_dump | gzip`, and zlib keeps up with it
ZSTD_LEVEL = 3
PARTIAL_PREFIX = "."
PARTIAL_SUFFIX = ".partial"
PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700

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


def compressor(compression: str, level: int | None = None) -> Compressor:
    if compression == "gzip":
        # wbits 31: a gzip member with mtime 0, so equal dumps give equal files.
        return zlib.compressobj(GZIP_LEVEL if level is None else level, zlib.DEFLATED, 31)
    if compression == "zstd":
        import zstandard

        return zstandard.ZstdCompressor(level=ZSTD_LEVEL if level is None else level).compressobj()  # type: ignore[no-any-return]
    raise InputError(f"unknown compression {compression!r}: gzip or zstd")


def backup_name(kind: str, fmt: str, compression: str, when: datetime, release: str | None = None) -> str:
    stamp = when.strftime("%Y%m%d_%H%M%S")
    if fmt == "custom":
        return f"full_backup_{stamp}.dump"
    suffix = ".sql.gz" if compression == "gzip" else ".sql.zst"
    if kind == "schema":
        return f"schema_{stamp}{suffix}"
    if kind == "release":
        return f"release_{release}{suffix}"
    return f"full_backup_{stamp}{suffix}"


class Sink(Protocol):
    """Where the stored bytes go. `commit` makes the backup visible, manifest last; `abort` leaves no trace."""

    location: str

    def write(self, data: bytes) -> None: ...
    def commit(self, manifest: Manifest) -> None: ...
    def abort(self) -> None: ...


class FileSink:
    def __init__(self, directory: Path, name: str) -> None:
        private_directory(directory)
        self.path = directory / name
        self.location = str(self.path)
        if self.path.exists() or (directory / manifest_name(name)).exists():
            raise InputError(f"{self.path} exists already")
        self.partial = directory / f"{PARTIAL_PREFIX}{name}{PARTIAL_SUFFIX}"
        self._file: IO[bytes] | None = private_file(self.partial)

    def write(self, data: bytes) -> None:
        assert self._file is not None
        self._file.write(data)

    def commit(self, manifest: Manifest) -> None:
        assert self._file is not None
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        os.replace(self.partial, self.path)
        _atomic_write(self.path.parent / manifest_name(self.path.name), encode(manifest))

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        with contextlib.suppress(FileNotFoundError):
            self.partial.unlink()


def private_directory(directory: Path) -> None:
    """Create a backup directory readable by its owner only (an existing one is left as it is)."""
    if directory.is_dir():
        return
    try:
        directory.mkdir(parents=True, mode=PRIVATE_DIRECTORY)
        os.chmod(directory, PRIVATE_DIRECTORY)  # mkdir's mode is masked by the umask, never widened
    except FileExistsError:
        pass  # made by a concurrent backup
    except OSError as error:
        raise InputError(f"cannot create {directory}: {error.strerror}") from None


def private_file(path: Path) -> IO[bytes]:
    """A new file for writing, 0600 from its first byte (a backup is a copy of the whole database)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)  # an existing file keeps its mode through O_CREAT
    return os.fdopen(fd, "wb")


def _atomic_write(path: Path, data: bytes) -> None:
    # mkstemp creates the file 0600
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=PARTIAL_PREFIX, suffix=PARTIAL_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


class S3Sink:
    def __init__(
        self,
        client: Any,
        location: s3lib.Location,
        name: str,
        *,
        storage_class: str,
        encryption: s3lib.Encryption,
    ) -> None:
        self.client, self.bucket, self.key = client, location.bucket, location.key(name)
        self.manifest_key = location.key(manifest_name(name))
        self.location = location.url(name)
        self.storage_class, self.encryption = storage_class, encryption
        with s3lib.s3_errors(f"check s3://{self.bucket}/{self.manifest_key}"):
            if _exists(client, self.bucket, self.manifest_key):
                raise InputError(f"{self.location} exists already")
        self.upload = s3lib.MultipartUpload(
            client, self.bucket, self.key, storage_class=storage_class, encryption=encryption
        )

    def write(self, data: bytes) -> None:
        self.upload.write(data)

    def commit(self, manifest: Manifest) -> None:
        self.upload.complete()
        try:
            metadata = {s3lib.SHA256_METADATA: manifest.sha256, "schemareg-kind": manifest.kind}
            s3lib.set_metadata(
                self.client,
                self.bucket,
                self.key,
                manifest.size,
                metadata=metadata,
                storage_class=self.storage_class,
                encryption=self.encryption,
            )
            with s3lib.s3_errors(f"upload of s3://{self.bucket}/{self.manifest_key}"):
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=self.manifest_key,
                    Body=encode(manifest),
                    ContentType="application/json",
                    StorageClass=s3lib.SCHEMA_CLASS,
                    Metadata={s3lib.SHA256_METADATA: manifest.sha256},
                    **self.encryption.args(),
                )
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.delete_object(Bucket=self.bucket, Key=self.key)
            raise

    def abort(self) -> None:
        self.upload.abort()


def _exists(client: Any, bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if str(error.response.get("Error", {}).get("Code")) in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


@dataclass
class BackupRequest:
    database: Database | None  # None for a release, whose schema comes from the registry
    tools: Tools = field(default_factory=Tools)
    kind: str = "manual"  # daily | manual | pre-migration | schema | release
    format: str = "plain"
    compression: str = "gzip"
    level: int | None = None
    dest: Path | None = None
    s3: s3lib.Location | None = None
    encryption: s3lib.Encryption = field(default_factory=s3lib.Encryption)
    project: str | None = None
    env: str | None = None
    env_head: str | None = None
    env_fingerprint: str | None = None
    release: str | None = None
    release_sql: str | None = None  # the release's schema.sql
    release_fingerprint: str | None = None
    progress: Progress | None = None
    s3_client: Any = None


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


def pg_dump_args(request: BackupRequest) -> list[str]:
    tools = request.tools
    assert request.database is not None
    args = [tools.path("pg_dump"), "--no-password"]
    if request.kind == "schema":
        args.append("--schema-only")
    if request.format == "custom":
        args += ["--format=custom", _custom_compression(tools, request.compression, request.level)]
    else:
        # --clean --if-exists: a plain dump can be replayed over an existing database (`restore --force`);
        # into an empty one the DROPs are no-ops.
        args += ["--format=plain", "--clean", "--if-exists"]
        if tools.restrict_key_supported:
            args.append(f"--restrict-key={RESTRICT_KEY}")
    return [*args, "--dbname", request.database.conninfo]


def _custom_compression(tools: Tools, compression: str, level: int | None) -> str:
    if compression == "gzip":
        return f"--compress={GZIP_LEVEL if level is None else level}"
    if tools.pg_dump_major < 16:
        raise InputError(
            f"--format custom --compression zstd needs pg_dump 16 or later ({tools.pg_dump_version})"
        )
    return f"--compress=zstd:{ZSTD_LEVEL if level is None else level}"


def run_backup(request: BackupRequest) -> BackupResult:
    """Take one backup and store it everywhere asked; all or nothing per destination."""
    if request.dest is None and request.s3 is None:
        raise InputError("no destination: give a directory, an S3 location, or both")
    if request.format not in ("plain", "custom"):
        raise InputError(f"unknown format {request.format!r}: plain or custom")
    if request.kind in ("schema", "release") and request.format != "plain":
        raise InputError(f"a {request.kind} backup is plain SQL: leave --format out")
    started = datetime.now(UTC).replace(microsecond=0)
    clock = time.monotonic()
    name = backup_name(request.kind, request.format, request.compression, started, request.release)
    if request.dest is not None:
        name = _free_name(request.dest, name)
    database = request.database
    server_version, pg_dump_version, fingerprint = "", "", request.release_fingerprint
    restrict_key: str | None = None
    if database is not None:
        server_version = database.server_version()  # fails fast, in one line, on a wrong DSN
        pg_dump_version = request.tools.pg_dump_version
        fingerprint = schema_fingerprint(request.tools, database)
        if request.format == "plain" and request.tools.restrict_key_supported:
            restrict_key = RESTRICT_KEY
    compress = _Identity() if request.format == "custom" else compressor(request.compression, request.level)

    sinks: list[Sink] = []
    try:
        if request.dest is not None:
            sinks.append(FileSink(request.dest, name))
        if request.s3 is not None:
            client = request.s3_client or s3lib.client()
            storage = s3lib.FULL_BACKUP_CLASS if request.kind in FULL_KINDS else s3lib.SCHEMA_CLASS
            sinks.append(
                S3Sink(client, request.s3, name, storage_class=storage, encryption=request.encryption)
            )
        if database is not None:
            chunks: Iterable[bytes | memoryview] = _pg_dump_output(pg_dump_args(request), database)
        else:
            chunks = [(request.release_sql or "").encode()]
        digest, raw_size, size = _pump(chunks, compress, sinks, request.progress)
        manifest = Manifest(
            name=name,
            kind=request.kind,
            format=request.format,
            compression=request.compression,
            compressed_by="pg_dump" if request.format == "custom" else "schemareg",
            sha256=digest,
            size=size,
            raw_size=raw_size,
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
        )
        for sink in sinks:
            sink.commit(manifest)
    except BaseException:
        for sink in sinks:
            sink.abort()
        raise
    return BackupResult(manifest=manifest, locations=[sink.location for sink in sinks])


def _pump(
    chunks: Iterable[bytes | memoryview], compress: Compressor, sinks: list[Sink], progress: Progress | None
) -> tuple[str, int, int]:
    digest = hashlib.sha256()
    raw = size = 0

    def emit(data: bytes) -> None:
        nonlocal size
        if not data:
            return
        digest.update(data)
        size += len(data)
        for sink in sinks:
            sink.write(data)

    for chunk in chunks:
        raw += len(chunk)
        emit(compress.compress(chunk))
        if progress is not None:
            progress(raw, size)
    emit(compress.flush())
    if progress is not None:
        progress(raw, size)
    return digest.hexdigest(), raw, size


def _pg_dump_output(args: list[str], database: Database) -> Iterator[memoryview]:
    """pg_dump's stdout in 1 MiB chunks (one buffer, reused); an error if pg_dump fails."""
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
            raise ExternalError(f"cannot run pg_dump: {error.strerror}") from None
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
            raise ExternalError(f"pg_dump of {database.redacted} failed: {detail}")
