"""The project lock (threads and processes) and the generation counter every writer bumps."""

from __future__ import annotations

import fcntl
import mmap
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from schemareg.errors import StoreError

LOCK_FILE = "schemareg.lock"
GENERATION_FILE = "schemareg.generation"
LOCK_TIMEOUT = 60.0  # seconds a writer waits for the project lock before giving up

_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


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
