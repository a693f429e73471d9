"""The differential suite as a table: the sqlglot engine against PostgreSQL (and sqlite3) as the oracle.

    python -m bench.differential ../shared/corpus [--examples 100] [--dev-url URL] [--known]

Runs the corpus (every schema and every prefix of temporal's migration histories) on both engines, the
SQLite corpus against sqlite3, and `--examples` generated schemas per rewrite style and per real change
(tests/support/generated.py), then prints cases, agreements and disagreements by class, as recorded in
docs/benchmarks.md. `--known` prints the corpus disagreements as tests/fixtures/differential/known.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from schemareg import devserver
from schemareg.diff import diff_schemas
from schemareg.errors import SchemaregError
from tests.support import generated
from tests.support.differential import compare_postgres, compare_sqlite, postgres_cases, sqlite_cases


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.differential")
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--examples", type=int, default=50)
    parser.add_argument("--dev-url")
    parser.add_argument("--known", action="store_true")
    args = parser.parse_args(argv)
    admin = devserver.resolve_dev_url(args.dev_url)
    rows: dict[str, Counter[str]] = {}
    known: dict[str, str] = {}

    def record(group: str, outcome: str) -> None:
        rows.setdefault(group, Counter())[outcome] += 1

    for group, cases, compare in [
        ("corpus, PostgreSQL", postgres_cases(args.corpus), lambda sql: compare_postgres(sql, admin)),
        ("corpus, SQLite", sqlite_cases(args.corpus), compare_sqlite),
    ]:
        for name, _, sql in cases:
            try:
                comparison = compare(sql)
            except (SchemaregError, Exception) as error:
                outcome = f"does not load ({type(error).__name__})"
            else:
                outcome = "agree" if comparison.agree else comparison.kind
            record(group, outcome)
            if outcome != "agree":
                known[name] = outcome
            print(f"  {name}: {outcome}", file=sys.stderr)

    bounded = settings(max_examples=args.examples, deadline=None, suppress_health_check=list(HealthCheck))

    def rewrite_check(style: str) -> Callable[[generated.GenSchema], None]:
        def rewrite(schema: generated.GenSchema) -> None:
            plain = compare_postgres(schema.ddl("plain"), admin)
            other = compare_postgres(schema.ddl(style), admin)
            if other.oracle.fingerprint != plain.oracle.fingerprint:
                record(f"rewrite {style}", "generator error: PostgreSQL sees a change")
            elif other.sqlglot.fingerprint != plain.oracle.fingerprint:
                record(f"rewrite {style}", other.kind or "sqlglot differs")
            else:
                record(f"rewrite {style}", "agree")

        return rewrite

    def change_check(change: str) -> Callable[[generated.GenSchema], None]:
        def changed(schema: generated.GenSchema) -> None:
            before = compare_postgres(schema.ddl("plain"), admin)
            after = compare_postgres(schema.changed(change).ddl("plain"), admin)
            found = {(c.change.value, c.kind) for c in diff_schemas(before.sqlglot, after.sqlglot).changes}
            if after.oracle.fingerprint == before.oracle.fingerprint:
                record(f"change {change}", "generator error: PostgreSQL sees none")
            elif after.sqlglot.fingerprint == before.sqlglot.fingerprint:
                record(f"change {change}", "sqlglot engine sees none")
            elif not generated.EXPECTED_CHANGE[change] & found:
                record(f"change {change}", "diff names another change")
            else:
                record(f"change {change}", "agree")

        return changed

    for style in generated.STYLES:
        bounded(given(generated.schemas())(rewrite_check(style)))()
    for change in generated.CHANGES:
        bounded(given(generated.schemas())(change_check(change)))()

    print("| cases | count | agree | disagreements by class |")
    print("|---|---|---|---|")
    for group, counter in rows.items():
        others = "; ".join(f"{k}: {v}" for k, v in sorted(counter.items()) if k != "agree") or "none"
        print(f"| {group} | {sum(counter.values())} | {counter['agree']} | {others} |")
    if args.known:
        print(json.dumps(dict(sorted(known.items())), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
