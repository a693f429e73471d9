"""Restore drills (`verify-backup`): restore a backup into a scratch database, then compare the restored
schema's fingerprint and every table's row count with what the manifest recorded at backup time.

The scratch database lives on the dev server (`schemareg.devserver`): `--dev-url` / `SCHEMAREG_DEV_URL`
(an admin URL of a role that may create databases), else the embedded PostgreSQL of the
`schemareg[postgres]` extra. It is dropped afterwards, whatever happened.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from schemareg.backup.catalog import Entry, Store, list_backups
from schemareg.backup.manifest import FULL_KINDS, Manifest
from schemareg.backup.pg import Database, Tools, row_counts
from schemareg.backup.restore import RestoreRequest, restore
from schemareg.errors import InputError, NotFound


@dataclass
class VerifyRequest:
    backup: str  # a local path, an s3:// key, or "latest"
    dev_url: str | None = None
    stores: list[Store] = field(default_factory=list)  # where "latest" is looked for
    tools: Tools = field(default_factory=Tools)
    identities: list[Any] = field(default_factory=list)
    jobs: int = 4
    s3_client: Any = None


@dataclass(frozen=True)
class TableCheck:
    table: str
    expected: int | None  # None: the backup did not have this table
    found: int | None  # None: the restored database does not have it

    @property
    def ok(self) -> bool:
        return self.expected == self.found


@dataclass(frozen=True)
class VerifyReport:
    source: str
    manifest: Manifest
    scratch: str  # the scratch database, redacted (dropped by now)
    fingerprint: str
    tables: list[TableCheck]
    seconds: float

    @property
    def fingerprint_ok(self) -> bool:
        return self.manifest.fingerprint is None or self.manifest.fingerprint == self.fingerprint

    @property
    def counts_recorded(self) -> bool:
        return self.manifest.row_counts is not None

    @property
    def ok(self) -> bool:
        return self.fingerprint_ok and all(check.ok for check in self.tables)


def latest(stores: list[Store]) -> Entry:
    """The newest complete full backup of these stores."""
    for entry in list_backups(stores):
        if entry.manifest.kind in FULL_KINDS:
            return entry
    raise NotFound("no full backup to verify in " + ", ".join(store.label for store in stores))


def dev_admin_url(explicit: str | None) -> str:
    """--dev-url, else SCHEMAREG_DEV_URL, else the embedded server (started on first use)."""
    from schemareg import devserver

    if not (explicit or os.environ.get(devserver.DEV_URL_ENV)) and not devserver.embedded_available():
        raise InputError(
            f"verify-backup restores into a scratch database: give --dev-url URL (or {devserver.DEV_URL_ENV}), an"
            " admin URL of a role that may create databases, or install schemareg[postgres] for the embedded one"
        )
    return devserver.resolve_dev_url(explicit)


def verify_backup(request: VerifyRequest) -> VerifyReport:
    clock = time.monotonic()
    source = latest(request.stores).url if request.backup == "latest" else request.backup
    from schemareg import devserver

    admin_url = dev_admin_url(request.dev_url)
    with devserver.scratch_database(admin_url, prefix="schemareg_verify") as scratch:
        database = Database(scratch.url)
        restored = restore(
            RestoreRequest(
                backup=source,
                database=database,
                tools=request.tools,
                jobs=request.jobs,
                identities=request.identities,
                s3_client=request.s3_client,
            )
        )
        with database.connect() as conn:
            found = row_counts(conn)
    expected = restored.manifest.row_counts
    tables = []
    if expected is not None:
        tables = [
            TableCheck(table, expected.get(table), found.get(table))
            for table in sorted(set(expected) | set(found))
        ]
    return VerifyReport(
        source=source,
        manifest=restored.manifest,
        scratch=database.redacted,
        fingerprint=restored.fingerprint,
        tables=tables,
        seconds=time.monotonic() - clock,
    )
