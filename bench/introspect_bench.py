"""Introspection speed against `pg_dump --schema-only` on the same database of 1,000 tables.

    python -m bench.introspect_bench [--url postgresql://postgres@host/postgres] [--tables 1000] [--runs 5]

Each table has a serial key, a unique column, a check, a foreign key to the previous table, a default and
an index. Without --url a throwaway cluster is started (tests/support/postgres.py). Cold: an empty
normaliser cache (each statement compiled by sqlglot); warm: the same cache again, as in a daily drift job.
Target: warm introspection <= 1.0x pg_dump's wall time.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from schemareg.dsn import redact
from schemareg.introspect.postgres import PostgresInspector
from schemareg.normalize import StatementCache, normalize
from tests.support.postgres import PostgresServer, postgres_server


def build(url: str, tables: int) -> None:
    statements = []
    for i in range(tables):
        ref = f", parent_id int REFERENCES public.t{i - 1} (id)" if i else ""
        statements.append(
            f"CREATE TABLE public.t{i} (id serial PRIMARY KEY, code varchar(40) NOT NULL UNIQUE,"
            f" amount numeric(12, 2) NOT NULL DEFAULT 0 CHECK (amount >= 0), created_at timestamptz DEFAULT now(),"
            f" note text{ref});"
            f" CREATE INDEX t{i}_created_idx ON public.t{i} (created_at);"
        )
    with psycopg.connect(url, autocommit=True) as conn:
        for start in range(0, len(statements), 100):
            conn.execute("".join(statements[start : start + 100]))  # type: ignore[arg-type]


def timed(function: object) -> float:
    started = time.perf_counter()
    function()  # type: ignore[operator]
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="admin URL of a server that may create databases")
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    context = contextlib.nullcontext(PostgresServer(admin_url=args.url)) if args.url else postgres_server()
    with context as server:
        try:
            url = server.database("bench")
            build(url, args.tables)
            pg_dump = server.tool("pg_dump")

            def dump() -> str:
                return subprocess.run(
                    [pg_dump, "--schema-only", "-d", url], check=True, capture_output=True, text=True
                ).stdout

            dump()  # warm the server's catalog caches for both sides
            dump_times = [timed(dump) for _ in range(args.runs)]
            with tempfile.TemporaryDirectory() as folder:
                cold_times = []
                for run in range(args.runs):
                    cache = StatementCache(Path(folder) / f"cold{run}.sqlite3")
                    cold_times.append(
                        timed(lambda cache=cache: PostgresInspector(url, cache=cache).inspect())
                    )
                cache = StatementCache(Path(folder) / "warm.sqlite3")
                first = PostgresInspector(url, cache=cache).inspect()
                warm_times = [
                    timed(lambda: PostgresInspector(url, cache=cache).inspect()) for _ in range(args.runs)
                ]
                warm_fresh_process = []
                for _ in range(args.runs):
                    reopened = StatementCache(Path(folder) / "warm.sqlite3")  # a new process: the file only
                    warm_fresh_process.append(
                        timed(lambda c=reopened: PostgresInspector(url, cache=c).inspect())
                    )
            same = first.fingerprint == normalize(dump(), "postgres").fingerprint
        finally:
            server.drop_all()
    floor = statistics.median(dump_times)
    rows = [
        ("pg_dump --schema-only (floor)", floor),
        ("introspection, cold cache", statistics.median(cold_times)),
        ("introspection, warm cache (same process)", statistics.median(warm_times)),
        ("introspection, warm cache file (new process)", statistics.median(warm_fresh_process)),
    ]
    print(
        f"server: {redact(server.admin_url)}; {args.tables} tables, {first.queries} catalog queries, "
        f"{len(first.ddl.splitlines())} DDL lines; median of {args.runs}"
    )
    print("| measure | median ms | ratio to pg_dump | target |")
    print("|---|---:|---:|---|")
    for label, seconds in rows:
        target = "<= 1.0x" if "warm cache (same" in label else ""
        print(f"| {label} | {seconds * 1000:.0f} | {seconds / floor:.2f}x | {target} |")
    print(f"\nfingerprint introspection = pg_dump: {same}")
    warm = statistics.median(warm_times) / floor
    print(f"warm ratio {warm:.2f}x: {'ok' if warm <= 1.0 else 'ABOVE TARGET'}")
    return 0 if warm <= 1.0 and same else 1


if __name__ == "__main__":
    sys.exit(main())
