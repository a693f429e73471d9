"""One project's bare repository over dulwich: durable objects, trees, commits, compare-and-swap refs and
annotated tags, and the reads the registry needs (no lock needed for those)."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dulwich.file import FileLocked
from dulwich.objects import Blob, Commit, ObjectID, ShaFile, Tag, Tree
from dulwich.refs import Ref
from dulwich.repo import Repo

from schemareg.errors import Conflict, NotFound, StoreError
from schemareg.names import check_text
from schemareg.store import maintenance
from schemareg.store.locks import GENERATION_FILE, LOCK_FILE, Generation, ProjectLock
from schemareg.store.maintenance import GC_CONFIG, GcResult
from schemareg.store.names import BRANCH_PREFIX, HEX, TAG_PREFIX

SIGNATURE = b"schemareg <schemareg@localhost>"
REF_LOCK_RETRY = 2.0  # seconds to wait for a git ref lock held by another git process
PACK_THRESHOLD = 64  # new objects in one write from which they go into a pack instead of loose files

T = TypeVar("T")

_FILE_MODE = 0o100644
_DIR_MODE = 0o040000
_MAX_MESSAGE = 64 * 1024  # a commit or tag message: the user's text plus the lines the registry adds


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str
    time: int  # committer time, seconds since the epoch (UTC)

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


@dataclass(frozen=True)
class TagInfo:
    name: str
    sha: str  # the annotated tag object
    target: str  # the commit it points at
    message: str
    time: int


def blob_id(content: bytes) -> str:
    """The git blob sha of `content` (git hashes a header of the type and size, then the bytes)."""
    digest = hashlib.sha1(b"blob %d\0" % len(content), usedforsecurity=False)
    digest.update(content)
    return digest.hexdigest()


def blob_ids(files: Mapping[str, bytes]) -> dict[str, str]:
    """The git blob sha of each file's content, by path, without writing anything."""
    return {path: blob_id(content) for path, content in files.items()}


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _together(actions: list[Callable[[], object]]) -> None:
    """Run actions that wait on the disk at once, each on a thread of its own; raise the first error."""
    if len(actions) <= 1:
        for action in actions:
            action()
        return
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            action()
        except BaseException as error:  # raised again below, in the caller's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _updated_tree(entries: Mapping[str, tuple[int, str]], files: Mapping[str, bytes]) -> list[ShaFile]:
    """The blobs of `files` and, last, the tree of `entries` with those top-level files replaced."""
    new = Tree()
    for name, (mode, sha) in entries.items():
        if name not in files:
            new.add(name.encode("utf-8"), mode, ObjectID(sha.encode()))
    blobs: list[ShaFile] = []
    for name, content in files.items():
        blob = Blob.from_string(content)
        blobs.append(blob)
        new.add(name.encode("utf-8"), _FILE_MODE, blob.id)
    return [*blobs, new]


def _commit_object(tree: str, parents: list[str], message: str, when: int | None) -> Commit:
    check_text("message", message, max_length=_MAX_MESSAGE)
    commit = Commit()
    commit.tree = ObjectID(tree.encode())
    commit.parents = [ObjectID(parent.encode()) for parent in parents]
    commit.author = commit.committer = SIGNATURE
    commit.author_time = commit.commit_time = int(time.time()) if when is None else when
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = (message.rstrip("\n") + "\n").encode("utf-8")
    return commit


def _write_loose(add: Callable[[ShaFile], None], objects_dir: str, new: list[ShaFile]) -> None:
    """Write loose objects with `add` (dulwich's, which fsyncs each file before renaming it into place),
    then fsync the folders that name them. The fsyncs of a few files wait on the disk, not the CPU, so
    they wait together, each on a thread (the file system can commit them in one journal flush); every
    one still ends before this returns, so before any ref names the objects."""
    dirs = sorted({os.path.join(objects_dir, obj.id[:2].decode()) for obj in new})
    _together([lambda obj=obj: _retry_locked(lambda: add(obj)) for obj in new])  # type: ignore[misc]
    _together([lambda path=path: _fsync_dir(path) for path in dirs])  # type: ignore[misc]
    if dirs:
        _fsync_dir(objects_dir)


def _retry_locked(action: Callable[[], T]) -> T:
    """Run a dulwich write, waiting briefly if another git process holds the file's lock."""
    deadline = time.monotonic() + REF_LOCK_RETRY
    while True:
        try:
            return action()
        except FileLocked as error:
            if time.monotonic() > deadline:
                raise StoreError(f"{os.fsdecode(error.filename)} is locked by another git process") from error
            time.sleep(0.02)


def _tag_info(name: bytes, sha: bytes, obj: ShaFile) -> TagInfo | None:
    """An annotated tag, or a lightweight one (made by someone with git) pointing straight at a commit."""
    if isinstance(obj, Tag):
        return TagInfo(
            name=name.decode(),
            sha=sha.decode(),
            target=obj.object[1].decode(),
            message=obj.message.decode("utf-8", "replace"),
            time=obj.tag_time,
        )
    if isinstance(obj, Commit):
        return TagInfo(name.decode(), sha.decode(), sha.decode(), "", obj.commit_time)
    return None


def _tree(
    files: Mapping[str, bytes], present: Collection[str] = (), ids: Mapping[str, str] | None = None
) -> tuple[Tree, list[ShaFile]]:
    """The tree of `path -> content` (paths with '/') and every object it needs, itself last; a file whose
    blob is in `present` (the repo has it) gets no object built. `ids`: the blob ids by path, when the
    caller has them (`blob_ids`), so that no file is hashed twice."""
    objects: list[ShaFile] = []
    root: dict[str, object] = {}
    for path, content in files.items():
        *folders, name = path.split("/")
        node = root
        for folder in folders:
            node = node.setdefault(folder, {})  # type: ignore[assignment]
        node[name] = (content, ids.get(path) if ids is not None else None)

    def build(node: dict[str, object]) -> Tree:
        tree = Tree()
        for name, value in node.items():
            if isinstance(value, dict):
                child = build(value)
                objects.append(child)
                tree.add(name.encode("utf-8"), _DIR_MODE, child.id)
            else:
                assert isinstance(value, tuple)
                content, known = value
                sha = known or blob_id(content)
                if sha not in present:  # an unchanged file of a big tree: no object to build
                    objects.append(Blob.from_string(content))
                tree.add(name.encode("utf-8"), _FILE_MODE, ObjectID(sha.encode()))
        return tree

    tree = build(root)
    objects.append(tree)
    return tree, objects


class ProjectRepo:
    """One project's bare repository, with the few git operations the registry needs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not (path / "objects").is_dir():
            raise NotFound(f"no repository at {path.name}")
        try:
            self.repo = Repo(str(path), bare=True)
        except Exception as error:
            raise NotFound(f"no repository at {path.name}") from error
        store = self.repo.object_store
        # Objects must be on disk before a ref names them (git's own config knob for this is deprecated).
        store.fsync_object_files = True
        if store.loose_compression_level == -1:
            # Neither core.compression nor core.looseCompression is set: git's default for loose objects
            # is then 1, not zlib's 6 (a third of the time on a snapshot's 2.5 MB schema.sql); gc repacks.
            store.loose_compression_level = 1
        self.lock = ProjectLock(path / LOCK_FILE)
        self.generation = Generation(path / GENERATION_FILE)
        self._stamped = (os.path.join(path, "refs", "tags"), os.path.join(path, "packed-refs"))

    @classmethod
    def create(cls, path: Path) -> ProjectRepo:
        """Create the bare repo atomically: build it beside its final name, then rename it into place."""
        if path.exists():
            raise Conflict(f"project {path.name.removesuffix('.git')!r} exists already")
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.parent / f".{path.name}.creating-{os.getpid()}-{threading.get_ident()}"
        try:
            Repo.init_bare(str(staging), mkdir=True).close()
            config = Repo(str(staging)).get_config()
            # We pack on demand (`schemareg gc`) under our own lock, never in the middle of a write.
            config.set((b"gc",), b"auto", b"0")
            for section, key, value in GC_CONFIG:
                config.set((section.encode(),), key.encode(), value.encode())
            config.write_to_path()
            os.rename(staging, path)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            if path.exists():
                raise Conflict(f"project {path.name.removesuffix('.git')!r} exists already") from error
            raise StoreError(f"cannot create {path.name}: {error}") from error
        _fsync_dir(str(path.parent))
        return cls(path)

    def close(self) -> None:
        self.generation.close()
        self.repo.close()

    # -- writing (call these while holding `self.lock`) ---------------------------------------------

    def recover(self) -> list[str]:
        """Remove what a writer killed mid-write left behind (see `maintenance.recover`); hold the lock."""
        return maintenance.recover(self.path)

    def add_objects(self, objects: list[ShaFile], present: Collection[str] = ()) -> None:
        """Write objects durably, then fsync the directories that name them.

        Many new objects (a first snapshot, a big change) go into one pack: thousands of loose files cost a
        file system block each and a system call each to write. A few go loose, as git writes them, so a
        small change does not add a pack per commit; `gc` repacks both with deltas.

        `present`: ids the caller knows the repo has (the blobs of the tree a new commit follows), so the
        unchanged objects of a big tree cost no lookup in every pack and no stat of a loose file each.
        """
        store = self.repo.object_store
        unique = {obj.id: obj for obj in objects}
        new = [obj for sha, obj in unique.items() if sha.decode() not in present and sha not in store]
        if len(new) >= PACK_THRESHOLD:
            _retry_locked(lambda: store.add_objects([(obj, None) for obj in new]))
            _fsync_dir(os.path.join(str(self.path), "objects", "pack"))
            return
        _write_loose(store.add_object, os.path.join(str(self.path), "objects"), new)

    def write_tree(
        self, files: Mapping[str, bytes], present: Collection[str] = (), ids: Mapping[str, str] | None = None
    ) -> str:
        """Write a tree of `path -> content` (paths with '/') and return its sha; `present` as for
        `add_objects`, `ids` the files' blob ids when known (`blob_ids`)."""
        tree, objects = _tree(files, present, ids)
        self.add_objects(objects, present)
        return tree.id.decode()

    def update_tree(self, tree: str, files: Mapping[str, bytes]) -> str:
        """A copy of a tree with some top-level files replaced; the rest (objects/) is shared."""
        objects = _updated_tree(self.tree_entries(tree), files)
        self.add_objects(objects)
        return objects[-1].id.decode()

    def write_commit(self, tree: str, parents: list[str], message: str, *, when: int | None = None) -> str:
        commit = _commit_object(tree, parents, message, when)
        self.add_objects([commit])
        return commit.id.decode()

    def commit_files(
        self,
        files: Mapping[str, bytes],
        parents: list[str],
        message: str,
        *,
        present: Collection[str] = (),
        ids: Mapping[str, str] | None = None,
        when: int | None = None,
    ) -> str:
        """`write_tree` and `write_commit` in one durable write (one round of fsyncs, not two)."""
        tree, objects = _tree(files, present, ids)
        commit = _commit_object(tree.id.decode(), parents, message, when)
        self.add_objects([*objects, commit], present)
        return commit.id.decode()

    def set_ref(self, name: str, old: str | None, new: str, *, message: str = "") -> None:
        """Move a ref by compare-and-swap: from `old` (None: the ref must not exist) to `new`.

        Raises Conflict when the ref moved in between, which cannot happen under the project lock
        unless something outside the registry wrote to the repo.
        """
        ref = Ref(name.encode())
        new_id = ObjectID(new.encode())
        log = message.encode("utf-8") or None
        if old is None and name.startswith(BRANCH_PREFIX):
            env = name.removeprefix(BRANCH_PREFIX)
            if self.ref(TAG_PREFIX + env) is not None:
                raise Conflict(f"environment {env!r} would shadow the release of that name")
        if old is None:
            ok = _retry_locked(
                lambda: self.repo.refs.add_if_new(ref, new_id, committer=SIGNATURE, message=log)
            )
        else:
            old_id = ObjectID(old.encode())
            ok = _retry_locked(
                lambda: self.repo.refs.set_if_equals(ref, old_id, new_id, committer=SIGNATURE, message=log)
            )
        if not ok:
            raise Conflict(f"{name} moved while it was being updated; try again")
        self.generation.bump()

    def head_branch(self) -> str | None:
        """The branch HEAD points at (None: HEAD is detached or names no branch)."""
        raw = self.repo.refs.read_ref(Ref(b"HEAD"))
        prefix = b"ref: " + BRANCH_PREFIX.encode()
        if raw is None or not raw.startswith(prefix):
            return None
        return raw[len(prefix) :].strip().decode()

    def set_head(self, branch: str) -> None:
        """Point HEAD (what `git clone` checks out) at a branch."""
        self.repo.refs.set_symbolic_ref(Ref(b"HEAD"), Ref((BRANCH_PREFIX + branch).encode()))
        self.generation.bump()

    def create_tag(self, name: str, target: str, message: str, *, when: int | None = None) -> str:
        """Create an annotated tag once: Conflict if the name is taken (tags are immutable)."""
        check_text("description", message, max_length=_MAX_MESSAGE)
        if self.ref(BRANCH_PREFIX + name) is not None:
            raise Conflict(f"release {name!r} would shadow the environment of that name")
        tag = Tag()
        tag.name = name.encode("utf-8")
        tag.object = (Commit, target.encode())
        tag.tagger = SIGNATURE
        tag.tag_time = int(time.time()) if when is None else when
        tag.tag_timezone = 0
        tag.message = (message.rstrip("\n") + "\n").encode("utf-8")
        if self.ref(TAG_PREFIX + name) is not None:
            raise Conflict(f"release {name!r} exists already; releases are immutable")
        self.add_objects([tag])
        try:
            self.set_ref(TAG_PREFIX + name, None, tag.id.decode(), message=f"release {name}")
        except Conflict:
            raise Conflict(f"release {name!r} exists already; releases are immutable") from None
        return tag.id.decode()

    # -- reading (no lock needed) ---------------------------------------------------------------------

    def ref(self, name: str) -> str | None:
        sha = self.repo.refs.read_ref(Ref(name.encode()))
        if sha is None or sha.startswith(b"ref: "):
            return None
        return sha.decode()

    def branch_head(self, name: str) -> str | None:
        """The head of branch `name` (already validated): one read of git's loose ref file, or the
        general lookup when refs are packed (after `git gc`). The hot path's only git read."""
        try:
            with open(os.path.join(self.path, "refs", "heads", name), "rb") as handle:
                raw = handle.read(42)
            if len(raw) == 41 and raw.endswith(b"\n"):
                return raw[:40].decode("ascii")
        except (OSError, UnicodeDecodeError):
            pass
        return self.ref(BRANCH_PREFIX + name)

    def tags_stamp(self) -> tuple[int, int]:
        """Changes whenever a tag is added (a loose ref in refs/tags) or refs are packed by gc: a cheap
        key for caches of the release list."""
        stamp = []
        for path in self._stamped:
            try:
                stamp.append(os.stat(path).st_mtime_ns)
            except FileNotFoundError:
                stamp.append(0)
        return stamp[0], stamp[1]

    def branches(self) -> dict[str, str]:
        return {
            name.decode(): sha.decode()
            for name, sha in self.repo.refs.as_dict(Ref(BRANCH_PREFIX.encode())).items()
        }

    def tags(self) -> list[TagInfo]:
        """Every annotated tag, oldest first."""
        refs = self.repo.refs.as_dict(Ref(TAG_PREFIX.encode())).items()
        found = [info for name, sha in refs if (info := _tag_info(name, sha, self.repo[sha])) is not None]
        return sorted(found, key=lambda tag: (tag.time, tag.name))

    def commit(self, sha: str) -> CommitInfo:
        try:
            obj = self.repo[sha.encode()]
        except KeyError:
            raise NotFound(f"no commit {sha}") from None
        if isinstance(obj, Tag):
            return self.commit(obj.object[1].decode())
        if not isinstance(obj, Commit):
            raise NotFound(f"{sha} is not a commit")
        return CommitInfo(
            sha=obj.id.decode(),
            tree=obj.tree.decode(),
            parents=tuple(parent.decode() for parent in obj.parents),
            message=obj.message.decode("utf-8", "replace"),
            time=obj.commit_time,
        )

    def has_commit(self, sha: str) -> bool:
        try:
            return isinstance(self.repo[sha.encode()], Commit)
        except (KeyError, ValueError):
            return False

    def commits_with_prefix(self, prefix: str) -> list[str]:
        prefix = prefix.lower()
        found = {
            sha.decode()
            for sha in self.repo.object_store.iter_prefix(prefix.encode())
            if len(sha) == 40 and HEX.fullmatch(sha.decode())
        }
        return sorted(sha for sha in found if self.has_commit(sha))

    def walk(self, head: str, *, limit: int | None = None) -> Iterator[CommitInfo]:
        """The first-parent history from `head`, newest first (an env's own line of snapshots)."""
        sha: str | None = head
        count = 0
        while sha is not None and (limit is None or count < limit):
            info = self.commit(sha)
            yield info
            count += 1
            sha = info.parents[0] if info.parents else None

    def tree_entries(self, tree: str) -> dict[str, tuple[int, str]]:
        obj = self.repo[tree.encode()]
        if not isinstance(obj, Tree):
            raise NotFound(f"{tree} is not a tree")
        return {entry.path.decode(): (entry.mode, entry.sha.decode()) for entry in obj.iteritems()}

    def lookup(self, tree: str, path: str) -> str | None:
        """The sha of the object at `path` inside a tree, or None."""
        sha = tree
        for part in path.split("/"):
            entry = self.tree_entries(sha).get(part)
            if entry is None:
                return None
            sha = entry[1]
        return sha

    def blob(self, sha: str) -> bytes:
        obj = self.repo[sha.encode()]
        if not isinstance(obj, Blob):
            raise NotFound(f"{sha} is not a file")
        return obj.as_raw_string()

    def read_file(self, tree: str, path: str) -> bytes | None:
        sha = self.lookup(tree, path)
        return None if sha is None else self.blob(sha)

    def files(self, tree: str, prefix: str = "") -> dict[str, str]:
        """Every file below a tree as `path -> blob sha`."""
        found: dict[str, str] = {}
        for name, (mode, sha) in self.tree_entries(tree).items():
            path = f"{prefix}{name}"
            if mode == _DIR_MODE:
                found.update(self.files(sha, path + "/"))
            else:
                found[path] = sha
        return found

    # -- maintenance ----------------------------------------------------------------------------------

    def gc(self, *, use_git: bool | None = None) -> GcResult:
        """Pack the repository (see `maintenance.gc`). Hold the lock around it."""
        result = maintenance.gc(self.path, self.repo.object_store.pack_loose_objects, use_git=use_git)
        self.generation.bump()  # refs were packed: readers look again
        return result
