"""The registry's porcelain: projects, snapshots, environments, releases, promotion and history.

The CLI and the API use this module; it turns the git store (`schemareg.store`, the plumbing) into those
verbs. A *snapshot* is a commit, a *release* an annotated tag on its own commit. `Registry` is a facade:
each verb is handed to one of the rooms behind it, `projects` (the config file) and `configure` (project
verbs), `snapshots` (the tree of a commit, info.json), `reading` (cached reads by sha, env and ref),
`writing` (snapshot, promote and release commits), `guards` (the checks a write passes), `history` (an
env's line, a ref's log, table history) and `drift` (drift reports).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from schemareg import configure, guards, history
from schemareg.changelog import render_markdown
from schemareg.compat import Compatibility, Guards, Violation
from schemareg.diff import Diff, DiffRules, diff_schemas
from schemareg.drift import DriftReports
from schemareg.history import ColumnEvent, TableHistory
from schemareg.introspect.base import SnapshotMetadata
from schemareg.model import CanonicalObject, Kind, Schema
from schemareg.projects import CONFIG_FILE, Project, read_config
from schemareg.reading import Reader
from schemareg.snapshots import (
    Environment,
    HistoryEntry,
    ObjectChanges,
    Release,
    Snapshot,
    SnapshotInfo,
    SnapshotResult,
    Source,
)
from schemareg.store import (
    BRANCH_PREFIX,
    GcResult,
    ProjectRepo,
    check_env_name,
)
from schemareg.writing import NameCheck, WriteCheck, Writer

__all__ = [
    "CONFIG_FILE",
    "ColumnEvent",
    "Environment",
    "HistoryEntry",
    "ObjectChanges",
    "Project",
    "Registry",
    "Release",
    "Snapshot",
    "SnapshotInfo",
    "SnapshotMetadata",
    "SnapshotResult",
    "TableHistory",
]


class Registry:
    """The registry of one data dir: one bare git repo per project (`<data_dir>/<project>.git`).

    Reads never take the write lock. Env heads are read from their ref (one small file) on each call and
    everything derived from a commit (info.json, parsed schema) is cached by sha, so `expected()` stays
    cheap and still sees writes made by other processes.
    """

    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir)
        self._read = Reader(self.data_dir)
        self._writer = Writer(self._read)

    def close(self) -> None:
        """Close the open repos (their pack files); the registry can be used again afterwards."""
        self._read.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- projects -------------------------------------------------------------------------------------

    def repo_path(self, project: str) -> Path:
        return self._read.repo_path(project)

    def init_project(
        self,
        name: str,
        dialect: str = "postgres",
        description: str = "",
        *,
        diff_rules: Mapping[str, Any] | None = None,
        default_env: str | None = None,
        engine: str = "sqlglot",
    ) -> Project:
        """Create a project (Conflict if it exists)."""
        configure.init_project(
            self._read, name, dialect, description, diff_rules, default_env=default_env, engine=engine
        )
        return self.project(name)

    def update_project(self, name: str, **settings: str | None) -> Project:
        """Change a project's settings, `dialect`, `description`, `default_env` ("" clears it) and `engine`
        (fixed once the project has a snapshot: Conflict); None keeps one."""
        return configure.update_project(self._read, self._writer, name, **settings)

    def projects(self) -> list[Project]:
        return [self.project(name) for name in configure.project_names(self._read)]

    def project(self, name: str) -> Project:
        return self._read.config(name)[0]

    def rules(self, project: str) -> DiffRules:
        """The project's diff ignore rules (the `[diff]` table of its config)."""
        return self._read.config(project)[1]

    def guards(self, project: str) -> Guards:
        """The project's compatibility levels per env and its release semver policy."""
        self.project(project)  # NotFound for an unknown project
        return read_config(self.repo_path(project), project).guards

    def compatibility(self, project: str, env: str) -> Compatibility:
        return self.guards(project).level(check_env_name(env))

    def set_compatibility(self, project: str, env: str, level: Compatibility) -> Compatibility:
        """Store the env's compatibility level in the project's config (the env need not exist yet)."""
        return configure.set_compatibility(self._read, self._writer, project, env, level)

    def refusals(self, project: str, env: str, schema: Schema) -> list[Violation]:
        """What the env's compatibility level would refuse if `schema` were posted now (stores nothing)."""
        head = self._read.repo(project).ref(BRANCH_PREFIX + check_env_name(env))
        return guards.would_refuse(
            self, project, env, head, schema, guards=self.guards(project), rules=self.rules(project)
        )

    # -- writing: snapshots, promotion, releases -------------------------------------------------------

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
        force: bool = False,
        forced_by: str = "",
    ) -> SnapshotResult:
        """Commit a schema on an env's branch, unless the env head has the same fingerprint already.

        `schema` is a normalised Schema or DDL text (normalised here, in the project's dialect unless
        `dialect` says otherwise). With `seed_data`, a changed seed makes a commit too. A schema the
        env's compatibility level refuses raises `Incompatible` unless `force` (recorded with `forced_by`).
        """
        return self._writer.snapshot(
            project,
            env,
            schema,
            dialect=dialect,
            message=message,
            source=source,
            description=description,
            seed_data=seed_data,
            metadata=metadata,
            check=self._check(project, env, "snapshot", force, forced_by),
        )

    def promote(
        self,
        project: str,
        env: str,
        from_: str,
        *,
        message: str | None = None,
        force: bool = False,
        forced_by: str = "",
    ) -> SnapshotResult:
        """Make `env` expect what another env, a release or a sha has: a new commit with that tree
        (checked against the env's compatibility level as a snapshot is)."""
        return self._writer.promote(
            project,
            env,
            from_,
            message=message,
            check=self._check(project, env, "promotion", force, forced_by),
        )

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
        force: bool = False,
        forced_by: str = "",
    ) -> Release:
        """Cut an immutable release (an annotated tag; Conflict if the name is taken).

        The release is its own commit: the tree of `ref` (or of `env` after snapshotting `schema` into
        it) with info.json naming the release and README.md holding the changelog against the previous
        release. When the source is an env head, the env's branch moves to the release commit so that
        `git log <env>` shows it; otherwise the commit hangs off its source and only the tag names it.
        """
        return self._writer.release(
            project,
            name,
            ref,
            description=description,
            env=env,
            schema=schema,
            dialect=dialect,
            seed_data=seed_data,
            metadata=metadata,
            source=source,
            check=self._check(project, env, "snapshot", force, forced_by) if env else None,
            check_name=self._check_name(project, name, force, forced_by),
        )

    def _check(self, project: str, env: str, action: str, force: bool, forced_by: str) -> WriteCheck:
        return guards.write_check(self, project, env, action, force, forced_by)

    def _check_name(self, project: str, name: str, force: bool, forced_by: str) -> NameCheck:
        return guards.name_check(self, project, name, force, forced_by)

    # -- reading --------------------------------------------------------------------------------------

    def expected(self, project: str, env: str) -> Snapshot:
        """What an environment expects: its head. The hot path: one ref read, the rest cached by sha."""
        return self._read.expected(project, env)

    def head(self, project: str, env: str) -> tuple[str, tuple[int, int]]:
        """The env's head sha and the tags stamp, without reading any object: what a cache of
        `expected()` answers is keyed by (a release tag changes the answer for the same head)."""
        return self._read.head(project, env)

    def generation(self, project: str) -> int | None:
        """A number that changes whenever any process moves a ref of the project (None: unknown, look at
        the refs). Read from memory: the hot path asks it on every request."""
        repo = self._read.opened(project)
        return None if repo is None else repo.generation.read()

    def environments(self, project: str) -> list[Environment]:
        return self._read.environments(project)

    def releases(self, project: str) -> list[Release]:
        """Every release, oldest first (by tag time)."""
        return self._read.releases(project)

    def resolve(self, project: str, ref: str) -> str:
        """A commit sha from a release name, an env name, a full sha or a unique short sha (in that order),
        with git's `~N` / `^N` suffixes (`production~1`)."""
        return self._read.resolve(project, ref)

    def version(self, project: str, ref: str) -> Snapshot:
        """The snapshot a ref names (`GET .../versions/{ref}`): a release, an env, a full or short sha."""
        return self._read.version(project, ref)

    def info(self, project: str, ref: str) -> SnapshotInfo:
        return self._read.info(project, self.resolve(project, ref))

    def schema_sql(self, project: str, ref: str) -> str:
        return self._read.file(project, self.resolve(project, ref), "schema.sql") or ""

    def readme(self, project: str, ref: str) -> str:
        return self._read.file(project, self.resolve(project, ref), "README.md") or ""

    def seed_data(self, project: str, ref: str) -> str | None:
        return self._read.file(project, self.resolve(project, ref), "seed_data.sql")

    def schema_at(self, project: str, ref: str) -> Schema:
        """The Schema of a snapshot, rebuilt by normalising its schema.sql (cached by sha)."""
        return self._read.schema(project, self.resolve(project, ref))

    def objects(self, project: str, ref: str) -> list[CanonicalObject]:
        return self.schema_at(project, ref).canonical_objects()

    def object_sql(self, project: str, ref: str, kind: Kind | str, name: str) -> str:
        """One object's canonical DDL, read from its file (`kind` singular or folder name)."""
        return self._read.object_sql(project, ref, kind, name)

    def diff(self, project: str, from_ref: str, to_ref: str, *, rules: DiffRules | None = None) -> Diff:
        """The semantic diff between two snapshots, with the project's ignore rules (plus `rules`)."""
        return diff_schemas(
            self.schema_at(project, from_ref),
            self.schema_at(project, to_ref),
            rules=self.rules(project).merged(rules) if rules else self.rules(project),
            from_label=from_ref,
            to_label=to_ref,
        )

    def changelog(self, project: str, from_ref: str, to_ref: str, *, title: str | None = None) -> str:
        return render_markdown(self.diff(project, from_ref, to_ref), title or to_ref)

    def history(self, project: str, env: str, *, limit: int | None = None) -> list[HistoryEntry]:
        """An env's snapshots, newest first (its branch's first-parent line)."""
        return history.env_history(self._read, project, env, limit=limit)

    def log(self, project: str, ref: str, *, limit: int | None = None) -> list[HistoryEntry]:
        """The first-parent history from any ref."""
        return history.ref_log(self._read, project, ref, limit=limit)

    def default_env(self, project: str) -> str:
        """The `default_env` setting if that env exists, else production if the project has it, else its
        first env (NotFound without any): what HEAD points at."""
        return history.default_env(self._read, project)

    def table_history(self, project: str, table: str, *, env: str | None = None) -> TableHistory:
        """When each column of a table appeared or changed along an env's history, and in which release.

        `env` defaults to production, else the first env. A change's release is the first release at or
        after the commit that made it on that line, releases placed by commit (`history.shipped_by`).
        """
        return history.env_table_history(self._read, project, table, env=env)

    # -- maintenance and drift reports ----------------------------------------------------------------

    def gc(self, project: str, *, use_git: bool | None = None) -> GcResult:
        """Pack the project's repo (`git gc` when git is installed: see ProjectRepo.gc)."""
        repo = self._read.repo(project)
        with self._writer.lock(repo):
            return repo.gc(use_git=use_git)

    def record_drift(self, project: str, env: str, report: Mapping[str, Any]) -> None:
        """Keep the latest drift report of an env (a JSON object), beside the repo, written atomically."""
        self.project(project)
        self._drift(project).record(check_env_name(env), report)

    def drift_reports(self, project: str) -> dict[str, dict[str, Any]]:
        """The latest drift report per env, by env name (empty when no drift check was recorded)."""
        self.project(project)
        return self._drift(project).latest()

    # -- internals ------------------------------------------------------------------------------------

    def _repo(self, project: str) -> ProjectRepo:
        return self._read.repo(project)

    def _drift(self, project: str) -> DriftReports:
        return DriftReports(self.data_dir / f"{project}.drift")
