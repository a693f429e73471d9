"""Where backups are kept, and what is there: a local directory and S3 prefixes, read through manifests.

Only a backup with its manifest is a backup: the manifest is written last, so an interrupted backup
(a `.partial` file, an incomplete multipart upload) is never listed.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from schemareg.backup import s3 as s3lib
from schemareg.backup.manifest import MANIFEST_SUFFIX, Manifest, decode, manifest_name
from schemareg.backup.sinks import PARTIAL_SUFFIX
from schemareg.errors import InputError, NotFound

CHUNK = 1024 * 1024
STALE_PARTIAL_SECONDS = 24 * 3600


class Store(Protocol):
    label: str  # "local:<dir>" or "s3://bucket/prefix": retention keeps the newest full backup per store

    def entries(self) -> list[Entry]: ...
    def delete(self, name: str) -> None: ...
    def url(self, name: str) -> str: ...


@dataclass(frozen=True)
class Entry:
    store: Store
    manifest: Manifest

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def url(self) -> str:
        return self.store.url(self.manifest.name)

    def age_days(self, now: datetime | None = None) -> float:
        moment = now or datetime.now(UTC)
        return (moment - self.manifest.created()).total_seconds() / 86400


class LocalStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.label = f"local:{directory}"

    def url(self, name: str) -> str:
        return str(self.directory / name)

    def entries(self) -> list[Entry]:
        if not self.directory.is_dir():
            return []
        found = []
        for path in sorted(self.directory.glob("*" + MANIFEST_SUFFIX)):
            if path.name.startswith("."):
                continue
            manifest = decode(path.read_bytes(), str(path))
            if (self.directory / manifest.name).is_file():
                found.append(Entry(self, manifest))
        return found

    def delete(self, name: str) -> None:
        # The manifest first: a delete cut short leaves an unlisted file, never a listed backup without one.
        for path in (self.directory / manifest_name(name), self.directory / name):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def stale_partials(self, now: float | None = None) -> list[Path]:
        """Temporary files of backups that died more than a day ago."""
        if not self.directory.is_dir():
            return []
        cutoff = (now or time.time()) - STALE_PARTIAL_SECONDS
        return [
            path
            for path in sorted(self.directory.glob("." + "*" + PARTIAL_SUFFIX))
            if path.stat().st_mtime < cutoff
        ]


class S3Store:
    def __init__(self, client: Any, location: s3lib.Location) -> None:
        self.client = client
        self.location = location
        self.label = location.url()

    def url(self, name: str) -> str:
        return self.location.url(name)

    def entries(self) -> list[Entry]:
        prefix = self.location.key("")
        found = []
        with s3lib.s3_errors(f"list {self.label}"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.location.bucket, Prefix=prefix, Delimiter="/"
            )
            objects = {item["Key"] for page in pages for item in page.get("Contents", [])}
            for key in sorted(objects):
                if not key.endswith(MANIFEST_SUFFIX):
                    continue
                body = self.client.get_object(Bucket=self.location.bucket, Key=key)["Body"].read()
                manifest = decode(body, f"s3://{self.location.bucket}/{key}")
                if self.location.key(manifest.name) in objects:
                    found.append(Entry(self, manifest))
        return found

    def delete(self, name: str) -> None:
        with s3lib.s3_errors(f"delete {self.url(name)}"):
            for key in (self.location.key(manifest_name(name)), self.location.key(name)):
                self.client.delete_object(Bucket=self.location.bucket, Key=key)


def list_backups(stores: list[Store]) -> list[Entry]:
    """Every complete backup in these stores, newest first."""
    entries = [entry for store in stores for entry in store.entries()]
    return sorted(entries, key=lambda entry: (entry.manifest.created_at, entry.url), reverse=True)


@dataclass(frozen=True)
class Fetched:
    manifest: Manifest
    path: Path
    sha256: str  # of the bytes at `path`, computed as they were read


def read_local(backup: Path, on_bytes: Callable[[int, int], None] | None = None) -> Fetched:
    """A local backup (or its manifest path) and the sha256 of its bytes as they are now; `on_bytes(count,
    total)` is told each chunk read and the size the manifest gives."""
    if backup.name.endswith(MANIFEST_SUFFIX):
        backup = backup.with_name(backup.name[: -len(MANIFEST_SUFFIX)])
    manifest_path = backup.with_name(manifest_name(backup.name))
    if not backup.is_file():
        raise NotFound(f"{backup}: no such backup")
    if not manifest_path.is_file():
        raise InputError(f"{backup}: no manifest beside it ({manifest_path.name}): cannot verify it")
    manifest = decode(manifest_path.read_bytes(), str(manifest_path))
    digest = hashlib.sha256()
    with backup.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if on_bytes is not None:
                on_bytes(len(chunk), manifest.size)
    return Fetched(manifest, backup, digest.hexdigest())


def download(
    client: Any, url: str, directory: Path, on_bytes: Callable[[int, int], None] | None = None
) -> Fetched:
    """Fetch an S3 backup and its manifest into `directory`, hashing while the bytes arrive (`on_bytes`
    as for `read_local`)."""
    location, name = s3lib.split_object_url(url)
    if name.endswith(MANIFEST_SUFFIX):
        name = name[: -len(MANIFEST_SUFFIX)]
    from botocore.exceptions import ClientError

    with s3lib.s3_errors(f"download {location.url(name)}"):
        try:
            body = client.get_object(Bucket=location.bucket, Key=location.key(manifest_name(name)))["Body"]
        except ClientError as error:
            if s3lib.describe(error).startswith(("NoSuchKey", "404")):
                raise NotFound(f"{location.url(name)}: no such backup (no manifest)") from None
            raise
        manifest = decode(body.read(), location.url(manifest_name(name)))
        path = directory / name
        digest = hashlib.sha256()
        stream = client.get_object(Bucket=location.bucket, Key=location.key(name))["Body"]
        with path.open("wb") as handle:
            for chunk in stream.iter_chunks(CHUNK):
                digest.update(chunk)
                handle.write(chunk)
                if on_bytes is not None:
                    on_bytes(len(chunk), manifest.size)
    return Fetched(manifest, path, digest.hexdigest())
