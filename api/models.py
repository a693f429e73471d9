"""The wire models of the REST API: msgspec Structs, converted from the registry's values at the edge."""

from __future__ import annotations

from typing import Any

import msgspec

from registry.diff import Diff
from registry.service import (
    Environment,
    HistoryEntry,
    ObjectChanges,
    Project,
    Release,
    SnapshotResult,
    TableHistory,
    Version,
)

__all__ = [
    "ChangelogOut",
    "ChangesOut",
    "CheckIn",
    "CheckOut",
    "DriftReportOut",
    "EnvironmentOut",
    "ExpectedOut",
    "Health",
    "HistoryEntryOut",
    "ObjectName",
    "ObjectOut",
    "Problem",
    "ProjectDetail",
    "ProjectIn",
    "ProjectOut",
    "PromoteIn",
    "ReleaseIn",
    "ReleaseOut",
    "SnapshotIn",
    "SnapshotOut",
    "TableHistoryOut",
    "VersionOut",
]


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details; `line` and `column` for a parse error."""

    type: str
    title: str
    status: int
    detail: str = ""
    instance: str | None = None
    line: int | None = None
    column: int | None = None


class Health(msgspec.Struct, kw_only=True):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


class ProjectIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    dialect: str | None = None
    description: str | None = None


class ProjectOut(msgspec.Struct, kw_only=True):
    name: str
    dialect: str
    description: str

    @classmethod
    def of(cls, project: Project) -> ProjectOut:
        return cls(name=project.name, dialect=project.dialect, description=project.description)


class EnvironmentOut(msgspec.Struct, kw_only=True):
    name: str
    sha: str
    fingerprint: str
    release: str | None
    created_at: str

    @classmethod
    def of(cls, env: Environment) -> EnvironmentOut:
        return cls(
            name=env.name,
            sha=env.sha,
            fingerprint=env.fingerprint,
            release=env.release,
            created_at=env.created_at,
        )


class ReleaseOut(msgspec.Struct, kw_only=True):
    name: str
    sha: str
    tag: str
    fingerprint: str
    created_at: str
    description: str

    @classmethod
    def of(cls, release: Release) -> ReleaseOut:
        return cls(
            name=release.name,
            sha=release.sha,
            tag=release.tag,
            fingerprint=release.fingerprint,
            created_at=release.created_at,
            description=release.description,
        )


class ProjectDetail(ProjectOut, kw_only=True):
    environments: list[EnvironmentOut]
    releases: list[ReleaseOut]


class VersionOut(msgspec.Struct, kw_only=True):
    sha: str
    fingerprint: str
    created_at: str
    subject: str
    release: str | None
    info: dict[str, Any]

    @classmethod
    def of(cls, version: Version) -> VersionOut:
        return cls(
            sha=version.sha,
            fingerprint=version.fingerprint,
            created_at=version.created_at,
            subject=version.subject,
            release=version.release,
            info=version.info,
        )


class ExpectedOut(VersionOut, kw_only=True):
    """What an environment expects: its head version."""

    project: str
    env: str


class ObjectName(msgspec.Struct, kw_only=True):
    kind: str
    name: str


class ChangesOut(msgspec.Struct, kw_only=True):
    added: list[ObjectName]
    removed: list[ObjectName]
    modified: list[ObjectName]

    @classmethod
    def of(cls, changes: ObjectChanges) -> ChangesOut:
        def names(keys: tuple[Any, ...]) -> list[ObjectName]:
            return [ObjectName(kind=key.kind.value, name=key.name) for key in keys]

        return cls(
            added=names(changes.added), removed=names(changes.removed), modified=names(changes.modified)
        )


class SnapshotIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    ddl: str
    dialect: str | None = None
    message: str | None = None
    description: str = ""


class SnapshotOut(msgspec.Struct, kw_only=True):
    env: str
    created: bool
    sha: str
    fingerprint: str
    version: VersionOut
    changes: ChangesOut

    @classmethod
    def of(cls, result: SnapshotResult) -> SnapshotOut:
        return cls(
            env=result.env,
            created=result.created,
            sha=result.sha,
            fingerprint=result.fingerprint,
            version=VersionOut.of(result.version),
            changes=ChangesOut.of(result.changes),
        )


class CheckIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Either a fingerprint or DDL to compare with the env's head."""

    fingerprint: str | None = None
    ddl: str | None = None
    dialect: str | None = None


class CheckOut(msgspec.Struct, kw_only=True):
    match: bool
    expected: str  # the env head's fingerprint
    actual: str  # the posted schema's fingerprint
    sha: str  # the env head
    diff: Diff | None  # head -> posted schema; null when only a fingerprint was posted


class PromoteIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename={"from_": "from"}):
    from_: str
    message: str | None = None


class HistoryEntryOut(msgspec.Struct, kw_only=True):
    sha: str
    created_at: str
    subject: str
    fingerprint: str
    release: str | None

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryEntryOut:
        return cls(
            sha=entry.sha,
            created_at=entry.created_at,
            subject=entry.subject,
            fingerprint=entry.fingerprint,
            release=entry.release,
        )


class ObjectOut(msgspec.Struct, kw_only=True):
    kind: str
    name: str
    sql: str
    opaque: bool


class ReleaseIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str
    ref: str
    description: str = ""


class ChangelogOut(msgspec.Struct, kw_only=True, rename={"from_": "from"}):
    from_: str
    to: str
    semver: str
    markdown: str


class ColumnEventOut(msgspec.Struct, kw_only=True):
    sha: str
    created_at: str
    release: str | None
    change: str
    kind: str
    name: str | None
    what: list[str]
    before: str | None
    after: str | None


class TableHistoryOut(msgspec.Struct, kw_only=True):
    table: str
    env: str
    events: list[ColumnEventOut]

    @classmethod
    def of(cls, history: TableHistory) -> TableHistoryOut:
        return cls(
            table=history.table,
            env=history.env,
            events=[
                ColumnEventOut(
                    sha=event.sha,
                    created_at=event.created_at,
                    release=event.release,
                    change=event.change,
                    kind=event.kind,
                    name=event.name,
                    what=list(event.what),
                    before=event.before,
                    after=event.after,
                )
                for event in history.events
            ],
        )


class DriftReportOut(msgspec.Struct, kw_only=True):
    env: str
    received_at: str
    report: dict[str, Any]
