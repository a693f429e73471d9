"""The registry's porcelain: projects, snapshots, environments, releases, promotion and history.

The CLI and the API use this module; it turns the git store (`schemareg.store`, the plumbing) into those
verbs. A *snapshot* is a commit, a *release* an annotated tag on its own commit. The rooms behind it:
`projects` (the config file), `snapshots` (the tree of a commit, info.json), `reading` (cached reads),
`history` (table history) and `drift` (drift reports).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from schemareg import guards
from schemareg.changelog import render_markdown
from schemareg.compat import Compatibility, Guards, Violation
from schemareg.diff import Diff, DiffRules, diff_schemas
from schemareg.drift import DriftReports
from schemareg.errors import NotFound
from schemareg.history import ColumnEvent, TableHistory, table_history
from schemareg.introspect.base import SnapshotMetadata
from schemareg.model import CanonicalObject, Kind, ObjectKey, Schema
from schemareg.names import escape_filename, legacy_filename, unescape_filename
from schemareg.projects import CONFIG_FILE, Project, check_dialect, read_config, write_config
from schemareg.reading import Reader, parse
from schemareg.snapshots import (
    KIND_BY_FOLDER,
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
    ) -> Project:
        """Create a project (Conflict if it exists)."""
        path = self.repo_path(name)
        dialect = check_dialect(dialect)
        repo = ProjectRepo.create(path)
        write_config(path, Project(name=name, dialect=dialect, description=description), diff_rules)
        self._read.adopt(name, repo)
        return self.project(name)

    def update_project(
        self, name: str, *, dialect: str | None = None, description: str | None = None
    ) -> Project:
        current = self.project(name)
        repo = self._read.repo(name)
        with self._writer.lock(repo):
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
        check_env_name(env)
        repo = self._read.repo(project)
        with self._writer.lock(repo):
            config = read_config(repo.path, project)
            write_config(repo.path, config.project, config.diff, config.guards.with_level(env, level))
        return level

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
        def check(head: str | None, candidate: Schema) -> list[str]:
            return guards.check_write(
                self,
                project,
                env,
                head,
                candidate,
                guards=self.guards(project),
                rules=self.rules(project),
                action=action,
                force=force,
                forced_by=forced_by,
            )

        return check

    def _check_name(self, project: str, name: str, force: bool, forced_by: str) -> NameCheck:
        def check(target: str) -> tuple[list[str], str | None]:
            return guards.check_release_name(
                self,
                project,
                name,
                target,
                guards=self.guards(project),
                rules=self.rules(project),
                force=force,
                forced_by=forced_by,
            )

        return check

    # -- reading --------------------------------------------------------------------------------------

    def expected(self, project: str, env: str) -> Snapshot:
        """What an environment expects: its head. The hot path: one ref read, the rest cached by sha."""
        head = self._read.repo(project).ref(BRANCH_PREFIX + check_env_name(env))
        if head is None:
            raise NotFound(f"no environment {env!r} in project {project!r}")
        return self._read.snapshot(project, head)

    def head(self, project: str, env: str) -> tuple[str, tuple[int, int]]:
        """The env's head sha and the tags stamp, without reading any object: what a cache of
        `expected()` answers is keyed by (a release tag changes the answer for the same head)."""
        repo = self._read.repo(project)
        sha = repo.branch_head(check_env_name(env))
        if sha is None:
            raise NotFound(f"no environment {env!r} in project {project!r}")
        return sha, repo.tags_stamp()

    def generation(self, project: str) -> int | None:
        """A number that changes whenever any process moves a ref of the project (None: unknown, look at
        the refs). Read from memory: the hot path asks it on every request."""
        repo = self._read.opened(project)
        return None if repo is None else repo.generation.read()

    def environments(self, project: str) -> list[Environment]:
        found = []
        for name, sha in sorted(self._read.repo(project).branches().items()):
            head = self.version(project, sha)
            found.append(
                Environment(
                    name=name,
                    sha=sha,
                    fingerprint=head.fingerprint,
                    release=head.release,
                    created_at=head.created_at,
                )
            )
        return found

    def releases(self, project: str) -> list[Release]:
        """Every release, oldest first (by tag time)."""
        return self._read.releases(project)

    def resolve(self, project: str, ref: str) -> str:
        """A commit sha from a release name, an env name, a full sha or a unique short sha (in that order)."""
        return self._read.resolve(project, ref)

    def version(self, project: str, ref: str) -> Snapshot:
        """The snapshot a ref names (`GET .../versions/{ref}`): a release, an env, a full or short sha."""
        repo = self._read.repo(project)
        sha = ref if len(ref) == 40 and repo.has_commit(ref) else self.resolve(project, ref)
        return self._read.snapshot(project, sha)

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
        found = KIND_BY_FOLDER.get(str(kind)) or next((k for k in Kind if k.value == str(kind)), None)
        if found is None:
            raise NotFound(f"no object kind {kind!r}")
        sha = self.resolve(project, ref)
        text = self._read.file(project, sha, ObjectKey(found, name).filename)
        legacy = legacy_filename(name)
        if text is None and escape_filename(unescape_filename(legacy)) != legacy:
            # Written before '%' was escaped; a stem that today's escaping could not write names no other
            # object, so reading it is unambiguous.
            text = self._read.file(project, sha, f"objects/{found.folder}/{legacy}.sql")
        if text is None:
            raise NotFound(f"no {found.value} {name!r} at {ref!r}")
        return text

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
        repo = self._read.repo(project)
        head = repo.ref(BRANCH_PREFIX + check_env_name(env))
        if head is None:
            raise NotFound(f"no environment {env!r} in project {project!r}")
        return [self._read.entry(project, commit) for commit in repo.walk(head, limit=limit)]

    def log(self, project: str, ref: str, *, limit: int | None = None) -> list[HistoryEntry]:
        """The first-parent history from any ref."""
        repo = self._read.repo(project)
        walk = repo.walk(self.resolve(project, ref), limit=limit)
        return [self._read.entry(project, commit) for commit in walk]

    def default_env(self, project: str) -> str:
        """production if the project has it, else its first env (NotFound without any)."""
        branches = self._read.repo(project).branches()
        if not branches:
            raise NotFound(f"project {project!r} has no environments")
        return "production" if "production" in branches else sorted(branches)[0]

    def table_history(self, project: str, table: str, *, env: str | None = None) -> TableHistory:
        """When each column of a table appeared or changed along an env's history, and in which release.

        `env` defaults to production, else the first env. A change's release is the first release (by
        fingerprint) at or after the commit that made it on that line.
        """
        repo = self._read.repo(project)
        env = env or self.default_env(project)
        head = repo.branches().get(check_env_name(env))
        if head is None:
            raise NotFound(f"no environment {env!r} in project {project!r}")
        settings = self.project(project)

        def parse_at(sha: str, ddl: str) -> Schema:
            return parse(ddl, self._read.info(project, sha).dialect or settings.dialect, settings.normalize)

        return table_history(
            repo,
            list(reversed(list(repo.walk(head)))),
            table,
            env=env,
            released={release.fingerprint: release.name for release in self.releases(project)},
            fingerprint_of=lambda sha: self._read.info(project, sha).fingerprint,
            parse=parse_at,
        )

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
