"""The postgres engine's speed beside the sqlglot engine's, on one schema, with the dev server warm.

    python -m bench.engine_bench [../shared/corpus/danbooru/structure.sql] [--dev-url URL]

Prints the embedded server's start-up (first use and reuse), then the median of several runs of: the
sqlglot engine with a cold statement cache (the floor), and the postgres engine split into its parts
(scratch database made and dropped, statements applied, catalog read, inspector output normalised with a
warm cache), each as a ratio to the floor, so it says what dominates.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from schemareg import devserver
from schemareg.engine import PostgresEngine
from schemareg.introspect.postgres import PostgresInspector
from schemareg.normalize import normalize
from schemareg.normalize.cache import StatementCache
from schemareg.normalize.split import split_statements

RUNS = 5


def _start_up() -> tuple[float, float]:
    """Seconds to the first URL in a fresh process: a new data dir (initdb), then the same again."""
    times = []
    with tempfile.TemporaryDirectory(prefix="schemareg-bench-") as cache:
        for _ in range(2):
            code = "import time; t = time.perf_counter(); from schemareg import devserver; "
            code += "devserver.resolve_dev_url(); print(time.perf_counter() - t)"
            env = {"SCHEMAREG_CACHE_DIR": cache, "PATH": str(Path(sys.executable).parent)}
            done = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
            )
            times.append(float(done.stdout.strip().splitlines()[-1]))
    return times[0], times[1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engine_bench")
    parser.add_argument("path", nargs="?", default="../shared/corpus/danbooru/structure.sql")
    parser.add_argument("--dev-url", help="a server to use instead of the embedded one")
    args = parser.parse_args(argv)
    path = Path(args.path)
    if not path.is_file():
        print(f"error: {path} not found", file=sys.stderr)
        return 2
    sql = path.read_text(encoding="utf-8")
    if not args.dev_url:
        first, again = _start_up()
        print(f"embedded server start-up: first use {first:.2f} s (initdb), reuse {again:.2f} s")
    admin = devserver.resolve_dev_url(args.dev_url)
    engine = PostgresEngine(admin, cache=StatementCache(None))
    statements, _ = split_statements(sql, "postgres")
    parts: dict[str, list[float]] = {"scratch": [], "apply": [], "read": [], "normalise": [], "total": []}
    sqlglot_times = []
    warm = StatementCache(None)
    for _ in range(RUNS):
        started = time.perf_counter()
        normalize(sql, cache=False)
        sqlglot_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        with devserver.scratch_database(admin) as scratch:
            made = time.perf_counter()
            engine._apply(scratch.url, sql, statements, str(path))
            applied = time.perf_counter()
            live = PostgresInspector(scratch.url, cache=warm).inspect()
            inspected = time.perf_counter()
        done = time.perf_counter()
        parts["apply"].append(applied - made)
        parts["read"].append(live.timings["read"])
        parts["normalise"].append(inspected - applied - live.timings["read"])
        parts["scratch"].append((done - inspected) + (made - started))
        parts["total"].append(done - started)
    floor = statistics.median(sqlglot_times)
    print(f"{path.name}: {len(statements)} statements, {len(sql):,} bytes")
    print(f"{'engine / part':34} {'median s':>9} {'x sqlglot':>9}")
    print(f"{'sqlglot engine (cold cache)':34} {floor:9.3f} {1.0:9.2f}")
    for name, label in [
        ("total", "postgres engine (warm server)"),
        ("scratch", "  scratch database, made + dropped"),
        ("apply", "  statements applied"),
        ("read", "  catalog read (18 queries)"),
        ("normalise", "  inspector DDL normalised (warm)"),
    ]:
        value = statistics.median(parts[name])
        print(f"{label:34} {value:9.3f} {value / floor:9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
