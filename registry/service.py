"""The registry's porcelain: projects, snapshots, environments, releases, promotion and history.

The CLI and the API use this module only; it turns the git store (`registry.store`) into those verbs.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import msgspec

from schemareg.changelog import render_markdown
from schemareg.diff import Diff, DiffRules, diff_schemas
from schemareg.engine import normalize_ddl
from schemareg.errors import Conflict, InputError, InvalidName, NotFound
from schemareg.model import FOLDERS, CanonicalObject, Kind, ObjectKey, Schema
from schemareg.normalize import normalize, normalizer_info, remember
from schemareg.normalize.options import DEFAULT_OPTIONS, NormalizeOptions
from schemareg.projects import CONFIG_FILE, Project, atomic_write, check_dialect, read_config, write_config
from schemareg.render import render_schema_sql
from schemareg.store import (
    BRANCH_PREFIX,
    TAG_PREFIX,
    CommitInfo,
    GcResult,
    ProjectRepo,
    check_env_name,
    check_project_name,
    check_release_name,
)

__all__ = [
    "CONFIG_FILE",
    "ColumnEvent",
    "Environment",
    "HistoryEntry",
    "ObjectChanges",
    "Project",
    "Registry",
    "Release",
    "SnapshotMetadata",
    "SnapshotResult",
    "TableHistory",
    "Version",
]

Source = Literal["ddl", "introspection"]
_SQLGLOT_VERSION = package_version("sqlglot")

K = TypeVar("K")
V = TypeVar("V")


# -- values --------------------------------------------------------------------------------------------


class SnapshotMetadata(msgspec.Struct, frozen=True, kw_only=True):
    """What the source knows about the database besides its schema (filled by introspection)."""

    database_version: str | None = None  # "PostgreSQL 15.5"
    migration_tool: str | None = None  # "alembic", "flyway", ...
    migration_count: int | None = None
    last_migration: str | None = None


class Version(msgspec.Struct, frozen=True, kw_only=True):
    """One snapshot commit: what an environment expects, or what a release or sha names."""

    sha: str
    fingerprint: str
    created_at: str
    subject: str
    release: str | None  # the latest release with this fingerprint, if any
    info: dict[str, Any]


class ObjectChanges(msgspec.Struct, frozen=True, kw_only=True):
    """Which objects a commit added, removed or changed, by their files (cheap: no parsing)."""

    added: tuple[ObjectKey, ...] = ()
    removed: tuple[ObjectKey, ...] = ()
    modified: tuple[ObjectKey, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.modified)

    def summary(self) -> str:
        def count(keys: tuple[ObjectKey, ...], tables: bool) -> int:
            return sum((key.kind is Kind.TABLE) == tables for key in keys)

        tables = [count(keys, True) for keys in (self.added, self.removed, self.modified)]
        others = [count(keys, False) for keys in (self.added, self.removed, self.modified)]
        parts = []
        if sum(tables) or not sum(others):
            noun = "table" if sum(tables) == 1 else "tables"
            parts.append(f"{sum(tables)} {noun} changed (+{tables[0]} -{tables[1]} ~{tables[2]})")
        if sum(others):
            noun = "other object" if sum(others) == 1 else "other objects"
            parts.append(f"{sum(others)} {noun} changed (+{others[0]} -{others[1]} ~{others[2]})")
        return ", ".join(parts)


class SnapshotResult(msgspec.Struct, frozen=True, kw_only=True):
    env: str
    created: bool  # False: the env head had this fingerprint already, nothing was committed
    version: Version
    changes: ObjectChanges

    @property
    def sha(self) -> str:
        return self.version.sha

    @property
    def fingerprint(self) -> str:
        return self.version.fingerprint


class Release(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    sha: str  # the release commit
    tag: str  # the annotated tag object
    fingerprint: str
    created_at: str
    description: str


class Environment(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    sha: str
    fingerprint: str
    release: str | None
    created_at: str


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    sha: str
    created_at: str
    subject: str
    fingerprint: str
    release: str | None


class ColumnEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A change to one table at one commit: a column added, removed or modified, or the table itself."""

    sha: str
    created_at: str
    release: str | None  # the first release that shipped it (None: not released yet)
    change: str  # add | remove | modify | move | possible_rename
    kind: str  # table | column | constraint | index
    name: str | None  # the column, constraint or index
    what: tuple[str, ...] = ()
    before: str | None = None
    after: str | None = None


class TableHistory(msgspec.Struct, frozen=True, kw_only=True):
    table: str
    env: str
    events: list[ColumnEvent]


# -- helpers -------------------------------------------------------------------------------------------


class _LRU(Generic[K, V]):
    """A small thread-safe LRU: parsed schemas and info.json by commit sha (immutable, so never stale)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


_KIND_BY_FOLDER = {folder: kind for kind, folder in FOLDERS.items()}


def _key_of_path(path: str) -> ObjectKey | None:
    parts = path.split("/")
    if len(parts) != 3 or parts[0] != "objects" or not parts[2].endswith(".sql"):
        return None
    kind = _KIND_BY_FOLDER.get(parts[1])
    if kind is None:
        return None
    return ObjectKey(kind, parts[2].removesuffix(".sql").replace("%2F", "/"))


def _object_changes(before: Mapping[str, str], after: Mapping[str, str]) -> ObjectChanges:
    """Compare two `path -> blob sha` maps of snapshot trees by their object files."""
    old = {key: sha for path, sha in before.items() if (key := _key_of_path(path))}
    new = {key: sha for path, sha in after.items() if (key := _key_of_path(path))}
    return ObjectChanges(
        added=tuple(sorted(new.keys() - old.keys())),
        removed=tuple(sorted(old.keys() - new.keys())),
        modified=tuple(sorted(key for key in old.keys() & new.keys() if old[key] != new[key])),
    )


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _message(subject: str, body: list[str]) -> str:
    return subject + ("\n\n" + "\n".join(body) if body else "")


def _change_lines(changes: ObjectChanges, limit: int = 50) -> list[str]:
    lines = [f"+ {key.kind.value} {key.name}" for key in changes.added]
    lines += [f"- {key.kind.value} {key.name}" for key in changes.removed]
    lines += [f"~ {key.kind.value} {key.name}" for key in changes.modified]
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more"]
    return lines


# -- the registry --------------------------------------------------------------------------------------


class Registry:
    """The registry of one data dir: one bare git repo per project (`<data_dir>/<project>.git`).

    Reads never take the write lock. Env heads are read from their ref (one small file) on each call and
    everything derived from a commit (info.json, parsed schema) is cached by sha, so `expected()` stays
    cheap and still sees writes made by other processes.
    """

    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir)
        self._repos: dict[str, ProjectRepo] = {}
        self._repos_lock = threading.Lock()
        self._configs: dict[str, tuple[int, Project, DiffRules]] = {}
        self._infos: _LRU[tuple[str, str], dict[str, Any]] = _LRU(8192)
        self._schemas: _LRU[tuple[str, str], Schema] = _LRU(64)
        self._versions: _LRU[tuple[str, str], tuple[tuple[int, int], Version]] = _LRU(8192)
        self._releases: dict[str, tuple[tuple[int, int], list[Release]]] = {}

    def close(self) -> None:
        """Close the open repos (their pack files); the registry can be used again afterwards."""
        with self._repos_lock:
            repos, self._repos = list(self._repos.values()), {}
        for repo in repos:
            repo.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- projects -------------------------------------------------------------------------------------

    def repo_path(self, project: str) -> Path:
        return self.data_dir / f"{check_project_name(project)}.git"

    def init_project(
        self,
        name: str,
        dialect: str = "postgres",
        description: str = "",
        *,
        diff_rules: Mapping[str, Any] | None = None,
    ) -> Project:
        """Create a project (Conflict if it exists)."""
        path = self.repo_path(name)
        dialect = check_dialect(dialect)
        repo = ProjectRepo.create(path)
        write_config(path, Project(name=name, dialect=dialect, description=description), diff_rules)
        with self._repos_lock:
            self._repos[name] = repo
        return self.project(name)

    def update_project(
        self, name: str, *, dialect: str | None = None, description: str | None = None
    ) -> Project:
        current = self.project(name)
        repo = self._repo(name)
        with self._write(repo):
            updated = Project(
                name=name,
                dialect=check_dialect(dialect) if dialect else current.dialect,
                description=current.description if description is None else description,
                normalize=current.normalize,
            )
            write_config(repo.path, updated, read_config(repo.path, name).diff)
        return updated

    def projects(self) -> list[Project]:
        if not self.data_dir.is_dir():
            return []
        names = sorted(
            entry.name.removesuffix(".git")
            for entry in self.data_dir.iterdir()
            if entry.name.endswith(".git") and (entry / CONFIG_FILE).is_file()
        )
        return [self.project(name) for name in names]

    def project(self, name: str) -> Project:
        return self._config(name)[0]

    def rules(self, project: str) -> DiffRules:
        """The project's diff ignore rules (the `[diff]` table of its config)."""
        return self._config(project)[1]

    # -- snapshots ------------------------------------------------------------------------------------

    def snapshot(
        self,
        project: str,
        env: str,
        schema: Schema | str,
        *,
        dialect: str | None = None,
        message: str | None = None,
        source: Source = "ddl",
        description: str = "",
        seed_data: str | None = None,
        metadata: SnapshotMetadata | None = None,
    ) -> SnapshotResult:
        """Commit a schema on an env's branch, unless the env head has the same fingerprint already.

        `schema` is a normalised Schema or DDL text (normalised here, in the project's dialect unless
        `dialect` says otherwise). With `seed_data`, a changed seed makes a commit too.
        """
        check_env_name(env)
        settings = self.project(project)
        if isinstance(schema, str):
            schema = normalize_ddl(
                schema,
                dialect or settings.dialect,
                engine=settings.normalize.engine,
                options=settings.normalize,
            ).schema
        repo = self._repo(project)
        branch = BRANCH_PREFIX + env
        fingerprint = schema.fingerprint
        schema_sql = render_schema_sql(schema)  # rendered before taking the lock: it needs no head
        # The next snapshot diffs against this one, read back from schema.sql: let that cost a lookup.
        remember(schema_sql, schema, options=settings.normalize)
        with self._write(repo):
            head = repo.ref(branch)
            if head is not None and self._unchanged(project, repo, head, fingerprint, seed_data):
                return SnapshotResult(
                    env=env, created=False, version=self.version(project, head), changes=ObjectChanges()
                )
            now = time.time()
            label = f"snapshot-{datetime.fromtimestamp(int(now), UTC):%Y%m%dT%H%M%SZ}"
            files = self._snapshot_files(
                settings,
                schema,
                schema_sql,
                version=label,
                created_at=_iso(now),
                source=source,
                description=description,
                seed_data=seed_data,
                metadata=metadata,
                readme_base=self._schema_at_sha(project, head) if head else None,
                readme_title=label,
                readme_from=head[:12] if head else "an empty schema",
            )
            old_files = repo.files(repo.commit(head).tree) if head else {}
            changes = _object_changes(old_files, self._object_shas(files))
            subject = f"snapshot {env}: " + (changes.summary() if head else _initial(schema))
            body = [*([message] if message else []), f"fingerprint: {fingerprint}", f"source: {source}"]
            body += _change_lines(changes) if head else []
            sha = self._commit(repo, branch, head, files, _message(subject, body), when=int(now))
            self._schemas.put((project, sha), schema)
            return SnapshotResult(env=env, created=True, version=self.version(project, sha), changes=changes)

    def expected(self, project: str, env: str) -> Version:
        """What an environment expects: its head. The hot path: one ref read, the rest cached by sha."""
        repo = self._repo(project)
        head = repo.ref(BRANCH_PREFIX + check_env_name(env))
        if head is None:
            raise NotFound(f"no environment {env!r} in project {project!r}")
        return self._version(project, head)

    def head(self, project: str, env: str) -> tuple[str, tuple[int, int]]:
        """The env's head sha and the tags stamp, without reading any object: what a cache of
        `expected()` answers is keyed by (a release tag changes the answer for the same head)."""
        repo = self._repo(project)
        sha = repo.branch_head(check_env_name(env))
        if sha is None:
            raise NotFound(f"no environment {env!r} in project {project!r}")
        return sha, repo.tags_stamp()

    def generation(self, project: str) -> int | None:
        """A number that changes whenever any process moves a ref of the project (None: unknown, look at
        the refs). Read from memory: the hot path asks it on every request."""
        repo = self._repos.get(project)
        return None if repo is None else repo.generation.read()

    def environments(self, project: str) -> list[Environment]:
        repo = self._repo(project)
        found = []
        for name, sha in sorted(repo.branches().items()):
            version = self.version(project, sha)
            found.append(
                Environment(
                    name=name,
                    sha=sha,
                    fingerprint=version.fingerprint,
                    release=version.release,
                    created_at=version.created_at,
                )
            )
        return found

    def promote(self, project: str, env: str, from_: str, *, message: str | None = None) -> SnapshotResult:
        """Make `env` expect what another env, a release or a sha has: a new commit with that tree."""
        check_env_name(env)
        repo = self._repo(project)
        source = self.resolve(project, from_)
        source_version = self.version(project, source)
        branch = BRANCH_PREFIX + env
        with self._write(repo):
            head = repo.ref(branch)
            if head is not None and self.version(project, head).fingerprint == source_version.fingerprint:
                return SnapshotResult(
                    env=env, created=False, version=self.version(project, head), changes=ObjectChanges()
                )
            tree = repo.commit(source).tree
            changes = _object_changes(repo.files(repo.commit(head).tree) if head else {}, repo.files(tree))
            label = from_ if from_ != source else source[:12]
            subject = f"promote {label} to {env}: " + (changes.summary() if head else "initial")
            body = [
                *([message] if message else []),
                f"promoted-from: {from_} {source}",
                f"fingerprint: {source_version.fingerprint}",
                *(_change_lines(changes) if head else []),
            ]
            commit = repo.write_commit(tree, [head] if head else [], _message(subject, body))
            repo.set_ref(branch, head, commit, message=subject)
            self._ensure_head(repo, env)
            return SnapshotResult(
                env=env, created=True, version=self.version(project, commit), changes=changes
            )

    # -- releases -------------------------------------------------------------------------------------

    def release(
        self,
        project: str,
        name: str,
        ref: str | None = None,
        *,
        description: str = "",
        env: str | None = None,
        schema: Schema | str | None = None,
        dialect: str | None = None,
        seed_data: str | None = None,
        metadata: SnapshotMetadata | None = None,
        source: Source = "ddl",
    ) -> Release:
        """Cut an immutable release (an annotated tag; Conflict if the name is taken).

        The release is its own commit: the tree of `ref` (or of `env` after snapshotting `schema` into
        it) with info.json naming the release and README.md holding the changelog against the previous
        release. When the source is an env head, the env's branch moves to the release commit so that
        `git log <env>` shows it; otherwise the commit hangs off its source and only the tag names it.
        """
        check_release_name(name)
        repo = self._repo(project)
        if repo.ref(TAG_PREFIX + name) is not None:
            raise Conflict(f"release {name!r} exists already; releases are immutable")
        if schema is not None or seed_data is not None:
            if env is None:
                raise InputError("a release from a schema needs the env to snapshot it into")
            if schema is None:
                schema = self.schema_at(project, env)
            self.snapshot(
                project,
                env,
                schema,
                dialect=dialect,
                source=source,
                seed_data=seed_data,
                metadata=metadata,
                description=description,
            )
        target = env if env is not None else ref
        if target is None:
            raise InputError("a release needs a ref or an env")
        with self._write(repo):
            source_sha = self.resolve(project, target)
            branch = BRANCH_PREFIX + target
            on_branch = repo.ref(branch) == source_sha if _is_env_name(target) else False
            base = self.version(project, source_sha)
            previous = self.releases(project)
            before = self._schema_at_sha(project, previous[-1].sha) if previous else None
            after = self._schema_at_sha(project, source_sha)
            now = time.time()
            info = dict(base.info)
            info.update(
                version=name, created_at=_iso(now), description=description or info.get("description", "")
            )
            readme = self._readme(
                project,
                after,
                before,
                title=name,
                from_label=previous[-1].name if previous else "an empty schema",
            )
            tree = repo.update_tree(
                repo.commit(source_sha).tree,
                {"info.json": self._info_bytes(info), "README.md": readme.encode("utf-8")},
            )
            subject = f"release {name}" + (f": {description.splitlines()[0]}" if description else "")
            body = [
                f"fingerprint: {base.fingerprint}",
                f"source: {target} {source_sha}",
                *([f"previous-release: {previous[-1].name}"] if previous else []),
            ]
            commit = repo.write_commit(tree, [source_sha], _message(subject, body), when=int(now))
            tag_message = _message(
                f"Release {name}",
                [*([description] if description else []), f"fingerprint: {base.fingerprint}"],
            )
            repo.create_tag(name, commit, tag_message, when=int(now))
            if on_branch:
                repo.set_ref(branch, source_sha, commit, message=subject)
            self._schemas.put((project, commit), after)
        return next(release for release in self.releases(project) if release.name == name)

    def releases(self, project: str) -> list[Release]:
        """Every release, oldest first (by tag time)."""
        repo = self._repo(project)
        key = repo.tags_stamp()
        cached = self._releases.get(project)
        if cached is not None and cached[0] == key:
            return cached[1]
        found = []
        for tag in repo.tags():
            info = self._info(project, tag.target)
            found.append(
                Release(
                    name=tag.name,
                    sha=tag.target,
                    tag=tag.sha,
                    fingerprint=str(info.get("fingerprint", "")),
                    created_at=_iso(tag.time),
                    description=str(info.get("description", "")),
                )
            )
        self._releases[project] = (key, found)
        return found

    # -- reading --------------------------------------------------------------------------------------

    def resolve(self, project: str, ref: str) -> str:
        """A commit sha from a release name, an env name, a full sha or a unique short sha (in that order)."""
        repo = self._repo(project)
        ref = ref.strip()
        if not ref:
            raise InvalidName("empty ref")
        if not ref.startswith(("refs/", "-")) and ".." not in ref:
            tag = repo.ref(TAG_PREFIX + ref)
            if tag is not None:
                return repo.commit(tag).sha
            head = repo.ref(BRANCH_PREFIX + ref)
            if head is not None:
                return head
        lowered = ref.lower()
        if 4 <= len(lowered) <= 40 and all(c in "0123456789abcdef" for c in lowered):
            if len(lowered) == 40 and repo.has_commit(lowered):
                return lowered
            matches = repo.commits_with_prefix(lowered)
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise InvalidName(f"short sha {ref!r} is ambiguous: {len(matches)} commits start with it")
        raise NotFound(f"no release, environment or commit {ref!r} in project {project!r}")

    def version(self, project: str, ref: str) -> Version:
        repo = self._repo(project)
        sha = ref if len(ref) == 40 and repo.has_commit(ref) else self.resolve(project, ref)
        return self._version(project, sha)

    def _version(self, project: str, sha: str) -> Version:
        """A commit's Version, cached by sha; `release` is refreshed when the set of tags changes."""
        tags = self._repo(project).tags_stamp()
        cached = self._versions.get((project, sha))
        if cached is not None and cached[0] == tags:
            return cached[1]
        info = self._info(project, sha)
        commit = self._commit_info(project, sha)
        fingerprint = str(info.get("fingerprint", ""))
        version = Version(
            sha=sha,
            fingerprint=fingerprint,
            created_at=str(info.get("created_at") or _iso(commit.time)),
            subject=commit.subject,
            release=self._release_for(project, fingerprint),
            info=info,
        )
        self._versions.put((project, sha), (tags, version))
        return version

    def info(self, project: str, ref: str) -> dict[str, Any]:
        return self._info(project, self.resolve(project, ref))

    def schema_sql(self, project: str, ref: str) -> str:
        return self._file(project, ref, "schema.sql") or ""

    def readme(self, project: str, ref: str) -> str:
        return self._file(project, ref, "README.md") or ""

    def seed_data(self, project: str, ref: str) -> str | None:
        return self._file(project, ref, "seed_data.sql")

    def schema_at(self, project: str, ref: str) -> Schema:
        """The Schema of a version, rebuilt by normalising its schema.sql (cached by sha)."""
        return self._schema_at_sha(project, self.resolve(project, ref))

    def objects(self, project: str, ref: str) -> list[CanonicalObject]:
        return self.schema_at(project, ref).canonical_objects()

    def object_sql(self, project: str, ref: str, kind: Kind | str, name: str) -> str:
        """One object's canonical DDL, read from its file (`kind` singular or folder name)."""
        found = _KIND_BY_FOLDER.get(str(kind)) or next((k for k in Kind if k.value == str(kind)), None)
        if found is None:
            raise NotFound(f"no object kind {kind!r}")
        text = self._file(project, ref, ObjectKey(found, name).filename)
        if text is None:
            raise NotFound(f"no {found.value} {name!r} at {ref!r}")
        return text

    def diff(self, project: str, from_ref: str, to_ref: str) -> Diff:
        """The semantic diff between two versions, with the project's ignore rules."""
        return diff_schemas(
            self.schema_at(project, from_ref),
            self.schema_at(project, to_ref),
            rules=self.rules(project),
            from_label=from_ref,
            to_label=to_ref,
        )

    def changelog(self, project: str, from_ref: str, to_ref: str, *, title: str | None = None) -> str:
        return render_markdown(self.diff(project, from_ref, to_ref), title or to_ref)

    def history(self, project: str, env: str, *, limit: int | None = None) -> list[HistoryEntry]:
        """An env's snapshots, newest first (its branch's first-parent line)."""
        repo = self._repo(project)
        head = repo.ref(BRANCH_PREFIX + check_env_name(env))
        if head is None:
            raise NotFound(f"no environment {env!r} in project {project!r}")
        return [self._entry(project, commit) for commit in repo.walk(head, limit=limit)]

    def log(self, project: str, ref: str, *, limit: int | None = None) -> list[HistoryEntry]:
        """The first-parent history from any ref."""
        repo = self._repo(project)
        return [self._entry(project, commit) for commit in repo.walk(self.resolve(project, ref), limit=limit)]

    def table_history(self, project: str, table: str, *, env: str | None = None) -> TableHistory:
        """When each column of a table appeared or changed along an env's history, and in which release.

        `env` defaults to production, else the first env. A change's release is the first release (by
        fingerprint) at or after the commit that made it on that line.
        """
        repo = self._repo(project)
        branches = repo.branches()
        if not branches:
            raise NotFound(f"project {project!r} has no environments")
        env = env or ("production" if "production" in branches else sorted(branches)[0])
        head = branches.get(check_env_name(env))
        if head is None:
            raise NotFound(f"no environment {env!r} in project {project!r}")
        lineage = list(repo.walk(head))
        lineage.reverse()
        path = self._table_path(repo, lineage[-1].tree, table) or self._table_path_anywhere(
            repo, lineage, table
        )
        if path is None:
            raise NotFound(f"no table {table!r} in the history of {env!r}")
        qualified = _key_of_path(path).name  # type: ignore[union-attr]

        # The release that ships each commit: the next commit (inclusive) whose fingerprint was released.
        released = {release.fingerprint: release.name for release in self.releases(project)}
        shipped: list[str | None] = [None] * len(lineage)
        upcoming: str | None = None
        for index in range(len(lineage) - 1, -1, -1):
            fingerprint = str(self._info(project, lineage[index].sha).get("fingerprint", ""))
            upcoming = released.get(fingerprint, upcoming) if fingerprint in released else upcoming
            shipped[index] = upcoming

        settings = self.project(project)
        events: list[ColumnEvent] = []
        previous_blob: str | None = None
        previous = Schema(dialect=settings.dialect)
        for index, commit in enumerate(lineage):
            blob = repo.lookup(commit.tree, path)
            if blob == previous_blob:
                continue
            dialect = str(self._info(project, commit.sha).get("dialect") or settings.dialect)
            current = (
                self._normalize(repo.blob(blob).decode("utf-8"), dialect, settings.normalize)
                if blob
                else Schema(dialect=dialect)
            )
            only = {key: obj for key, obj in current.objects.items() if key.kind is Kind.TABLE}
            current = Schema(dialect=dialect, objects=only)
            for change in diff_schemas(previous, current).changes:
                events.append(
                    ColumnEvent(
                        sha=commit.sha,
                        created_at=_iso(commit.time),
                        release=shipped[index],
                        change=change.change.value,
                        kind=change.kind,
                        name=change.name,
                        what=tuple(change.what),
                        before=change.before,
                        after=change.after,
                    )
                )
            previous, previous_blob = current, blob
        return TableHistory(table=qualified, env=env, events=events)

    # -- maintenance ----------------------------------------------------------------------------------

    def gc(self, project: str, *, use_git: bool | None = None) -> GcResult:
        """Pack the project's repo (`git gc` when git is installed: see ProjectRepo.gc)."""
        repo = self._repo(project)
        with self._write(repo):
            return repo.gc(use_git=use_git)

    # -- internals ------------------------------------------------------------------------------------

    # -- drift reports ----------------------------------------------------------------------------------

    def record_drift(self, project: str, env: str, report: Mapping[str, Any]) -> None:
        """Keep the latest drift report of an env (a JSON object), beside the repo, written atomically."""
        self.project(project)
        check_env_name(env)
        folder = self.data_dir / f"{project}.drift"
        folder.mkdir(exist_ok=True)
        atomic_write(folder / f"{env}.json", json.dumps(dict(report), indent=2, ensure_ascii=False) + "\n")

    def drift_reports(self, project: str) -> dict[str, dict[str, Any]]:
        """The latest drift report per env, by env name (empty when no drift check was recorded)."""
        self.project(project)
        folder = self.data_dir / f"{project}.drift"
        if not folder.is_dir():
            return {}
        reports: dict[str, dict[str, Any]] = {}
        for path in sorted(folder.glob("*.json")):
            if not path.name.startswith("."):
                reports[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        return reports

    def _repo(self, project: str) -> ProjectRepo:
        repo = self._repos.get(project)
        if repo is not None:
            return repo
        path = self.repo_path(project)
        if not (path / CONFIG_FILE).is_file():
            raise NotFound(f"no project {project!r}")
        with self._repos_lock:
            repo = self._repos.get(project)
            if repo is None:
                repo = self._repos[project] = ProjectRepo(path)
            return repo

    def _write(self, repo: ProjectRepo) -> _WriteScope:
        return _WriteScope(repo, self)

    def _invalidate(self, repo: ProjectRepo) -> None:
        self._releases.pop(repo.path.name.removesuffix(".git"), None)

    @staticmethod
    def _normalize(ddl: str, dialect: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> Schema:
        parsed: Schema = normalize(ddl, dialect, options=options)
        return parsed

    def _config(self, name: str) -> tuple[Project, DiffRules]:
        path = self.repo_path(name)
        try:
            stamp = (path / CONFIG_FILE).stat().st_mtime_ns
        except FileNotFoundError:
            raise NotFound(f"no project {name!r}") from None
        cached = self._configs.get(name)
        if cached is not None and cached[0] == stamp:
            return cached[1], cached[2]
        config = read_config(path, name)
        self._configs[name] = (stamp, config.project, config.rules)
        return config.project, config.rules

    def _unchanged(
        self, project: str, repo: ProjectRepo, head: str, fingerprint: str, seed_data: str | None
    ) -> bool:
        if self._info(project, head).get("fingerprint") != fingerprint:
            return False
        if seed_data is None:
            return True
        current = repo.read_file(repo.commit(head).tree, "seed_data.sql")
        return current == seed_data.encode("utf-8")

    def _snapshot_files(
        self,
        settings: Project,
        schema: Schema,
        schema_sql: str,
        *,
        version: str,
        created_at: str,
        source: str,
        description: str,
        seed_data: str | None,
        metadata: SnapshotMetadata | None,
        readme_base: Schema | None,
        readme_title: str,
        readme_from: str,
    ) -> dict[str, bytes]:
        rendered = schema.rendered()
        counts: dict[str, int] = {}
        for key in rendered:
            counts[key.kind.value] = counts.get(key.kind.value, 0) + 1
        meta = metadata or SnapshotMetadata()
        info: dict[str, Any] = {
            "version": version,
            "created_at": created_at,
            "dialect": schema.dialect,
            "database_version": meta.database_version,
            "migration_tool": meta.migration_tool,
            "migration_count": meta.migration_count,
            "last_migration": meta.last_migration,
            "tables": counts.get(Kind.TABLE.value, 0),
            "objects": dict(sorted(counts.items())),
            "opaque": schema.stats.opaque,
            "fingerprint": schema.fingerprint,
            "normalizer": {
                **normalizer_info(),
                "sqlglot": _SQLGLOT_VERSION,
                "engine": settings.normalize.engine,
            },
            "source": source,
            "description": description or settings.description,
        }
        files = {
            "info.json": self._info_bytes(info),
            "schema.sql": schema_sql.encode("utf-8"),
            "README.md": self._readme(
                settings.name, schema, readme_base, title=readme_title, from_label=readme_from
            ).encode("utf-8"),
        }
        for key, sql in rendered.items():
            files[key.filename] = (sql.rstrip("\n") + "\n").encode("utf-8")
        if seed_data is not None:
            files["seed_data.sql"] = seed_data.encode("utf-8")
        return files

    @staticmethod
    def _info_bytes(info: Mapping[str, Any]) -> bytes:
        return (json.dumps(info, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    @staticmethod
    def _object_shas(files: Mapping[str, bytes]) -> dict[str, str]:
        from dulwich.objects import Blob

        return {path: Blob.from_string(content).id.decode() for path, content in files.items()}

    def _readme(
        self, project: str, after: Schema, before: Schema | None, *, title: str, from_label: str
    ) -> str:
        """The changelog from `before` to `after`, with the project's ignore rules."""
        diff = diff_schemas(
            before or Schema(dialect=after.dialect),
            after,
            rules=self.rules(project),
            from_label=from_label,
            to_label=title,
        )
        return render_markdown(diff, title)

    def _commit(
        self,
        repo: ProjectRepo,
        branch: str,
        head: str | None,
        files: dict[str, bytes],
        message: str,
        *,
        when: int,
    ) -> str:
        tree = repo.write_tree(files)
        commit = repo.write_commit(tree, [head] if head else [], message, when=when)
        repo.set_ref(branch, head, commit, message=message.split("\n", 1)[0])
        self._ensure_head(repo, branch.removeprefix(BRANCH_PREFIX))
        return commit

    @staticmethod
    def _ensure_head(repo: ProjectRepo, env: str) -> None:
        """Point HEAD at the first env, so that `git clone` checks something out."""
        if repo.ref("HEAD") is None:
            repo.set_head(env)

    def _commit_info(self, project: str, sha: str) -> CommitInfo:
        return self._repo(project).commit(sha)

    def _info(self, project: str, sha: str) -> dict[str, Any]:
        cached = self._infos.get((project, sha))
        if cached is not None:
            return cached
        repo = self._repo(project)
        raw = repo.read_file(repo.commit(sha).tree, "info.json")
        info: dict[str, Any] = json.loads(raw) if raw else {}
        return self._infos.put((project, sha), info)

    def _file(self, project: str, ref: str, path: str) -> str | None:
        repo = self._repo(project)
        raw = repo.read_file(repo.commit(self.resolve(project, ref)).tree, path)
        return None if raw is None else raw.decode("utf-8")

    def _schema_at_sha(self, project: str, sha: str) -> Schema:
        cached = self._schemas.get((project, sha))
        if cached is not None:
            return cached
        repo = self._repo(project)
        text = repo.read_file(repo.commit(sha).tree, "schema.sql") or b""
        dialect = str(self._info(project, sha).get("dialect") or self.project(project).dialect)
        options = self.project(project).normalize
        return self._schemas.put((project, sha), self._normalize(text.decode("utf-8"), dialect, options))

    def _release_for(self, project: str, fingerprint: str) -> str | None:
        name = None
        for release in self.releases(project):
            if release.fingerprint == fingerprint:
                name = release.name
        return name

    def _entry(self, project: str, commit: CommitInfo) -> HistoryEntry:
        info = self._info(project, commit.sha)
        fingerprint = str(info.get("fingerprint", ""))
        return HistoryEntry(
            sha=commit.sha,
            created_at=_iso(commit.time),
            subject=commit.subject,
            fingerprint=fingerprint,
            release=self._release_for(project, fingerprint),
        )

    @staticmethod
    def _table_path(repo: ProjectRepo, tree: str, table: str) -> str | None:
        candidates = [table] if "." in table else [f"public.{table}", table]
        for name in candidates:
            path = ObjectKey(Kind.TABLE, name).filename
            if repo.lookup(tree, path) is not None:
                return path
        folder = repo.lookup(tree, f"objects/{Kind.TABLE.folder}")
        if folder is None:
            return None
        for filename in sorted(repo.tree_entries(folder)):
            if filename.removesuffix(".sql").rpartition(".")[2] == table:
                return f"objects/{Kind.TABLE.folder}/{filename}"
        return None

    def _table_path_anywhere(self, repo: ProjectRepo, lineage: list[CommitInfo], table: str) -> str | None:
        for commit in reversed(lineage):
            path = self._table_path(repo, commit.tree, table)
            if path is not None:
                return path
        return None


def _initial(schema: Schema) -> str:
    count = len(schema.tables())
    return f"initial, {count} table{'' if count == 1 else 's'}"


def _is_env_name(name: str) -> bool:
    try:
        check_env_name(name)
    except InvalidName:
        return False
    return True


class _WriteScope:
    """Hold a project's write lock; clean up after a crashed writer; drop caches when done."""

    def __init__(self, repo: ProjectRepo, registry: Registry) -> None:
        self.repo = repo
        self.registry = registry
        self._context: Any = None

    def __enter__(self) -> ProjectRepo:
        self._context = self.repo.lock.hold()
        crashed = self._context.__enter__()
        if crashed:
            self.repo.recover()
        return self.repo

    def __exit__(self, *exc: Any) -> None:
        try:
            self.registry._invalidate(self.repo)
        finally:
            self._context.__exit__(*exc)
