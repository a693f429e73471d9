"""The read side of a data dir: its repos opened once, and what is derived from a commit cached by sha.

A commit never changes, so info.json, the parsed schema and the `Snapshot` of a sha are cached without
ever going stale; refs (env heads, tags) are read on each call, so writes by other processes are seen.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from schemareg.diff import DiffRules
from schemareg.errors import InvalidName, NotFound
from schemareg.lazy_re import lazy_compile
from schemareg.model import Kind, ObjectKey, Schema
from schemareg.names import escape_filename, legacy_filename, unescape_filename
from schemareg.normalize import normalize
from schemareg.normalize.options import DEFAULT_OPTIONS, NormalizeOptions
from schemareg.normalize.stored import remember_blob, schema_of_blob
from schemareg.projects import CONFIG_FILE, Project, read_config
from schemareg.snapshots import (
    INFO_FILE,
    KIND_BY_FOLDER,
    Environment,
    HistoryEntry,
    Release,
    Snapshot,
    SnapshotInfo,
    decode_info,
    iso,
)
from schemareg.store import (
    BRANCH_PREFIX,
    TAG_PREFIX,
    CommitInfo,
    ProjectRepo,
    check_env_name,
    check_project_name,
)

__all__ = ["LRU", "Reader", "ReleaseLookup", "parse", "split_revision"]

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
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


# git's ancestry suffixes (gitrevisions(7)): `~N` and `^N`, a missing N meaning 1. Names cannot hold `~`
# or `^` (git's ref rules refuse them), so the first one starts the suffixes.
_REVISION_STEP = lazy_compile(r"([~^])(\d{0,9})")
_REVISION_START = lazy_compile(r"[~^]")


def split_revision(ref: str) -> tuple[str, list[tuple[str, int]]]:
    """`production~2^` -> ("production", [("~", 2), ("^", 1)]). NotFound for what git's basic syntax does
    not say (`@{...}`, `:path`, `~x`): like any string that names no commit, it is not a ref here."""
    if "@{" in ref or ":" in ref:  # names cannot hold these (git's ref rules): a revision form we lack
        raise NotFound(f"no ref {ref!r}: of git's revision syntax only ~N and ^N are understood")
    start = _REVISION_START.search(ref)
    if start is None:
        return ref, []
    base, rest = ref[: start.start()], ref[start.start() :]
    if not base:
        raise NotFound(f"no ref {ref!r}: a release, environment or sha comes before ~ or ^")
    steps: list[tuple[str, int]] = []
    position = 0
    while position < len(rest):
        found = _REVISION_STEP.match(rest, position)
        if found is None:
            raise NotFound(f"no ref {ref!r}: after {base!r} only ~N and ^N (N parents back) are understood")
        steps.append((found.group(1), int(found.group(2) or "1")))
        position = found.end()
    return base, steps


def _count(count: int, noun: str) -> str:
    return f"no {noun}s" if count == 0 else f"{count} {noun}" + ("" if count == 1 else "s")


def parse(ddl: str, dialect: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> Schema:
    schema: Schema = normalize(ddl, dialect, options=options)
    return schema


@dataclass(frozen=True)
class ReleaseLookup:
    """Which release a commit is, by evidence in decreasing strength: the tag points at the commit, the
    commit has a release commit's tree (a promotion of the release), the fingerprint is a release's."""

    by_commit: dict[str, str]
    by_tree: dict[str, str]
    by_fingerprint: dict[str, str]

    def of(self, commit: CommitInfo, fingerprint: str) -> str | None:
        return (
            self.by_commit.get(commit.sha)
            or self.by_tree.get(commit.tree)
            or self.by_fingerprint.get(fingerprint)
        )


class Reader:
    """Reads of the repos of one data dir (`<data_dir>/<project>.git`), with their caches."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._repos: dict[str, ProjectRepo] = {}
        self._repos_lock = threading.Lock()
        self._configs: dict[str, tuple[int, Project, DiffRules]] = {}
        self._infos: LRU[tuple[str, str], SnapshotInfo] = LRU(8192)
        self._schemas: LRU[tuple[str, str], Schema] = LRU(64)
        self._snapshots: LRU[tuple[str, str], tuple[tuple[int, int], Snapshot]] = LRU(8192)
        self._releases: dict[str, tuple[tuple[int, int], list[Release], ReleaseLookup]] = {}

    def close(self) -> None:
        with self._repos_lock:
            repos, self._repos = list(self._repos.values()), {}
        for repo in repos:
            repo.close()

    def repo_path(self, project: str) -> Path:
        return self.data_dir / f"{check_project_name(project)}.git"

    def repo(self, project: str) -> ProjectRepo:
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

    def opened(self, project: str) -> ProjectRepo | None:
        """The project's repo if it is open already (None: not yet), without touching the disk."""
        return self._repos.get(project)

    def adopt(self, project: str, repo: ProjectRepo) -> None:
        with self._repos_lock:
            self._repos[project] = repo

    def config(self, name: str) -> tuple[Project, DiffRules]:
        """The project's settings and diff rules, re-read when its config file changes."""
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

    def invalidate(self, project: str) -> None:
        """Forget what depends on the tags (after a write)."""
        self._releases.pop(project, None)

    # -- by commit sha ------------------------------------------------------------------------------

    def info(self, project: str, sha: str) -> SnapshotInfo:
        cached = self._infos.get((project, sha))
        if cached is not None:
            return cached
        repo = self.repo(project)
        return self._infos.put((project, sha), decode_info(repo.read_file(repo.commit(sha).tree, INFO_FILE)))

    def snapshot(self, project: str, sha: str) -> Snapshot:
        """A commit's Snapshot, cached by sha; `release` is refreshed when the set of tags changes."""
        tags = self.repo(project).tags_stamp()
        cached = self._snapshots.get((project, sha))
        if cached is not None and cached[0] == tags:
            return cached[1]
        info = self.info(project, sha)
        commit = self.repo(project).commit(sha)
        snapshot = Snapshot(
            sha=sha,
            fingerprint=info.fingerprint,
            created_at=iso(commit.time),  # the commit's time, as git shows it (see Snapshot)
            subject=commit.subject,
            release=self.release_of(project, commit, info.fingerprint),
            info=info,
        )
        self._snapshots.put((project, sha), (tags, snapshot))
        return snapshot

    def schema(self, project: str, sha: str, *, like: Schema | None = None) -> Schema:
        """The Schema of a commit (cached by sha): the one remembered for its schema.sql blob, else that
        text normalised (and remembered by the blob for next time). `like`: the schema the caller compares
        it with, whose objects of the same canonical text it may share (`schema_of_blob`)."""
        cached = self._schemas.get((project, sha))
        if cached is not None:
            return cached
        repo = self.repo(project)
        blob = repo.lookup(repo.commit(sha).tree, "schema.sql")
        settings = self.config(project)[0]
        dialect = self.info(project, sha).dialect or settings.dialect
        schema = (
            None if blob is None else schema_of_blob(blob, dialect, options=settings.normalize, like=like)
        )
        if schema is None:
            schema = parse(repo.blob(blob).decode("utf-8") if blob else "", dialect, settings.normalize)
            if blob is not None:
                remember_blob(blob, schema, options=settings.normalize)
        return self._schemas.put((project, sha), schema)

    def remember_schema(self, project: str, sha: str, schema: Schema) -> None:
        self._schemas.put((project, sha), schema)

    def file(self, project: str, sha: str, path: str) -> str | None:
        repo = self.repo(project)
        raw = repo.read_file(repo.commit(sha).tree, path)
        return None if raw is None else raw.decode("utf-8")

    # -- refs ---------------------------------------------------------------------------------------

    def resolve(self, project: str, ref: str) -> str:
        """A commit sha from a release name, an env name, a full sha or a unique short sha (in that order),
        followed by any of git's ancestry suffixes: `~N` (N first parents back), `^N` (the N-th parent);
        `~` and `^` mean 1 (`production~1`, `v1.2.0^`, `3f2a9c1d~2^`)."""
        ref = ref.strip()
        if not ref:
            raise InvalidName("empty ref")
        repo = self.repo(project)  # an unknown project first
        base, steps = split_revision(ref)
        sha = self._resolve_name(project, base)
        if not steps:
            return sha
        done = base  # the part of `ref` resolved so far, for the message when a step walks off
        for operator, count in steps:
            if operator == "^" and count > 0:
                parents = repo.commit(sha).parents
                if count > len(parents):
                    raise NotFound(f"{ref}: {done} has {_count(len(parents), 'parent')}, not {count}")
                sha = parents[count - 1]
            elif operator == "~":
                for step in range(count):
                    parents = repo.commit(sha).parents
                    if not parents:
                        raise NotFound(f"{ref}: {done} has only {_count(step + 1, 'snapshot')}")
                    sha = parents[0]
            done += f"{operator}{count}"
        return sha

    def _resolve_name(self, project: str, ref: str) -> str:
        repo = self.repo(project)
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

    def releases(self, project: str) -> list[Release]:
        """Every release, oldest first (by tag time), cached until the tags change."""
        return self._release_index(project)[0]

    def release_lookup(self, project: str) -> ReleaseLookup:
        """The releases by commit, by tree and by fingerprint (cached until the tags change)."""
        return self._release_index(project)[1]

    def _release_index(self, project: str) -> tuple[list[Release], ReleaseLookup]:
        repo = self.repo(project)
        key = repo.tags_stamp()
        cached = self._releases.get(project)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        found = []
        trees: dict[str, str] = {}
        for tag in repo.tags():
            info = self.info(project, tag.target)
            found.append(
                Release(
                    name=tag.name,
                    sha=tag.target,
                    tag=tag.sha,
                    fingerprint=info.fingerprint,
                    created_at=iso(tag.time),
                    description=info.description,
                )
            )
            trees.setdefault(repo.commit(tag.target).tree, tag.name)
        lookup = ReleaseLookup(
            by_commit={release.sha: release.name for release in reversed(found)},  # the oldest wins
            by_tree=trees,
            by_fingerprint={release.fingerprint: release.name for release in found},  # the latest wins
        )
        self._releases[project] = (key, found, lookup)
        return found, lookup

    def release_of(self, project: str, commit: CommitInfo, fingerprint: str) -> str | None:
        """The release a commit is: the one whose tag points at it; else the one whose commit has its
        tree (the commit promoted that release); else the latest release with its fingerprint (the
        same schema reached another way: snapshotted again, or promoted from an env before the release
        was cut there)."""
        return self.release_lookup(project).of(commit, fingerprint)

    def entry(self, project: str, commit: CommitInfo) -> HistoryEntry:
        fingerprint = self.info(project, commit.sha).fingerprint
        return HistoryEntry(
            sha=commit.sha,
            created_at=iso(commit.time),
            subject=commit.subject,
            fingerprint=fingerprint,
            release=self.release_of(project, commit, fingerprint),
        )

    # -- by env and by ref (the service's reading verbs) ----------------------------------------------

    def expected(self, project: str, env: str) -> Snapshot:
        """What an environment expects: its head. The hot path: one ref read, the rest cached by sha."""
        head = self.repo(project).ref(BRANCH_PREFIX + check_env_name(env))
        if head is None:
            raise NotFound(f"no environment {env!r} in project {project!r}")
        return self.snapshot(project, head)

    def head(self, project: str, env: str) -> tuple[str, tuple[int, int]]:
        """The env's head sha and the tags stamp, without reading any object."""
        repo = self.repo(project)
        sha = repo.branch_head(check_env_name(env))
        if sha is None:
            raise NotFound(f"no environment {env!r} in project {project!r}")
        return sha, repo.tags_stamp()

    def version(self, project: str, ref: str) -> Snapshot:
        """The snapshot a ref names: a release, an env, a full or short sha."""
        repo = self.repo(project)
        sha = ref if len(ref) == 40 and repo.has_commit(ref) else self.resolve(project, ref)
        return self.snapshot(project, sha)

    def environments(self, project: str) -> list[Environment]:
        found = []
        for name, sha in sorted(self.repo(project).branches().items()):
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

    def object_sql(self, project: str, ref: str, kind: Kind | str, name: str) -> str:
        """One object's canonical DDL, read from its file (`kind` singular or folder name)."""
        found = KIND_BY_FOLDER.get(str(kind)) or next((k for k in Kind if k.value == str(kind)), None)
        if found is None:
            raise NotFound(f"no object kind {kind!r}")
        sha = self.resolve(project, ref)
        text = self.file(project, sha, ObjectKey(found, name).filename)
        legacy = legacy_filename(name)
        if text is None and escape_filename(unescape_filename(legacy)) != legacy:
            # Written before '%' was escaped; a stem that today's escaping could not write names no other
            # object, so reading it is unambiguous.
            text = self.file(project, sha, f"objects/{found.folder}/{legacy}.sql")
        if text is None:
            raise NotFound(f"no {found.value} {name!r} at {ref!r}")
        return text
