"""Git store benchmarks: commit latency, size on disk after gc, reading and diffing far-apart versions.

Run: `.venv/bin/python -m bench.store_bench` (add `--docs docs/benchmarks.md` to update its "## Git store"
section). The numbers are printed as a markdown table with the floor each one is held to.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import msgspec

from bench.docs import write_section
from schemareg.model import Column, Schema, Table
from schemareg.normalize import normalize
from schemareg.service import Registry

SECTION = "## Git store"


def ddl(tables: int) -> str:
    """A schema of `tables` tables of 6 to 14 columns, with keys, foreign keys and indexes."""
    chance = random.Random(7)
    parts = []
    for n in range(tables):
        columns = ["id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
        for c in range(chance.randint(5, 13)):
            kind = chance.choice(
                [
                    "text",
                    "integer",
                    "numeric(12, 2)",
                    "timestamptz DEFAULT now()",
                    "boolean NOT NULL DEFAULT false",
                    "varchar(120)",
                ]
            )
            columns.append(f"col_{c} {kind}")
        if n:
            columns.append(f"parent_id bigint REFERENCES table_{chance.randrange(n)} (id)")
        parts.append(f"CREATE TABLE table_{n} (\n  " + ",\n  ".join(columns) + "\n);")
        parts.append(f"CREATE INDEX table_{n}_col_0 ON table_{n} (col_0);")
    return "\n".join(parts)


def mutate(schema: Schema, chance: random.Random, step: int) -> Schema:
    """The schema with 1 to 3 tables changed: a column added (the usual migration)."""
    objects = dict(schema.objects)
    tables = [key for key, obj in objects.items() if isinstance(obj, Table)]
    for key in chance.sample(tables, chance.randint(1, 3)):
        table = objects[key]
        assert isinstance(table, Table)
        column = Column(name=f"added_{step}_{len(table.columns)}", type="TEXT")
        objects[key] = msgspec.structs.replace(table, columns=[*table.columns, column])
    return Schema(dialect=schema.dialect, objects=objects, stats=schema.stats)


def raw_size(registry: Registry, project: str, ref: str) -> int:
    repo = registry._repo(project)
    files = repo.files(repo.commit(registry.resolve(project, ref)).tree)
    return sum(len(repo.blob(sha)) for sha in files.values())


def objects_size(path: Path) -> int:
    return sum(f.stat().st_size for f in (path / "objects").rglob("*") if f.is_file())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", type=int, default=250)
    parser.add_argument("--commits", type=int, default=40, help="timed commits of the big snapshot")
    parser.add_argument("--snapshots", type=int, default=1000, help="snapshots for the size-on-disk check")
    parser.add_argument("--docs", type=Path, help="write the table into this markdown file's section")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="schemareg-bench-"))
    rows: list[tuple[str, str, str]] = []
    try:
        registry = Registry(work)
        registry.init_project("bench")
        started = time.perf_counter()
        base = normalize(ddl(args.tables))
        normalise_ms = (time.perf_counter() - started) * 1000
        rows.append((f"normalise a {args.tables}-table DDL (for reference)", f"{normalise_ms:.0f} ms", ""))

        started = time.perf_counter()
        registry.snapshot("bench", "production", base)
        rows.append(
            (
                "first snapshot (every object new, fsynced)",
                f"{(time.perf_counter() - started) * 1000:.0f} ms",
                "",
            )
        )

        chance = random.Random(42)
        schema = base
        timings = []
        for step in range(args.commits):
            schema = mutate(schema, chance, step)
            schema.rendered()  # the caller's normalisation, not the commit, pays for rendering objects
            started = time.perf_counter()
            result = registry.snapshot("bench", "production", schema)
            timings.append((time.perf_counter() - started) * 1000)
            assert result.created
        rows.append(
            (
                f"commit a {args.tables}-table snapshot (1-3 tables changed), median / p95",
                f"{statistics.median(timings):.1f} / {percentile(timings, 0.95):.1f} ms",
                "",
            )
        )

        repo_path = work / "bench.git"
        one = raw_size(registry, "bench", "production")
        started = time.perf_counter()
        for step in range(args.commits, args.commits + args.snapshots):
            schema = mutate(schema, chance, step)
            registry.snapshot("bench", "production", schema)
        bulk_s = time.perf_counter() - started
        rows.append((f"{args.snapshots} more snapshots, total", f"{bulk_s:.1f} s", ""))
        total = args.commits + args.snapshots + 1
        before = objects_size(repo_path)
        started = time.perf_counter()
        gc = registry.gc("bench")
        gc_s = time.perf_counter() - started
        after = objects_size(repo_path)
        last = raw_size(registry, "bench", "production")
        rows.append(
            (
                f"raw size of one snapshot (sum of its files), before / after the {args.snapshots}",
                f"{one / 1024:.0f} / {last / 1024:.0f} KiB",
                "",
            )
        )
        rows.append((f"repo objects before gc ({total} commits)", f"{before / 1024 / 1024:.1f} MiB", ""))
        rows.append(
            (
                f"repo objects after `schemareg gc` ({gc.tool}, {gc_s:.1f} s)",
                f"{after / 1024:.0f} KiB = {after / one:.2f}x the smaller snapshot",
                f"<= 5x: {'ok' if after <= 5 * one else 'FAIL'}",
            )
        )

        fresh = Registry(work)  # cold caches, as a new server process
        history = fresh.history("bench", "production")
        apart = min(1000, len(history) - 1)
        old, new = history[apart].sha, history[0].sha
        started = time.perf_counter()
        text = fresh.schema_sql("bench", old[:10])
        read_ms = (time.perf_counter() - started) * 1000
        rows.append(
            (f"read a version's schema.sql by short sha ({len(text) // 1024} KiB)", f"{read_ms:.1f} ms", "")
        )
        started = time.perf_counter()
        diff = fresh.diff("bench", old, new)
        cold_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        fresh.diff("bench", old, new)
        warm_ms = (time.perf_counter() - started) * 1000
        rows.append(
            (
                f"diff two versions {apart} commits apart ({len(diff.changes)} changes), new Registry / cached",
                f"{cold_ms:.0f} / {warm_ms:.1f} ms",
                "",
            )
        )
        started = time.perf_counter()
        calls = 20000
        for _ in range(calls):
            fresh.expected("bench", "production")
        rows.append(
            (
                "`expected(project, env)` (the API hot path)",
                f"{(time.perf_counter() - started) / calls * 1e6:.1f} µs",
                "",
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    table = render(rows, args)
    print(table)
    if args.docs:
        write_section(args.docs, SECTION, table)
    return 0


def render(rows: list[tuple[str, str, str]], args: argparse.Namespace) -> str:
    command = "python -m bench.store_bench" + (f" --tables {args.tables}" if args.tables != 250 else "")
    lines = [
        f"Command: `{command}` ({platform.python_implementation()} {platform.python_version()},"
        f" {os.cpu_count()} CPUs, {platform.system()}).",
        "",
        "| measure | result | floor |",
        "|---|---|---|",
        *(f"| {name} | {value} | {floor} |" for name, value, floor in rows),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
