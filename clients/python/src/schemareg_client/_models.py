"""What the API answers, as typed msgspec Structs. They mirror the server's wire models (a test checks
every field against the server's OpenAPI document); unknown fields are ignored, so a newer server that
adds fields does not break an older client."""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = [
    "Change",
    "Changelog",
    "Changes",
    "Check",
    "ColumnEvent",
    "Diff",
    "DriftRecord",
    "Environment",
    "Expected",
    "HistoryEntry",
    "ObjectName",
    "Problem",
    "Project",
    "ProjectDetail",
    "Release",
    "SchemaObject",
    "SchemaWarning",
    "SnapshotResult",
    "TableHistory",
    "Version",
]


class Problem(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details, as every error answer carries them; `line` and `column` for a parse error."""

    type: str = "about:blank"
    title: str = ""
    status: int = 0
    detail: str = ""
    instance: str | None = None
    line: int | None = None
    column: int | None = None
    # a write refused by a compatibility level or the release semver policy (Incompatible)
    guard: str | None = None
    against: list[str] = msgspec.field(default_factory=list)
    changes: list[Change] = msgspec.field(default_factory=list)


class Project(msgspec.Struct, kw_only=True):
    name: str
    dialect: str
    description: str
    default_env: str | None = None  # what the repo's HEAD points at (None: production, else the first env)
    engine: str = "sqlglot"  # the normalisation engine, fixed for the project's history


class Environment(msgspec.Struct, kw_only=True):
    """An environment and its head."""

    name: str
    sha: str
    fingerprint: str
    release: str | None
    created_at: str


class Release(msgspec.Struct, kw_only=True):
    name: str
    sha: str
    tag: str
    fingerprint: str
    created_at: str
    description: str
    warning: str | None = None  # just made with a semver bump smaller than its changes need


class ProjectDetail(Project, kw_only=True):
    environments: list[Environment]
    releases: list[Release]


class Version(msgspec.Struct, kw_only=True):
    """One snapshot: a commit `sha` and the `fingerprint` of its schema; `info` is its info.json."""

    sha: str
    fingerprint: str
    created_at: str
    subject: str
    release: str | None
    info: dict[str, Any]


class Expected(Version, kw_only=True):
    """The version an environment expects: its head."""

    project: str
    env: str


class ObjectName(msgspec.Struct, kw_only=True):
    kind: str
    name: str


class Changes(msgspec.Struct, kw_only=True):
    """The objects a snapshot added, removed and modified against the env's previous head."""

    added: list[ObjectName]
    removed: list[ObjectName]
    modified: list[ObjectName]


class SchemaWarning(msgspec.Struct, kw_only=True):
    """What the normaliser said of one statement of posted DDL: where (1-based), what, and what became of
    it (`kept as opaque`: as written; `ignored`: not applied)."""

    line: int
    column: int
    message: str
    outcome: str
    statement: str


class SnapshotResult(msgspec.Struct, kw_only=True):
    """A posted snapshot or a promotion: `created` is False when the env had that fingerprint already;
    `warnings`, what the normaliser said of the posted DDL (older servers send none)."""

    env: str
    created: bool
    sha: str
    fingerprint: str
    version: Version
    changes: Changes
    warnings: list[SchemaWarning] = msgspec.field(default_factory=list)


class Change(msgspec.Struct, kw_only=True):
    """One change of a diff (DESIGN.md's shape); `name` is the column, index or constraint, if any."""

    change: str  # add | remove | modify | move | possible_rename
    kind: str
    object: str
    severity: str  # breaking | risky | safe
    name: str | None = None
    what: list[str] = msgspec.field(default_factory=list)
    before: str | None = None
    after: str | None = None
    rule: str = ""  # the rule code (the server's docs/diff.md lists them)
    title: str = ""  # that rule's one-line title
    reason: str = ""

    def __str__(self) -> str:
        target = f"{self.object}.{self.name}" if self.name else self.object
        what = f" ({', '.join(self.what)})" if self.what else ""
        rule = f" {self.rule}" if self.rule else ""
        return f"{self.change} {self.kind} {target}{what} [{self.severity}{rule}]"


class Diff(msgspec.Struct, kw_only=True, rename={"from_": "from"}):
    from_: str
    to: str
    semver: str  # major | minor | patch | none
    changes: list[Change]


class Check(msgspec.Struct, kw_only=True):
    """A live schema against the env's head: `diff` (head -> posted) is None when a fingerprint was posted."""

    match: bool
    expected: str
    actual: str
    sha: str
    diff: Diff | None
    compatibility: str = "none"  # the env's level
    refused: list[Refused] = msgspec.field(default_factory=list)  # why posting it would be a 409


class Refused(msgspec.Struct, kw_only=True):
    """The changes the env's compatibility level refuses against one baseline (its head, or a release)."""

    against: str
    changes: list[Change]


class HistoryEntry(msgspec.Struct, kw_only=True):
    sha: str
    created_at: str
    subject: str
    fingerprint: str
    release: str | None


class ColumnEvent(msgspec.Struct, kw_only=True):
    """A change to one table at one commit (a column, constraint or index, or the table itself)."""

    sha: str
    created_at: str
    release: str | None  # the first release that shipped it (None: not released yet)
    change: str
    kind: str
    name: str | None
    what: list[str] = msgspec.field(default_factory=list)
    before: str | None = None
    after: str | None = None


class TableHistory(msgspec.Struct, kw_only=True):
    """When each column of a table appeared or changed along an env's history."""

    table: str
    env: str
    events: list[ColumnEvent]


class DriftRecord(msgspec.Struct, kw_only=True):
    """A drift report as the server stored it, for an env."""

    env: str
    received_at: str
    report: dict[str, Any]


class SchemaObject(msgspec.Struct, kw_only=True):
    """One canonical object of a version."""

    kind: str
    name: str
    sql: str
    opaque: bool


class Changelog(msgspec.Struct, kw_only=True, rename={"from_": "from"}):
    from_: str
    to: str
    semver: str
    markdown: str
