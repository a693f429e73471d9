"""Diff accuracy on the peer suites: does our diff say "changed" exactly where the peer expects a migration?

Run: `.venv/bin/python -m bench.corpus_diff ../shared/corpus` (add `--write docs/benchmarks.md` to update
the table there). Suites: pg-schema-diff, migra, pgschema diff/, sqldef (psqldef, mysqldef, sqlite3def).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.docs import write_section

HEADING = "## Diff accuracy on the corpus"


@dataclass(frozen=True)
class Pair:
    suite: str
    case: str
    before: str
    after: str
    dialect: str
    expect_change: bool
    drops_disabled: bool = False  # sqldef without enable_drop: a drop is expected to be left out


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def _pg_schema_diff(root: Path) -> Iterator[Pair]:
    for meta in sorted(root.glob("pg-schema-diff/*/*/meta.json")):
        case = meta.parent
        expect_empty = bool(json.loads(meta.read_text()).get("expectEmptyPlan", False))
        yield Pair(
            "pg-schema-diff",
            str(case.relative_to(root)),
            _read(case / "old.sql"),
            _read(case / "new.sql"),
            "postgres",
            not expect_empty,
        )


def _migra(root: Path) -> Iterator[Pair]:
    for expected in sorted(root.glob("migra/*/expected.sql")):
        case = expected.parent
        yield Pair(
            "migra",
            str(case.relative_to(root)),
            _read(case / "a.sql"),
            _read(case / "b.sql"),
            "postgres",
            bool(expected.read_text().strip()),
        )


def _pgschema(root: Path) -> Iterator[Pair]:
    for diff in sorted(root.glob("pgschema/diff/**/diff.sql")):
        case = diff.parent
        setup = _read(case / "setup.sql")
        yield Pair(
            "pgschema",
            str(case.relative_to(root)),
            setup + "\n" + _read(case / "old.sql"),
            setup + "\n" + _read(case / "new.sql"),
            "postgres",
            bool(diff.read_text().strip()),
        )


_SQLDEF_DIALECTS = {"psqldef": "postgres", "mysqldef": "mysql", "sqlite3def": "sqlite"}


def _sqldef(root: Path) -> Iterator[Pair]:
    for tool, dialect in _SQLDEF_DIALECTS.items():
        for desired in sorted(root.glob(f"sqldef/cases/{tool}/*/*/desired.sql")):
            case = desired.parent
            meta = json.loads(_read(case / "meta.json") or "{}")
            if meta.get("error"):
                continue  # the peer expects the input to be refused, not a diff
            current = _read(case / "current.sql")
            if (case / "up.sql").is_file():
                expect_change = bool(_read(case / "up.sql").strip())
            else:
                # sqldef's rule: without `up`, the migration from nothing is the desired DDL itself
                expect_change = not current.strip() and bool(desired.read_text().strip())
            yield Pair(
                f"sqldef/{tool}",
                str(case.relative_to(root)),
                current,
                desired.read_text(),
                dialect,
                expect_change,
                drops_disabled=not meta.get("enable_drop", True),
            )


def pairs(root: Path) -> list[Pair]:
    return [*_pg_schema_diff(root), *_migra(root), *_pgschema(root), *_sqldef(root)]


@dataclass(frozen=True)
class Outcome:
    suite: str
    case: str
    expect_change: bool
    changed: bool | None  # None: refused (parse error) or crashed
    error: str = ""
    parse_error: bool = False  # the normaliser refused the input with a SQLParseError


def judge(pair: Pair) -> Outcome:
    from schemareg.diff import ChangeType, diff_schemas
    from schemareg.errors import SQLParseError
    from schemareg.normalize import normalize

    try:
        before = normalize(pair.before, pair.dialect, source="before")
        after = normalize(pair.after, pair.dialect, source="after")
        diff = diff_schemas(before, after)
    except Exception as error:  # a crash is what this run counts, whatever its kind
        last = traceback.format_exception_only(error)[-1].strip()
        ours = [
            frame for frame in traceback.extract_tb(error.__traceback__) if "/registry/" in frame.filename
        ]
        where = f" (in registry/{ours[-1].filename.rpartition('/registry/')[2]})" if ours else ""
        parse = isinstance(error, SQLParseError)
        return Outcome(pair.suite, pair.case, pair.expect_change, None, last[:200] + where, parse_error=parse)
    changes = diff.changes
    if pair.drops_disabled:
        changes = [change for change in changes if change.change is not ChangeType.REMOVE]
    return Outcome(pair.suite, pair.case, pair.expect_change, bool(changes))


def table(outcomes: list[Outcome]) -> str:
    suites = sorted({outcome.suite for outcome in outcomes})
    lines = [
        "| suite | pairs | change expected: non-empty | no change expected: empty | wrong | parse errors | crashes |",
        "|---|---|---|---|---|---|---|",
    ]
    for suite in [*suites, "total"]:
        chosen = [o for o in outcomes if suite == "total" or o.suite == suite]
        want_change = [o for o in chosen if o.expect_change]
        want_empty = [o for o in chosen if not o.expect_change]
        hits = sum(1 for o in want_change if o.changed)
        quiet = sum(1 for o in want_empty if o.changed is False)
        refused = sum(1 for o in chosen if o.changed is None and o.parse_error)
        crashes = sum(1 for o in chosen if o.changed is None and not o.parse_error)
        wrong = len(chosen) - hits - quiet - refused - crashes
        label = f"**{suite}**" if suite == "total" else suite
        lines.append(
            f"| {label} | {len(chosen)} | {hits} / {len(want_change)} | {quiet} / {len(want_empty)} "
            f"| {wrong} | {refused} | {crashes} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path, help="the corpus folder, e.g. ../shared/corpus")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", type=Path, help="update this benchmarks file's section")
    parser.add_argument("--show-wrong", action="store_true", help="list the wrong and crashed cases")
    args = parser.parse_args(argv)

    chosen = pairs(args.corpus)
    with multiprocessing.Pool(args.workers) as pool:
        outcomes = pool.map(judge, chosen, chunksize=8)
    result = table(outcomes)
    print(result)
    if args.show_wrong:
        for outcome in outcomes:
            if outcome.changed is None or outcome.changed != outcome.expect_change:
                expected = "change" if outcome.expect_change else "none"
                print(f"{outcome.case}: expected {expected}, got {outcome.changed} {outcome.error}")
    if args.write:
        body = (
            "Each before/after pair of the peer suites, normalised and diffed with no ignore rules. "
            '"change expected: non-empty" counts pairs where the peer writes a migration and our diff is '
            'not empty; "no change expected: empty" pairs where the peer writes nothing and neither do we '
            "(sqldef cases without `enable_drop` leave removals out, as sqldef does).\n\n"
            f"{result}\n\n"
            "Produced by `.venv/bin/python -m bench.corpus_diff ../shared/corpus --write docs/benchmarks.md`.\n"
        )
        write_section(args.write, HEADING, body)
    crashes = sum(1 for outcome in outcomes if outcome.changed is None and not outcome.parse_error)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
