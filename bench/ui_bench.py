"""Web UI benchmark: every page of a 250-table project against the expected-version endpoint's p50.

One `schemareg serve --workers 1` process on a free loopback port, one client on one keep-alive
connection, requests one after another: for each page the first answer (cold: nothing derived from that
sha is cached yet) and the p50 of the next ones, as a ratio to the p50 of GET .../environments/<env> (the
hot path) measured the same way in the same run. Pages are held to 10x; the diagram of all 250 tables is
reported beside them, with its filtered views held to the same 10x.

Run: `.venv/bin/python -m bench.ui_bench` (`--docs docs/benchmarks.md` writes its "## Web UI" section).
Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.docs import write_section

SECTION = "## Web UI"
ROOT = Path(__file__).resolve().parents[1]
CEILING = 10.0
PROJECT = "big"
SCHEMAS = ("app", "billing", "catalog", "audit", "ops")
TABLES = 250


def schema_ddl(tables: int, *, version: int, seed: int = 7) -> str:
    """`tables` tables over five schemas, each with 6 to 14 columns and 0 to 3 foreign keys to earlier
    tables (some across schemas), an index per foreign key; `version` 2 adds a column to every tenth table
    and changes a type, so a diff between them has a few dozen changes."""
    rng = random.Random(seed)
    out = [f"CREATE SCHEMA {name};" for name in SCHEMAS if name != "public"]
    names: list[str] = []
    for number in range(tables):
        name = f"{SCHEMAS[number % len(SCHEMAS)]}.t{number:03d}"
        columns = ["id bigint PRIMARY KEY", "name text NOT NULL", "created_at timestamptz DEFAULT now()"]
        columns += [
            f"c{i} {rng.choice(['integer', 'text', 'numeric(12,2)', 'boolean'])}"
            for i in range(rng.randint(3, 11))
        ]
        if version >= 2 and number % 10 == 0:
            columns.append("note text")
        if version >= 2 and number % 25 == 0:
            columns[1] = "name varchar(200) NOT NULL"
        keys = []
        for target in rng.sample(names, k=min(len(names), rng.randint(0, 3))) if names else []:
            column = f"{target.split('.')[1]}_id"
            columns.append(f"{column} bigint")
            keys.append((column, target))
        body = ", ".join(columns + [f"FOREIGN KEY ({c}) REFERENCES {t} (id)" for c, t in keys])
        out.append(f"CREATE TABLE {name} ({body});")
        out += [f"CREATE INDEX ON {name} ({c});" for c, _ in keys]
        names.append(name)
    return "\n".join(out)


def seed(data_dir: Path) -> None:
    from schemareg.service import Registry

    with Registry(data_dir) as registry:
        registry.init_project(PROJECT, "postgres", "250 tables")
        registry.snapshot(PROJECT, "staging", schema_ddl(TABLES - 10, version=1), message="first")
        registry.promote(PROJECT, "production", "staging")
        registry.release(PROJECT, "v1.0.0", "production")
        for step in range(1, 6):
            registry.snapshot(
                PROJECT, "staging", schema_ddl(TABLES - 10 + 2 * step, version=1), message=f"step {step}"
            )
        registry.snapshot(PROJECT, "staging", schema_ddl(TABLES, version=2), message="notes and wider names")
        registry.release(PROJECT, "v1.1.0", "staging")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    for name in list(env):
        if name.startswith("SCHEMAREG_") and name != "SCHEMAREG_CACHE_DIR":
            del env[name]
    command = [sys.executable, "-m", "schemareg", "serve", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(
        [*command, "--data-dir", str(work / "data")],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def timed(client: httpx.Client, path: str, floor_path: str, samples: int) -> tuple[float, float, float, int]:
    """(cold ms, p50 ms of the next `samples`, p50 ms of the floor's answers between them, bytes): the
    floor is asked between every two answers, so a busy machine weighs on both sides of the ratio."""
    started = time.perf_counter()
    response = client.get(path)
    cold = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")
    times, floor = [], []
    for _ in range(samples):
        for target, into in ((floor_path, floor), (path, times)):
            started = time.perf_counter()
            client.get(target).raise_for_status()
            into.append((time.perf_counter() - started) * 1000)
    return cold, statistics.median(times), statistics.median(floor), len(response.content)


PageRow = tuple[str, str, float, float, float, int]


def pages(base: str, samples: int) -> tuple[float, list[PageRow]]:
    p = f"/ui/projects/{PROJECT}"
    listed = [
        ("projects", "/ui/"),
        ("project", p),
        ("environment", f"{p}/environments/staging"),
        ("version (250 tables)", f"{p}/versions/staging"),
        ("version, search", f"{p}/versions/staging?q=t04"),
        ("object, highlighted", f"{p}/versions/staging/objects/table/app.t100"),
        ("diff", f"{p}/diff?from=production&to=staging"),
        ("diff, side by side", f"{p}/diff?from=production&to=staging&view=split"),
        ("changelog", f"{p}/changelog?from=v1.0.0&to=v1.1.0"),
        ("table history", f"{p}/tables/app.t000/history?env=staging"),
        ("diagram, one schema", f"{p}/versions/staging/diagram?schema=billing"),
        ("diagram, a table and neighbours", f"{p}/versions/staging/diagram?table=app.t100&depth=1"),
        ("diagram, all 250 tables", f"{p}/versions/staging/diagram"),
    ]
    with httpx.Client(base_url=base, timeout=60) as client:
        expected = f"/v1/projects/{PROJECT}/environments/staging"
        for _ in range(50):
            client.get(expected)
        rows = [(name, path, *timed(client, path, expected, samples)) for name, path in listed]
    return statistics.median(row[4] for row in rows), rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--docs", type=Path, help="write the results into this markdown file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="schemareg-ui-bench-") as folder:
        work = Path(folder)
        started = time.perf_counter()
        seed(work / "data")
        print(f"seeded {TABLES} tables in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        process, base = start(work)
        try:
            floor, rows = pages(base, args.samples)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    lines = [
        f"Floor: the expected-version endpoint, p50 {floor:.2f} ms (asked between every two page loads).",
        "",
        "| page | cold ms | p50 ms | floor p50 ms | p50 / floor | KiB | within 10x |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    failed = []
    for name, _path, cold, p50, page_floor, size in rows:
        ratio = p50 / page_floor
        reported_only = name == "diagram, all 250 tables"
        verdict = "reported" if reported_only else ("yes" if ratio <= CEILING else "NO")
        if verdict == "NO":
            failed.append(name)
        lines.append(
            f"| {name} | {cold:.1f} | {p50:.2f} | {page_floor:.2f} | {ratio:.1f}x | {size / 1024:.0f} | {verdict} |"
        )
    report = "\n".join(lines)
    print(report)
    if args.docs:
        machine = f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} CPUs"
        body = (
            f"Command: `python -m bench.ui_bench --docs docs/benchmarks.md` ({machine}; one run).\n\n"
            f"A project of {TABLES} tables in five schemas (0 to 3 foreign keys each), 7 snapshots and 2 releases;"
            " `schemareg serve --workers 1` on 127.0.0.1; one httpx client, one connection, requests one"
            f" after another; p50 of {args.samples} answers after a cold first one.\n\n"
            f"{report}\n\n"
            "Notes: what is derived from a sha alone (highlighted objects, a diff with its text, a diagram) is"
            " kept per sha in the worker, so only the cold column pays for Pygments, the differ or the layout;"
            " env heads, tags, drift reports and backups are read on every request. The machine is shared: on a"
            " busy one a single page has been seen at 11x in one run and 2x in the next, so read the column"
            " across runs."
        )
        write_section(args.docs, SECTION, body)
    if failed:
        print(f"over {CEILING:.0f}x: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
