"""What every inspector gives: an `Introspection` (the schema and facts about the database), and the
`Inspector` role. The inspectors import this module, never the package that opens them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import msgspec

from schemareg.introspect.migrations import MigrationInfo
from schemareg.model import Schema

__all__ = ["Inspector", "Introspection", "SnapshotMetadata"]


class SnapshotMetadata(msgspec.Struct, frozen=True, kw_only=True):
    """What the source knows about the database besides its schema (filled by introspection)."""

    database_version: str | None = None  # "PostgreSQL 15.5"
    migration_tool: str | None = None  # "alembic", "flyway", ...
    migration_count: int | None = None
    last_migration: str | None = None


@dataclass(frozen=True)
class Introspection:
    """What an inspector read: the DDL it wrote, the normalised schema, and facts about the database."""

    dialect: str
    ddl: str  # the script fed to the normaliser: one statement per object or alteration
    schema: Schema
    database_version: str  # "PostgreSQL 15.5", "SQLite 3.45.1"
    migrations: MigrationInfo | None = None
    queries: int = 0  # catalog queries run (a fixed number, whatever the schema's size)
    timings: dict[str, float] = field(default_factory=dict)  # seconds: read, normalise

    @property
    def fingerprint(self) -> str:
        return self.schema.fingerprint

    def metadata(self) -> SnapshotMetadata:
        return SnapshotMetadata(
            database_version=self.database_version,
            migration_tool=self.migrations.tool if self.migrations else None,
            migration_count=self.migrations.count if self.migrations else None,
            last_migration=self.migrations.last if self.migrations else None,
        )


class Inspector(Protocol):
    """The role: a live database in, its schema out (Atlas's `Inspector`)."""

    dialect: str

    def inspect(self) -> Introspection: ...

    def seed_data(self, tables: Sequence[str]) -> str:
        """The rows of `tables` as INSERT statements, sorted by primary key (for `--seed-tables`)."""
        ...
