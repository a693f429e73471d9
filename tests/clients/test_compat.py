"""Compatibility levels and release semver through the API, the client and the CLI: each level accepts
and refuses the right posts, a refusal is a 409 with the offending changes and stores nothing, forcing
needs admin and is recorded, transitive levels look two releases back, semver enforce / warn / off."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from schemareg.cli import run
from schemareg.compat import Compatibility
from schemareg.compat import Incompatible as CoreIncompatible
from schemareg.model import Schema
from schemareg.normalize import normalize
from schemareg.service import Registry
from schemareg_api import create_app
from schemareg_api.settings import Settings
from schemareg_client import Client, Forbidden, Incompatible
from tests.clients._data import ADMIN, READER

BASE = "http://testserver.local"
WRITER = "write-token-for-tests"
TOKENS = ";".join(
    f"{hashlib.sha256(token.encode()).hexdigest()}:{scope}"
    for token, scope in ((ADMIN, "admin"), (READER, "read"), (WRITER, "write:shop/*"))
)

S1 = "CREATE TABLE t (id bigint PRIMARY KEY, a text, b text);"
S2 = "CREATE TABLE t (id bigint PRIMARY KEY, b text);"  # a dropped: breaking (C201)
S3 = "CREATE TABLE t (id bigint PRIMARY KEY, b text, c text);"  # c added: safe
S4 = "CREATE TABLE t (id bigint PRIMARY KEY, b text, c text, d text);"  # d added: safe
S3_DEFAULT = "CREATE TABLE t (id bigint PRIMARY KEY, b text, c text DEFAULT 'x');"  # default added: safe
S3_OTHER = "CREATE TABLE t (id bigint PRIMARY KEY, b text, c text DEFAULT 'y');"  # default changed: risky


@pytest.fixture
def app(data_dir: Path) -> Litestar:
    return create_app(Settings(data_dir=str(data_dir), tokens=TOKENS))


@pytest.fixture
def http(app: Litestar) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(app, base_url=BASE) as client:
        yield client


def _auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _post(http: TestClient, env: str, ddl: str, token: str = WRITER, **params: str) -> Any:  # type: ignore[type-arg]
    return http.post(
        f"/v1/projects/shop/environments/{env}/snapshots",
        content=ddl,
        headers={**_auth(token), "content-type": "application/sql"},
        params=params,
    )


def _set(http: TestClient, env: str, level: str, token: str = ADMIN) -> Any:  # type: ignore[type-arg]
    return http.put(
        f"/v1/projects/shop/environments/{env}/config", json={"compatibility": level}, headers=_auth(token)
    )


def _head(http: TestClient, env: str) -> str:  # type: ignore[type-arg]
    return str(http.get(f"/v1/projects/shop/environments/{env}", headers=_auth(READER)).json()["sha"])


def _git_message(data_dir: Path, env: str) -> str:
    return subprocess.run(
        ["git", "-C", str(data_dir / "shop.git"), "log", "-1", "--format=%B", env],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _project(http: TestClient) -> None:  # type: ignore[type-arg]
    assert (
        http.put("/v1/projects/shop", json={"dialect": "postgres"}, headers=_auth(ADMIN)).status_code == 201
    )


def test_backward_refuses_breaking_posts_with_the_changes_and_stores_nothing(
    http: TestClient,  # type: ignore[type-arg]
    data_dir: Path,
) -> None:
    _project(http)
    config = "/v1/projects/shop/environments/production/config"
    assert http.get(config, headers=_auth(READER)).json() == {"compatibility": "none"}
    assert _set(http, "production", "backward", token=WRITER).status_code == 403  # setting needs admin
    assert _set(http, "production", "sideways").status_code == 400
    assert _set(http, "production", "backward").json() == {"compatibility": "backward"}
    assert http.get(config, headers=_auth(READER)).json() == {"compatibility": "backward"}

    assert _post(http, "production", S1).status_code == 201  # the first post has nothing to break
    head = _head(http, "production")
    refused = _post(http, "production", S2)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"] == "/problems/incompatible" and problem["guard"] == "backward"
    assert problem["against"] == [f"production@{head[:12]}"]
    assert [(c["change"], c["kind"], c["name"], c["rule"]) for c in problem["changes"]] == [
        ("remove", "column", "a", "C201")
    ]
    assert {"severity", "title", "reason", "object"} <= set(problem["changes"][0])
    assert _head(http, "production") == head  # nothing stored

    # /check says what a post would be refused for, and stores nothing either
    check = http.post(
        "/v1/projects/shop/environments/production/check",
        content=S2,
        headers={**_auth(READER), "content-type": "application/sql"},
    ).json()
    assert check["compatibility"] == "backward"
    assert [c["rule"] for c in check["refused"][0]["changes"]] == ["C201"]
    accepted = http.post(
        "/v1/projects/shop/environments/production/check",
        content=S1 + " CREATE INDEX t_b ON t (b);",
        headers={**_auth(READER), "content-type": "application/sql"},
    ).json()
    assert accepted["refused"] == [] and not accepted["match"]

    assert _post(http, "production", S1.replace("b text", "b text, e text")).status_code == 201  # safe

    # forcing: a write token may not, an admin may, and the commit says who forced what
    assert _post(http, "production", S2, force="true").status_code == 403
    forced = _post(http, "production", S2, token=ADMIN, force="true")
    assert forced.status_code == 201
    message = _git_message(data_dir, "production")
    assert ADMIN not in message  # the token itself never
    assert f"Forced-by: token sha256:{hashlib.sha256(ADMIN.encode()).hexdigest()[:12]}" in message
    assert "Forced-past: backward" in message and "(C201)" in message


def test_additive_refuses_risky_changes_and_promotions_are_checked(http: TestClient) -> None:  # type: ignore[type-arg]
    _project(http)
    assert _post(http, "production", S3_DEFAULT).status_code == 201
    assert _set(http, "production", "additive").status_code == 200
    assert _post(http, "production", S3_OTHER).status_code == 409  # risky: not expand-only
    assert _set(http, "production", "backward").status_code == 200
    assert _post(http, "production", S3_OTHER).status_code == 201  # backward lets risky through

    # staging runs ahead with a breaking change; promoting it into production is refused
    assert _post(http, "staging", S2).status_code == 201
    promote = "/v1/projects/shop/environments/production/promote"
    refused = http.post(promote, json={"from": "staging"}, headers=_auth(WRITER))
    assert refused.status_code == 409
    assert {c["rule"] for c in refused.json()["changes"]} == {"C201"}
    forced = http.post(promote, json={"from": "staging"}, headers=_auth(ADMIN), params={"force": "true"})
    assert forced.status_code == 201


def test_transitive_checks_every_release_in_the_history(data_dir: Path) -> None:
    registry = Registry(data_dir)
    try:
        registry.init_project("shop")
        registry.snapshot("shop", "production", S1)
        registry.release("shop", "v1.0.0", env="production")
        registry.snapshot("shop", "production", S2)  # a dropped (no level yet)
        registry.release("shop", "v2.0.0", env="production")
        registry.snapshot("shop", "production", S3)
        registry.release("shop", "v2.1.0", env="production")
        registry.set_compatibility("shop", "production", Compatibility.BACKWARD)
        assert registry.refusals("shop", "production", _schema(S4)) == []
        registry.set_compatibility("shop", "production", Compatibility.BACKWARD_TRANSITIVE)
        found = registry.refusals("shop", "production", _schema(S4))
        assert [(v.against, [c.rule for c in v.changes]) for v in found] == [("v1.0.0", ["C201"])]
        with pytest.raises(CoreIncompatible) as refused:
            registry.snapshot("shop", "production", S4)
        assert refused.value.against == ["v1.0.0"]
        # putting `a` back satisfies every release two back, and the head
        assert registry.snapshot("shop", "production", S4.replace("b text", "a text, b text")).created
    finally:
        registry.close()


def _schema(ddl: str) -> Schema:
    return normalize(ddl, "postgres")


def test_client_raises_a_typed_exception_and_forces_with_admin(http: TestClient) -> None:  # type: ignore[type-arg]
    admin, writer = Client(BASE, token=ADMIN, http=http), Client(BASE, token=WRITER, http=http)
    admin.create_project("shop")
    assert admin.compatibility("shop", "production") == "none"
    assert admin.set_compatibility("shop", "production", "backward") == "backward"
    with pytest.raises(Forbidden):
        writer.set_compatibility("shop", "production", "none")
    writer.post_snapshot("shop", "production", S1)
    with pytest.raises(Incompatible) as refused:
        writer.post_snapshot("shop", "production", S2)
    assert refused.value.status == 409 and refused.value.guard == "backward"
    assert [change.rule for change in refused.value.changes] == ["C201"]
    with pytest.raises(Forbidden):
        writer.post_snapshot("shop", "production", S2, force=True)
    assert admin.post_snapshot("shop", "production", S2, force=True).created


def test_release_semver_enforce_warn_and_off(http: TestClient, data_dir: Path) -> None:  # type: ignore[type-arg]
    admin = Client(BASE, token=ADMIN, http=http)
    admin.create_project("shop")
    admin.post_snapshot("shop", "production", S1)
    admin.release("shop", "v1.0.0", "production")
    admin.post_snapshot("shop", "production", S2)  # breaking since v1.0.0: needs v2.0.0

    # warn (the default): made, and the answer says so
    answer = http.post(
        "/v1/projects/shop/releases",
        json={"name": "v1.1.0", "ref": "production"},
        headers=_auth(ADMIN),
    ).json()
    assert "changes need major" in answer["warning"] and "C201" in answer["warning"]

    config = data_dir / "shop.git" / "schemareg.toml"
    config.write_text(config.read_text() + '\n[releases]\nsemver = "enforce"\n')
    admin.post_snapshot("shop", "production", S3)  # safe since v1.1.0: needs a minor bump
    with pytest.raises(Incompatible) as refused:
        admin.release("shop", "v1.1.1", "production")
    assert refused.value.guard == "semver" and refused.value.against == ["v1.1.0"]
    assert [change.rule for change in refused.value.changes] == ["C101"]
    assert [release.name for release in admin.releases("shop")] == ["v1.0.0", "v1.1.0"]  # nothing stored
    assert admin.release("shop", "v1.2.0", "production").warning is None
    admin.post_snapshot("shop", "production", S4)
    forced = admin.release("shop", "v1.2.1", "production", force=True)
    assert forced.name == "v1.2.1"

    config.write_text(config.read_text().replace('semver = "enforce"', 'semver = "off"'))
    admin.post_snapshot("shop", "production", S2)
    assert admin.release("shop", "v1.2.2", "production").warning is None  # not checked


def test_cli_compat_refused_and_forced_snapshots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"

    def run_cli(*args: str) -> tuple[int, str]:
        code = run([*args, "--data-dir", str(data)])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    (tmp_path / "s1.sql").write_text(S1)
    (tmp_path / "s2.sql").write_text(S2)
    assert run_cli("init", "shop")[0] == 0
    assert run_cli("compat", "--project", "shop", "--env", "production")[1].strip() == "shop/production: none"
    assert run_cli("compat", "-p", "shop", "-e", "production", "--set", "backward")[0] == 0
    assert "backward" in run_cli("compat", "-p", "shop", "-e", "production")[1]
    assert run_cli("snapshot", "-p", "shop", "-e", "production", "-f", str(tmp_path / "s1.sql"))[0] == 0
    code, output = run_cli("snapshot", "-p", "shop", "-e", "production", "-f", str(tmp_path / "s2.sql"))
    assert code == 2
    assert "C201" in output and "nothing was stored" in output
    code, output = run_cli(
        "snapshot", "-p", "shop", "-e", "production", "-f", str(tmp_path / "s2.sql"), "--force"
    )
    assert code == 0, output
    assert "Forced-by: local user" in _git_message(data, "production")
