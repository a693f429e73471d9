"""Request metrics in the Prometheus text format, summed over every worker process of one `serve`.

Each worker counts in memory (the hot path pays a dict increment under a lock) and publishes its numbers
about once a second to `<folder>/<pid>.json` (written aside, then renamed); a scrape answered by any
worker adds its own live numbers to the files of the others. So totals never jump between scrapes, and
lag the other workers by at most the publishing interval. A worker that died keeps its file, so counters
never go down while the server runs. `serve` makes the folder (`SCHEMAREG_METRICS_DIR`, or a fresh
temporary one) with `metrics_folder()`; without one (the app in-process) the numbers are this process's.

prometheus_client's multiprocess mode sums the same way, but writes a memory-mapped file on every
increment: measured 3-4x the cost per request of this (docs/benchmarks.md, "Metrics").
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Send

__all__ = ["FOLDER_VARIABLE", "Metrics", "metrics_folder", "metrics_middleware"]

FOLDER_VARIABLE = "SCHEMAREG_METRICS_DIR"
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PUBLISH_SECONDS = 1.0


class Counts(msgspec.Struct):
    """One worker's numbers, as published; sums of these are what a scrape shows."""

    started: float
    requests: list[tuple[str, str, int, int]] = []  # method, route, status, count
    durations: list[tuple[str, str, list[int], float, int]] = []  # method, route, buckets, sum, count
    snapshots: dict[str, int] = {}


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(Counts)


@contextmanager
def metrics_folder() -> Iterator[Path]:
    """The folder the workers of one `serve` share, set in the environment they inherit.

    A folder named by `SCHEMAREG_METRICS_DIR` is emptied first (an earlier run's numbers must not be
    added in); one made here is removed afterwards.
    """
    named = os.environ.get(FOLDER_VARIABLE)
    if named:
        folder = Path(named)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.json"):
            stale.unlink()
        yield folder
        return
    folder = Path(tempfile.mkdtemp(prefix="schemareg-metrics-"))
    os.environ[FOLDER_VARIABLE] = str(folder)
    try:
        yield folder
    finally:
        os.environ.pop(FOLDER_VARIABLE, None)
        shutil.rmtree(folder, ignore_errors=True)


class Metrics:
    def __init__(self, folder: str | Path | None = None, *, publish_seconds: float = PUBLISH_SECONDS) -> None:
        self.started = time.time()
        self._lock = threading.Lock()
        self._requests: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        self._buckets: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self._sums: defaultdict[tuple[str, str], float] = defaultdict(float)
        self._counts: defaultdict[tuple[str, str], int] = defaultdict(int)
        self._snapshots: defaultdict[str, int] = defaultdict(int)
        named = folder if folder is not None else os.environ.get(FOLDER_VARIABLE)
        self.folder = Path(named) if named else None
        self._changed = True
        if self.folder is not None:
            self._publish()
            publisher = threading.Thread(
                target=self._publish_every, args=(publish_seconds,), name="metrics-publisher", daemon=True
            )
            publisher.start()

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route)
        with self._lock:
            self._changed = True
            self._requests[(method, route, status)] += 1
            self._sums[key] += seconds
            self._counts[key] += 1
            buckets = self._buckets[key]
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    buckets[index] += 1
                    break

    def snapshot_posted(self, created: bool) -> None:
        with self._lock:
            self._changed = True
            self._snapshots["created" if created else "unchanged"] += 1

    def counts(self) -> Counts:
        """This worker's numbers now."""
        with self._lock:
            return Counts(
                started=self.started,
                requests=[(m, r, s, n) for (m, r, s), n in self._requests.items()],
                durations=[
                    (m, r, list(self._buckets[(m, r)]), self._sums[(m, r)], n)
                    for (m, r), n in self._counts.items()
                ],
                snapshots=dict(self._snapshots),
            )

    def _publish(self) -> None:
        assert self.folder is not None
        with self._lock:
            if not self._changed:
                return
            self._changed = False
        target = self.folder / f"{os.getpid()}.json"
        aside = target.with_suffix(".tmp")
        aside.write_bytes(_ENCODER.encode(self.counts()))
        os.replace(aside, target)  # a scrape reads the previous file or this one, never half of one

    def _publish_every(self, seconds: float) -> None:
        while True:
            time.sleep(seconds)
            with contextlib.suppress(OSError):  # the folder went away: the server is stopping
                self._publish()

    def _all_counts(self) -> list[Counts]:
        mine = self.counts()
        if self.folder is None:
            return [mine]
        others = []
        own = f"{os.getpid()}.json"
        for path in self.folder.glob("*.json"):
            if path.name == own:
                continue
            with contextlib.suppress(OSError, msgspec.DecodeError):
                others.append(_DECODER.decode(path.read_bytes()))
        return [mine, *others]

    def render(self) -> str:
        every = self._all_counts()
        requests: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        buckets: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        sums: defaultdict[tuple[str, str], float] = defaultdict(float)
        counts: defaultdict[tuple[str, str], int] = defaultdict(int)
        snapshots: defaultdict[str, int] = defaultdict(int)
        for worker in every:
            for method, route, status, n in worker.requests:
                requests[(method, route, status)] += n
            for method, route, worker_buckets, total, n in worker.durations:
                summed = buckets[(method, route)]
                for index, count in enumerate(worker_buckets[: len(BUCKETS)]):
                    summed[index] += count
                sums[(method, route)] += total
                counts[(method, route)] += n
            for outcome, n in worker.snapshots.items():
                snapshots[outcome] += n
        lines = [
            "# HELP schemareg_http_requests_total HTTP requests by method, route template and status.",
            "# TYPE schemareg_http_requests_total counter",
        ]
        for (method, route, status), count in sorted(requests.items()):
            labels = _labels(method=method, route=route, status=str(status))
            lines.append(f"schemareg_http_requests_total{{{labels}}} {count}")
        lines += [
            "# HELP schemareg_http_request_duration_seconds Time to answer, by method and route.",
            "# TYPE schemareg_http_request_duration_seconds histogram",
        ]
        for (method, route), route_buckets in sorted(buckets.items()):
            cumulative = 0
            for bound, count in zip(BUCKETS, route_buckets, strict=True):
                cumulative += count
                labels = _labels(method=method, route=route, le=repr(bound))
                lines.append(f"schemareg_http_request_duration_seconds_bucket{{{labels}}} {cumulative}")
            total = counts[(method, route)]
            labels = _labels(method=method, route=route, le="+Inf")
            lines.append(f"schemareg_http_request_duration_seconds_bucket{{{labels}}} {total}")
            labels = _labels(method=method, route=route)
            lines.append(
                f"schemareg_http_request_duration_seconds_sum{{{labels}}} {sums[(method, route)]:.6f}"
            )
            lines.append(f"schemareg_http_request_duration_seconds_count{{{labels}}} {total}")
        lines += [
            "# HELP schemareg_snapshots_total Snapshots posted, by outcome.",
            "# TYPE schemareg_snapshots_total counter",
        ]
        for outcome, count in sorted(snapshots.items()):
            lines.append(f"schemareg_snapshots_total{{{_labels(outcome=outcome)}}} {count}")
        lines += [
            "# HELP schemareg_process_start_time_seconds When the server started (its oldest worker; Unix time).",
            "# TYPE schemareg_process_start_time_seconds gauge",
            f"schemareg_process_start_time_seconds {min(worker.started for worker in every):.3f}",
            "# HELP schemareg_workers Worker processes whose numbers are summed here (those that died too).",
            "# TYPE schemareg_workers gauge",
            f"schemareg_workers {len(every)}",
        ]
        return "\n".join(lines) + "\n"


def _labels(**values: str) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

    return ",".join(f'{name}="{escape(value)}"' for name, value in values.items())


def metrics_middleware(app: ASGIApp) -> ASGIApp:
    """Count every HTTP request by its route template (not its path: bounded label values)."""

    async def middleware(scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        finally:
            metrics: Metrics = scope["litestar_app"].state.metrics
            route = scope.get("path_template") or "unmatched"
            metrics.observe(scope["method"], route, status, time.perf_counter() - started)

    return middleware
