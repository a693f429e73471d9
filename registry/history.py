"""Table history: when each column of a table appeared or changed along an env's line, and in which
release it shipped. Only the table's own file is read at each commit, and only where its blob changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import msgspec

from schemareg.diff import diff_schemas
from schemareg.errors import NotFound
from schemareg.model import Kind, ObjectKey, Schema
from schemareg.names import split_key, unescape_filename
from schemareg.reading import Reader, parse
from schemareg.snapshots import HistoryEntry, Release, iso, key_of_path
from schemareg.store import BRANCH_PREFIX, CommitInfo, ProjectRepo, check_env_name

__all__ = [
    "ColumnEvent",
    "TableHistory",
    "default_env",
    "env_history",
    "env_table_history",
    "ref_log",
    "shipped_by",
    "table_history",
    "table_path",
]


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


def table_history(
    repo: ProjectRepo,
    lineage: list[CommitInfo],
    table: str,
    *,
    env: str,
    releases: Sequence[Release],
    fingerprint_of: Callable[[str], str],
    parse: Callable[[str, str], Schema],
) -> TableHistory:
    """The events of `table` along `lineage` (oldest first). `releases` are the project's releases (oldest
    first, see `shipped_by`); `fingerprint_of(sha)` reads a commit's fingerprint; `parse(sha, ddl)`
    normalises the table's file as of that commit (in its dialect)."""
    path = table_path(repo, lineage[-1].tree, table) or next(
        (found for commit in reversed(lineage) if (found := table_path(repo, commit.tree, table))), None
    )
    if path is None:
        raise NotFound(f"no table {table!r} in the history of {env!r}")
    key = key_of_path(path)
    assert key is not None

    shipped = shipped_by(repo, lineage, releases, fingerprint_of)

    events: list[ColumnEvent] = []
    previous_blob: str | None = None
    previous: Schema | None = None
    for index, commit in enumerate(lineage):
        blob = repo.lookup(commit.tree, path)
        if blob == previous_blob:
            continue
        current = parse(commit.sha, repo.blob(blob).decode("utf-8") if blob else "")
        current = Schema(
            dialect=current.dialect,
            objects={key: obj for key, obj in current.objects.items() if key.kind is Kind.TABLE},
        )
        for change in diff_schemas(previous or Schema(dialect=current.dialect), current).changes:
            events.append(
                ColumnEvent(
                    sha=commit.sha,
                    created_at=iso(commit.time),
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
    return TableHistory(table=key.name, env=env, events=events)


def shipped_by(
    repo: ProjectRepo,
    lineage: Sequence[CommitInfo],
    releases: Sequence[Release],
    fingerprint_of: Callable[[str], str],
) -> list[str | None]:
    """The first release that ships each commit of `lineage` (oldest first): the release placed at the
    nearest commit at or after it, the older release when two are placed at one commit.

    A release is placed by commit: where its tag's commit joins the line, following first parents (a
    release is its own commit, on the line or hanging off the commit it was cut from). A release that
    never joins the line (cut on another env) is placed at the line's first commit with its tree (the
    line promoted the release), else at the line's first commit with its fingerprint (the line promoted
    the env it was cut on)."""
    index = {commit.sha: position for position, commit in enumerate(lineage)}
    joined: dict[str, int | None] = {}  # sha -> the line index its first-parent chain joins (None: never)

    def join(sha: str) -> int | None:
        walked: list[str] = []
        found: int | None = None
        current: str | None = sha
        while current is not None:
            if current in index:
                found = index[current]
                break
            if current in joined:
                found = joined[current]
                break
            walked.append(current)
            parents = repo.commit(current).parents
            current = parents[0] if parents else None
        for seen in walked:
            joined[seen] = found
        return found

    first_tree: dict[str, int] = {}
    first_fingerprint: dict[str, int] = {}
    for position, commit in enumerate(lineage):
        first_tree.setdefault(commit.tree, position)
        first_fingerprint.setdefault(fingerprint_of(commit.sha), position)

    placed: dict[int, str] = {}
    for release in releases:  # oldest first, so the older of two releases at one commit stays
        at = join(release.sha)
        if at is None:
            at = first_tree.get(repo.commit(release.sha).tree)
        if at is None:
            at = first_fingerprint.get(release.fingerprint)
        if at is not None:
            placed.setdefault(at, release.name)

    shipped: list[str | None] = [None] * len(lineage)
    upcoming: str | None = None
    for position in range(len(lineage) - 1, -1, -1):
        upcoming = placed.get(position, upcoming)
        shipped[position] = upcoming
    return shipped


def table_path(repo: ProjectRepo, tree: str, table: str) -> str | None:
    """The path of a table's file in a tree: `schema.name`, else `public.name`, else any schema's `name`."""
    candidates = [table] if "." in table else [f"public.{table}", table]
    for name in candidates:
        path = ObjectKey(Kind.TABLE, name).filename
        if repo.lookup(tree, path) is not None:
            return path
    folder = repo.lookup(tree, f"objects/{Kind.TABLE.folder}")
    if folder is None:
        return None
    for filename in sorted(repo.tree_entries(folder)):
        if split_key(unescape_filename(filename.removesuffix(".sql")))[-1] == table:
            return f"objects/{Kind.TABLE.folder}/{filename}"
    return None


def env_history(read: Reader, project: str, env: str, *, limit: int | None = None) -> list[HistoryEntry]:
    """An env's snapshots, newest first (its branch's first-parent line)."""
    repo = read.repo(project)
    head = repo.ref(BRANCH_PREFIX + check_env_name(env))
    if head is None:
        raise NotFound(f"no environment {env!r} in project {project!r}")
    return [read.entry(project, commit) for commit in repo.walk(head, limit=limit)]


def ref_log(read: Reader, project: str, ref: str, *, limit: int | None = None) -> list[HistoryEntry]:
    """The first-parent history from any ref."""
    walk = read.repo(project).walk(read.resolve(project, ref), limit=limit)
    return [read.entry(project, commit) for commit in walk]


def default_env(read: Reader, project: str) -> str:
    """The env the project's `default_env` setting names, if it exists; else production if the project
    has it, else its first env by name (NotFound without any). The repo's HEAD points at it."""
    branches = read.repo(project).branches()
    if not branches:
        raise NotFound(f"project {project!r} has no environments")
    return choose_default_env(branches, read.config(project)[0].default_env)


def choose_default_env(branches: Iterable[str], setting: str | None) -> str:
    """Of a project's envs (not none), the one its `default_env` setting names, else production, else
    the first by name."""
    names = set(branches)
    if setting is not None and setting in names:
        return setting
    return "production" if "production" in names else min(names)


def env_table_history(read: Reader, project: str, table: str, *, env: str | None = None) -> TableHistory:
    """`table_history` along an env's line (`env` defaults to production, else the first env)."""
    repo = read.repo(project)
    env = env or default_env(read, project)
    head = repo.branches().get(check_env_name(env))
    if head is None:
        raise NotFound(f"no environment {env!r} in project {project!r}")
    settings = read.config(project)[0]

    def parse_at(sha: str, ddl: str) -> Schema:
        return parse(ddl, read.info(project, sha).dialect or settings.dialect, settings.normalize)

    return table_history(
        repo,
        list(reversed(list(repo.walk(head)))),
        table,
        env=env,
        releases=read.releases(project),
        fingerprint_of=lambda sha: read.info(project, sha).fingerprint,
        parse=parse_at,
    )
