"""bench/replay.py: PostgreSQL judges a file's canonical schema.sql against what the file built."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.replay import judge
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.integration


def test_a_replay_is_the_same_or_differs_and_a_file_that_does_not_load_says_so(
    pg: PostgresServer, tmp_path: Path
) -> None:
    same = tmp_path / "same.sql"
    same.write_text(
        "CREATE TABLE t (id serial PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'x', n int CHECK (n > 0));\n"
        "CREATE INDEX t_name ON t (lower(name));\nCREATE VIEW v AS SELECT id, name FROM t WHERE n > 1;\n"
    )
    assert judge(same, "sqlglot", pg.admin_url, pg.tool("pg_dump"), 0) == ("same", 0, 0)
    # a view's string constant cast to a number: canonically the number, which PostgreSQL stores as
    # `(12)::bigint` where the original has `'12'::bigint` (the same value): the catalog's view text and
    # pg_dump's differ
    cast = tmp_path / "cast.sql"
    cast.write_text("CREATE VIEW c AS SELECT '12'::bigint AS n;\n")
    assert judge(cast, "sqlglot", pg.admin_url, pg.tool("pg_dump"), 0) == ("differs", 2, 2)
    missing = tmp_path / "missing.sql"
    missing.write_text("CREATE TABLE g (zone public.geometry(Polygon, 4326));\n")
    outcome, _, _ = judge(missing, "sqlglot", pg.admin_url, pg.tool("pg_dump"), 0)
    assert outcome.startswith("does not load here")
