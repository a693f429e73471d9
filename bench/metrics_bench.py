"""Metrics benchmark: what `/metrics` bookkeeping costs each request, and what a scrape costs.

1. In-process, as `schemareg serve` runs it (with a metrics folder): the time of one `Metrics.observe()`
   (the middleware's work per request) for the hot path's labels, against a floor measured in the same
   run: a bare counter (a dict increment under a lock); the same bookkeeping in prometheus_client's
   multiprocess mode, the other way to sum workers; and the time of one render of two workers.
2. `schemareg serve --workers 1` with wrk: requests/s of the hot path (the expected version) and its
   ratio to /healthz, both counted by the same middleware.

Run: `.venv/bin/python -m bench.metrics_bench` (`--docs docs/benchmarks.md` writes its "## Metrics"
section). Needs `wrk` (Debian: `apt-get install wrk`); traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.api_bench import SCHEMA, start, stop, wrk
from bench.docs import write_section

SECTION = "## Metrics"
ROUTES = (
    ("GET", "/v1/projects/{project:str}/environments/{env:str}", 200),
    ("GET", "/v1/projects/{project:str}/environments/{env:str}", 304),
    ("GET", "/healthz", 200),
    ("POST", "/v1/projects/{project:str}/environments/{env:str}/snapshots", 201),
)


def _per_call_ns(call: object, calls: int, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter_ns()
        for _ in range(calls):
            call()  # type: ignore[operator]
        timings.append((time.perf_counter_ns() - started) / calls)
    return statistics.median(timings)


def in_process(calls: int, repeats: int) -> dict[str, float]:
    """ns per call of the floor, of `Metrics.observe()`, of prometheus_client's multiprocess mode doing the
    same (when installed), and ms per render of two workers' numbers."""
    from schemareg_api.metrics import Metrics

    folder = Path(tempfile.mkdtemp(prefix="schemareg-metrics-bench-"))
    metrics = Metrics(folder, publish_seconds=3600)
    lock = threading.Lock()
    counts: defaultdict[tuple[str, str, int], int] = defaultdict(int)
    method, route, status = ROUTES[0]

    def floor() -> None:
        with lock:
            counts[(method, route, status)] += 1

    def observe() -> None:
        metrics.observe(method, route, status, 0.0004)

    for m, r, s in ROUTES:  # every series exists before timing, as on a server that has been up a while
        metrics.observe(m, r, s, 0.001)
    results = {"floor": _per_call_ns(floor, calls, repeats), "observe": _per_call_ns(observe, calls, repeats)}
    prometheus = _prometheus_multiprocess()
    if prometheus is not None:
        results["prometheus_client"] = _per_call_ns(prometheus, calls, repeats)
    metrics._publish()
    own = folder / f"{os.getpid()}.json"
    shutil.copy(own, folder / "1.json")  # a second worker's file
    results["render"] = _per_call_ns(metrics.render, max(calls // 1000, 20), repeats) / 1e6
    shutil.rmtree(folder, ignore_errors=True)
    return results


def _prometheus_multiprocess() -> Callable[[], None] | None:
    """The same bookkeeping through prometheus_client's multiprocess mode (a counter and a histogram)."""
    try:
        from prometheus_client import CollectorRegistry, Counter, Histogram, values
    except ImportError:
        return None
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="schemareg-metrics-bench-")
    values.ValueClass = values.MultiProcessValue()
    registry = CollectorRegistry()
    method, route, status = ROUTES[0]
    counter = Counter("r", "r", ("method", "route", "status"), registry=registry).labels(
        method, route, status
    )
    histogram = Histogram("d", "d", ("method", "route"), registry=registry).labels(method, route)

    def observe() -> None:
        counter.inc()
        histogram.observe(0.0004)

    return observe


def served(seconds: int, connections: int, threads: int) -> tuple[float, float]:
    """(healthz requests/s, expected-version requests/s) with one worker."""
    work = Path(tempfile.mkdtemp(prefix="schemareg-metrics-bench-"))
    process, base = start("granian", 1, work)
    try:
        with httpx.Client(base_url=base, timeout=60) as http:
            http.put("/v1/projects/bench", json={"dialect": "postgres"}).raise_for_status()
            http.post(
                "/v1/projects/bench/environments/production/snapshots",
                content=SCHEMA,
                headers={"content-type": "application/sql"},
            ).raise_for_status()
        wrk(f"{base}/healthz", 2, connections, threads, [])  # warm-up
        healthz = wrk(f"{base}/healthz", seconds, connections, threads, [])
        expected = wrk(f"{base}/v1/projects/bench/environments/production", seconds, connections, threads, [])
        if healthz.non_2xx or expected.non_2xx:
            raise SystemExit("non-2xx answers under load")
    finally:
        stop(process)
        shutil.rmtree(work, ignore_errors=True)
    return healthz.rps, expected.rps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=100_000, help="observe() calls per repeat")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--no-serve", action="store_true", help="in-process part only")
    parser.add_argument("--docs", type=Path, help="write the table into this markdown file's section")
    args = parser.parse_args(argv)

    results = in_process(args.calls, args.repeats)
    floor_ns = results["floor"]
    lines = [
        f"In-process, median of {args.repeats} x {args.calls:,} calls ({platform.machine()},"
        f" Python {platform.python_version()}, {os.cpu_count()} cores):",
        "",
        "| measure | time | ratio to the floor |",
        "|---|---:|---:|",
        f"| a bare counter: dict increment under a lock (floor) | {floor_ns:,.0f} ns | 1.00x |",
        f"| `Metrics.observe()`: the work per request | {results['observe']:,.0f} ns"
        f" | {results['observe'] / floor_ns:.1f}x |",
    ]
    if "prometheus_client" in results:
        lines.append(
            f"| the same in prometheus_client's multiprocess mode | {results['prometheus_client']:,.0f} ns"
            f" | {results['prometheus_client'] / floor_ns:.1f}x |"
        )
    lines.append(
        f"| `Metrics.render()`: one scrape, two workers, {len(ROUTES)} series | {results['render']:.3f} ms | |"
    )
    if not args.no_serve:
        if shutil.which("wrk") is None:
            print("wrk is missing: this benchmark needs it (Debian/Ubuntu: apt-get install wrk).")
            return 2
        healthz, expected = served(args.seconds, args.connections, args.threads)
        lines += [
            "",
            f"`schemareg serve --workers 1` (granian), `wrk -t{args.threads} -c{args.connections}"
            f" -d{args.seconds}s` on the same machine:",
            "",
            "| endpoint | requests/s | ratio to /healthz |",
            "|---|---:|---:|",
            f"| /healthz | {healthz:,.0f} | 1.00x |",
            f"| expected version (the hot path) | {expected:,.0f} | {expected / healthz:.2f}x |",
        ]
    command = "`.venv/bin/python -m bench.metrics_bench" + (f" --docs {args.docs}`" if args.docs else "`")
    table = "\n".join([*lines, "", f"Produced by {command}."])
    print(table)
    if args.docs is not None:
        write_section(args.docs, SECTION, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
