"""The manifest written beside every backup (`<backup>.manifest.json`): what it is and how to check it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import msgspec

from schemareg.errors import InputError

MANIFEST_SUFFIX = ".manifest.json"

Kind = Literal["daily", "manual", "pre-migration", "schema", "release"]
Format = Literal["plain", "custom", "directory"]
Compression = Literal["gzip", "zstd"]

FULL_KINDS: tuple[str, ...] = ("daily", "manual", "pre-migration")
KINDS: tuple[str, ...] = (*FULL_KINDS, "schema", "release")


class Manifest(msgspec.Struct, kw_only=True, omit_defaults=False):
    """One backup. `sha256` and `size` are of the stored bytes (compressed), so they can be checked
    before anything is decompressed or restored."""

    name: str  # the backup's file name, e.g. full_backup_20250101_020000.sql.gz
    kind: str  # daily | manual | pre-migration (full backups), schema, release
    format: (
        str  # plain (psql) | custom (pg_restore) | directory (a tar of pg_dump's directory, pg_restore -j)
    )
    compression: str  # gzip | zstd; for custom and directory, pg_dump compresses inside the archive
    compressed_by: str  # "schemareg" (the stream) or "pg_dump" (inside a custom or directory archive)
    sha256: str  # hex digest of the stored file (the ciphertext when encrypted)
    size: int  # bytes of the stored file
    raw_size: int  # bytes pg_dump wrote
    created_at: str  # UTC ISO-8601, when the dump started
    duration_seconds: float
    database: str  # the DSN with its password redacted
    server_version: str  # "PostgreSQL 15.5"
    pg_dump_version: str
    restrict_key: str | None  # the fixed \restrict key, or None when this pg_dump has no --restrict-key
    fingerprint: str | None  # the schema fingerprint of the database at backup time
    project: str | None = None
    env: str | None = None
    env_head: str | None = None  # the env's head sha in the registry at backup time
    env_fingerprint: str | None = None  # the fingerprint that env expected then
    release: str | None = None  # for kind "release": the release name
    schemareg_version: str = ""
    encryption: str | None = None  # "age" when encrypted on the client
    recipients: list[str] = msgspec.field(default_factory=list)  # public age recipients only
    plaintext_sha256: str | None = None  # of the backup before encryption (what decryption must give)
    plaintext_size: int | None = None
    row_counts: dict[str, int] | None = None  # rows per table (schema.table) in the dump's snapshot
    manifest_version: int = 1

    @property
    def encrypted(self) -> bool:
        return self.encryption is not None

    @property
    def full(self) -> bool:
        return self.kind in FULL_KINDS

    def created(self) -> datetime:
        return parse_time(self.created_at)


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def encode(manifest: Manifest) -> bytes:
    return msgspec.json.format(msgspec.json.encode(manifest), indent=2) + b"\n"


def decode(data: bytes, source: str = "manifest") -> Manifest:
    try:
        return msgspec.json.decode(data, type=Manifest)
    except msgspec.DecodeError as error:
        raise InputError(f"{source}: not a backup manifest: {error}") from error


def manifest_name(backup_name: str) -> str:
    return backup_name + MANIFEST_SUFFIX
