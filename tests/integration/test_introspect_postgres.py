"""Introspection against a real PostgreSQL: the fingerprint equals that of `pg_dump --schema-only` of the
same database, the catalog is read in a fixed number of queries, a snapshot's schema.sql restores to the
same fingerprint, and migration bookkeeping is recognised. Every test runs on both ends of the supported
range: the suite's server (the embedded PostgreSQL 18) and the system's (Debian's PostgreSQL 15)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest
from _pytest.fixtures import SubRequest

from schemareg.errors import ExternalError
from schemareg.introspect import inspect
from schemareg.introspect.pg_script import Script
from schemareg.introspect.postgres import QUERIES, PostgresInspector, load_query
from schemareg.normalize import normalize
from schemareg.render import render_schema_sql
from tests.support.postgres import PostgresServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "introspect"

# Where the original (hand-written) DDL and the live database still normalise apart: normaliser gaps,
# each also seen between the DDL and pg_dump's output of the same database (docs/introspection.md).
KNOWN_GAPS = {
    ("extension", "pgcrypto"),  # `WITH SCHEMA public` is explicit in the catalog, implied in the DDL
    ("materialized_view", "app.order_totals"),  # deparsed text (qualified columns, WITH NO DATA)
    ("other", "create index 0a825591cc75"),  # an index on a materialized view is kept as an orphan
    ("other", "create index 7fa447fbbc92"),  # ... in the DDL's spelling
    ("table", "app.measurements_2023"),  # partitions inherit the parent's key and indexes
    ("table", "app.measurements_2024"),
    ("table", "app.measurements_rest"),
    ("table", "app.users"),  # COLLATE "C" is written pg_catalog."C" by the server
    ("type", "app.floatrange"),  # a range's implied multirange_type_name
}


@pytest.fixture(params=["suite", "debian"])
def pg(request: SubRequest) -> PostgresServer:
    """Overrides the suite's `pg` here: each test runs on the suite's server and on the system's."""
    server: PostgresServer = request.getfixturevalue("pg" if request.param == "suite" else "pg_debian")
    return server


def psql(pg: PostgresServer, url: str, *files: Path) -> None:
    args = [pg.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url]
    for file in files:
        args += ["-f", str(file)]
    subprocess.run(args, check=True, capture_output=True, text=True)


def pg_dump(pg: PostgresServer, url: str) -> str:
    return subprocess.run(
        [pg.tool("pg_dump"), "--schema-only", "-d", url], check=True, capture_output=True, text=True
    ).stdout


def has_extension(url: str, name: str) -> bool:
    with psycopg.connect(url) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", (name,)).fetchone()
            is not None
        )


def differing(a: dict, b: dict) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(key.kind.value, key.name) for key in set(a) | set(b) if a.get(key) != b.get(key)}


@pytest.fixture
def every_kind(pg: PostgresServer, pg_database: str) -> tuple[str, str]:
    """A database with every kind of object; the extension part only where the server has pgcrypto."""
    files = [FIXTURES / "all_kinds.sql"]
    if has_extension(pg_database, "pgcrypto"):
        files.append(FIXTURES / "extension.sql")
    psql(pg, pg_database, *files)
    return pg_database, "".join(file.read_text() for file in files)


def test_introspection_equals_pg_dump_and_the_original(
    pg: PostgresServer, every_kind: tuple[str, str]
) -> None:
    url, original = every_kind
    live = inspect(url)
    dumped = normalize(pg_dump(pg, url), "postgres")
    assert live.schema.issues == []
    assert live.fingerprint == dumped.fingerprint, differing(live.schema.rendered(), dumped.rendered())
    kinds = {key.kind.value for key in live.schema.objects}
    assert {"schema", "type", "domain", "sequence", "table", "view", "materialized_view"} <= kinds
    assert {"function", "procedure", "trigger", "policy"} <= kinds
    names = {key.name for key in live.schema.objects}
    assert {"app.area(r int)", "app.area(w int, h int)"} <= names or sum("app.area" in n for n in names) == 2
    assert not any("gen_random_uuid" in name or "digest(" in name for name in names)  # extension members
    users = next(obj for key, obj in live.schema.objects.items() if key.name == "app.users")
    assert users.column("id").identity and users.column("name_length").generated  # type: ignore[union-attr]
    assert live.database_version.startswith("PostgreSQL ")
    gaps = differing(live.schema.rendered(), normalize(original, "postgres").rendered())
    expected = KNOWN_GAPS if "pgcrypto" in original else KNOWN_GAPS - {("extension", "pgcrypto")}
    assert gaps <= expected, gaps - expected


def test_a_fixed_number_of_queries(pg: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each catalog query once, whatever the number of objects; besides them only the session's setup:
    on one connection exactly two statements, with the second connection (`pg_read`) at most four more."""
    executed: list[str] = []
    original = psycopg.Connection.execute
    catalog = {load_query(name): name for name in QUERIES}

    def counting(self, query, *args, **kwargs):  # type: ignore[no-untyped-def]
        executed.append(str(query))
        return original(self, query, *args, **kwargs)

    for parallel in (False, True):
        counts = []
        for tables in (1, 25):
            url = pg.database("queries")
            ddl = "".join(
                f"CREATE TABLE t{i} (id serial PRIMARY KEY, v text UNIQUE, w int CHECK (w > 0)); CREATE INDEX ON t{i} (w);"
                for i in range(tables)
            )
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(ddl)  # type: ignore[arg-type]
            executed.clear()
            monkeypatch.setattr(psycopg.Connection, "execute", counting)
            result = PostgresInspector(url, parallel=parallel).inspect()
            monkeypatch.undo()
            assert len(result.schema.tables()) == tables
            asked = sorted(catalog[query] for query in executed if query in catalog)
            assert asked == sorted(QUERIES)
            counts.append(len(executed) - len(asked))
        if parallel:  # SET LOCAL search_path, the state; the export; the helper's snapshot, path and check
            assert all(3 <= count <= 6 for count in counts), counts
        else:
            assert counts == [2, 2]  # SET LOCAL search_path, the state (pg_state)


def test_the_server_is_asked_only_for_what_the_script_writes(every_kind: tuple[str, str]) -> None:
    """A catalog row or a deparsed definition the script drops is server time for nothing: the system's
    own comments (thousands, on every server) and the definitions of indexes a constraint makes."""
    url, _ = every_kind
    inspector = PostgresInspector(url)
    with inspector._connect() as conn, conn.transaction():
        conn.execute("SET LOCAL search_path = ''")
        results, _ = inspector._read(conn)
    script = Script(results)
    ddl = script.render()
    targets = script._comment_targets()
    assert results["comments"]
    dropped = [
        row
        for row in results["comments"]
        if (row["catalog"], row["oid"], row["column_number"]) not in targets
    ]
    assert all(row["catalog"] == "pg_namespace" and row["oid"] == 2200 for row in dropped), dropped  # public
    assert any(row["for_constraint"] for row in results["indexes"])
    for row in results["indexes"]:
        assert (row["definition"] is None) == row["for_constraint"]
        assert row["for_constraint"] or row["definition"] + ";" in ddl


def test_a_comment_on_the_public_schema_renamed_is_kept(pg_database: str) -> None:
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("ALTER SCHEMA public RENAME TO main_app; COMMENT ON SCHEMA main_app IS 'the app'")
        conn.execute("CREATE TABLE main_app.t (id int)")
    assert "COMMENT ON SCHEMA main_app IS 'the app';" in inspect(pg_database).ddl


def _round_trip(pg: PostgresServer, url: str, tmp_path: Path) -> None:
    live = inspect(url)
    restored = pg.database("restored")
    script = tmp_path / "schema.sql"
    script.write_text(render_schema_sql(live.schema))
    psql(pg, restored, script)
    again = inspect(restored)
    assert again.fingerprint == live.fingerprint, differing(again.schema.rendered(), live.schema.rendered())


def test_snapshot_schema_sql_restores_to_the_same_fingerprint(
    pg: PostgresServer, every_kind: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = every_kind
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX app.measurements_peak_idx")  # see the next test
    _round_trip(pg, url, tmp_path)


def test_round_trip_with_an_index_on_a_partitioned_table(
    pg: PostgresServer, every_kind: tuple[str, str], tmp_path: Path
) -> None:
    _round_trip(pg, every_kind[0], tmp_path)


@pytest.mark.parametrize(
    ("ddl", "tool", "count", "last"),
    [
        (
            "CREATE TABLE knex_migrations (id serial PRIMARY KEY, name text, batch int, migration_time timestamptz);"
            "INSERT INTO knex_migrations (name, batch) VALUES ('001_init.js', 1), ('002_users.js', 2);",
            "knex",
            2,
            "002_users.js",
        ),
        (
            "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);"
            "INSERT INTO alembic_version VALUES ('ae1027a6acf');",
            "alembic",
            1,
            "ae1027a6acf",
        ),
        (
            "CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50),"
            " description varchar(200), script varchar(1000), success boolean);"
            "INSERT INTO flyway_schema_history VALUES (1, '1', 'init', 'V1__init.sql', true),"
            " (2, '2', 'users', 'V2__users.sql', true), (3, NULL, 'views', 'R__views.sql', true);",
            "flyway",
            2,
            "2 users",
        ),
        (
            "CREATE TABLE django_migrations (id serial PRIMARY KEY, app text, name text, applied timestamptz);"
            "INSERT INTO django_migrations (app, name) VALUES ('auth', '0001_initial'), ('shop', '0002_orders');",
            "django",
            2,
            "shop.0002_orders",
        ),
        (
            "CREATE TABLE schema_migrations (version varchar PRIMARY KEY);"
            "CREATE TABLE ar_internal_metadata (key varchar PRIMARY KEY, value varchar);"
            "INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240301000000');",
            "rails",
            2,
            "20240301000000",
        ),
        (
            "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);"
            "INSERT INTO schema_migrations VALUES (7, false);",
            "golang-migrate",
            None,
            "7",
        ),
        (
            "CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, migration_name varchar(255),"
            " started_at timestamptz, finished_at timestamptz, rolled_back_at timestamptz);"
            "INSERT INTO _prisma_migrations VALUES ('a', '20240101_init', '2024-01-01', '2024-01-01', NULL),"
            " ('b', '20240201_users', '2024-02-01', '2024-02-01', NULL);",
            "prisma",
            2,
            "20240201_users",
        ),
        (
            "CREATE SCHEMA sqitch; CREATE TABLE sqitch.changes (change_id text PRIMARY KEY, change text,"
            " committed_at timestamptz);"
            "INSERT INTO sqitch.changes VALUES ('1', 'appschema', '2024-01-01'), ('2', 'users', '2024-02-01');",
            "sqitch",
            2,
            "users",
        ),
    ],
)
def test_migration_bookkeeping(pg_database: str, ddl: str, tool: str, count: int | None, last: str) -> None:
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(ddl)  # type: ignore[arg-type]
    result = inspect(pg_database)
    assert result.migrations is not None
    assert (result.migrations.tool, result.migrations.count, result.migrations.last) == (tool, count, last)
    metadata = result.metadata()
    assert metadata.migration_tool == tool and metadata.database_version == result.database_version


def test_a_connection_error_never_shows_the_password() -> None:
    dsn = "postgresql://app:TopSecret99@127.0.0.1:1/nowhere"
    with pytest.raises(ExternalError) as caught:
        PostgresInspector(dsn, connect_timeout=2).inspect()
    assert "TopSecret99" not in str(caught.value)
    assert "app:***@127.0.0.1:1/nowhere" in str(caught.value)
    assert "TopSecret99" not in repr(PostgresInspector(dsn))
