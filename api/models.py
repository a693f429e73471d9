"""The wire models of the REST API: msgspec Structs, converted from the registry's values at the edge."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

import msgspec

from schemareg.diff import Change, Diff
from schemareg.names import MAX_TEXT_LENGTH, TEXT_PATTERN
from schemareg.snapshots import SnapshotInfo

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


Self = TypeVar("Self", bound="WireModel")

# What the server accepts, stated in the OpenAPI document (the registry's checks are the authority; the
# tests hold these patterns to them).
NAME_PATTERN = (
    r"^(?![0-9a-f]{4,40}$)(?!HEAD$)(?!.*\.\.)(?!.*(?:\.|\.lock|\.git)$)[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
)
RELEASE_PATTERN = (
    r"^(?![-/])(?!@$)(?![0-9a-f]{4,40}$)(?![A-Z_]*HEAD$)(?!(?:refs|heads|tags|remotes)/)"
    r"(?!.*(?:\.\.|@\{|//|/\.|\.lock/|\.lock$|\.$|/$))(?!\.)[!-)+-9;->@-Z\]_-}]{1,200}$"
)
# Somewhere a character that Python's str.strip() keeps: the server strips refs and DDL bodies, and
# refuses what is left empty.
NOT_BLANK_PATTERN = "[^\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
DIALECTS = ("postgres", "mysql", "sqlite")
Text = Annotated[str, msgspec.Meta(pattern=TEXT_PATTERN, max_length=MAX_TEXT_LENGTH)]
ReleaseName = Annotated[str, msgspec.Meta(pattern=RELEASE_PATTERN, min_length=1, max_length=200)]
Ref = Annotated[str, msgspec.Meta(pattern=NOT_BLANK_PATTERN, min_length=1, max_length=200)]
Dialect = Literal["postgres", "mysql", "sqlite"]


class WireModel(msgspec.Struct, kw_only=True):
    """An answer built from a registry value by its attributes: same names, wire types (tuples become
    lists, enums their values); nested values convert the same way."""

    @classmethod
    def of(cls: type[Self], value: object) -> Self:
        return msgspec.convert(value, cls, from_attributes=True)


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details; `line` and `column` for a parse error."""

    type: str
    title: str
    status: int
    detail: str = ""
    instance: str | None = None
    line: int | None = None
    column: int | None = None
    # a write refused by a compatibility level or the release semver policy: what refused it, the
    # baselines it was checked against, and the offending changes in the diff JSON shape
    guard: str | None = None
    against: list[str] = msgspec.field(default_factory=list)
    changes: list[Change] = msgspec.field(default_factory=list)
    limit: str | None = None  # the setting that refused the request (413 and 422 from a limit)


class Health(msgspec.Struct, kw_only=True):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


class ProjectIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    dialect: Dialect | None = None
    description: Text | None = None
    # The env the repo's HEAD (what `git clone` checks out), `log` and table history default to; "" clears.
    default_env: Annotated[str, msgspec.Meta(pattern=f"^$|{NAME_PATTERN}", max_length=100)] | None = None
    # fixed once the project has a snapshot (409 then): the same DDL never gets two fingerprints
    engine: Literal["sqlglot", "postgres"] | None = None


class ProjectOut(WireModel, kw_only=True):
    name: str
    dialect: str
    description: str
    default_env: str | None = None  # the setting (None: production if it exists, else the first env)
    engine: str = "sqlglot"


class EnvironmentOut(WireModel, kw_only=True):
    name: str
    sha: str
    fingerprint: str
    release: str | None
    created_at: str


class ReleaseOut(WireModel, kw_only=True, omit_defaults=True):
    name: str
    sha: str
    tag: str
    fingerprint: str
    created_at: str
    description: str
    warning: str | None = None  # just made with a semver bump smaller than its changes need (warn)


class ProjectDetail(ProjectOut, kw_only=True):
    environments: list[EnvironmentOut]
    releases: list[ReleaseOut]


class VersionOut(WireModel, kw_only=True):
    sha: str
    fingerprint: str
    created_at: str
    subject: str
    release: str | None
    info: SnapshotInfo  # info.json as the commit has it


class ExpectedOut(VersionOut, kw_only=True):
    """What an environment expects: its head version."""

    project: str
    env: str


class ObjectName(WireModel, kw_only=True):
    kind: str
    name: str


class ChangesOut(WireModel, kw_only=True):
    added: list[ObjectName]
    removed: list[ObjectName]
    modified: list[ObjectName]


class WarningOut(WireModel, kw_only=True):
    """What the normaliser said of one statement of the posted DDL: where (1-based), what, and what became
    of it (`kept as opaque`: as written; `ignored`: not applied)."""

    line: int
    column: int
    message: str
    outcome: str
    statement: str  # its first 200 characters


class SnapshotIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    ddl: str
    dialect: Dialect | None = None
    message: Text | None = None
    description: Text = ""


class SnapshotOut(WireModel, kw_only=True):
    env: str
    created: bool
    sha: str
    fingerprint: str
    version: VersionOut
    changes: ChangesOut
    warnings: list[WarningOut] = msgspec.field(default_factory=list)


class CheckIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Either a fingerprint or DDL to compare with the env's head."""

    fingerprint: str | None = None
    ddl: str | None = None
    dialect: Dialect | None = None


class CheckOut(msgspec.Struct, kw_only=True):
    match: bool
    expected: str  # the env head's fingerprint
    actual: str  # the posted schema's fingerprint
    sha: str  # the env head
    diff: Diff | None  # head -> posted schema; null when only a fingerprint was posted
    compatibility: str = "none"  # the env's level
    refused: list[RefusedOut] = msgspec.field(default_factory=list)  # why a post would be a 409


class EnvironmentConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An env's settings: its compatibility level (none, backward, backward_transitive, additive)."""

    compatibility: Literal["none", "backward", "backward_transitive", "additive"]


class RefusedOut(WireModel, kw_only=True):
    """What a post would be refused for: the env's level, the baseline, and the offending changes."""

    against: str
    changes: list[Change]


class PromoteIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename={"from_": "from"}):
    from_: Ref
    message: Text | None = None


class HistoryEntryOut(WireModel, kw_only=True):
    sha: str
    created_at: str
    subject: str
    fingerprint: str
    release: str | None


class ObjectOut(msgspec.Struct, kw_only=True):
    kind: str
    name: str
    sql: str
    opaque: bool


class ReleaseIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: ReleaseName
    ref: Ref
    description: Text = ""


class ChangelogOut(msgspec.Struct, kw_only=True, rename={"from_": "from"}):
    from_: str
    to: str
    semver: str
    markdown: str


class ColumnEventOut(WireModel, kw_only=True):
    sha: str
    created_at: str
    release: str | None
    change: str
    kind: str
    name: str | None
    what: list[str]
    before: str | None
    after: str | None


class TableHistoryOut(WireModel, kw_only=True):
    table: str
    env: str
    events: list[ColumnEventOut]


class DriftReportOut(msgspec.Struct, kw_only=True):
    env: str
    received_at: str
    report: dict[str, Any]
