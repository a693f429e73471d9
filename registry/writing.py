"""The write side of the registry: a snapshot, a promotion or a release is one commit on a project's
repo, made under the project's write lock with a compare-and-swap of the env's ref."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec

from schemareg import history
from schemareg.changelog import render_markdown
from schemareg.diff import diff_schemas
from schemareg.engine import normalize_ddl
from schemareg.errors import Conflict, InputError, InvalidName
from schemareg.introspect.base import SnapshotMetadata
from schemareg.model import Schema
from schemareg.normalize.cache import collector_paused
from schemareg.normalize.stored import remember_blob
from schemareg.reading import Reader
from schemareg.render import render_schema_sql
from schemareg.snapshots import (
    INFO_FILE,
    ObjectChanges,
    Release,
    SnapshotResult,
    Source,
    change_lines,
    commit_message,
    encode_info,
    initial_subject,
    iso,
    object_changes,
    snapshot_files,
)
from schemareg.store import (
    BRANCH_PREFIX,
    TAG_PREFIX,
    ProjectRepo,
    blob_ids,
    check_env_name,
    check_release_name,
)

__all__ = ["NameCheck", "WriteCheck", "Writer"]

# The guards a write passes under the lock (the service builds them from the project's config):
# (env head, candidate schema) -> commit message lines of a forced write; raises when refused.
WriteCheck = Callable[[str | None, Schema], list[str]]
# (the sha a release is cut from) -> (commit message lines, a warning for the answer); raises when refused.
NameCheck = Callable[[str], tuple[list[str], str | None]]


class Writer:
    """Snapshots, promotions and releases of the repos that `reader` reads."""

    def __init__(self, reader: Reader) -> None:
        self._read = reader

    def lock(self, repo: ProjectRepo) -> _WriteScope:
        """Hold the project's write lock (and drop the caches that depend on tags when done)."""
        return _WriteScope(repo, self._read)

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
        check: WriteCheck | None = None,
    ) -> SnapshotResult:
        """Commit a schema on an env's branch, unless the env head has the same fingerprint already.

        `schema` is a normalised Schema or DDL text (normalised here, in the project's dialect unless
        `dialect` says otherwise). With `seed_data`, a changed seed makes a commit too.
        """
        check_env_name(env)
        settings = self._read.config(project)[0]
        if isinstance(schema, str):
            schema = normalize_ddl(
                schema,
                dialect or settings.dialect,
                engine=settings.normalize.engine,
                options=settings.normalize,
            ).schema
        repo = self._read.repo(project)
        branch = BRANCH_PREFIX + env
        with collector_paused():
            schema_sql = render_schema_sql(schema)  # rendered before taking the lock: it needs no head
        fingerprint = schema.fingerprint  # a hash of all the canonical text: once
        with self.lock(repo):
            head = repo.ref(branch)
            if head is not None and self._unchanged(project, repo, head, fingerprint, seed_data):
                unchanged = self._unchanged_result(project, env, head)
                return msgspec.structs.replace(unchanged, warnings=tuple(schema.issues))
            forced = check(head, schema) if check else []
            now = time.time()
            label = f"snapshot-{datetime.fromtimestamp(int(now), UTC):%Y%m%dT%H%M%SZ}"
            # Only for the README's diff: what it shares with `schema` need not be decoded again.
            base = self._read.schema(project, head, like=schema) if head else None
            # Lays out thousands of files and trees, no cycles among them (the reads above may normalise,
            # which makes sqlglot trees: the collector is on for those).
            with collector_paused():
                files = snapshot_files(
                    schema,
                    schema_sql,
                    self._readme(project, schema, base, title=label, from_label=head[:12] if head else None),
                    label=label,
                    created_at=iso(now),
                    source=source,
                    description=description or settings.description,
                    seed_data=seed_data,
                    metadata=metadata,
                    engine=settings.normalize.engine,
                    fingerprint=fingerprint,
                )
                head_files = repo.files(repo.commit(head).tree) if head else {}
                ids = blob_ids(files)
                changes = object_changes(head_files, ids)
                subject = f"snapshot {env}: " + (changes.summary() if head else initial_subject(schema))
                body = [
                    *([message] if message else []),
                    f"fingerprint: {fingerprint}",
                    f"source: {source}",
                    *forced,
                ]
                body += change_lines(changes) if head else []
                text = commit_message(subject, body)
                sha = repo.commit_files(
                    files,
                    [head] if head else [],
                    text,
                    present=set(head_files.values()),
                    ids=ids,
                    when=int(now),
                )
            # The next snapshot diffs against this one, read back by its schema.sql blob: one lookup.
            remember_blob(ids["schema.sql"], schema, options=settings.normalize)
            self._advance(project, repo, env, head, sha, text)
            self._read.remember_schema(project, sha, schema)
            return SnapshotResult(
                env=env,
                created=True,
                version=self._read.snapshot(project, sha),
                changes=changes,
                warnings=tuple(schema.issues),
            )

    def promote(
        self,
        project: str,
        env: str,
        from_: str,
        *,
        message: str | None = None,
        check: WriteCheck | None = None,
    ) -> SnapshotResult:
        """Make `env` expect what another env, a release or a sha has: a new commit with that tree."""
        check_env_name(env)
        repo = self._read.repo(project)
        source = self._read.resolve(project, from_)
        fingerprint = self._read.snapshot(project, source).fingerprint
        with self.lock(repo):
            head = repo.ref(BRANCH_PREFIX + env)
            if head is not None and self._read.snapshot(project, head).fingerprint == fingerprint:
                return self._unchanged_result(project, env, head)
            forced = check(head, self._read.schema(project, source)) if check else []
            tree = repo.commit(source).tree
            changes = object_changes(repo.files(repo.commit(head).tree) if head else {}, repo.files(tree))
            label = from_ if from_ != source else source[:12]
            subject = f"promote {label} to {env}: " + (changes.summary() if head else "initial")
            body = [
                *([message] if message else []),
                f"promoted-from: {from_} {source}",
                f"fingerprint: {fingerprint}",
                *forced,
                *(change_lines(changes) if head else []),
            ]
            commit = self._commit(project, repo, env, head, tree, commit_message(subject, body))
            return SnapshotResult(
                env=env, created=True, version=self._read.snapshot(project, commit), changes=changes
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
        check: WriteCheck | None = None,
        check_name: NameCheck | None = None,
    ) -> Release:
        """Cut an immutable release (an annotated tag; Conflict if the name is taken).

        The release is its own commit: the tree of `ref` (or of `env` after snapshotting `schema` into
        it) with info.json naming the release and README.md holding the changelog against the previous
        release. When the source is an env head, the env's branch moves to the release commit so that
        `git log <env>` shows it; otherwise the commit hangs off its source and only the tag names it.
        """
        check_release_name(name)
        repo = self._read.repo(project)
        if repo.ref(TAG_PREFIX + name) is not None:
            raise Conflict(f"release {name!r} exists already; releases are immutable")
        if schema is not None or seed_data is not None:
            if env is None:
                raise InputError("a release from a schema needs the env to snapshot it into")
            self.snapshot(
                project,
                env,
                schema
                if schema is not None
                else self._read.schema(project, self._read.resolve(project, env)),
                dialect=dialect,
                source=source,
                seed_data=seed_data,
                metadata=metadata,
                description=description,
                check=check,
            )
        target = env if env is not None else ref
        if target is None:
            raise InputError("a release needs a ref or an env")
        with self.lock(repo):
            source_sha = self._read.resolve(project, target)
            on_branch = _is_env_name(target) and repo.ref(BRANCH_PREFIX + target) == source_sha
            base = self._read.snapshot(project, source_sha)
            semver_lines, warning = check_name(source_sha) if check_name else ([], None)
            releases = self._read.releases(project)
            previous = releases[-1] if releases else None
            after = self._read.schema(project, source_sha)
            now = time.time()
            info = msgspec.structs.replace(
                base.info, version=name, created_at=iso(now), description=description or base.info.description
            )
            readme = self._readme(
                project,
                after,
                self._read.schema(project, previous.sha) if previous else None,
                title=name,
                from_label=previous.name if previous else None,
            )
            tree = repo.update_tree(
                repo.commit(source_sha).tree,
                {INFO_FILE: encode_info(info), "README.md": readme.encode("utf-8")},
            )
            subject = f"release {name}" + (f": {description.splitlines()[0]}" if description else "")
            body = [
                f"fingerprint: {base.fingerprint}",
                f"source: {target} {source_sha}",
                *([f"previous-release: {previous.name}"] if previous else []),
                *semver_lines,
            ]
            commit = repo.write_commit(tree, [source_sha], commit_message(subject, body), when=int(now))
            tag_message = commit_message(
                f"Release {name}",
                [*([description] if description else []), f"fingerprint: {base.fingerprint}"],
            )
            repo.create_tag(name, commit, tag_message, when=int(now))
            if on_branch:
                repo.set_ref(BRANCH_PREFIX + target, source_sha, commit, message=subject)
            self._read.remember_schema(project, commit, after)
        made = next(release for release in self._read.releases(project) if release.name == name)
        return msgspec.structs.replace(made, warning=warning) if warning else made

    def _unchanged(
        self, project: str, repo: ProjectRepo, head: str, fingerprint: str, seed_data: str | None
    ) -> bool:
        if self._read.info(project, head).fingerprint != fingerprint:
            return False
        if seed_data is None:
            return True
        return repo.read_file(repo.commit(head).tree, "seed_data.sql") == seed_data.encode("utf-8")

    def _unchanged_result(self, project: str, env: str, head: str) -> SnapshotResult:
        return SnapshotResult(
            env=env, created=False, version=self._read.snapshot(project, head), changes=ObjectChanges()
        )

    def _readme(
        self, project: str, after: Schema, before: Schema | None, *, title: str, from_label: str | None
    ) -> str:
        """The changelog from `before` (None: an empty schema) to `after`, with the project's rules."""
        diff = diff_schemas(
            before or Schema(dialect=after.dialect),
            after,
            rules=self._read.config(project)[1],
            from_label=from_label or "an empty schema",
            to_label=title,
        )
        return render_markdown(diff, title)

    def point_head(self, project: str, repo: ProjectRepo) -> None:
        """Point HEAD (what `git clone` checks out) at the project's default env (`history.default_env`),
        if it is not there already: it moves only when that choice does, never to the env just written.
        Call it holding the project's write lock."""
        branches = repo.branches()
        if not branches:
            return
        wanted = history.choose_default_env(branches, self._read.config(project)[0].default_env)
        if repo.head_branch() != wanted:
            repo.set_head(wanted)

    def _commit(
        self,
        project: str,
        repo: ProjectRepo,
        env: str,
        head: str | None,
        tree: str,
        message: str,
        *,
        when: int | None = None,
    ) -> str:
        """A commit on the env's branch (compare-and-swap from `head`), then HEAD at the default env."""
        commit = repo.write_commit(tree, [head] if head else [], message, when=when)
        self._advance(project, repo, env, head, commit, message)
        return commit

    def _advance(
        self, project: str, repo: ProjectRepo, env: str, head: str | None, commit: str, message: str
    ) -> None:
        """Move the env's branch from `head` to the commit written (compare-and-swap), then HEAD."""
        repo.set_ref(BRANCH_PREFIX + env, head, commit, message=message.split("\n", 1)[0])
        self.point_head(project, repo)


def _is_env_name(name: str) -> bool:
    try:
        check_env_name(name)
    except InvalidName:
        return False
    return True


class _WriteScope:
    """Hold a project's write lock; clean up after a crashed writer; drop caches when done."""

    def __init__(self, repo: ProjectRepo, reader: Reader) -> None:
        self.repo = repo
        self.reader = reader
        self._context: Any = None

    def __enter__(self) -> ProjectRepo:
        self._context = self.repo.lock.hold()
        crashed = self._context.__enter__()
        if crashed:
            self.repo.recover()
        return self.repo

    def __exit__(self, *exc: Any) -> None:
        try:
            self.reader.invalidate(self.repo.path.name.removesuffix(".git"))
        finally:
            self._context.__exit__(*exc)
