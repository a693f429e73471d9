"""Request metrics in the Prometheus text format (written by hand: counters and one histogram).

Each worker process keeps its own numbers and labels them with its pid, so that a scrape through a
load balancer or of several workers can be summed by Prometheus.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Send

__all__ = ["Metrics", "metrics_middleware"]

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.started = time.time()
        self._lock = threading.Lock()
        self._requests: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        self._buckets: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self._sums: defaultdict[tuple[str, str], float] = defaultdict(float)
        self._counts: defaultdict[tuple[str, str], int] = defaultdict(int)
        self._snapshots: defaultdict[str, int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route)
        with self._lock:
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
            self._snapshots["created" if created else "unchanged"] += 1

    def render(self) -> str:
        pid = str(os.getpid())
        lines = [
            "# HELP schemareg_http_requests_total HTTP requests by method, route template and status.",
            "# TYPE schemareg_http_requests_total counter",
        ]
        with self._lock:
            for (method, route, status), count in sorted(self._requests.items()):
                labels = _labels(worker=pid, method=method, route=route, status=str(status))
                lines.append(f"schemareg_http_requests_total{{{labels}}} {count}")
            lines += [
                "# HELP schemareg_http_request_duration_seconds Time to answer, by method and route.",
                "# TYPE schemareg_http_request_duration_seconds histogram",
            ]
            for (method, route), buckets in sorted(self._buckets.items()):
                cumulative = 0
                for bound, count in zip(BUCKETS, buckets, strict=True):
                    cumulative += count
                    labels = _labels(worker=pid, method=method, route=route, le=repr(bound))
                    lines.append(f"schemareg_http_request_duration_seconds_bucket{{{labels}}} {cumulative}")
                total = self._counts[(method, route)]
                labels = _labels(worker=pid, method=method, route=route, le="+Inf")
                lines.append(f"schemareg_http_request_duration_seconds_bucket{{{labels}}} {total}")
                labels = _labels(worker=pid, method=method, route=route)
                lines.append(
                    f"schemareg_http_request_duration_seconds_sum{{{labels}}} {self._sums[(method, route)]:.6f}"
                )
                lines.append(f"schemareg_http_request_duration_seconds_count{{{labels}}} {total}")
            lines += [
                "# HELP schemareg_snapshots_total Snapshots posted, by outcome.",
                "# TYPE schemareg_snapshots_total counter",
            ]
            for outcome, count in sorted(self._snapshots.items()):
                lines.append(f"schemareg_snapshots_total{{{_labels(worker=pid, outcome=outcome)}}} {count}")
        lines += [
            "# HELP schemareg_process_start_time_seconds When this worker started (Unix time).",
            "# TYPE schemareg_process_start_time_seconds gauge",
            f"schemareg_process_start_time_seconds{{{_labels(worker=pid)}}} {self.started:.3f}",
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
