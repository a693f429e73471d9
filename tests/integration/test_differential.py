"""The differential suite: PostgreSQL (and sqlite3) as the oracle for the sqlglot engine, on input nobody
tuned for.

- Generated schemas (tests/support/generated.py) and meaning-preserving rewrites of them: PostgreSQL must
  load both and introspect them alike, then the sqlglot engine must give the postgres engine's fingerprint.
- Real changes: a different fingerprint on both engines, and a diff that names the change.
- The corpus, and every prefix of temporal's migration histories, on both engines; SQLite with sqlite3.

Known disagreements are strict expected failures named by their class
(tests/fixtures/differential/known.json): fixing one makes its case pass and the suite say so.
`python -m bench.differential CORPUS` prints the table in docs/benchmarks.md (and runs more examples).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemareg.diff import diff_schemas
from schemareg.normalize import normalize
from schemareg.render import render_schema_sql
from tests.integration.test_roundtrip import CORPUS
from tests.support import generated
from tests.support.differential import (
    compare_postgres,
    compare_sqlite,
    load_sqlite,
    postgres_cases,
    sqlite_cases,
)
from tests.support.postgres import PostgresServer

KNOWN_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "differential" / "known.json"
KNOWN: dict[str, str] = json.loads(KNOWN_FILE.read_text(encoding="utf-8"))
EXAMPLES = 3  # per rewrite style and per change, derandomised: the same cases every run
BOUNDED = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


def _marks(case: str) -> tuple[pytest.MarkDecorator, ...]:
    if case in KNOWN:
        return (pytest.mark.xfail(reason=KNOWN[case], strict=True),)
    return ()


@pytest.mark.parametrize("style", [pytest.param(s, marks=_marks(f"rewrite:{s}")) for s in generated.STYLES])
def test_a_rewrite_keeps_the_fingerprint_on_both_engines(pg: PostgresServer, style: str) -> None:
    @BOUNDED
    @given(generated.schemas())
    def check(schema: generated.GenSchema) -> None:
        plain = compare_postgres(schema.ddl("plain"), pg.admin_url)
        rewritten = compare_postgres(schema.ddl(style), pg.admin_url)
        # PostgreSQL first: the rewrite must mean the same, or the generator is wrong.
        assert rewritten.oracle.fingerprint == plain.oracle.fingerprint, "the rewrite changed the meaning"
        assert plain.agree, f"plain: {plain.kind}: {plain.differing}"
        assert rewritten.sqlglot.fingerprint == plain.oracle.fingerprint, (
            f"{style}: {rewritten.kind}: {rewritten.differing}"
        )

    check()


@pytest.mark.parametrize("change", [pytest.param(c, marks=_marks(f"change:{c}")) for c in generated.CHANGES])
def test_a_real_change_is_seen_by_both_engines_and_named_by_the_diff(pg: PostgresServer, change: str) -> None:
    @BOUNDED
    @given(generated.schemas())
    def check(schema: generated.GenSchema) -> None:
        before = compare_postgres(schema.ddl("plain"), pg.admin_url)
        after = compare_postgres(schema.changed(change).ddl("plain"), pg.admin_url)
        assert after.oracle.fingerprint != before.oracle.fingerprint, "the oracle sees no change"
        assert after.sqlglot.fingerprint != before.sqlglot.fingerprint, "the sqlglot engine sees no change"
        expected = generated.EXPECTED_CHANGE[change]
        for engine in ("oracle", "sqlglot"):
            changes = diff_schemas(getattr(before, engine), getattr(after, engine)).changes
            found = {(c.change.value, c.kind) for c in changes}
            assert expected & found, f"{engine}: {change} diffed as {sorted(found)}"

    check()


def _corpus(cases: object) -> list[object]:
    if not CORPUS.is_dir():
        return [pytest.param("", "", id="no-corpus")]
    return [pytest.param(name, sql, id=name, marks=_marks(name)) for name, _, sql in cases]  # type: ignore[attr-defined]


def _require(name: str) -> None:
    if not name:
        if os.environ.get("CI"):
            pytest.fail(f"the corpus is required in CI: no folder {CORPUS}")
        pytest.skip(f"no corpus at {CORPUS} (set SCHEMAREG_CORPUS)")


@pytest.mark.parametrize(("name", "sql"), _corpus(postgres_cases(CORPUS) if CORPUS.is_dir() else ()))
def test_the_corpus_agrees_on_both_engines(pg: PostgresServer, name: str, sql: str) -> None:
    _require(name)
    comparison = compare_postgres(sql, pg.admin_url)
    assert comparison.agree, f"{comparison.kind}: {comparison.differing[:8]}"


@pytest.mark.parametrize(("name", "sql"), _corpus(sqlite_cases(CORPUS) if CORPUS.is_dir() else ()))
def test_the_sqlite_corpus_agrees_with_sqlite3(name: str, sql: str) -> None:
    _require(name)
    comparison = compare_sqlite(sql)
    assert comparison.agree, f"{comparison.kind}: {comparison.differing[:8]}"


@BOUNDED
@given(generated.schemas(), st.sampled_from(["plain", "case", "quoted", "comments"]))
def test_generated_sqlite_schemas_agree_with_sqlite3(schema: generated.GenSchema, style: str) -> None:
    comparison = compare_sqlite(generated.sqlite_ddl(schema, style))
    assert comparison.agree, f"{comparison.kind}: {comparison.differing}"


# The round trip on SQLite: a schema's canonical schema.sql replays into a fresh database (sqlite3 refuses
# what it cannot run) and reads back with the fingerprint it was rendered from.
SQLITE_REPLAY_EXTRA = {
    "virtual tables": """
        CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT);
        CREATE VIRTUAL TABLE docs_fts USING fts5 (body, content='docs', content_rowid='id');
        CREATE VIRTUAL TABLE "Notes" USING fts5(title, body, tokenize = 'porter');
        CREATE VIRTUAL TABLE old_fts USING fts4 (a, b);
        CREATE VIRTUAL TABLE boxes USING rtree (id, minx, maxx, miny, maxy);
        CREATE TRIGGER docs_ai AFTER INSERT ON docs BEGIN
            INSERT INTO docs_fts (rowid, body) VALUES (new.id, new.body);
        END;
    """,
}


def _sqlite_replay_params() -> list[object]:
    found = [(name, sql) for name, _, sql in sqlite_cases(CORPUS)] if CORPUS.is_dir() else []
    loads = [(name, sql) for name, sql in found if not KNOWN.get(name, "").startswith("does not load")]
    return [pytest.param(sql, id=name) for name, sql in [*loads, *SQLITE_REPLAY_EXTRA.items()]]


@pytest.mark.parametrize("sql", _sqlite_replay_params())
def test_sqlite_schema_sql_replays_to_its_fingerprint(sql: str) -> None:
    original = load_sqlite(sql)
    assert load_sqlite(render_schema_sql(original)).fingerprint == original.fingerprint
    # The sqlglot engine's schema.sql too: it agrees with sqlite3 on these, so it replays to the same.
    assert load_sqlite(render_schema_sql(normalize(sql, "sqlite"))).fingerprint == original.fingerprint
