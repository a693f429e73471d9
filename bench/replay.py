"""PostgreSQL as the judge of any schema file: does the canonical schema.sql rebuild what the file built?

    python -m bench.replay FILE.sql [FILE.sql ...] [--engine sqlglot|postgres] [--dev-url URL --pg-dump PATH]
                           [--agree]

For each file: load it into a scratch database of the dev server (the embedded PostgreSQL, or
SCHEMAREG_DEV_URL / --dev-url), normalise it with the engine, load the canonical schema.sql into a second
scratch database, and compare the two as PostgreSQL describes them: its catalog in its own words
(tests/support/catalog.py: columns with format_type, defaults, NOT NULL, pg_get_indexdef,
pg_get_constraintdef, routines' arguments and results, domains, pg_get_viewdef, pg_get_triggerdef, enum
labels, comments) and `pg_dump --schema-only` of each (sorted lines, pg_dump's comments and session lines
left out), which also shows policies, sequences and grants. A file that does not load
on the server (an extension it lacks) is reported as such, never counted as a pass. The point is input the
suite was never tuned on: structure.sql dumps and migration histories of other projects, and rewrites.

`--agree` adds the second judge: the sqlglot engine's canonical text of every object against the postgres
engine's (the file loaded and introspected), printing the objects whose text differs, both sides.
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
from pathlib import Path

from schemareg import devserver
from schemareg.engine import MissingExtension, PostgresEngine, StatementRefused, normalize_ddl
from schemareg.render import render_schema_sql
from tests.support.catalog import describe, differences
from tests.support.differential import compare_postgres

_SESSION = ("--", "SET ", "SELECT pg_catalog.set_config", "\\restrict", "\\unrestrict")


def dumped(url: str, pg_dump: str) -> list[str]:
    """pg_dump's schema-only text of a database, as sorted lines without comments and session settings."""
    out = subprocess.run(
        [pg_dump, "--schema-only", "--no-owner", "--no-privileges", url],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    return sorted(line for line in out.splitlines() if line.strip() and not line.startswith(_SESSION))


def judge(path: Path, engine: str, admin: str, pg_dump: str, show: int) -> tuple[str, int, int]:
    """(outcome, catalog differences, pg_dump lines that differ) of one file."""
    sql = path.read_text(encoding="utf-8")
    applier = PostgresEngine(admin)
    with (
        devserver.scratch_database(admin, "schemareg_judge") as original,
        devserver.scratch_database(admin, "schemareg_judge") as replayed,
    ):
        try:
            applier.apply(original.url, sql, source=path.name)
        except (MissingExtension, StatementRefused) as error:
            return f"does not load here: {str(error).splitlines()[0][:120]}", 0, 0
        canonical = render_schema_sql(normalize_ddl(sql, engine=engine, dev_url=admin).schema)
        try:
            applier.apply(replayed.url, canonical, source="schema.sql")
        except StatementRefused as error:
            return f"schema.sql DOES NOT REPLAY: {str(error).splitlines()[0][:120]}", 0, 0
        catalog = differences(describe(original.url), describe(replayed.url))
        before, after = dumped(original.url, pg_dump), dumped(replayed.url, pg_dump)
    changed = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    for line in (catalog + changed)[:show]:
        print(f"    {line[:200]}")
    return ("same" if not catalog and not changed else "differs"), len(catalog), len(changed)


def agreement(path: Path, admin: str, show: int) -> int:
    """How many objects the two engines render differently; prints the first `show`, both sides."""
    sql = path.read_text(encoding="utf-8")
    try:
        comparison = compare_postgres(sql, admin)
    except (MissingExtension, StatementRefused) as error:
        print(f"    agreement: does not load here: {str(error).splitlines()[0][:120]}")
        return 0
    oracle, ours = comparison.oracle.rendered(), comparison.sqlglot.rendered()
    differing = sorted(key for key in set(oracle) | set(ours) if oracle.get(key) != ours.get(key))
    for key in differing[:show]:
        print(f"    {key.kind.value} {key.name}:")
        print(f"      postgres: {(oracle.get(key) or '(none)')[:400]}")
        print(f"      sqlglot:  {(ours.get(key) or '(none)')[:400]}")
    return len(differing)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--engine", choices=("sqlglot", "postgres"), default="sqlglot")
    parser.add_argument("--dev-url")
    parser.add_argument("--show", type=int, default=10, help="differing lines to print per file")
    parser.add_argument("--pg-dump", help="pg_dump of the server's version (default: the embedded one's)")
    parser.add_argument("--agree", action="store_true", help="also compare the two engines object by object")
    args = parser.parse_args(argv)
    admin = devserver.resolve_dev_url(args.dev_url)
    pg_dump = args.pg_dump or str(devserver.embedded_bin_dir() / "pg_dump")
    rows = []
    for path in args.files:
        print(f"{path.name}:", flush=True)
        outcome, catalog, dump = judge(path, args.engine, admin, pg_dump, args.show)
        disagree = (
            agreement(path, admin, args.show) if args.agree and outcome in ("same", "differs") else None
        )
        rows.append((path.name, outcome, catalog, dump, disagree))
    extra = " objects the engines render differently |" if args.agree else ""
    print(
        f"\n| file ({args.engine} engine) | outcome | catalog differences | pg_dump lines differing |{extra}"
    )
    print("|---|---|---:|---:|" + ("---:|" if args.agree else ""))
    for name, outcome, catalog, dump, disagree in rows:
        print(
            f"| {name} | {outcome} | {catalog} | {dump} |"
            + (f" {disagree if disagree is not None else '-'} |" if args.agree else "")
        )
    return 0 if all(row[1] in ("same", "differs") for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
