"""The postgres engine: DDL applied to a scratch database and read back by the live inspector.

What it must show: with no PostgreSQL in PATH, `schemareg schema --engine postgres --file F` gives the
fingerprint of `schemareg schema --dsn` of F loaded (by psql) into a server that has F's extensions, and
`--dev-url` naming such a server gives it again. Refused statements, missing extensions, the statements a
shared dev server must not run, and data statements are checked on small scripts.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from schemareg import devserver
from schemareg.engine import MissingExtension, StatementRefused, normalize_ddl
from schemareg.errors import InputError
from schemareg.normalize import NormalizeOptions, normalize
from tests.integration.test_roundtrip import CORPUS
from tests.support.postgres import PostgresServer
from tests.unit.test_parse_errors import BROKEN, assert_every_command_names

MUST_SHOW = {
    "chinook": "chinook/Chinook_PostgreSql_schema_only.sql",
    "pagila": "pagila/pagila-schema.sql",
    "danbooru": "danbooru/structure.sql",
}


def schemareg_json(*args: str) -> dict[str, object]:
    """`schemareg schema ... --format json` in a process whose PATH has no PostgreSQL at all."""
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    done = subprocess.run(
        [sys.executable, "-m", "schemareg", "schema", *args, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def extensions_of(sql: str) -> set[str]:
    return {m.lower() for m in re.findall(r"CREATE EXTENSION (?:IF NOT EXISTS )?\"?([\w-]+)", sql, re.I)}


def server_with(names: set[str], *servers: PostgresServer) -> PostgresServer:
    for server in servers:
        with psycopg.connect(server.admin_url) as conn:
            have = {row[0] for row in conn.execute("SELECT name FROM pg_available_extensions")}
        if names <= have:
            return server
    pytest.fail(f"no test server has the extensions {sorted(names)}")


def load_with_psql(server: PostgresServer, path: Path) -> str:
    """Load F as a user would (psql, ON_ERROR_STOP); a script that makes and enters its own database
    (`CREATE DATABASE x; \\c x`) gets a unique name for it. Returns the URL of the loaded database."""
    text = path.read_text(encoding="utf-8")
    connect = re.search(r"^\\c(?:onnect)?\s+(\w+)", text, re.MULTILINE)
    if connect:
        unique = f"{connect.group(1)}_{uuid.uuid4().hex[:8]}"
        text = re.sub(rf"\b{connect.group(1)}\b(?=\s*;)", unique, text)
        target = server.url(unique)
        server._created.append(unique)
        url = server.url("postgres")
    else:
        url = target = server.database("load")
    done = subprocess.run(
        [server.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url],
        input=text,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return target


@pytest.mark.parametrize("name", sorted(MUST_SHOW))
def test_the_engine_gives_the_fingerprint_of_the_loaded_database(
    name: str, pg: PostgresServer, pg_debian: PostgresServer
) -> None:
    path = CORPUS / MUST_SHOW[name]
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the corpus is required in CI: no {path}")
        pytest.skip(f"no corpus at {CORPUS}")
    # pagila needs PostgreSQL 18 (uuidv7(), VIRTUAL columns); danbooru needs pgcrypto (Debian's has it).
    newest_first = (pg, pg_debian) if name == "pagila" else (pg_debian, pg)
    server = server_with(extensions_of(path.read_text(encoding="utf-8")), *newest_first)
    loaded = load_with_psql(server, path)
    live = schemareg_json("--dsn", loaded)["fingerprint"]
    assert schemareg_json("--engine", "postgres", "--file", str(path))["fingerprint"] == live
    dev_url = schemareg_json("--engine", "postgres", "--dev-url", server.admin_url, "--file", str(path))
    assert dev_url["fingerprint"] == live


def test_a_refused_statement_is_an_error_with_line_column_and_postgres_message(pg: PostgresServer) -> None:
    script = "CREATE TABLE a (id int);\n\nCREATE TABLE b (\n    id integr\n);\n"
    with pytest.raises(StatementRefused) as caught:
        normalize_ddl(script, engine="postgres", dev_url=pg.admin_url)
    assert (caught.value.line, caught.value.column) == (4, 8)
    assert 'type "integr" does not exist' in str(caught.value)
    # Where PostgreSQL gives no position, the statement's own.
    script = "CREATE TABLE a (id int);\n\nCREATE TABLE b (\n    id int REFERENCES nowhere (id)\n);\n"
    with pytest.raises(StatementRefused) as caught:
        normalize_ddl(script, engine="postgres", dev_url=pg.admin_url)
    assert (caught.value.line, caught.value.column) == (3, 1)
    assert 'relation "nowhere" does not exist' in str(caught.value)


def test_a_missing_extension_is_recorded_or_named(pg: PostgresServer) -> None:
    recorded = normalize_ddl(
        "CREATE EXTENSION IF NOT EXISTS no_such_extension WITH SCHEMA public;\n"
        "COMMENT ON EXTENSION no_such_extension IS 'absent';\nCREATE TABLE t (id int);",
        engine="postgres",
        dev_url=pg.admin_url,
    )
    expected = normalize("CREATE EXTENSION no_such_extension; CREATE TABLE t (id int);")
    assert recorded.schema.fingerprint == expected.fingerprint
    assert [w.line for w in recorded.warnings] == [1]
    assert "no_such_extension" in recorded.warnings[0].message
    with pytest.raises(MissingExtension) as caught:
        normalize_ddl(
            "CREATE EXTENSION no_such_extension;\nCREATE TABLE t (id int DEFAULT no_such_function());",
            engine="postgres",
            dev_url=pg.admin_url,
        )
    assert "no_such_extension" in str(caught.value) and "SCHEMAREG_DEV_URL" in str(caught.value)
    assert caught.value.line == 2


def test_cluster_statements_are_not_run_and_data_statements_are(pg: PostgresServer) -> None:
    role = f"role_{uuid.uuid4().hex[:8]}"
    script = (
        f"CREATE ROLE {role};\nSET search_path = public;\nSET no_such.setting_here = 1;\n"
        "CREATE TABLE t (id int PRIMARY KEY, kind text);\n"
        f"ALTER TABLE t OWNER TO {role};\nGRANT SELECT ON t TO {role};\n"
        "INSERT INTO t VALUES (1, 'a');\nUPDATE t SET kind = 'b';\n"
        # A data statement is applied as the database would: the constraint sees the updated row.
        "ALTER TABLE t ADD CONSTRAINT kind_b CHECK (kind = 'b');\n"
        "\\connect other_database\n"
    )
    result = normalize_ddl(script, engine="postgres", dev_url=pg.admin_url)
    assert {key.name for key in result.schema.objects} == {"public.t"}
    with psycopg.connect(pg.admin_url) as conn:
        assert conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None
    with pytest.raises(StatementRefused):
        normalize_ddl(
            "CREATE TABLE t (kind text);\nINSERT INTO t VALUES ('a');\n"
            "ALTER TABLE t ADD CONSTRAINT kind_b CHECK (kind = 'b');",
            engine="postgres",
            dev_url=pg.admin_url,
        )


def test_no_scratch_database_is_left_behind(pg: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    original = devserver.scratch_database

    @contextlib.contextmanager
    def recording(admin_url: str) -> Iterator[devserver.Scratch]:
        with original(admin_url) as scratch:
            made.append(scratch.url.rsplit("/", 1)[-1])
            yield scratch

    monkeypatch.setattr(devserver, "scratch_database", recording)
    with pytest.raises(StatementRefused):
        normalize_ddl("CREATE TABLE x (;", engine="postgres", dev_url=pg.admin_url)
    normalize_ddl("CREATE TABLE x (id int);", engine="postgres", dev_url=pg.admin_url)
    assert len(made) == 2
    with psycopg.connect(pg.admin_url) as conn:
        left = conn.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)", (made,))
        assert left.fetchall() == []


def test_what_the_postgres_engine_refuses_to_do() -> None:
    with pytest.raises(InputError, match="PostgreSQL DDL"):
        normalize_ddl("CREATE TABLE t (id int);", "sqlite", engine="postgres")
    with pytest.raises(InputError, match="owners and grants"):
        normalize_ddl(
            "CREATE TABLE t (id int);", engine="postgres", options=NormalizeOptions(keep_grants=True)
        )
    with pytest.raises(InputError, match="unknown engine"):
        normalize_ddl("CREATE TABLE t (id int);", engine="oracle")


# A history's DROP of what it never made: the database refuses it (IF EXISTS: does nothing). Both engines,
# and the sqlglot engine on SQLite too, say so with a warning on its line and otherwise ignore it.
_UNKNOWN_DROPS = (
    "CREATE TABLE kept (id int);\n"
    "DROP TABLE never_made;\n"
    "DROP TABLE IF EXISTS never_made_either;\n"
    "DROP VIEW no_view;\n"
    "DROP INDEX no_index;\n"
    "DROP SEQUENCE no_sequence;\n"
    "DROP FUNCTION no_function(integer);\n"
    "DROP TYPE no_type;\n"
    "CREATE TABLE after (id int);\n"
)


def test_a_drop_of_what_the_script_never_made_is_a_warning_on_both_engines(pg: PostgresServer) -> None:
    expected = normalize("CREATE TABLE kept (id int); CREATE TABLE after (id int);")
    engines = {
        "sqlglot": normalize_ddl(_UNKNOWN_DROPS),
        "postgres": normalize_ddl(_UNKNOWN_DROPS, engine="postgres", dev_url=pg.admin_url),
    }
    for name, result in engines.items():
        assert result.schema.fingerprint == expected.fingerprint, name
        warned = result.warnings if name == "postgres" else result.schema.issues
        assert [w.line for w in warned] == [2, 4, 5, 6, 7, 8], name
        assert all("DROP is ignored" in w.message for w in warned), name
    # SQLite has no functions, sequences or types: its DROP statements are of tables, views and indexes
    sqlite_drops = "".join(
        line + "\n"
        for line in _UNKNOWN_DROPS.splitlines()
        if not line.startswith(("DROP FUNCTION", "DROP SEQUENCE", "DROP TYPE"))
    )
    sqlite = normalize(sqlite_drops, "sqlite")
    assert (
        sqlite.fingerprint
        == normalize("CREATE TABLE kept (id int); CREATE TABLE after (id int);", "sqlite").fingerprint
    )
    assert [i.line for i in sqlite.issues] == [2, 4, 5]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_parse_errors_name_the_file_on_this_engine_too(
    pg: PostgresServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    """A project normalised by the postgres engine reports a broken file as the sqlglot engine does: its
    name, line and column (the splitter's errors came without the file, the service's without it too)."""
    from schemareg.cli import run

    monkeypatch.setenv("SCHEMAREG_DEV_URL", pg.admin_url)
    bad, good = tmp_path / name, tmp_path / "good.sql"
    bad.write_text(BROKEN[name])
    good.write_text("CREATE TABLE t (id int);\n")
    assert run(["init", "shop", "--engine", "postgres", "--data-dir", str(tmp_path / "data")]) == 0
    capsys.readouterr()
    assert run(["schema", "--engine", "postgres", "--file", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "line" not in err.split(str(bad))[0], err
    assert_every_command_names(bad, good, tmp_path / "data", capsys)
