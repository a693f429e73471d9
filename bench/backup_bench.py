"""Backup benchmark: `schemareg backup` against the shell pipeline `pg_dump | gzip > file` on a database
of at least 500 MB, in the same run; peak RSS of the schemareg process; restore against `gunzip | psql`;
and the faster compressions (zstd on every CPU, `--format directory --jobs 2`) against the same pipeline,
with their sizes. Every tool is the newest pg_dump found (what `schemareg backup` uses by default).

Run: `.venv/bin/python -m bench.backup_bench` (a throwaway cluster; or `--url postgresql://...` of a role
that may create databases; add `--docs docs/benchmarks.md` to update its "## Backups" section).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from bench.docs import write_section

SECTION = "## Backups"
ROOT = Path(__file__).resolve().parents[1]
THROUGHPUT_FLOOR = 0.9
FAST_FLOOR = 2.0  # zstd and directory --jobs 2: at least twice the pipeline's throughput, no bigger
RSS_CEILING_MB = 150


@contextmanager
def server(url: str | None) -> Iterator[tuple[str, str]]:
    """(admin URL, bin dir of the client tools)."""
    sys.path.insert(0, str(ROOT))
    from schemareg.backup.pg import Tools
    from tests.support.postgres import postgres_server

    newest = Tools().directory
    if url:
        yield url, newest
        return
    with postgres_server() as started:
        yield started.admin_url, newest


def create_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", admin_url, count=1)


def fill(url: str, target_mb: int) -> int:
    """Tables of mixed types (text, jsonb, bytea, arrays, timestamptz, NULLs) until the database holds
    at least target_mb; returns its size in bytes."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL, kind text, body jsonb,
                                    digest bytea, tags text[], note text)"""
        )
        conn.execute(
            "CREATE TABLE accounts (id bigint PRIMARY KEY, email text UNIQUE, balance numeric(14,2))"
        )
        conn.execute(
            """INSERT INTO accounts SELECT g, 'user' || g || '@example.com', (g % 100000) / 7.0
               FROM generate_series(1, 200000) g"""
        )
        step, start = 1_000_000, 0
        while True:
            conn.execute(
                """INSERT INTO events
                   SELECT g, timestamptz '2024-01-01 00:00+00' + g * interval '7 seconds',
                          (ARRAY['click','view','buy','refund'])[1 + g %% 4],
                          jsonb_build_object('user', g %% 200000, 'amount', g %% 997, 'ref', md5(g::text)),
                          decode(md5((g * 31)::text), 'hex'),
                          ARRAY['t' || (g %% 13), 't' || (g %% 7)],
                          CASE WHEN g %% 5 = 0 THEN NULL ELSE repeat(md5(g::text), 2) END
                   FROM generate_series(%s, %s) g""",
                (start + 1, start + step),
            )
            start += step
            size = int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])  # type: ignore[index]
            if size >= target_mb * 1024 * 1024:
                conn.execute("VACUUM ANALYZE")
                return size


def timed_shell(command: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(["bash", "-o", "pipefail", "-c", command], check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def timed_schemareg(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the schemareg process itself (VmHWM, sampled until it exits)."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "schemareg", *args], env=env, stdout=subprocess.DEVNULL)
    peak = 0

    def sample() -> None:
        nonlocal peak
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except OSError:
                break
            time.sleep(0.02)

    watcher = threading.Thread(target=sample)
    watcher.start()
    code = process.wait()
    elapsed = time.perf_counter() - start
    watcher.join()
    if code != 0:
        raise SystemExit(f"schemareg {' '.join(args[:1])} failed with exit code {code}")
    return elapsed, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="admin URL of a server (default: a throwaway cluster)")
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--docs", type=Path, help="update this markdown file's '## Backups' section")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="schemareg-backup-bench-"))
    try:
        with server(options.url) as (admin_url, bin_dir):
            run(options, admin_url, bin_dir, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(options: argparse.Namespace, admin_url: str, bin_dir: str, work: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("CI", None)
    source = create_database(admin_url, "bench_backup_source")
    clock = time.perf_counter()
    size = fill(source, options.size_mb)
    print(
        f"database: {size / 1024**2:.0f} MB, filled in {time.perf_counter() - clock:.0f} s", file=sys.stderr
    )
    pg_dump, psql = shlex.quote(f"{bin_dir}/pg_dump"), shlex.quote(f"{bin_dir}/psql")
    baseline_file = work / "baseline.sql.gz"
    baseline_cmd = f"{pg_dump} --dbname {shlex.quote(source)} | gzip > {shlex.quote(str(baseline_file))}"
    baseline, ours, rss = [], [], []
    for round_ in range(options.rounds):
        baseline.append(timed_shell(baseline_cmd, env))
        dest = work / f"ours{round_}"
        elapsed, peak = timed_schemareg(
            [
                "backup",
                "--dsn",
                source,
                "--dest",
                str(dest),
                "--pg-bin",
                bin_dir,
                "--data-dir",
                str(work / "data"),
            ],
            env,
        )
        ours.append(elapsed)
        rss.append(peak)
        print(
            f"round {round_ + 1}: pipeline {baseline[-1]:.1f} s, schemareg {elapsed:.1f} s, {peak:.0f} MB",
            file=sys.stderr,
        )
    ours_file = next((work / "ours0").glob("full_backup_*.sql.gz"))
    custom_time, custom_rss = timed_schemareg(
        [
            "backup",
            "--dsn",
            source,
            "--dest",
            str(work / "custom"),
            "--format",
            "custom",
            "--pg-bin",
            bin_dir,
            "--data-dir",
            str(work / "data"),
        ],
        env,
    )
    custom_file = next((work / "custom").glob("full_backup_*.dump"))

    fast = compare_fast(source, bin_dir, work, env, b_size := baseline_file.stat().st_size)

    target = create_database(admin_url, "bench_restore_pipeline")
    restore_baseline = timed_shell(
        f"gunzip -c {shlex.quote(str(baseline_file))} | {psql} -X -q -v ON_ERROR_STOP=1 --single-transaction"
        f" --dbname {shlex.quote(target)}",
        env,
    )
    target = create_database(admin_url, "bench_restore_schemareg")
    restore_ours, restore_rss = timed_schemareg(
        ["restore", str(ours_file), "--dsn", target, "--pg-bin", bin_dir], env
    )
    target = create_database(admin_url, "bench_restore_custom")
    restore_custom, _ = timed_schemareg(
        ["restore", str(custom_file), "--dsn", target, "--pg-bin", bin_dir, "--jobs", "4"], env
    )

    b, o = statistics.median(baseline), statistics.median(ours)
    raw_mb = size / 1024**2
    ratio = b / o
    peak = max([*rss, custom_rss, restore_rss])
    rows = [
        "| measure | value | floor |",
        "|---|---:|---|",
        f"| database size (pg_database_size) | {raw_mb:.0f} MB | >= 500 MB |",
        f"| `pg_dump \\| gzip > file` | {b:.1f} s ({raw_mb / b:.0f} MB/s), {baseline_file.stat().st_size / 1024**2:.0f} MB | |",
        f"| `schemareg backup` (plain, gzip 6) | {o:.1f} s ({raw_mb / o:.0f} MB/s), {ours_file.stat().st_size / 1024**2:.0f} MB | |",
        f"| throughput, schemareg / pipeline | {ratio:.2f}x | >= {THROUGHPUT_FLOOR}x |",
        f"| `schemareg backup --format custom` | {custom_time:.1f} s, {custom_file.stat().st_size / 1024**2:.0f} MB | |",
        f"| peak RSS of the schemareg process | {peak:.0f} MB | <= {RSS_CEILING_MB} MB |",
        f"| `gunzip \\| psql --single-transaction` | {restore_baseline:.1f} s | |",
        f"| `schemareg restore` (plain: sha256 check, psql, fingerprint) | {restore_ours:.1f} s ({restore_baseline / restore_ours:.2f}x) | |",
        f"| `schemareg restore` (custom, `--jobs 4`) | {restore_custom:.1f} s ({restore_baseline / restore_custom:.2f}x) | |",
        *(
            f"| `schemareg backup {label}` | {seconds:.1f} s ({raw_mb / seconds:.0f} MB/s, {b / seconds:.2f}x),"
            f" {size / 1024**2:.0f} MB ({size / b_size:.2f} of gzip's) | >= {FAST_FLOOR}x, <= 1.00 |"
            for label, seconds, size in fast
        ),
    ]
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    tools = subprocess.run([f"{bin_dir}/pg_dump", "--version"], capture_output=True, text=True).stdout.strip()
    table = (
        "\n".join(rows)
        + f"\n\nMedian of {options.rounds} alternating rounds; {machine}; {tools}; the test server (embedded PostgreSQL 18 unless --url) on loopback."
        + f"\nProduced by `.venv/bin/python -m bench.backup_bench --rounds {options.rounds} --docs docs/benchmarks.md`."
    )
    print(table)
    ok = ratio >= THROUGHPUT_FLOOR and peak <= RSS_CEILING_MB and raw_mb >= 500
    ok = ok and all(b / seconds >= FAST_FLOOR and size <= b_size for _, seconds, size in fast)
    print("PASS" if ok else "FAIL: below the floor", file=sys.stderr)
    if options.docs:
        write_section(options.docs, SECTION, table)


def compare_fast(
    source: str, bin_dir: str, work: Path, env: dict[str, str], gzip_size: int
) -> list[tuple[str, float, int]]:
    """(flags, seconds, stored bytes) of the fast compressions, one run each."""
    found = []
    for label, flags in (
        ("--compress zstd", ["--compress", "zstd"]),
        (
            "--format directory --jobs 2 --compress zstd",
            ["--format", "directory", "--jobs", "2", "--compress", "zstd"],
        ),
    ):
        dest = work / label.replace(" ", "_").replace("-", "")
        seconds, _ = timed_schemareg(
            [
                "backup",
                "--dsn",
                source,
                "--dest",
                str(dest),
                "--pg-bin",
                bin_dir,
                "--data-dir",
                str(work / "data"),
                *flags,
            ],
            env,
        )
        [stored] = [p for p in dest.iterdir() if not p.name.endswith(".manifest.json")]
        found.append((label, seconds, stored.stat().st_size))
        print(
            f"{label}: {seconds:.1f} s, {stored.stat().st_size / gzip_size:.2f} of gzip's size",
            file=sys.stderr,
        )
    return found


if __name__ == "__main__":
    main()
