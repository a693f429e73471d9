"""What a backup, a restore or a restore drill is asked to do, built from a command's options: the request
the workflows in this package run (`run_backup`, `restore`, `verify_backup`). The CLI parses options,
calls one of these and the workflow, and prints; the registry lookups a backup needs (a release's
schema, an env's head) go through `Lookups`, so a remote registry serves them as well as a data dir."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from schemareg.backup.catalog import LocalStore, S3Store, Store
from schemareg.backup.config import backup_settings
from schemareg.backup.crypto import load_identities
from schemareg.backup.dump import BackupRequest, parse_compression
from schemareg.backup.pg import Database, Tools
from schemareg.backup.restore import RestoreRequest
from schemareg.backup.s3 import Encryption, Location
from schemareg.backup.verify import VerifyRequest
from schemareg.errors import InputError

__all__ = [
    "BackupOptions",
    "Lookups",
    "backup_request",
    "backup_stores",
    "local_backup_dir",
    "restore_request",
    "verify_request",
]


class _Fingerprinted(Protocol):
    @property
    def sha(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...


class Lookups(Protocol):
    """What a backup reads of the registry (a local `Registry` or a remote one)."""

    def version(self, project: str, ref: str) -> _Fingerprinted: ...
    def schema_sql(self, project: str, ref: str) -> str: ...
    def expected(self, project: str, env: str) -> _Fingerprinted: ...


@dataclass
class BackupOptions:
    """The options of `schemareg backup`, as given."""

    dsn: str | None = None
    dest: Path | None = None  # the folder of the local file (the backup dir when None)
    backup_dir: Path = Path("backups")
    s3_url: str | None = None
    no_local: bool = False
    kind: str = "manual"
    format: str = "plain"
    jobs: int = 1
    compression: str = "gzip"
    level: int | None = None
    recipients: tuple[str, ...] = ()
    schema_only: bool = False
    release: str | None = None
    project: str | None = None
    env: str | None = None
    sse: str = "AES256"
    kms_key_id: str | None = None
    pg_bin: str | None = None


def local_backup_dir(data_dir: Path, backup_dir: Path | None) -> Path:
    """Where local backups go: --backup-dir, else `<data dir>/backups`."""
    return backup_dir if backup_dir is not None else data_dir / "backups"


def backup_stores(backup_dir: Path, s3_url: str | None, s3_client: Callable[[], Any]) -> list[Store]:
    """The local backup dir, and the S3 location when given (`s3_client()` makes its client)."""
    stores: list[Store] = [LocalStore(backup_dir)]
    if s3_url:
        stores.append(S3Store(s3_client(), Location.parse(s3_url)))
    return stores


def backup_request(options: BackupOptions, registry: Callable[[], Lookups]) -> BackupRequest:
    """The request `run_backup` runs; InputError for options that do not go together. `registry()`
    opens the registry, only when a release's schema or an env's head is to be read."""
    settings = backup_settings()
    compression, level = parse_compression(options.compression, options.level)
    if options.schema_only and options.release:
        raise InputError("--schema-only and --release are different backups: give one")
    if options.no_local and not options.s3_url:
        raise InputError("--no-local needs --s3")
    kind = "schema" if options.schema_only else ("release" if options.release else options.kind)
    sse, kms_key_id = options.sse, options.kms_key_id
    request = BackupRequest(
        database=None,
        tools=Tools(options.pg_bin),
        kind=kind,
        format=options.format,
        jobs=options.jobs,
        compression=compression,
        level=level,
        recipients=list(options.recipients) or settings.recipients,
        dest=None if options.no_local else (options.dest or options.backup_dir),
        s3=Location.parse(options.s3_url) if options.s3_url else None,
        encryption=Encryption("aws:kms" if kms_key_id and sse == "AES256" else sse, kms_key_id),
        project=options.project,
        env=options.env,
    )
    project, env = options.project, options.env
    if options.release:
        if not project:
            raise InputError("--release needs --project")
        lookups = registry()
        found = lookups.version(project, options.release)
        request.release = options.release
        request.release_sql = lookups.schema_sql(project, options.release)
        request.release_fingerprint = found.fingerprint
    else:
        if not options.dsn:
            raise InputError("no database: give --dsn URL or set DATABASE_URL")
        request.database = Database(options.dsn)
    if project and env:
        head = registry().expected(project, env)
        request.env_head, request.env_fingerprint = head.sha, head.fingerprint
    elif env:
        raise InputError("--env needs --project")
    return request


def restore_request(
    backup: str, dsn: str, *, force: bool, jobs: int, identity: Path | None, pg_bin: str | None
) -> RestoreRequest:
    """The request `restore` runs: into `dsn`, with the age identities of `identity` (or the environment)."""
    return RestoreRequest(
        backup=backup,
        database=Database(dsn),
        tools=Tools(pg_bin),
        force=force,
        jobs=jobs,
        identities=load_identities(identity),
    )


def verify_request(
    backup: str,
    *,
    dev_url: str | None,
    stores: Callable[[], list[Store]],
    identity: Path | None,
    jobs: int,
    pg_bin: str | None,
) -> VerifyRequest:
    """The request `verify_backup` runs; `stores()` says where `latest` is looked for (only then called)."""
    return VerifyRequest(
        backup=backup,
        dev_url=dev_url,
        stores=stores() if backup == "latest" else [],
        tools=Tools(pg_bin),
        identities=load_identities(identity),
        jobs=jobs,
    )
