"""Posted DDL is normalised in a small pool of worker processes, never on the event loop or in the server's
own process: a heavy body cannot starve the hot path, and one past its CPU budget is cancelled by the
worker's CPU timer (or, failing that, by killing the worker).

Workers are forked from a forkserver that has the normaliser imported, so starting or replacing one
costs milliseconds; they live as long as the pool and leave when they have grown too large.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import threading
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread

from schemareg.errors import SchemaregError
from schemareg.limits import DEFAULT_LIMITS, LimitExceeded, Limits, normalize_within, over_budget

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from schemareg.model import Schema
    from schemareg.normalize.options import NormalizeOptions

__all__ = ["NormalizePool"]

logger = logging.getLogger("schemareg.api")
# A worker whose peak memory passed this is replaced after its task, so one huge body does not keep its
# memory for the life of the server.
RETIRE_RSS_BYTES = 256 * 1024 * 1024
# The CPU timer ends a normalisation; the wall clock is for a worker stuck outside Python code, generous
# because a busy machine gives a worker less than a core (and a new worker imports before it starts).
_WALL_FACTOR, _WALL_MARGIN = 3.0, 10.0
# Imported once by the forkserver, so a new worker starts with them loaded.
_PRELOAD = [
    "schemareg.normalize",
    "schemareg.limits",
    "sqlglot.dialects.postgres",
    "sqlglot.dialects.mysql",
    "sqlglot.dialects.sqlite",
]
_context: Any = None
_context_lock = threading.Lock()


def _mp_context() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            _context = context
        return _context


def _serve(conn: Connection) -> None:
    """A worker: normalise each task it receives, until the pool closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which ends the workers
    with contextlib.suppress(OSError):
        os.nice(10)  # when cores are short, the server's event loop (the hot path) comes first
    while True:
        try:
            ddl, dialect, options, limits, cache_dir = conn.recv()
        except (EOFError, OSError):
            return
        if cache_dir is not None and os.environ.get("SCHEMAREG_CACHE_DIR") != cache_dir:
            from schemareg.normalize import set_default_cache

            os.environ["SCHEMAREG_CACHE_DIR"] = cache_dir
            set_default_cache(None)
        reply: tuple[Any, ...]
        try:
            reply = ("ok", normalize_within(ddl, dialect, options, limits))
        except SchemaregError as error:
            reply = ("error", type(error), str(error), vars(error))
        except MemoryError:
            reply = ("memory",)
        except Exception as error:  # a bug in the normaliser: the server logs it and answers 500
            reply = ("crash", f"{type(error).__name__}: {error}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        try:
            conn.send((*reply, peak))
        except (OSError, ValueError):
            return


def _rebuild(cls: type[SchemaregError], text: str, attributes: dict[str, Any]) -> SchemaregError:
    error = cls.__new__(cls)
    Exception.__init__(error, text)
    error.__dict__.update(attributes)
    return error


class _Worker:
    def __init__(self) -> None:
        parent, child = _mp_context().Pipe()
        self.conn: Connection = parent
        self.process: BaseProcess = _mp_context().Process(
            target=_serve, args=(child,), name="schemareg-normalize", daemon=True
        )
        self.process.start()
        child.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class NormalizePool:
    """At most `size` normalisations at a time, each in a worker process of its own."""

    def __init__(self, size: int, limits: Limits = DEFAULT_LIMITS) -> None:
        self.size = size
        self.limits = limits
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._limiter: anyio.CapacityLimiter | None = None
        self._closed = False

    async def normalize(self, ddl: str, dialect: str, options: NormalizeOptions) -> Schema:
        """The normalised schema; LimitExceeded past a limit, SQLParseError for malformed DDL."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.size)
        schema: Schema = await anyio.to_thread.run_sync(
            self._run, ddl, dialect, options, limiter=self._limiter
        )
        return schema

    def _run(self, ddl: str, dialect: str, options: NormalizeOptions) -> Schema:
        worker = self._take()
        keep = False
        try:
            try:
                worker.conn.send((ddl, dialect, options, self.limits, os.environ.get("SCHEMAREG_CACHE_DIR")))
                if not worker.conn.poll(self.limits.normalize_cpu_seconds * _WALL_FACTOR + _WALL_MARGIN):
                    raise over_budget(self.limits)
                reply = worker.conn.recv()
            except (EOFError, OSError):
                raise LimitExceeded(
                    "normalize_cpu_seconds",
                    "the body could not be normalised: its worker process ended",
                    status=422,
                ) from None
            status, *payload, peak = reply
            keep = peak < RETIRE_RSS_BYTES and not (status == "error" and payload[0] is LimitExceeded)
            if status == "ok":
                result: Schema = payload[0]
                return result
            if status == "error":
                raise _rebuild(*payload)
            if status == "memory":
                raise LimitExceeded(
                    "normalize_cpu_seconds", "normalising the body ran out of memory", status=422
                )
            raise RuntimeError(f"the normaliser failed: {payload[0]}")
        finally:
            if keep:
                self._give_back(worker)
            else:
                worker.stop()

    async def warm(self) -> None:
        """Start one worker before the first request needs it (the app's startup hook)."""
        await anyio.to_thread.run_sync(self._warm)

    def _warm(self) -> None:
        self._give_back(_Worker())

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    return worker
                worker.stop()
        return _Worker()

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.size:
                self._idle.append(worker)
                return
        worker.stop()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()
