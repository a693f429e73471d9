"""Run the normaliser over a schema corpus (such as ../shared/corpus) and report what it made of it.

    python -m bench.corpus ../shared/corpus [--markdown]

Per suite: files, statements, objects, opaque, parse errors kept as opaque, and statements lost (a crash
loses a file's statements; must be 0). Then the equivalence checks: pgschema dump raw.sql vs pgdump.sql,
pg-schema-diff cases that expect an empty plan, supabase PG15 vs PG16 dumps.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Iterator
from multiprocessing import Pool
from pathlib import Path

from schemareg.normalize import normalize
from schemareg.normalize.split import split_statements


def dialect_of(path: Path) -> str:
    text = str(path).lower()
    if "mysql" in text:
        return "mysql"
    if "sqlite" in text:
        return "sqlite"
    return "postgres"


def suites(root: Path) -> Iterator[tuple[str, list[Path]]]:
    yield "danbooru", sorted((root / "danbooru").glob("*.sql"))
    yield "pagila", sorted((root / "pagila").glob("*.sql"))
    yield "supabase", sorted((root / "supabase").glob("*.sql"))
    yield "chinook", sorted((root / "chinook").glob("*_schema_only.sql"))
    yield "temporal", sorted((root / "temporal").rglob("*.sql"))
    yield "pgschema/dump", sorted((root / "pgschema" / "dump").rglob("*.sql"))
    yield "pgschema/diff", sorted((root / "pgschema" / "diff").rglob("*.sql"))
    yield "pg-schema-diff", sorted((root / "pg-schema-diff").rglob("*.sql"))
    yield "migra", sorted((root / "migra").rglob("*.sql"))
    yield "sqldef/psqldef", sorted((root / "sqldef" / "cases" / "psqldef").rglob("*.sql"))
    yield "sqldef/mysqldef", sorted((root / "sqldef" / "cases" / "mysqldef").rglob("*.sql"))
    yield "sqldef/sqlite3def", sorted((root / "sqldef" / "cases" / "sqlite3def").rglob("*.sql"))


def measure(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8", errors="replace")
    dialect = dialect_of(path)
    try:
        schema = normalize(text, dialect, cache=False)
    except Exception as error:  # a crash loses every statement of the file
        try:
            count = len(split_statements(text, dialect)[0])
        except Exception:
            count = 0
        kind = type(error).__name__
        crash = kind not in ("SQLParseError",)
        return {
            "path": str(path),
            "statements": count,
            "lost": count if crash else 0,
            "rejected": not crash,
            "error": f"{kind}: {error}",
            "trace": traceback.format_exc() if crash else "",
        }
    s = schema.stats
    return {
        "path": str(path),
        "statements": s.statements,
        "objects": s.objects,
        "opaque": s.opaque,
        "errors": s.errors,
        "lost": 0,
        "fingerprint": schema.fingerprint,
    }


def fingerprint(path: Path) -> str | None:
    try:
        return normalize(path.read_text(encoding="utf-8"), dialect_of(path), cache=False).fingerprint
    except Exception:
        return None


def equivalence(root: Path) -> list[tuple[str, int, int, list[str]]]:
    rows = []
    dumps = sorted(p for p in (root / "pgschema" / "dump").iterdir() if (p / "raw.sql").exists())
    same, misses = 0, []
    for case in dumps:
        if fingerprint(case / "raw.sql") == fingerprint(case / "pgdump.sql"):
            same += 1
        else:
            misses.append(case.name)
    rows.append(("pgschema dump: raw.sql = pgdump.sql", same, len(dumps), misses))
    both = sorted(
        p
        for p in (root / "pgschema" / "dump").iterdir()
        if (p / "pgschema.sql").exists() and (p / "pgdump.sql").exists()
    )
    same, misses = 0, []
    for case in both:
        if fingerprint(case / "pgschema.sql") == fingerprint(case / "pgdump.sql"):
            same += 1
        else:
            misses.append(case.name)
    rows.append(("pgschema dump: pgschema.sql = pgdump.sql", same, len(both), misses))
    empties = []
    for meta in sorted((root / "pg-schema-diff").rglob("meta.json")):
        if json.loads(meta.read_text()).get("expectEmptyPlan"):
            empties.append(meta.parent)
    same, misses = 0, []
    for case in empties:
        if (case / "old.sql").exists() and fingerprint(case / "old.sql") == fingerprint(case / "new.sql"):
            same += 1
        else:
            misses.append(str(case.relative_to(root / "pg-schema-diff")))
    rows.append(("pg-schema-diff expectEmptyPlan: old = new", same, len(empties), misses))
    a, b = root / "supabase" / "schema-15.sql", root / "supabase" / "schema-16.sql"
    if a.exists():
        ok = fingerprint(a) == fingerprint(b)
        rows.append(("supabase schema-15 = schema-16", int(ok), 1, [] if ok else ["schema-16.sql"]))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the corpus folder, e.g. ../shared/corpus")
    parser.add_argument("--verbose", "-v", action="store_true", help="list crashes and rejected files")
    args = parser.parse_args(argv)
    root: Path = args.root
    if not root.is_dir():
        print(f"error: {root} is not a folder", file=sys.stderr)
        return 2
    started = time.perf_counter()
    print(
        "| suite | files | statements | objects | opaque | parse errors (kept) | rejected files | statements lost |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    total_lost = 0
    with Pool(2) as pool:
        for name, files in suites(root):
            results = pool.map(measure, files, chunksize=8)
            lost = sum(int(r["lost"]) for r in results)  # type: ignore[call-overload]
            total_lost += lost
            row = [
                len(results),
                sum(int(r["statements"]) for r in results),  # type: ignore[call-overload]
                sum(int(r.get("objects", 0)) for r in results),  # type: ignore[call-overload]
                sum(int(r.get("opaque", 0)) for r in results),  # type: ignore[call-overload]
                sum(int(r.get("errors", 0)) for r in results),  # type: ignore[call-overload]
                sum(1 for r in results if r.get("rejected")),
                lost,
            ]
            print(f"| {name} | " + " | ".join(f"{v:,}" for v in row) + " |")
            if args.verbose:
                for r in results:
                    if r.get("error"):
                        print(f"    {r['path']}: {r['error']}", file=sys.stderr)
                        if r.get("trace"):
                            print(r["trace"], file=sys.stderr)
    print()
    print("| check | same fingerprint | cases | not the same |")
    print("|---|---:|---:|---|")
    for label, same, total, misses in equivalence(root):
        print(f"| {label} | {same} | {total} | {', '.join(misses[:30]) or '-'} |")
    print(f"\n({time.perf_counter() - started:.1f} s)")
    return 1 if total_lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
