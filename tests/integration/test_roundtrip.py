"""The round trip as a property of the canonical form: for every corpus schema that loads into PostgreSQL,
its canonical schema.sql replays into an empty database with ON_ERROR_STOP, and introspecting that
database gives the same fingerprint.

The corpus is `shared/corpus` beside the checkout (CI has a copy; set SCHEMAREG_CORPUS to use another).
A schema "loads" when the postgres engine can apply it on the test server: one that needs an extension the
server lacks (supabase's pgsodium on the embedded server) is reported as not loading, by name.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemareg.engine import MissingExtension, StatementRefused, normalize_ddl
from schemareg.model import Schema
from schemareg.render import render_schema_sql
from tests.support.postgres import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("SCHEMAREG_CORPUS") or ROOT.parent / "shared" / "corpus")
# Each a known normaliser defect, named by its class; strict, so a fix makes the test pass and shows it.
KNOWN: dict[str, str] = {
    "pagila/pagila-schema": "normaliser: type modifiers of extension types dropped, public.vector(1536)",
    "pgschema/bytebase": "normaliser: an operator expression as index key loses its parentheses, (payload ->> 'x')",
    "pgschema/issue_252_function_schema_qualifier": "normaliser: RETURNS TABLE column typed by a keyword loses its type",
}
# Schemas that do not load into the embedded server: they need extensions it does not bundle.
NOT_LOADING = {
    "supabase/schema-15": "needs pgsodium, pg_graphql, pgjwt, supabase_vault, pgcrypto, uuid-ossp",
    "supabase/schema-16": "needs pgsodium, pg_graphql, pgjwt, supabase_vault, pgcrypto, uuid-ossp",
}


def corpus_schemas(root: Path) -> Iterator[tuple[str, Path]]:
    """The PostgreSQL schemas of the corpus: whole schemas, then the peer suites' cases."""
    yield "danbooru", root / "danbooru" / "structure.sql"
    yield "chinook", root / "chinook" / "Chinook_PostgreSql_schema_only.sql"
    for path in sorted((root / "pagila").glob("pagila-schema*.sql")):
        yield f"pagila/{path.stem}", path
    for path in sorted((root / "supabase").glob("schema-*.sql")):
        yield f"supabase/{path.stem}", path
    for path in sorted((root / "temporal" / "postgresql").rglob("schema.sql")):
        if "versioned" not in path.parts:
            yield "temporal/" + "/".join(path.relative_to(root / "temporal" / "postgresql").parts[:-1]), path
    for path in sorted((root / "pgschema" / "dump").glob("*/raw.sql")):
        yield f"pgschema/{path.parent.name}", path


def _params(found: Iterator[tuple[str, Path]]) -> list[object]:
    marks = {name: pytest.mark.xfail(reason=why, strict=True) for name, why in KNOWN.items()}
    return [pytest.param(name, path, id=name, marks=marks.get(name, ())) for name, path in found]


def _corpus_params() -> list[object]:
    if not CORPUS.is_dir():
        return [pytest.param("", None, id="no-corpus")]
    return _params(corpus_schemas(CORPUS))


def _require_corpus(path: Path | None) -> Path:
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"the corpus is required in CI: no folder {CORPUS}")
        pytest.skip(f"no corpus at {CORPUS} (set SCHEMAREG_CORPUS)")
    return path


def differing(a: Schema, b: Schema) -> list[str]:
    ra, rb = a.rendered(), b.rendered()
    return sorted(f"{key.kind.value} {key.name}" for key in set(ra) | set(rb) if ra.get(key) != rb.get(key))


_MISSING_EXTENSION = re.compile(r"^CREATE EXTENSION (?:IF NOT EXISTS )?(\S+)", re.MULTILINE)


def _available(pg: PostgresServer) -> set[str]:
    import psycopg

    with psycopg.connect(pg.admin_url) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM pg_available_extensions")}


def round_trip(pg: PostgresServer, name: str, path: Path, tmp_path: Path, *, psql: bool) -> None:
    try:
        loaded = normalize_ddl(path.read_text(encoding="utf-8"), engine="postgres", dev_url=pg.admin_url)
    except MissingExtension as error:
        if name not in NOT_LOADING:
            raise
        pytest.xfail(f"does not load here: {error}")
    except StatementRefused as error:
        if name not in NOT_LOADING:
            raise
        pytest.xfail(f"does not load into PostgreSQL: {error}")
    canonical = render_schema_sql(loaded.schema)
    if psql:
        # Replayed by psql itself, as a user would; extensions the server lacks left out (recorded instead).
        available = _available(pg)
        kept = "\n".join(
            line
            for line in canonical.splitlines()
            if not (m := _MISSING_EXTENSION.match(line)) or m.group(1).strip('"').rstrip(";") in available
        )
        script = tmp_path / "schema.sql"
        script.write_text(kept + "\n", encoding="utf-8")
        target = pg.database("replay")
        replay = subprocess.run(
            [pg.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", target, "-f", str(script)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert replay.returncode == 0, replay.stderr[-2000:]
    try:
        again = normalize_ddl(canonical, engine="postgres", dev_url=pg.admin_url).schema
    except StatementRefused as error:
        pytest.fail(f"the canonical schema.sql does not replay: {error}")
    assert again.fingerprint == loaded.schema.fingerprint, differing(loaded.schema, again)


@pytest.mark.parametrize(("name", "path"), _corpus_params())
def test_corpus_schema_round_trips(pg: PostgresServer, name: str, path: Path | None, tmp_path: Path) -> None:
    round_trip(pg, name, _require_corpus(path), tmp_path, psql=True)
