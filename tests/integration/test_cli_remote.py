"""`--registry URL` on every verb that reads or writes the registry, against a real `schemareg serve`:
what each verb does lands on (or comes from) the server, and nothing is written to the local data dir."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from schemareg.cli import run
from tests.support.server import serve

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

V1 = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);"
V2 = V1 + "\nCREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10, 2));"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("server") / "data") as url:
        yield url


@pytest.fixture
def cli(tmp_path: Path, base: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run a verb with --registry (and a local data dir that must stay empty); (code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    def call(*args: str) -> tuple[int, str, str]:
        code = run([*args, "--registry", base, "--data-dir", str(tmp_path / "local")])
        out, err = capsys.readouterr()
        return code, out, err

    yield call
    assert not (tmp_path / "local").exists(), "a remote verb wrote to the local data dir"


def _sqlite(path: Path, ddl: str) -> str:
    with sqlite3.connect(path) as connection:
        connection.executescript(ddl)
    return str(path)


def test_the_store_verbs_work_against_a_server(cli, base: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "v1.sql").write_text(V1)
    (tmp_path / "v2.sql").write_text(V2)
    code, out, _ = cli("init", "shop", "--description", "the shop")
    assert code == 0 and "created project shop (postgres)" in out
    assert httpx.get(f"{base}/v1/projects/shop").json()["description"] == "the shop"
    assert cli("init", "shop")[0] == 2  # exists already, as locally

    code, out, _ = cli("snapshot", "-p", "shop", "-e", "staging", "-f", "v1.sql")
    assert code == 0 and "staging: new snapshot" in out
    assert "unchanged" in cli("snapshot", "-p", "shop", "-e", "staging", "-f", "v1.sql")[1]
    code, out, err = cli("snapshot", "-p", "nope", "-e", "staging", "-f", "v1.sql")
    assert code == 2 and "nope" in err

    code, out, _ = cli("version", "v1.0.0", "-p", "shop", "--env", "staging", "--description", "first")
    assert code == 0 and out.startswith("released v1.0.0 at ")
    assert [r["name"] for r in httpx.get(f"{base}/v1/projects/shop/releases").json()] == ["v1.0.0"]
    code, _, err = cli("version", "v1.0.0", "-p", "shop", "--env", "staging")
    assert code == 2 and "v1.0.0" in err  # releases are immutable there too
    code, out, _ = cli("version", "v1.1.0", "-p", "shop", "--env", "staging", "--file", "v2.sql")
    assert code == 0 and "released v1.1.0" in out  # snapshotted into staging, then released

    code, out, _ = cli("promote", "-p", "shop", "-e", "production", "--from", "v1.0.0", "--format", "json")
    assert code == 0 and json.loads(out)["created"] is True
    production = httpx.get(f"{base}/v1/projects/shop/environments/production").json()
    assert production["release"] == "v1.0.0"

    code, out, _ = cli("list", "--project", "shop")
    assert code == 0 and "releases:" in out and "v1.1.0" in out and "production" in out
    listing = json.loads(cli("list", "--format", "json")[1])
    assert [p["project"] for p in listing] == ["shop"]
    assert [r["name"] for r in listing[0]["releases"]] == ["v1.0.0", "v1.1.0"]

    code, out, _ = cli("log", "-p", "shop", "--env", "staging")
    assert code == 0 and len(out.splitlines()) == 4 and "[v1.1.0] release v1.1.0" in out
    assert (
        cli("log", "-p", "shop", "staging", "--format", "json")[1]
        == cli("log", "-p", "shop", "--env", "staging", "--format", "json")[1]
    )
    code, out, _ = cli("log", "-p", "shop")  # the default env: production
    assert code == 0 and "promote v1.0.0 to production" in out
    code, out, _ = cli("log", "-p", "shop", "--table", "orders", "--env", "staging")
    assert code == 0 and "public.orders on staging:" in out and "v1.1.0" in out
    code, _, err = cli("log", "-p", "shop", "v1.0.0")
    assert code == 2 and "environment" in err  # the API has the history of envs only, and says so


def test_diff_changelog_drift_and_backup_read_the_server(cli, base: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    httpx.put(f"{base}/v1/projects/app", json={"dialect": "sqlite"}).raise_for_status()
    old = _sqlite(tmp_path / "old.db", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);")
    new = _sqlite(
        tmp_path / "new.db",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY);",
    )
    assert cli("snapshot", "-p", "app", "-e", "production", "--sqlite", old)[0] == 0
    assert cli("snapshot", "-p", "app", "-e", "staging", "--sqlite", new)[0] == 0

    code, out, _ = cli("diff", "-p", "app", "production", "staging", "--format", "json")
    assert code == 1 and '"main.orders"' in out
    assert "+CREATE TABLE" in cli("diff", "-p", "app", "production", "staging", "--format", "unified")[1]
    assert cli("diff", "-p", "app", "production", "production")[0] == 0
    code, out, _ = cli("changelog", "-p", "app", "production", "staging")
    assert code == 0 and "orders" in out

    # A live database against the server's baseline (the local data dir has no such project).
    assert cli("diff", "-p", "app", "--env", "production", "--sqlite", old)[0] == 0
    code, out, _ = cli("diff", "-p", "app", "--env", "production", "--sqlite", new)
    assert code == 1 and "orders" in out

    code, out, err = cli("drift", "-p", "app", "-e", "production", "--sqlite", new, "--format", "json")
    assert code == 1 and json.loads(out)["drift"] is True and "recorded at" in err
    recorded = httpx.get(f"{base}/v1/projects/app/drift").json()
    assert [item["env"] for item in recorded] == ["production"] and recorded[0]["report"]["drift"] is True
    assert cli("drift", "-p", "app", "-e", "staging", "--sqlite", new)[0] == 0

    dest = tmp_path / "backups"
    code, out, _ = cli("backup", "--release", "nope", "-p", "app", "--dest", str(dest))
    assert code == 2
    httpx.post(f"{base}/v1/projects/app/releases", json={"name": "r1", "ref": "staging"}).raise_for_status()
    code, out, _ = cli(
        "backup", "--release", "r1", "-p", "app", "-e", "staging", "--dest", str(dest), "--json"
    )
    assert code == 0, out
    manifest = json.loads(out)["manifest"]
    staging = httpx.get(f"{base}/v1/projects/app/environments/staging").json()
    assert manifest["kind"] == "release" and manifest["env_head"] == staging["sha"]
    assert manifest["fingerprint"] == staging["fingerprint"]


def test_without_the_client_registry_says_what_to_install(
    cli,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setitem(sys.modules, "schemareg_client", None)  # as if it were not installed
    code, _, err = cli("list")
    assert code == 2 and "pip install schemareg-client" in err


def test_init_sends_the_default_env(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(tmp_path / "server") as url:
        code = run(["init", "keyed", "--default-env", "staging", "--registry", url, "--format", "json"])
        assert code == 0 and json.loads(capsys.readouterr().out)["default_env"] == "staging"
        assert httpx.get(f"{url}/v1/projects/keyed").json()["default_env"] == "staging"


def test_a_parse_error_from_the_server_names_the_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The server knows only the posted text; the verb that read the file names it, as it does locally."""
    (tmp_path / "bad.sql").write_text("CREATE TABLE t (id int);\nCREATE TABLE u (id int;\n")
    assert cli("init", "broken")[0] == 0
    code, _, err = cli("snapshot", "-p", "broken", "-e", "dev", "-f", "bad.sql")
    assert code == 2 and "bad.sql:2:" in err and "line" not in err, err
