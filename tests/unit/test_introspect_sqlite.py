"""The SQLite inspector: sqlite_master through the normaliser, migration bookkeeping, seed rows, the CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from schemareg.cli import run
from schemareg.errors import InputError
from schemareg.introspect import inspect, open_inspector
from schemareg.normalize import normalize
from schemareg.service import Registry

DDL = """
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT DEFAULT 'anon');
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    total REAL NOT NULL CHECK (total >= 0)
);
CREATE INDEX orders_user ON orders (user_id);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
CREATE TRIGGER orders_guard BEFORE DELETE ON users BEGIN SELECT RAISE(ABORT, 'has orders'); END;
"""


def make(path: Path, ddl: str = DDL, extra: str = "") -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(ddl + extra)
    return path


# Virtual tables of every module the standard library's SQLite builds in, spelt several ways.
VIRTUAL = """
CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT);
CREATE VIRTUAL TABLE docs_fts USING fts5 (body, content='docs', content_rowid='id');
CREATE VIRTUAL TABLE "Notes" USING fts5(title, body, tokenize = 'porter');
CREATE VIRTUAL TABLE old_fts USING fts4 (a, b);
CREATE VIRTUAL TABLE older_fts USING fts3(a);
CREATE VIRTUAL TABLE boxes USING rtree (id, minx, maxx, miny, maxy);
CREATE VIRTUAL TABLE int_boxes USING rtree_i32(id, x0, x1);
CREATE TABLE docs_fts_notes (id INTEGER PRIMARY KEY);
"""


def test_virtual_tables_shadow_tables_are_their_implementation(tmp_path: Path) -> None:
    """The live database has each module's shadow tables, the script none: one schema, from the database,
    from the script, and from the database's own DDL (as `.schema` dumps it, shadow tables and all)."""
    path = make(tmp_path / "fts.db", VIRTUAL)
    result = inspect(sqlite=str(path))
    assert result.fingerprint == normalize(VIRTUAL, "sqlite").fingerprint
    with sqlite3.connect(path) as conn:
        dumped = "".join(
            f"{sql};\n" for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
        )
        shadows = {
            name for (name,) in conn.execute("SELECT name FROM pragma_table_list WHERE type = 'shadow'")
        }
    conn.close()
    assert len(shadows) > 15
    assert normalize(dumped, "sqlite").fingerprint == result.fingerprint
    names = {key.name for key in result.schema.objects}
    assert not names & {f"main.{name}" for name in shadows}
    assert "main.docs_fts_notes" in names  # a table of the user's, named like one


def test_the_live_schema_equals_its_ddl(tmp_path: Path) -> None:
    result = inspect(sqlite=str(make(tmp_path / "app.db")))
    assert result.dialect == "sqlite" and result.database_version.startswith("SQLite 3.")
    assert result.fingerprint == normalize(DDL, "sqlite").fingerprint
    assert {key.name for key in result.schema.objects} >= {"main.users", "main.orders", "main.big_orders"}
    assert result.migrations is None


@pytest.mark.parametrize(
    ("extra", "tool", "count", "last"),
    [
        (
            "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY);"
            "INSERT INTO alembic_version VALUES ('1a2b3c');",
            "alembic",
            1,
            "1a2b3c",
        ),
        (
            "CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT, applied TEXT);"
            "INSERT INTO django_migrations (app, name) VALUES ('auth', '0001_initial'), ('shop', '0002');",
            "django",
            2,
            "shop.0002",
        ),
        (
            "CREATE TABLE schema_migrations (version VARCHAR PRIMARY KEY);"
            "CREATE TABLE ar_internal_metadata (key VARCHAR PRIMARY KEY, value VARCHAR);"
            "INSERT INTO schema_migrations VALUES ('20230101000000'), ('20240101000000');",
            "rails",
            2,
            "20240101000000",
        ),
        (
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, dirty BOOLEAN);"
            "INSERT INTO schema_migrations VALUES (12, 1);",
            "golang-migrate",
            None,
            "12 (dirty)",
        ),
        (
            "CREATE TABLE knex_migrations (id INTEGER PRIMARY KEY, name TEXT, batch INTEGER);"
            "INSERT INTO knex_migrations (name, batch) VALUES ('a.js', 1), ('b.js', 1);",
            "knex",
            2,
            "b.js",
        ),
    ],
)
def test_migration_bookkeeping(tmp_path: Path, extra: str, tool: str, count: int | None, last: str) -> None:
    migrations = inspect(sqlite=str(make(tmp_path / "app.db", extra=extra))).migrations
    assert migrations is not None
    assert (migrations.tool, migrations.count, migrations.last) == (tool, count, last)


def test_seed_rows_sorted_by_primary_key(tmp_path: Path) -> None:
    path = make(
        tmp_path / "app.db",
        extra="INSERT INTO users (id, email) VALUES (2, 'b@x'), (1, 'it''s@x');",
    )
    seed = open_inspector(sqlite=str(path)).seed_data(["users"])
    rows = [line for line in seed.splitlines() if line.startswith("INSERT")]
    assert rows == [
        """INSERT INTO "users" ("id", "email", "name") VALUES (1, 'it''s@x', 'anon');""",
        """INSERT INTO "users" ("id", "email", "name") VALUES (2, 'b@x', 'anon');""",
    ]
    with pytest.raises(InputError):
        open_inspector(sqlite=str(path)).seed_data(["missing"])


def test_cli_schema_snapshot_and_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = make(tmp_path / "app.db")
    data = str(tmp_path / "data")
    assert run(["schema", "--sqlite", str(path), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["dialect"] == "sqlite" and document["fingerprint"].startswith("sha256:")
    assert run(["init", "app", "--dialect", "sqlite", "--data-dir", data]) == 0
    assert run(["snapshot", "-p", "app", "-e", "prod", "--sqlite", str(path), "--data-dir", data]) == 0
    drift = ["drift", "-p", "app", "-e", "prod", "--sqlite", str(path), "--data-dir", data]
    assert run(drift) == 0
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE users ADD COLUMN phone TEXT")
    capsys.readouterr()
    assert run([*drift, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(c["change"], c["kind"], c["name"]) for c in report["changes"]] == [("add", "column", "phone")]
    assert run(["diff", "-p", "app", "-e", "prod", "--sqlite", str(path), "--data-dir", data]) == 1
    with Registry(data) as registry:
        latest = registry.drift_reports("app")
    assert list(latest) == ["prod"] and latest["prod"]["fingerprint"] == report["fingerprint"]


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        inspect(sqlite=str(tmp_path / "nope.db"))


def test_canonical_schema_sql_replays_into_sqlite(tmp_path: Path) -> None:
    """schema.sql of a SQLite schema runs in SQLite, and the database it makes reads back the same."""
    from schemareg.render import render_schema_sql

    ddl = DDL + "CREATE TABLE tokens (id INTEGER PRIMARY KEY AUTOINCREMENT, value TEXT NOT NULL);"
    schema = normalize(ddl, "sqlite", cache=False)
    replayed = make(tmp_path / "replayed.db", render_schema_sql(schema))
    assert inspect(sqlite=str(replayed)).fingerprint == schema.fingerprint
