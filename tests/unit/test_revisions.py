"""git's basic revision syntax on any ref (`production~1`, `v1.2.0^`, `<sha>~2^`): resolved once in the
core, so the service, the CLI and every API endpoint that takes a ref understand it the same way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from schemareg.cli import run
from schemareg.errors import NotFound
from schemareg.reading import split_revision
from schemareg.service import Registry
from schemareg_api import create_app
from schemareg_api.settings import Settings

V1 = "CREATE TABLE users (id bigint PRIMARY KEY);"
V2 = V1 + "\nCREATE TABLE orders (id bigint PRIMARY KEY);"
V3 = V2 + "\nALTER TABLE users ADD COLUMN email text;"


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Registry, list[str]]:
    """production: V1, V2, V3 (three snapshots, oldest first) and release v1.0.0 cut from V2 (off the line)."""
    registry = Registry(tmp_path / "data")
    registry.init_project("shop")
    shas = [registry.snapshot("shop", "production", ddl).sha for ddl in (V1, V2, V3)]
    registry.release("shop", "v1.0.0", ref=shas[1])
    return registry, shas


def test_split_revision() -> None:
    assert split_revision("production") == ("production", [])
    assert split_revision("production~") == ("production", [("~", 1)])
    assert split_revision("v1.2.0^") == ("v1.2.0", [("^", 1)])
    assert split_revision("abc1234~2^2^0") == ("abc1234", [("~", 2), ("^", 2), ("^", 0)])
    for bad in ("~1", "^", "production~x", "production^{commit}", "production~1:schema.sql", "prod@{1}"):
        with pytest.raises(NotFound):
            split_revision(bad)


def test_every_base_takes_the_suffixes(shop: tuple[Registry, list[str]]) -> None:
    registry, (first, second, third) = shop
    for base in ("production", third, third[:10], third[:10].upper()):
        assert registry.resolve("shop", base + "~0") == third
        assert registry.resolve("shop", base + "~1") == second
        assert registry.resolve("shop", base + "~") == second
        assert registry.resolve("shop", base + "^") == second
        assert registry.resolve("shop", base + "^1") == second
        assert registry.resolve("shop", base + "~2") == first
        assert registry.resolve("shop", base + "^^") == first
        assert registry.resolve("shop", base + "~1^") == first
        assert registry.resolve("shop", base + "^0") == third
    # A release is its own commit whose parent is what it was cut from.
    assert registry.resolve("shop", "v1.0.0^") == second
    assert registry.resolve("shop", "v1.0.0~2") == first
    # What every reader of a ref gets.
    assert registry.version("shop", "production~1").sha == second
    assert (
        registry.schema_at("shop", "production~2").fingerprint == registry.version("shop", first).fingerprint
    )
    assert "orders" in registry.schema_sql("shop", "production^")
    assert [entry.sha for entry in registry.log("shop", "production~1")] == [second, first]
    assert registry.diff("shop", "production~1", "production").changes


def test_walking_past_the_root_says_how_far_the_history_goes(shop: tuple[Registry, list[str]]) -> None:
    registry, (first, *_) = shop
    with pytest.raises(NotFound, match=r"^production~5: production has only 3 snapshots$"):
        registry.resolve("shop", "production~5")
    with pytest.raises(NotFound, match=r"^production~2~1: production~2 has only 1 snapshot$"):
        registry.resolve("shop", "production~2~1")
    with pytest.raises(NotFound, match=r"^production\^2: production has 1 parent, not 2$"):
        registry.resolve("shop", "production^2")
    with pytest.raises(NotFound, match="has no parents, not 1"):
        registry.resolve("shop", first + "^")
    with pytest.raises(NotFound, match="no release, environment or commit 'staging'"):
        registry.resolve("shop", "staging~1")
    for unsupported in ("production@{yesterday}", "production:schema.sql", "production~x"):
        with pytest.raises(NotFound, match=r"only ~N and \^N"):
            registry.resolve("shop", unsupported)


def test_a_ref_with_suffixes_cuts_and_promotes(shop: tuple[Registry, list[str]]) -> None:
    registry, (_, second, third) = shop
    release = registry.release("shop", "v0.9.0", ref="production~1")
    assert registry.resolve("shop", "v0.9.0^") == second
    assert registry.expected("shop", "production").sha == third  # a release of an older ref moves no env
    promoted = registry.promote("shop", "staging", "production~2")
    assert promoted.fingerprint == registry.version("shop", "production~2").fingerprint
    assert release.fingerprint == registry.version("shop", second).fingerprint


@pytest.fixture
def client(shop: tuple[Registry, list[str]]) -> Iterator[TestClient]:  # type: ignore[type-arg]
    registry, _ = shop
    with TestClient(create_app(Settings(data_dir=str(registry.data_dir)))) as client:
        yield client


def test_every_api_endpoint_that_takes_a_ref(client: TestClient, shop: tuple[Registry, list[str]]) -> None:  # type: ignore[type-arg]
    _, (first, second, _) = shop
    base = "/v1/projects/shop"
    for ref in ("production~1", "production%5E", "production%5E1", f"{second[:8]}~0", "v1.0.0%5E"):
        assert client.get(f"{base}/versions/{ref}").json()["sha"] == second, ref
    assert "orders" not in client.get(f"{base}/versions/production~2/schema.sql").text
    objects = client.get(f"{base}/versions/production~2/objects").json()
    assert [o["name"] for o in objects] == ["public.users"]
    table = client.get(f"{base}/versions/production%5E/objects/table/public.users")
    assert table.status_code == 200 and "email" not in table.text
    diff = client.get(f"{base}/diff", params={"from": "production~2", "to": "production^"}).json()
    assert diff["from"] == "production~2" and {c["object"] for c in diff["changes"]} == {"public.orders"}
    changelog = client.get(f"{base}/changelog", params={"from": "production~1", "to": "production"})
    assert changelog.status_code == 200 and "email" in changelog.text
    made = client.post(f"{base}/releases", json={"name": "v0.1.0", "ref": "production~2"})
    assert (
        made.status_code == 201
        and made.json()["fingerprint"] == client.get(f"{base}/versions/{first}").json()["fingerprint"]
    )
    promoted = client.post(f"{base}/environments/staging/promote", json={"from": "production^"})
    assert promoted.status_code == 201
    assert client.get(f"{base}/environments/staging").json()["fingerprint"] == diff_fingerprint(
        client, second
    )
    too_far = client.get(f"{base}/versions/production~9")
    assert too_far.status_code == 404 and "production has only 3 snapshots" in too_far.json()["detail"]
    assert client.get(f"{base}/versions/production~x").status_code == 404
    assert client.get(f"{base}/versions/production:schema.sql").status_code == 404
    assert client.get("/v1/projects/nope/versions/x:y").json()["detail"] == "no project 'nope'"
    assert client.get(f"{base}/diff", params={"from": "production~9", "to": "production"}).status_code == 404


def diff_fingerprint(client: TestClient, sha: str) -> str:  # type: ignore[type-arg]
    fingerprint: str = client.get(f"/v1/projects/shop/versions/{sha}").json()["fingerprint"]
    return fingerprint


def test_the_cli_takes_the_suffixes(
    shop: tuple[Registry, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    registry, (first, second, _) = shop
    data = ["--data-dir", str(registry.data_dir)]
    assert run(["diff", "--project", "shop", "production~1", "production", *data]) == 1
    out = capsys.readouterr().out
    assert out.startswith("production~1 -> production:") and "email" in out
    assert run(["diff", "-p", "shop", "production~2", "v1.0.0^", *data]) == 1
    assert "orders" in capsys.readouterr().out
    assert run(["changelog", "-p", "shop", "production^^", "production^", *data]) == 0
    assert "`orders` table" in capsys.readouterr().out
    assert run(["log", "-p", "shop", "production~1", *data]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == [second[:12], first[:12]]
    assert run(["diff", "-p", "shop", "production~5", "production", *data]) == 2
    assert "Error: production~5: production has only 3 snapshots" in capsys.readouterr().err
