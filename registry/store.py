"""The git store's plumbing over dulwich: bare repos, durable objects, compare-and-swap refs, tags and locks.

The porcelain (`registry.service`) builds snapshots, environments and releases on top; this module never
imports it.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dulwich.file import FileLocked
from dulwich.objects import Blob, Commit, ObjectID, ShaFile, Tag, Tree
from dulwich.refs import Ref, check_ref_format
from dulwich.repo import Repo

from schemareg.errors import Conflict, InvalidName, NotFound, StoreError
from schemareg.names import check_text

__all__ = [
    "BRANCH_PREFIX",
    "TAG_PREFIX",
    "CommitInfo",
    "GcResult",
    "ProjectLock",
    "ProjectRepo",
    "TagInfo",
    "blob_ids",
    "check_env_name",
    "check_project_name",
    "check_release_name",
]

BRANCH_PREFIX = "refs/heads/"
TAG_PREFIX = "refs/tags/"
SIGNATURE = b"schemareg <schemareg@localhost>"
LOCK_FILE = "schemareg.lock"
GENERATION_FILE = "schemareg.generation"
LOCK_TIMEOUT = 60.0  # seconds a writer waits for the project lock before giving up
REF_LOCK_RETRY = 2.0  # seconds to wait for a git ref lock held by another git process
PACK_THRESHOLD = 64  # new objects in one write from which they go into a pack instead of loose files

T = TypeVar("T")

# Snapshots are long chains of near-identical files: deeper delta chains and a wider search window make
# the packed repo about 20% smaller, and bitmaps (for serving big clones fast) would cost another 5%.
GC_CONFIG = (("pack", "depth", "100"), ("pack", "window", "50"), ("repack", "writeBitmaps", "false"))

_FILE_MODE = 0o100644
_DIR_MODE = 0o040000
_HEX = re.compile(r"[0-9a-f]{4,40}")
_SIMPLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# A release named like one of git's own refs, or spelled as a ref path, would be resolved as that ref.
_SHADOWING_RELEASE = re.compile(r"[A-Z_]*HEAD|(?:refs|heads|tags|remotes)/.*")
_MAX_MESSAGE = 64 * 1024  # a commit or tag message: the user's text plus the lines the registry adds


# -- names ---------------------------------------------------------------------------------------------


def _check_simple(what: str, name: str) -> None:
    if (
        not _SIMPLE_NAME.fullmatch(name)
        or ".." in name
        or name.endswith((".", ".lock", ".git"))
        or name == "HEAD"
    ):
        raise InvalidName(
            f"invalid {what} name {name!r}: use letters, digits, '.', '_' and '-' (at most 100), "
            "starting with a letter or digit, not ending in '.', '.lock' or '.git'"
        )
    if _HEX.fullmatch(name):
        # A hex name would shadow a short sha when a ref is resolved.
        raise InvalidName(f"invalid {what} name {name!r}: it looks like a commit sha")


def check_project_name(name: str) -> str:
    _check_simple("project", name)
    return name


def check_env_name(name: str) -> str:
    """An environment is a branch; one path segment, so that it fits in a URL and a file name."""
    _check_simple("environment", name)
    return name


def check_release_name(name: str) -> str:
    """A release is a tag: git's ref rules (`git check-ref-format`), and not something that looks like a sha."""
    if (
        not name
        or name == "@"
        or len(name) > 200
        or name.startswith("-")
        or not check_ref_format(Ref((TAG_PREFIX + name).encode("utf-8", "surrogateescape")))
        or not name.isprintable()
    ):
        raise InvalidName(f"invalid release name {name!r}: git's ref rules refuse it")
    if _SHADOWING_RELEASE.fullmatch(name):
        raise InvalidName(f"invalid release name {name!r}: git would read it as the ref {name!r}")
    if _HEX.fullmatch(name):
        raise InvalidName(f"invalid release name {name!r}: it looks like a commit sha")
    return name


# -- values --------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class GcResult:
    tool: str  # "git gc" or "dulwich"
    size_before: int
    size_after: int
    loose_before: int
    loose_after: int
    packs_after: int


# -- locking -------------------------------------------------------------------------------------------

_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


def blob_ids(files: Mapping[str, bytes]) -> dict[str, str]:
    """The git blob sha of each file's content, by path, without writing anything."""
    return {path: Blob.from_string(content).id.decode() for path, content in files.items()}


def _thread_lock(path: Path) -> threading.Lock:
    key = os.path.realpath(path)
    with _thread_locks_guard:
        return _thread_locks.setdefault(key, threading.Lock())


class ProjectLock:
    """Serialises the writers of one project across threads (a lock) and processes (`flock`).

    The holder writes its pid into the lock file and empties it when done, so a non-empty file found by
    the next holder means the previous writer died mid-write and left git lock files to clean up. The
    kernel drops an `flock` when its process dies, so a killed writer never blocks the others.
    """

    def __init__(self, path: Path, timeout: float = LOCK_TIMEOUT) -> None:
        self.path = path
        self.timeout = timeout

    @contextmanager
    def hold(self) -> Iterator[bool]:
        """Hold the lock; yields True when the previous holder crashed (its leftovers need cleaning)."""
        deadline = time.monotonic() + self.timeout
        lock = _thread_lock(self.path)
        if not lock.acquire(timeout=self.timeout):
            raise StoreError(f"timed out waiting for the write lock of {self.path.parent.name}")
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                self._flock(fd, deadline)
                crashed = os.fstat(fd).st_size > 0
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
                try:
                    yield crashed
                finally:
                    # An exception unwinds cleanly (dulwich aborts its lock files); only a kill skips this.
                    os.ftruncate(fd, 0)
            finally:
                os.close(fd)  # closing the descriptor releases the flock
        finally:
            lock.release()

    def _flock(self, fd: int, deadline: float) -> None:
        delay = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"timed out waiting for the write lock of {self.path.parent.name}"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)


# -- the repository ------------------------------------------------------------------------------------


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _dir_size(path: Path) -> tuple[int, int]:
    """Bytes on disk under `path` and the number of loose objects in it."""
    total = loose = 0
    for root, _dirs, files in os.walk(path):
        in_loose = len(os.path.basename(root)) == 2 and os.path.basename(os.path.dirname(root)) == "objects"
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:
                continue
            loose += in_loose
    return total, loose


class Generation:
    """A counter that every writer bumps after it moves a ref, in a small file each reader maps into
    memory: a reader that polls a head (the hot path) learns that nothing moved without a system call,
    in any process. Bumped under the project lock, so increments never race.

    Where the file cannot be made (a read-only data dir), `read()` is None: callers then look at the refs.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._map: mmap.mmap | None = None

    def _mapped(self) -> mmap.mmap | None:
        if self._map is None:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                return None
            try:
                if os.fstat(fd).st_size < 8:
                    os.ftruncate(fd, 8)
                self._map = mmap.mmap(fd, 8)
            except OSError:
                return None
            finally:
                os.close(fd)
        return self._map

    def read(self) -> int | None:
        mapped = self._mapped()
        return None if mapped is None else int.from_bytes(mapped[:8], "little")

    def bump(self) -> None:
        mapped = self._mapped()
        if mapped is not None:
            mapped[:8] = ((int.from_bytes(mapped[:8], "little") + 1) % 2**64).to_bytes(8, "little")

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None


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
        # Objects must be on disk before a ref names them (git's own config knob for this is deprecated).
        self.repo.object_store.fsync_object_files = True
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
        """Remove what a writer killed mid-write left behind: git lock files and temporary packs.

        Only safe while holding the project lock, since then no registry writer is running.
        """
        removed: list[str] = []
        for top in ("refs", "objects", "logs"):
            for root, _dirs, files in os.walk(self.path / top):
                for name in files:
                    # dulwich writes a pack as objects/pack/tmp*.pack before it renames it into place.
                    if name.endswith(".lock") or name.startswith("tmp"):
                        os.unlink(os.path.join(root, name))
                        removed.append(os.path.relpath(os.path.join(root, name), self.path))
        pack_dir = self.path / "objects" / "pack"
        for pack in pack_dir.glob("pack-*.pack") if pack_dir.is_dir() else ():
            # A writer killed between moving its pack into place and writing the index: nothing names
            # those objects yet (refs move last), and a pack without an index cannot be read.
            if not pack.with_suffix(".idx").exists():
                pack.unlink()
                removed.append(os.path.relpath(pack, self.path))
        for name in os.listdir(self.path):
            if name.endswith(".lock") and name != LOCK_FILE:
                os.unlink(self.path / name)
                removed.append(name)
        return removed

    def add_objects(self, objects: list[ShaFile]) -> None:
        """Write objects durably, then fsync the directories that name them.

        Many new objects (a first snapshot, a big change) go into one pack: thousands of loose files cost a
        file system block each and a system call each to write. A few go loose, as git writes them, so a
        small change does not add a pack per commit; `gc` repacks both with deltas.
        """
        store = self.repo.object_store
        new = list({obj.id: obj for obj in objects if obj.id not in store}.values())
        if len(new) >= PACK_THRESHOLD:
            self._retry_locked(lambda: store.add_objects([(obj, None) for obj in new]))
            _fsync_dir(os.path.join(str(self.path), "objects", "pack"))
            return
        dirs: set[str] = set()
        for obj in new:
            self._retry_locked(lambda obj=obj: store.add_object(obj))  # type: ignore[misc]
            dirs.add(obj.id[:2].decode())
        objects_dir = os.path.join(str(self.path), "objects")
        for name in sorted(dirs):
            _fsync_dir(os.path.join(objects_dir, name))
        if dirs:
            _fsync_dir(objects_dir)

    def write_tree(self, files: Mapping[str, bytes]) -> str:
        """Write a tree of `path -> content` (paths with '/') and return its sha."""
        objects: list[ShaFile] = []
        root: dict[str, object] = {}
        for path, content in files.items():
            *folders, name = path.split("/")
            node = root
            for folder in folders:
                node = node.setdefault(folder, {})  # type: ignore[assignment]
            node[name] = content

        def build(node: dict[str, object]) -> Tree:
            tree = Tree()
            for name, value in node.items():
                if isinstance(value, dict):
                    child: ShaFile = build(value)
                    mode = _DIR_MODE
                else:
                    assert isinstance(value, bytes)
                    child = Blob.from_string(value)
                    mode = _FILE_MODE
                objects.append(child)
                tree.add(name.encode("utf-8"), mode, child.id)
            return tree

        tree = build(root)
        objects.append(tree)
        self.add_objects(objects)
        return tree.id.decode()

    def update_tree(self, tree: str, files: Mapping[str, bytes]) -> str:
        """A copy of a tree with some top-level files replaced; the rest (objects/) is shared."""
        new = Tree()
        for name, (mode, sha) in self.tree_entries(tree).items():
            if name not in files:
                new.add(name.encode("utf-8"), mode, ObjectID(sha.encode()))
        blobs: list[ShaFile] = []
        for name, content in files.items():
            blob = Blob.from_string(content)
            blobs.append(blob)
            new.add(name.encode("utf-8"), _FILE_MODE, blob.id)
        self.add_objects([*blobs, new])
        return new.id.decode()

    def write_commit(self, tree: str, parents: list[str], message: str, *, when: int | None = None) -> str:
        check_text("message", message, max_length=_MAX_MESSAGE)
        commit = Commit()
        commit.tree = tree.encode()
        commit.parents = [ObjectID(parent.encode()) for parent in parents]
        commit.author = commit.committer = SIGNATURE
        commit.author_time = commit.commit_time = int(time.time()) if when is None else when
        commit.author_timezone = commit.commit_timezone = 0
        commit.message = (message.rstrip("\n") + "\n").encode("utf-8")
        self.add_objects([commit])
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
            ok = self._retry_locked(
                lambda: self.repo.refs.add_if_new(ref, new_id, committer=SIGNATURE, message=log)
            )
        else:
            old_id = ObjectID(old.encode())
            ok = self._retry_locked(
                lambda: self.repo.refs.set_if_equals(ref, old_id, new_id, committer=SIGNATURE, message=log)
            )
        if not ok:
            raise Conflict(f"{name} moved while it was being updated; try again")
        self.generation.bump()

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

    def _retry_locked(self, action: Callable[[], T]) -> T:
        """Run a dulwich write, waiting briefly if another git process holds the file's lock."""
        deadline = time.monotonic() + REF_LOCK_RETRY
        while True:
            try:
                return action()
            except FileLocked as error:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"{os.fsdecode(error.filename)} is locked by another git process"
                    ) from error
                time.sleep(0.02)

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
        found: list[TagInfo] = []
        for name, sha in self.repo.refs.as_dict(Ref(TAG_PREFIX.encode())).items():
            obj = self.repo[sha]
            if isinstance(obj, Tag):
                found.append(
                    TagInfo(
                        name=name.decode(),
                        sha=sha.decode(),
                        target=obj.object[1].decode(),
                        message=obj.message.decode("utf-8", "replace"),
                        time=obj.tag_time,
                    )
                )
            elif isinstance(obj, Commit):  # a lightweight tag made by someone with git
                found.append(TagInfo(name.decode(), sha.decode(), sha.decode(), "", obj.commit_time))
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
            if len(sha) == 40 and _HEX.fullmatch(sha.decode())
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
        """Pack the repository: `git gc` (delta-compressed) when git is installed, else dulwich's packing,
        which gathers the loose objects in one pack without delta compression. Hold the lock around it."""
        size_before, loose_before = _dir_size(self.path / "objects")
        git = shutil.which("git")
        if use_git is None:
            use_git = git is not None
        if use_git:
            if git is None:
                raise StoreError("git is not installed")
            settings = [arg for item in GC_CONFIG for arg in ("-c", f"{item[0]}.{item[1]}={item[2]}")]
            result = subprocess.run(
                [git, *settings, "--git-dir", str(self.path), "gc", "--quiet"],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise StoreError(f"git gc failed: {result.stderr.strip()}")
            tool = "git gc"
        else:
            self.repo.object_store.pack_loose_objects()
            tool = "dulwich"
        size_after, loose_after = _dir_size(self.path / "objects")
        packs = len([name for name in os.listdir(self.path / "objects" / "pack") if name.endswith(".pack")])
        self.generation.bump()  # refs were packed: readers look again
        return GcResult(tool, size_before, size_after, loose_before, loose_after, packs)
