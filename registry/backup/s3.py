"""S3 through boto3: the client (AWS_* and AWS_ENDPOINT_URL honoured, checksum settings that S3-compatible
stores accept), streaming multipart uploads that leave nothing behind on failure, and the bucket rules."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from schemareg.errors import ExternalError, InputError

PART_SIZE = 8 * 1024 * 1024  # S3 needs >= 5 MiB per part but the last; 8 MiB keeps memory to a few parts
QUEUED_PARTS = 2  # parts waiting for the uploader thread: memory is bounded by (QUEUED_PARTS + 2) parts
COPY_LIMIT = 5 * 1024**3  # the largest object a single CopyObject can copy
FULL_BACKUP_CLASS = "GLACIER_IR"
SCHEMA_CLASS = "STANDARD"
SHA256_METADATA = "sha256"  # x-amz-meta-sha256: ours, since multipart ETags and checksums are composite
DEEP_ARCHIVE_AFTER_DAYS = 365
ABORT_INCOMPLETE_AFTER_DAYS = 7


@dataclass(frozen=True)
class Location:
    """An `s3://bucket/prefix` place; keys of backups are `<prefix>/<name>`."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, url: str) -> Location:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise InputError(f"not an S3 URL (s3://bucket/prefix): {url}")
        return cls(parts.netloc, parts.path.strip("/"))

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def url(self, name: str | None = None) -> str:
        path = self.key(name) if name is not None else self.prefix
        return f"s3://{self.bucket}/{path}" if path else f"s3://{self.bucket}"


def split_object_url(url: str) -> tuple[Location, str]:
    """`s3://bucket/a/b/name` -> (Location(bucket, "a/b"), "name")."""
    location = Location.parse(url)
    if not location.prefix:
        raise InputError(f"no object key in {url}")
    prefix, _, name = location.prefix.rpartition("/")
    return Location(location.bucket, prefix), name


@dataclass(frozen=True)
class Encryption:
    """Server-side encryption: AES256 (S3-managed keys) or aws:kms with an optional key id."""

    algorithm: str = "AES256"
    kms_key_id: str | None = None

    def args(self) -> dict[str, str]:
        if self.algorithm == "none":
            return {}
        args = {"ServerSideEncryption": self.algorithm}
        if self.algorithm == "aws:kms" and self.kms_key_id:
            args["SSEKMSKeyId"] = self.kms_key_id
        return args


def client() -> Any:
    """A boto3 S3 client from the environment (AWS_* variables, profiles, AWS_ENDPOINT_URL).

    Checksums are computed and validated only when an operation requires them: S3-compatible stores
    (SeaweedFS, MinIO, Ceph) refuse or mangle the default CRC headers of recent boto3 versions.
    """
    import boto3
    from botocore.config import Config

    config = Config(
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=10,
        read_timeout=120,
    )
    return boto3.session.Session().client("s3", config=config)


def describe(error: BaseException) -> str:
    """One line for a boto3 / botocore error."""
    response = getattr(error, "response", None)
    if isinstance(response, dict) and "Error" in response:
        details = response["Error"]
        return f"{details.get('Code', 'error')}: {details.get('Message', '')}".strip()
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


class UploadError(ExternalError):
    """S3 refused or failed a request: alerts file it as an upload failure, apart from the dump's."""


@contextlib.contextmanager
def s3_errors(what: str) -> Iterator[None]:
    """Turn boto3's exceptions into one-line ExternalErrors."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise UploadError(f"S3: {what}: {describe(error)}") from None


class MultipartUpload:
    """One object written as a stream of fixed-size parts by a background thread.

    `write` buffers up to one part and hands full parts to the uploader through a bounded queue, so the
    producer waits when S3 is slower than pg_dump. `complete` finishes the upload; `abort` (also called
    on any failure) aborts it so no partial object remains. Stored objects only appear on `complete`.
    """

    def __init__(
        self,
        s3: Any,
        bucket: str,
        key: str,
        *,
        storage_class: str,
        encryption: Encryption,
        metadata: dict[str, str] | None = None,
        part_size: int = PART_SIZE,
    ) -> None:
        self.s3, self.bucket, self.key = s3, bucket, key
        self.part_size = part_size
        self.extra: dict[str, Any] = {"StorageClass": storage_class, **encryption.args()}
        with s3_errors(f"start upload of s3://{bucket}/{key}"):
            started = s3.create_multipart_upload(
                Bucket=bucket, Key=key, Metadata=metadata or {}, **self.extra
            )
        self.upload_id: str = started["UploadId"]
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._queue: queue.Queue[tuple[int, bytes] | None] = queue.Queue(maxsize=QUEUED_PARTS)
        self._error: BaseException | None = None
        self._number = 0
        self._done = False
        self._thread = threading.Thread(target=self._upload_parts, name="s3-upload", daemon=True)
        self._thread.start()

    def _upload_parts(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain so the producer never blocks
            number, body = item
            try:
                answer = self.s3.upload_part(
                    Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=body
                )
                self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            except BaseException as error:
                self._error = error

    def _send(self, body: bytes) -> None:
        self._raise_if_failed()
        self._number += 1
        self._queue.put((self._number, body))

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            from botocore.exceptions import BotoCoreError, ClientError

            if isinstance(self._error, BotoCoreError | ClientError):
                raise UploadError(f"S3: upload to s3://{self.bucket}/{self.key}: {describe(self._error)}")
            raise self._error

    def write(self, data: bytes | memoryview) -> None:
        self._buffer += data
        while len(self._buffer) >= self.part_size:
            self._send(bytes(self._buffer[: self.part_size]))
            del self._buffer[: self.part_size]

    def _finish_thread(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def complete(self) -> None:
        if self._buffer or self._number == 0:
            self._send(bytes(self._buffer))
            self._buffer.clear()
        self._finish_thread()
        self._raise_if_failed()
        parts = sorted(self._parts, key=lambda part: part["PartNumber"])
        with s3_errors(f"complete upload of s3://{self.bucket}/{self.key}"):
            self.s3.complete_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, MultipartUpload={"Parts": parts}
            )
        self._done = True

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        if self._thread.is_alive():
            self._error = self._error or RuntimeError("aborted")
            self._finish_thread()
        with contextlib.suppress(Exception):
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)


def set_metadata(
    s3: Any,
    bucket: str,
    key: str,
    size: int,
    *,
    metadata: dict[str, str],
    storage_class: str,
    encryption: Encryption,
) -> None:
    """Replace an object's metadata by a server-side copy onto itself (the sha256 is only known once the
    whole stream has gone up). Objects over 5 GiB are copied part by part."""
    extra: dict[str, Any] = {"StorageClass": storage_class, "Metadata": metadata, **encryption.args()}
    source = {"Bucket": bucket, "Key": key}
    with s3_errors(f"set metadata of s3://{bucket}/{key}"):
        if size <= COPY_LIMIT:
            s3.copy_object(Bucket=bucket, Key=key, CopySource=source, MetadataDirective="REPLACE", **extra)
            return
        upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **extra)["UploadId"]
        try:
            parts = []
            step = 1024**3
            for number, start in enumerate(range(0, size, step), start=1):
                end = min(start + step, size) - 1
                answer = s3.upload_part_copy(
                    Bucket=bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    CopySource=source,
                    CopySourceRange=f"bytes={start}-{end}",
                )
                parts.append({"PartNumber": number, "ETag": answer["CopyPartResult"]["ETag"]})
            s3.complete_multipart_upload(
                Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            with contextlib.suppress(Exception):
                s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
            raise


def lifecycle_rules(prefix: str = "") -> dict[str, Any]:
    """The bucket rules: full backups to DEEP_ARCHIVE after a year; incomplete multipart uploads (a
    killed backup) aborted after a week."""
    scope = {"Prefix": f"{prefix}/" if prefix else ""}
    return {
        "Rules": [
            {
                "ID": "schemareg-deep-archive",
                "Status": "Enabled",
                "Filter": {**scope},
                "Transitions": [{"Days": DEEP_ARCHIVE_AFTER_DAYS, "StorageClass": "DEEP_ARCHIVE"}],
            },
            {
                "ID": "schemareg-abort-incomplete-uploads",
                "Status": "Enabled",
                "Filter": {**scope},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": ABORT_INCOMPLETE_AFTER_DAYS},
            },
        ]
    }


def apply_lifecycle(s3: Any, location: Location) -> dict[str, Any]:
    """Put our rules on the bucket, keeping any other rules it has, and return what it holds now."""
    from botocore.exceptions import ClientError

    ours = lifecycle_rules(location.prefix)["Rules"]
    names = {rule["ID"] for rule in ours}
    with s3_errors(f"lifecycle of s3://{location.bucket}"):
        try:
            current = s3.get_bucket_lifecycle_configuration(Bucket=location.bucket).get("Rules", [])
        except ClientError as error:
            if describe(error).split(":")[0] != "NoSuchLifecycleConfiguration":
                raise
            current = []
        rules = [rule for rule in current if rule.get("ID") not in names] + ours
        s3.put_bucket_lifecycle_configuration(Bucket=location.bucket, LifecycleConfiguration={"Rules": rules})
        answer: dict[str, Any] = s3.get_bucket_lifecycle_configuration(Bucket=location.bucket)
    return answer
