"""Normaliser speed against sqlglot's own parser, measured in the same run.

    python -m bench.normalize_speed [../shared/corpus/danbooru/structure.sql]

Prints the median of several runs of: sqlglot.parse alone (the floor), a cold normalisation (no cache),
and a warm re-normalisation after one table changed (the cache holds the other statements). Targets:
cold <= 1.3x the parse, warm <= 0.1x cold. Beside the wall time, the least CPU time of the runs (the
thread's own, `time.thread_time`): on a machine shared with other work, wall times stretch with the load
while the CPU figures move much less.
"""

from __future__ import annotations

import logging
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlglot

from schemareg.normalize import normalize
from schemareg.normalize.cache import StatementCache


def timed(function: Callable[[], object], runs: int = 7) -> tuple[float, float]:
    """(median wall time, least CPU time) of several runs, in seconds."""
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.thread_time()
        function()
        walls.append(time.perf_counter() - started)
        cpus.append(time.thread_time() - cpu)
    return statistics.median(walls), min(cpus)


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "../shared/corpus/danbooru/structure.sql")
    if not path.is_file():
        print(f"error: {path} not found (pass the path of a large pg_dump file)", file=sys.stderr)
        return 2
    sql = path.read_text()
    compiled = "compiled (sqlglotc)" if sqlglot.parser.__file__.endswith(".so") else "pure Python"
    # The normaliser silences sqlglot's fallback warnings (compile.py), and so does the process row's floor
    # (user_speed.py): without this, the floor would also time logging some 80 warnings a run to stderr.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    parse, parse_cpu = timed(
        lambda: sqlglot.parse(sql, read="postgres", error_level=sqlglot.ErrorLevel.IGNORE)
    )
    cold, cold_cpu = timed(lambda: normalize(sql, cache=False).fingerprint)
    # One CREATE TABLE changed: a column added.
    changed = re.sub(r"(CREATE TABLE public\.\w+ \(\n)", r"\1    added_by_bench integer,\n", sql, count=1)
    assert changed != sql

    def warm() -> None:
        cache = StatementCache(None)
        normalize(sql, cache=cache)
        started, cpu = time.perf_counter(), time.thread_time()
        normalize(changed, cache=cache).fingerprint  # noqa: B018
        walls.append(time.perf_counter() - started)
        cpus.append(time.thread_time() - cpu)

    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(7):
        warm()
    warm_time, warm_cpu = statistics.median(walls), min(cpus)
    print(f"input: {path.name}, {len(sql):,} bytes; sqlglot {sqlglot.__version__} {compiled}\n")
    print("| measure | median ms | ratio | CPU ms, least | CPU ratio | target |")
    print("|---|---:|---:|---:|---:|---|")
    print(f"| sqlglot.parse (floor) | {parse * 1000:.1f} | 1.00 | {parse_cpu * 1000:.1f} | 1.00 | |")
    print(
        f"| cold normalisation | {cold * 1000:.1f} | {cold / parse:.2f}x parse | {cold_cpu * 1000:.1f}"
        f" | {cold_cpu / parse_cpu:.2f}x parse | <= 1.3x |"
    )
    print(
        f"| warm, one table changed | {warm_time * 1000:.1f} | {warm_time / cold:.3f}x cold | {warm_cpu * 1000:.1f}"
        f" | {warm_cpu / cold_cpu:.3f}x cold | <= 0.1x |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
