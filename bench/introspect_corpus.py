"""Load each PostgreSQL schema of a corpus (such as ../shared/corpus) into a real server, introspect it,
and compare fingerprints: introspection vs `pg_dump --schema-only` of the same database vs the file.

    python -m bench.introspect_corpus ../shared/corpus [--url postgresql://postgres@host/postgres]

Without --url a throwaway cluster is started (tests/support/postgres.py). Roles that a file names in
`OWNER TO` or `GRANT ... TO` are created first; a file that still fails to load is reported, not compared.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from schemareg.dsn import redact
from schemareg.introspect.postgres import PostgresInspector
from schemareg.model import Schema
from schemareg.normalize import normalize
from tests.support.postgres import PostgresServer, postgres_server

_ROLE = re.compile(r"\b(?:OWNER TO|GRANT [^;]*? TO|AUTHORIZATION)\s+\"?([a-z_][a-z0-9_]*)", re.IGNORECASE)
_BUILTIN_ROLES = {"public", "postgres", "current_user", "session_user", "current_role"}


def sources(root: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted((root / "pagila").glob("pagila-schema*.sql")):
        yield "pagila", path
    yield "danbooru", root / "danbooru" / "structure.sql"
    for path in sorted((root / "temporal" / "postgresql").rglob("*/schema.sql")):
        if "versioned" not in path.parts:
            yield "temporal (final)", path
    yield "chinook", root / "chinook" / "Chinook_PostgreSql_schema_only.sql"
    for path in sorted((root / "pgschema" / "dump").glob("*/raw.sql")):
        yield "pgschema dump", path
    for path in sorted((root / "supabase").glob("schema-*.sql")):
        yield "supabase", path


@dataclass
class Outcome:
    source: str
    path: Path
    loaded: bool = False
    load_error: str = ""
    dump_equal: bool = False
    original_equal: bool = False
    dump_diff: list[str] = field(default_factory=list)
    original_diff: list[str] = field(default_factory=list)


def differing(a: Schema, b: Schema, limit: int = 6) -> list[str]:
    ra, rb = a.rendered(), b.rendered()
    keys = sorted(key for key in set(ra) | set(rb) if ra.get(key) != rb.get(key))
    names = [f"{key.kind.value} {key.name}" + ("" if key in ra else " (not introspected)") for key in keys]
    if key_count := len(names) - limit > 0:
        names = [*names[:limit], f"... {key_count} more"]
    return names


_DATABASE_STATEMENTS = re.compile(
    r"^(?:(?:DROP|CREATE) DATABASE\b[^;]*;|\\c(?:onnect)?\s.*)$", re.IGNORECASE | re.MULTILINE
)


def load(server: PostgresServer, url: str, path: Path) -> str | None:
    """Load a file with psql in one transaction; statements that make or switch databases are left out."""
    text = path.read_text(encoding="utf-8", errors="replace")
    script = _DATABASE_STATEMENTS.sub("", text)
    import psycopg

    with psycopg.connect(server.admin_url, autocommit=True) as conn:
        for role in sorted({m.group(1).lower() for m in _ROLE.finditer(text)} - _BUILTIN_ROLES):
            with contextlib.suppress(psycopg.errors.DuplicateObject):
                conn.execute(f'CREATE ROLE "{role}"')
    done = subprocess.run(
        [server.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-d", url],
        input=script,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["failed"])[-1][:160]
    return None


def run_one(server: PostgresServer, source: str, path: Path) -> Outcome:
    outcome = Outcome(source, path)
    url = server.database("corpus")
    error = load(server, url, path)
    if error is not None:
        outcome.load_error = error
        return outcome
    outcome.loaded = True
    live = PostgresInspector(url).inspect().schema
    dump = subprocess.run(
        [server.tool("pg_dump"), "--schema-only", "-d", url], capture_output=True, text=True, check=True
    ).stdout
    dumped = normalize(dump, "postgres")
    original = normalize(path.read_text(encoding="utf-8", errors="replace"), "postgres")
    outcome.dump_equal = live.fingerprint == dumped.fingerprint
    outcome.original_equal = live.fingerprint == original.fingerprint
    if not outcome.dump_equal:
        outcome.dump_diff = differing(live, dumped)
    if not outcome.original_equal:
        outcome.original_diff = differing(live, original)
    return outcome


def report(outcomes: list[Outcome], root: Path) -> str:
    lines = [
        "| source | files | loaded | introspection = pg_dump | introspection = original DDL |",
        "|---|---:|---:|---:|---:|",
    ]
    for source in dict.fromkeys(o.source for o in outcomes):
        group = [o for o in outcomes if o.source == source]
        loaded = [o for o in group if o.loaded]
        dump = sum(o.dump_equal for o in loaded)
        original = sum(o.original_equal for o in loaded)
        lines.append(
            f"| {source} | {len(group)} | {len(loaded)} | {dump} / {len(loaded)} | {original} / {len(loaded)} |"
        )
    lines.append("")
    for o in outcomes:
        name = o.path.relative_to(root).as_posix()
        if not o.loaded:
            lines.append(f"- `{name}`: did not load: {o.load_error}")
            continue
        if o.dump_diff:
            lines.append(f"- `{name}`: introspection != pg_dump: {', '.join(o.dump_diff)}")
        if o.original_diff:
            lines.append(f"- `{name}`: introspection != original: {', '.join(o.original_diff)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--url", help="admin URL of a server that may create databases and roles")
    parser.add_argument("--only", help="only sources whose name contains this")
    args = parser.parse_args(argv)
    context = contextlib.nullcontext(PostgresServer(admin_url=args.url)) if args.url else postgres_server()
    outcomes = []
    with context as server:
        print(f"server: {redact(server.admin_url)}", file=sys.stderr)
        try:
            for source, path in sources(args.corpus):
                if args.only and args.only not in source:
                    continue
                outcome = run_one(server, source, path)
                state = (
                    "not loaded"
                    if not outcome.loaded
                    else f"dump={outcome.dump_equal} original={outcome.original_equal}"
                )
                print(f"{source}: {path.name}: {state}", file=sys.stderr)
                outcomes.append(outcome)
        finally:
            server.drop_all()
    print(report(outcomes, args.corpus))
    return 0


if __name__ == "__main__":
    sys.exit(main())
