"""Where a backup's stored bytes go: a local file (written privately under a temporary name, renamed when
complete) or an S3 multipart upload; the manifest goes last, so an unfinished backup is never listed."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Any, Protocol

from schemareg.backup import s3 as s3lib
from schemareg.backup.manifest import Manifest, encode, manifest_name
from schemareg.errors import InputError

PARTIAL_PREFIX = "."
PARTIAL_SUFFIX = ".partial"
PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700


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
