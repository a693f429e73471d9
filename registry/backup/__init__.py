"""Full backups of PostgreSQL databases: streamed dumps with manifests, on disk and in S3; restore,
listing and retention. See docs/backups.md."""

from __future__ import annotations

from schemareg.backup.catalog import Entry, LocalStore, S3Store, Store, list_backups
from schemareg.backup.dump import BackupRequest, BackupResult, run_backup
from schemareg.backup.manifest import FULL_KINDS, KINDS, Manifest
from schemareg.backup.pg import Database, Tools
from schemareg.backup.restore import RestoreRequest, RestoreResult, restore
from schemareg.backup.retention import Decision, apply, plan
from schemareg.backup.s3 import Encryption, Location

__all__ = [
    "FULL_KINDS",
    "KINDS",
    "BackupRequest",
    "BackupResult",
    "Database",
    "Decision",
    "Encryption",
    "Entry",
    "LocalStore",
    "Location",
    "Manifest",
    "RestoreRequest",
    "RestoreResult",
    "S3Store",
    "Store",
    "Tools",
    "apply",
    "list_backups",
    "plan",
    "restore",
    "run_backup",
]
