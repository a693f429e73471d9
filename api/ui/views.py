"""What each page shows, read from the registry's public surface and shaped for the templates.

A version never changes meaning once it has a sha, so what is derived from shas alone (highlighted
objects, a diff with its text, a diagram) is kept in a small LRU by sha; what moves (env heads, tags,
drift reports, backups) is read on every request, as the API does.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from markupsafe import Markup

from schemareg.changelog import render_markdown as changelog_markdown
from schemareg.diff import Change, ChangeType, Diff
from schemareg.errors import NotFound
from schemareg.model import CREATION_ORDER, Kind, ObjectKey
from schemareg.service import Environment, HistoryEntry, Registry, Release, Snapshot, TableHistory
from schemareg_api.ui import erd
from schemareg_api.ui.text import diff_table, highlight_sql, render_markdown

__all__ = [
    "BackupSummary",
    "Cache",
    "ChangeView",
    "DiffView",
    "ObjectDiff",
    "ProjectSummary",
    "RefChoice",
    "VersionView",
    "backups",
    "changelog_html",
    "compatibility_level",
    "diagram",
    "diff_view",
    "drift_statuses",
    "history",
    "object_html",
    "project_summary",
    "ref_choices",
    "table_history",
    "version_view",
]

V = TypeVar("V")


class Cache(Generic[V]):
    """A small LRU for what is derived from shas alone (it never goes stale, it only grows old)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


# -- projects ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DriftStatus:
    env: str
    drift: bool
    created_at: str
    changes: int
    report: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BackupSummary:
    name: str
    kind: str
    created_at: str
    size: int
    env: str | None


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    name: str
    dialect: str
    description: str
    environments: list[Environment]
    releases: list[Release]
    drift: dict[str, DriftStatus]
    backups: list[BackupSummary]

    @property
    def latest_release(self) -> Release | None:
        return self.releases[-1] if self.releases else None

    @property
    def last_drift(self) -> DriftStatus | None:
        return max(self.drift.values(), key=lambda status: status.created_at, default=None)

    @property
    def last_backup(self) -> BackupSummary | None:
        return self.backups[0] if self.backups else None


def project_summary(registry: Registry, project: str, backup_dir: Path) -> ProjectSummary:
    settings = registry.project(project)
    return ProjectSummary(
        name=settings.name,
        dialect=settings.dialect,
        description=settings.description,
        environments=registry.environments(project),
        releases=registry.releases(project),
        drift=drift_statuses(registry, project),
        backups=backups(project, backup_dir),
    )


def drift_statuses(registry: Registry, project: str) -> dict[str, DriftStatus]:
    return {
        env: DriftStatus(
            env=env,
            drift=bool(report.get("drift")),
            created_at=str(report.get("created_at", "")),
            changes=len(report.get("changes") or ()),
            report=report,
        )
        for env, report in registry.drift_reports(project).items()
    }


def backups(project: str, directory: Path) -> list[BackupSummary]:
    """The project's backups in the server's backup dir, newest first (what GET .../backups lists)."""
    from schemareg.backup.catalog import LocalStore, list_backups

    if not directory.is_dir():
        return []
    return [
        BackupSummary(
            name=entry.manifest.name,
            kind=entry.manifest.kind,
            created_at=entry.manifest.created_at,
            size=entry.manifest.size,
            env=entry.manifest.env,
        )
        for entry in list_backups([LocalStore(directory)])
        if entry.manifest.project == project
    ]


def compatibility_level(registry: Registry, project: str, env: str) -> str | None:
    """The env's compatibility level: none (the default), backward, backward_transitive or additive."""
    return registry.compatibility(project, env).value


_HISTORIES: Cache[list[HistoryEntry]] = Cache(64)


def history(registry: Registry, project: str, env: str, *, limit: int) -> list[HistoryEntry]:
    """An env's snapshots, newest first: read again only when its head or the tags move."""
    head = registry.head(project, env)
    return _HISTORIES.get(
        (registry.data_dir, project, env, head, limit), lambda: registry.history(project, env, limit=limit)
    )


# -- refs to pick from ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RefChoice:
    group: str  # environment | release | snapshot
    ref: str
    label: str


def ref_choices(
    registry: Registry, project: str, environments: list[Environment], *, recent: int = 15
) -> list[tuple[str, list[RefChoice]]]:
    """Envs, releases (newest first) and the most recent snapshots of every env, for the diff picker,
    in groups (title, choices)."""
    choices = [RefChoice("environment", env.name, f"{env.name} ({env.sha[:12]})") for env in environments]
    choices += [
        RefChoice("release", release.name, f"{release.name} ({release.sha[:12]})")
        for release in reversed(registry.releases(project))
    ]
    seen: dict[str, HistoryEntry] = {}
    for env in environments:
        for entry in history(registry, project, env.name, limit=recent):
            seen.setdefault(entry.sha, entry)
    newest = sorted(seen.values(), key=lambda entry: (entry.created_at, entry.sha), reverse=True)[:recent]
    choices += [
        RefChoice("snapshot", entry.sha, f"{entry.sha[:12]} {entry.created_at} {entry.subject[:50]}")
        for entry in newest
    ]
    titles = {"environment": "Environments", "release": "Releases", "snapshot": "Recent snapshots"}
    return [
        (title, [choice for choice in choices if choice.group == group])
        for group, title in titles.items()
        if any(choice.group == group for choice in choices)
    ]


# -- a version -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ObjectView:
    kind: Kind
    name: str
    path: str  # in the git tree
    opaque: bool


@dataclass(frozen=True, slots=True)
class VersionView:
    version: Snapshot
    groups: list[tuple[Kind, list[ObjectView]]]
    tables: list[str]

    @property
    def count(self) -> int:
        return sum(len(objects) for _, objects in self.groups)


_VERSIONS: Cache[VersionView] = Cache(32)
_OBJECTS: Cache[Markup] = Cache(4096)


def version_view(registry: Registry, project: str, ref: str) -> VersionView:
    """A version's objects grouped by kind (their DDL is highlighted one by one, by `object_html`)."""
    version = registry.version(project, ref)

    def make() -> VersionView:
        grouped: dict[Kind, list[ObjectView]] = {}
        for item in registry.objects(project, version.sha):
            grouped.setdefault(item.kind, []).append(
                ObjectView(
                    kind=item.kind,
                    name=item.name,
                    path=ObjectKey(item.kind, item.name).filename,
                    opaque=item.opaque,
                )
            )
        order = {kind: index for index, kind in enumerate(CREATION_ORDER)}
        groups = sorted(grouped.items(), key=lambda pair: order.get(pair[0], len(order)))
        tables = [item.name for item in grouped.get(Kind.TABLE, [])]
        return VersionView(version=version, groups=groups, tables=tables)

    view = _VERSIONS.get((registry.data_dir, project, version.sha), make)
    # The release of a sha can change (a later tag), the rest cannot.
    return view if view.version == version else VersionView(version, view.groups, view.tables)


def object_html(registry: Registry, project: str, version: Snapshot, kind: str, name: str) -> Markup:
    """One object's canonical DDL, highlighted (kept per sha: it never changes)."""

    def make() -> Markup:
        dialect = version.info.dialect or registry.project(project).dialect
        return highlight_sql(registry.object_sql(project, version.sha, kind, name), dialect)

    return _OBJECTS.get((registry.data_dir, project, version.sha, kind, name), make)


# -- a diff --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangeView:
    change: str
    kind: str
    name: str | None
    what: tuple[str, ...]
    before: str | None
    after: str | None
    severity: str
    reason: str
    code: str | None  # the rule code, when the diff gives one
    title: str  # that rule's one-line title


@dataclass(slots=True)
class ObjectDiff:
    kind: str
    name: str  # schema-qualified; for a possible rename, the old name
    renamed_to: str | None
    severity: str  # the worst of its changes
    changes: list[ChangeView] = field(default_factory=list)
    unified: Markup = field(default_factory=Markup)
    split: Markup = field(default_factory=Markup)

    @property
    def path(self) -> str:
        kind = Kind(self.kind) if self.kind in Kind._value2member_map_ else Kind.OTHER
        return ObjectKey(kind, self.name).filename


@dataclass(frozen=True, slots=True)
class DiffView:
    from_ref: str
    to_ref: str
    from_sha: str
    to_sha: str
    semver: str
    objects: list[ObjectDiff]
    counts: dict[str, int]  # changes per severity

    @property
    def renames(self) -> list[tuple[str, str, str]]:
        """Every possible rename as (kind, old, new): of an object, or of a column, constraint or index
        (then with its table's name)."""
        found: list[tuple[str, str, str]] = []
        for item in self.objects:
            for change in item.changes:
                if change.change == ChangeType.POSSIBLE_RENAME.value and change.after is not None:
                    where = f"{item.name}." if change.name is not None else ""
                    old = change.name if change.name is not None else item.name
                    found.append((change.kind, where + old, where + change.after))
        return found

    @property
    def total(self) -> int:
        return sum(len(item.changes) for item in self.objects)


_DIFFS: Cache[tuple[Diff, list[ObjectDiff], dict[str, int]]] = Cache(32)
_RANK = {"safe": 0, "risky": 1, "breaking": 2}


def diff_view(registry: Registry, project: str, from_ref: str, to_ref: str) -> DiffView:
    from_sha, to_sha = registry.resolve(project, from_ref), registry.resolve(project, to_ref)

    def make() -> tuple[Diff, list[ObjectDiff], dict[str, int]]:
        diff = registry.diff(project, from_sha, to_sha)
        before = registry.schema_at(project, from_sha).rendered()
        after = registry.schema_at(project, to_sha).rendered()
        by_object: dict[tuple[str, str], ObjectDiff] = {}
        counts: dict[str, int] = {}
        for change in diff.changes:
            kind = change.object_kind
            rename = change.name is None and change.change is ChangeType.POSSIBLE_RENAME
            item = by_object.setdefault(
                (kind, change.object),
                ObjectDiff(kind=kind, name=change.object, renamed_to=None, severity="safe"),
            )
            if rename:
                item.renamed_to = change.after
            item.changes.append(
                ChangeView(
                    change=change.change.value,
                    kind=change.kind,
                    name=change.name,
                    what=tuple(change.what),
                    before=change.before,
                    after=change.after,
                    severity=change.severity.value,
                    reason=change.reason,
                    code=_rule_code(change),
                    title=change.title,
                )
            )
            if _RANK.get(change.severity.value, 0) > _RANK.get(item.severity, 0):
                item.severity = change.severity.value
            counts[change.severity.value] = counts.get(change.severity.value, 0) + 1
        for item in by_object.values():
            key = _key(item.kind, item.name)
            old = before.get(key)
            new = after.get(_key(item.kind, item.renamed_to)) if item.renamed_to else after.get(key)
            item.unified = diff_table(old, new, split=False)
            item.split = diff_table(old, new, split=True)
        return diff, list(by_object.values()), counts

    diff, objects, counts = _DIFFS.get((registry.data_dir, project, from_sha, to_sha), make)
    return DiffView(
        from_ref=from_ref,
        to_ref=to_ref,
        from_sha=from_sha,
        to_sha=to_sha,
        semver=diff.semver.value,
        objects=objects,
        counts=counts,
    )


def _key(kind: str, name: str) -> ObjectKey:
    return ObjectKey(Kind(kind) if kind in Kind._value2member_map_ else Kind.OTHER, name)


def _rule_code(change: Change) -> str | None:
    """The code of the rule that decided the change's severity (docs/diff.md lists them)."""
    return change.rule or None


_CHANGELOGS: Cache[tuple[str, Markup]] = Cache(32)


def changelog_html(
    registry: Registry, project: str, from_ref: str, to_ref: str, title: str | None
) -> tuple[str, Markup]:
    """The changelog markdown exactly as GET .../changelog serves it, and its HTML."""
    from_sha, to_sha = registry.resolve(project, from_ref), registry.resolve(project, to_ref)

    def make() -> tuple[str, Markup]:
        markdown = changelog_markdown(registry.diff(project, from_ref, to_ref), title or to_ref)
        return markdown, render_markdown(markdown)

    # The labels are part of the text, so they are part of the key.
    return _CHANGELOGS.get((registry.data_dir, project, from_sha, to_sha, from_ref, to_ref, title), make)


# -- a table's history and a diagram -------------------------------------------------------------------


_TABLES: Cache[TableHistory] = Cache(64)


def table_history(
    registry: Registry, project: str, table: str, env: str | None, environments: list[Environment]
) -> TableHistory:
    """A table's history along `env`; with none, along production, else the first env (as the core
    chooses), else the first other env whose history has the table (a page links to a table it shows
    without knowing which env it came through). Read again only when that env's head or the tags move."""
    names = sorted(found.name for found in environments)
    if env:
        candidates = [env]
    else:
        first = "production" if "production" in names else (names[0] if names else "")
        candidates = [first, *(name for name in names if name != first)] if names else []
    if not candidates:
        return registry.table_history(project, table)  # the core says why there is nothing to show
    missing: NotFound | None = None
    for candidate in candidates:
        head = registry.head(project, candidate)
        try:
            return _TABLES.get(
                (registry.data_dir, project, table, candidate, head),
                functools.partial(registry.table_history, project, table, env=candidate),
            )
        except NotFound as error:
            missing = missing or error
    assert missing is not None
    raise missing


_DIAGRAMS: Cache[tuple[erd.Diagram, str]] = Cache(32)


def diagram(
    registry: Registry,
    project: str,
    sha: str,
    *,
    only_schema: str | None,
    focus: str | None,
    depth: int,
    link: Callable[[str], str],
) -> tuple[erd.Diagram, Markup]:
    def make() -> tuple[erd.Diagram, str]:
        built = erd.build_diagram(
            registry.schema_at(project, sha), only_schema=only_schema, focus=focus, depth=depth
        )
        return built, erd.render_svg(built, link)

    built, svg = _DIAGRAMS.get((registry.data_dir, project, sha, only_schema, focus, depth), make)
    return built, Markup(svg)
