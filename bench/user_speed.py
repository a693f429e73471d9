"""What users feel, measured as they run it: processes and one server worker, each figure a ratio against a
floor measured in the same run.

    python -m bench.user_speed [--rows hot,introspect,normalize,startup,snapshot,repo] [--docs docs/benchmarks.md]

| row | measured | floor |
|---|---|---|
| hot | `schemareg serve --workers 1`, `wrk -t2 -c32 -d5s`, best of 2, the expected version (200, then 304 with If-None-Match) | `/healthz` of the same server |
| introspect | `schemareg schema --dsn --format json` of 1,000 tables, a process, median of 3, cold (empty cache) and warm; each with its CPU time | `pg_dump --schema-only` of the same database |
| normalize | `schemareg schema --file danbooru/structure.sql --format json`, a process, cold and warm cache, median of 3, each with its CPU time | a process running `sqlglot.parse_one` on every statement |
| startup | `schemareg --help` and `python -X importtime -c "import schemareg.cli"` | `python -c "import sqlglot"` |
| snapshot | `schemareg snapshot` of a 4,000-table file with one change, a process, median of 3 (each from a copy of the repo after the first snapshot), wall and CPU time | a warm `schemareg schema` of the same file, median of 3, alternating with them |
| repo | loose objects and size of the repo after two 4,000-table snapshots | the same repo after `schemareg gc` |

wrk comes from Debian's package `wrk`; the PostgreSQL rows start a throwaway cluster (tests/support/postgres.py).
The processes run with compiled bytecode, as an installed package does (PYTHONDONTWRITEBYTECODE is not
passed on).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

from bench.docs import write_section

SECTION = "## What users feel (processes)"
ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SCHEMAREG = [sys.executable, "-m", "schemareg"]
ROWS = ("hot", "introspect", "normalize", "startup", "snapshot", "repo")


# The CPU time (user + system) of each process `run` ran, in order: unlike wall time, it hardly moves with the
# machine's load.
CPU: list[float] = []


def run(command: Sequence[str], env: dict[str, str] | None = None, stdin: bytes | None = None) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = environment() if env is None else env
    subprocess.run(command, env=env, input=stdin, check=True, stdout=subprocess.DEVNULL, timeout=600)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def timed(command: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user and system) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run(command, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median(command: Sequence[str], runs: int = 3, env: dict[str, str] | None = None) -> float:
    return statistics.median(run(command, env) for _ in range(runs))


def environment(**extra: str) -> dict[str, str]:
    """The measured processes' environment: ours without SCHEMAREG_* settings, and without
    PYTHONDONTWRITEBYTECODE, which would have every process compile all of schemareg's modules from source
    again (an installed wheel has them compiled; the floors' packages always do)."""
    drop = {"PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMAREG_") and k not in drop}
    env.update(extra)
    return env


# -- the hot path ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(data_dir: Path, workers: int = 1) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [*SCHEMAREG, "serve", "--port", str(port), "--workers", str(workers), "--data-dir", str(data_dir)],
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def wrk(url: str, header: str | None = None) -> float:
    command = ["wrk", "-t2", "-c32", "-d5s", url]
    if header:
        command[1:1] = ["-H", header]
    best = 0.0
    for _ in range(2):
        out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout
        match = re.search(r"Requests/sec:\s+([\d.]+)", out)
        assert match, out
        best = max(best, float(match.group(1)))
    return best


def hot(work: Path) -> list[tuple[str, str, str, str]]:
    if not shutil.which("wrk"):
        raise SystemExit("the hot row needs wrk (Debian: apt-get install wrk)")
    data = work / "hot-data"
    env = environment(SCHEMAREG_DATA_DIR=str(data))
    ddl = work / "hot.sql"
    ddl.write_text("CREATE TABLE public.users (id bigint PRIMARY KEY, email text NOT NULL);\n")
    subprocess.run([*SCHEMAREG, "init", "shop"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*SCHEMAREG, "snapshot", "--project", "shop", "--env", "production", "--file", str(ddl)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with server(data) as base:
        url = f"{base}/v1/projects/shop/environments/production"
        etag = urllib.request.urlopen(url).headers["ETag"]
        floor = wrk(base + "/healthz")
        ok = wrk(url)
        not_modified = wrk(url, f"If-None-Match: {etag}")
    return [
        ("expected version, 200", f"{ok:,.0f} req/s", f"{floor:,.0f} req/s", f"{ok / floor:.2f}x"),
        (
            "expected version, 304",
            f"{not_modified:,.0f} req/s",
            f"{floor:,.0f} req/s",
            f"{not_modified / floor:.2f}x",
        ),
    ]


# -- introspection -----------------------------------------------------------------------------------------


def introspect(work: Path) -> list[tuple[str, str, str, str]]:
    sys.path.insert(0, str(ROOT))
    from bench.introspect_bench import build
    from tests.support.postgres import postgres_server

    with postgres_server() as pg:
        url = pg.database("bench")
        build(url, 1000)
        pg_dump = pg.tool("pg_dump")
        floor = median([pg_dump, "--schema-only", "--dbname", url])
        floor_cpu = statistics.median(CPU[-3:])
        command = [*SCHEMAREG, "schema", "--dsn", url, "--format", "json"]
        colds = []
        for _ in range(3):
            cache = Path(tempfile.mkdtemp(dir=work))
            colds.append(run(command, environment(SCHEMAREG_CACHE_DIR=str(cache))))
        cold, cold_cpu = statistics.median(colds), statistics.median(CPU[-3:])
        warm_env = environment(SCHEMAREG_CACHE_DIR=str(work / "introspect-cache"))
        run(command, warm_env)
        warm = median(command, env=warm_env)
        warm_cpu = statistics.median(CPU[-3:])
    floor_text = f"{floor:.2f} s ({floor_cpu:.2f} s CPU)"
    return [
        (
            "introspection, 1,000 tables, warm",
            f"{warm:.2f} s ({warm_cpu:.2f} s CPU)",
            floor_text,
            f"{warm / floor:.2f}x",
        ),
        (
            "introspection, 1,000 tables, cold",
            f"{cold:.2f} s ({cold_cpu:.2f} s CPU)",
            floor_text,
            f"{cold / floor:.2f}x",
        ),
    ]


# -- normalisation -----------------------------------------------------------------------------------------

PARSE_ALL = """
import json, logging, sys, sqlglot
logging.getLogger("sqlglot").setLevel(logging.ERROR)  # its fallback warnings would slow the floor down
for statement in json.load(open(sys.argv[1])):
    try:
        sqlglot.parse_one(statement, read="postgres")
    except Exception:
        pass
"""


def normalize(work: Path) -> list[tuple[str, str, str, str]]:
    from schemareg.normalize.split import split_statements

    danbooru = CORPUS / "danbooru" / "structure.sql"
    statements, _ = split_statements(danbooru.read_text())
    listed = work / "statements.json"
    listed.write_text(json.dumps([s.text for s in statements if not s.text.startswith("\\")]))
    floor = median([sys.executable, "-c", PARSE_ALL, str(listed)])
    floor_cpu = statistics.median(CPU[-3:])
    command = [*SCHEMAREG, "schema", "--file", str(danbooru), "--format", "json"]
    colds = []
    for _ in range(3):
        cache = Path(tempfile.mkdtemp(dir=work))
        colds.append(run(command, environment(SCHEMAREG_CACHE_DIR=str(cache))))
    cold, cold_cpu = statistics.median(colds), statistics.median(CPU[-3:])
    warm_env = environment(SCHEMAREG_CACHE_DIR=str(work / "normalize-cache"))
    run(command, warm_env)
    warm = median(command, env=warm_env)
    warm_cpu = statistics.median(CPU[-3:])
    floor_text = f"{floor:.2f} s ({floor_cpu:.2f} s CPU)"
    return [
        (
            "cold normalisation, danbooru",
            f"{cold:.2f} s ({cold_cpu:.2f} s CPU)",
            floor_text,
            f"{cold / floor:.2f}x (CPU {cold_cpu / floor_cpu:.2f}x)",
        ),
        (
            "warm normalisation, danbooru",
            f"{warm:.2f} s ({warm_cpu:.2f} s CPU)",
            floor_text,
            f"{warm / floor:.2f}x (CPU {warm_cpu / floor_cpu:.2f}x)",
        ),
    ]


# -- start-up ----------------------------------------------------------------------------------------------


def import_ms(module: str) -> float:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        env=environment(),
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    total = 0
    for line in out.splitlines():
        # import time: self [us] | cumulative | imported package; top-level imports are not indented.
        parts = line.split("|")
        if len(parts) == 3 and parts[2].rstrip() == f" {module}":
            total = int(parts[1])
    return total / 1000


def startup(work: Path) -> list[tuple[str, str, str, str]]:
    floor_ms = statistics.median(import_ms("sqlglot") for _ in range(3))
    cli_ms = statistics.median(import_ms("schemareg.cli") for _ in range(3))
    help_s = median([*SCHEMAREG, "--help"], runs=5)
    floor_s = median([sys.executable, "-c", "import sqlglot"], runs=5)
    return [
        (
            "start-up, import schemareg.cli",
            f"{cli_ms:.0f} ms",
            f"{floor_ms:.0f} ms (import sqlglot)",
            f"{cli_ms / floor_ms:.2f}x",
        ),
        (
            "start-up, `schemareg --help`",
            f"{help_s * 1000:.0f} ms",
            f"{floor_s * 1000:.0f} ms (import sqlglot)",
            f"{help_s / floor_s:.2f}x",
        ),
    ]


# -- snapshot and the repo ---------------------------------------------------------------------------------


def repo_size(path: Path) -> tuple[int, int]:
    loose = [p for p in (path / "objects").glob("??/*") if p.is_file()]
    size = sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file())
    return len(loose), size


def snapshot(work: Path, rows: set[str]) -> list[tuple[str, str, str, str]]:
    sys.path.insert(0, str(ROOT))
    from bench.store_bench import ddl

    data = work / "snap-data"
    env = environment(SCHEMAREG_DATA_DIR=str(data), SCHEMAREG_CACHE_DIR=str(work / "snap-cache"))
    first, second = work / "a.sql", work / "b.sql"
    text = ddl(4000)
    first.write_text(text)
    second.write_text(text + "\nALTER TABLE public.t0 ADD COLUMN extra text;\n")
    subprocess.run([*SCHEMAREG, "init", "big"], env=env, check=True, stdout=subprocess.DEVNULL)
    snap = [*SCHEMAREG, "snapshot", "--project", "big", "--env", "production", "--file"]
    run([*snap, str(first)], env)
    run([*SCHEMAREG, "schema", "--file", str(second)], env)  # warm the cache for both
    # Three of each, alternating, every snapshot from a copy of the repo after the first one: the medians
    # of wall time, and of CPU time (user and system), which the load of other work moves less.
    floors: list[tuple[float, float]] = []
    snapshots: list[tuple[float, float]] = []
    trial = work / "snap-trial"
    for _ in range(3):
        floors.append(timed([*SCHEMAREG, "schema", "--file", str(second)], env))
        shutil.rmtree(trial, ignore_errors=True)
        shutil.copytree(data, trial)
        snapshots.append(timed([*snap, str(second)], {**env, "SCHEMAREG_DATA_DIR": str(trial)}))
    took, cpu = (statistics.median(s[i] for s in snapshots) for i in (0, 1))
    floor, floor_cpu = (statistics.median(f[i] for f in floors) for i in (0, 1))
    result = []
    if "snapshot" in rows:
        result.append(
            (
                "snapshot, one change, 4,000 tables",
                f"{took:.2f} s (CPU {cpu:.2f} s)",
                f"{floor:.2f} s (CPU {floor_cpu:.2f} s)",
                f"{took / floor:.2f}x (CPU {cpu / floor_cpu:.2f}x)",
            )
        )
    if "repo" in rows:
        loose, size = repo_size(trial / "big.git")
        trial_env = {**env, "SCHEMAREG_DATA_DIR": str(trial)}
        subprocess.run(
            [*SCHEMAREG, "gc", "--project", "big"], env=trial_env, check=True, stdout=subprocess.DEVNULL
        )
        _, packed = repo_size(trial / "big.git")
        result.append(
            (
                "repo after two 4,000-table snapshots",
                f"{loose:,} loose objects, {size / 2**20:.1f} MiB",
                f"{packed / 2**20:.1f} MiB after gc",
                f"{size / packed:.2f}x",
            )
        )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=",".join(ROWS))
    parser.add_argument("--docs", type=Path)
    args = parser.parse_args(argv)
    rows = set(args.rows.split(","))
    table: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        measures = {"hot": hot, "introspect": introspect, "normalize": normalize, "startup": startup}
        for name, measure in measures.items():
            if name in rows:
                table += measure(work)
                print(*table[-2:], sep="\n", file=sys.stderr)
        if rows & {"snapshot", "repo"}:
            table += snapshot(work, rows)
    lines = ["| job | measured | floor | ratio |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in table]
    report = "\n".join(lines)
    print(report)
    if args.docs:
        command = "python -m bench.user_speed" + (f" --rows {args.rows}" if rows != set(ROWS) else "")
        write_section(args.docs, SECTION, f"`{command}`, on {os.cpu_count()} cores:\n\n{report}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
