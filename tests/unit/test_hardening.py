"""Hostile and careless input, in-process: every refusal is a 4xx problem that names its cause, nothing is
stored, and no input makes a repo that git refuses."""

from __future__ import annotations

import gzip
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from schemareg.model import Kind, ObjectKey
from schemareg.names import escape_filename, unescape_filename
from schemareg.normalize.cache import StatementCache
from schemareg.service import Registry
from schemareg_api import create_app
from schemareg_api.settings import Settings

SQL = {"content-type": "application/sql"}
JSON = {"content-type": "application/json"}
PACK = {"content-type": "application/x-git-upload-pack-request", "content-encoding": "gzip"}
V1 = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);"
SNAPSHOTS = "/v1/projects/shop/environments/staging/snapshots"


def make_client(data_dir: Path, **values: object) -> TestClient:  # type: ignore[type-arg]
    return TestClient(create_app(Settings(data_dir=str(data_dir), **values)))  # type: ignore[arg-type]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def shop(data_dir: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with make_client(
        data_dir,
        max_body_bytes=1024 * 1024,
        max_inflated_bytes=1024 * 1024,
        max_statements=100,
        max_nesting_depth=50,
        max_json_depth=32,
        normalize_cpu_seconds=1.0,
    ) as client:
        assert client.put("/v1/projects/shop", json={"dialect": "postgres"}).status_code == 201
        assert client.post(SNAPSHOTS, content=V1, headers=SQL).status_code == 201
        assert (
            client.post("/v1/projects/shop/releases", json={"name": "v1", "ref": "staging"}).status_code
            == 201
        )
        yield client


def problem(response: object, status: int, fragment: str = "") -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert fragment in str(body["detail"]), body
    return body


def history(client: TestClient) -> list[str]:  # type: ignore[type-arg]
    return [entry["sha"] for entry in client.get("/v1/projects/shop/environments/staging/history").json()]


def fsck(data_dir: Path) -> None:
    result = subprocess.run(
        ["git", "fsck", "--strict", "--no-dangling"],
        cwd=data_dir / "shop.git",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and "error" not in result.stderr.lower(), result.stderr


# -- 1. compressed bodies ------------------------------------------------------------------------------


def test_a_gzip_bomb_on_git_http_is_refused_by_its_inflated_size(shop: TestClient) -> None:  # type: ignore[type-arg]
    bomb = gzip.compress(b"0" * (8 * 1024 * 1024), compresslevel=9)  # 8 MiB from about 8 KB
    assert len(bomb) < 64 * 1024
    body = problem(shop.post("/git/shop.git/git-upload-pack", content=bomb, headers=PACK), 413, "inflates")
    assert body["limit"] == "max_inflated_bytes"
    # Under the limit, a compressed negotiation still answers.
    flush = shop.post("/git/shop.git/git-upload-pack", content=gzip.compress(b"0000"), headers=PACK)
    assert flush.status_code == 200
    problem(shop.post("/git/shop.git/git-upload-pack", content=b"not gzip", headers=PACK), 400, "gzip")


# -- 3. text that git refuses --------------------------------------------------------------------------


def test_nul_never_reaches_a_commit_or_a_tag(shop: TestClient, data_dir: Path) -> None:  # type: ignore[type-arg]
    before = history(shop)
    ddl = V1 + "\nCREATE TABLE orders (id bigint);"
    problem(shop.post(SNAPSHOTS + "?message=x%00y", content=ddl, headers=SQL), 400, "message")
    problem(shop.post(SNAPSHOTS, json={"ddl": ddl, "message": "x\x00y"}), 400, "message")
    problem(shop.post(SNAPSHOTS, json={"ddl": ddl, "description": "x\x00y"}), 400, "description")
    problem(shop.post(SNAPSHOTS, content='CREATE TABLE "a\x00b" (id int);', headers=SQL), 422, "binary")
    promote = "/v1/projects/shop/environments/production/promote"
    problem(shop.post(promote, json={"from": "staging", "message": "x\x00y"}), 400, "message")
    releases = "/v1/projects/shop/releases"
    problem(
        shop.post(releases, json={"name": "v2", "ref": "staging", "description": "x\x00y"}),
        400,
        "description",
    )
    problem(shop.put("/v1/projects/shop", json={"description": "x\x00y"}), 400, "description")
    assert history(shop) == before
    assert [r["name"] for r in shop.get(releases).json()] == ["v1"]
    assert shop.get("/v1/projects/shop/environments/production").status_code == 404
    fsck(data_dir)


def test_the_store_refuses_nul_whatever_the_caller(tmp_path: Path) -> None:
    from schemareg.errors import InputError

    with Registry(tmp_path) as registry:
        registry.init_project("shop", "postgres")
        with pytest.raises(InputError, match="NUL"):
            registry.snapshot("shop", "staging", V1, message="a\x00b")
        registry.snapshot("shop", "staging", V1)
        with pytest.raises(InputError, match="NUL"):
            registry.release("shop", "v1", env="staging", description="a\x00b")
    result = subprocess.run(
        ["git", "fsck", "--strict"], cwd=tmp_path / "shop.git", capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# -- 4. bounded work per request -----------------------------------------------------------------------


def test_too_many_statements_is_a_413_naming_the_limit(shop: TestClient) -> None:  # type: ignore[type-arg]
    ddl = "\n".join(f"CREATE TABLE t{i} (id int);" for i in range(150))
    assert problem(shop.post(SNAPSHOTS, content=ddl, headers=SQL), 413)["limit"] == "max_statements"
    check = "/v1/projects/shop/environments/staging/check"
    assert problem(shop.post(check, content=ddl, headers=SQL), 413)["limit"] == "max_statements"


def test_deep_nesting_is_a_422_naming_the_limit(shop: TestClient) -> None:  # type: ignore[type-arg]
    ddl = "CREATE TABLE t (id int CHECK (" + "(" * 500 + "id > 0" + ")" * 500 + "));"
    assert problem(shop.post(SNAPSHOTS, content=ddl, headers=SQL), 422)["limit"] == "max_nesting_depth"
    # Parentheses in quoted text do not count.
    quoted = "CREATE TABLE t (id int DEFAULT '" + "(" * 500 + "');"
    assert shop.post(SNAPSHOTS, content=quoted, headers=SQL).status_code == 201


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/v1/projects/shop"),
        ("post", SNAPSHOTS),
        ("post", "/v1/projects/shop/environments/staging/check"),
        ("post", "/v1/projects/shop/environments/staging/promote"),
        ("post", "/v1/projects/shop/releases"),
        ("post", "/v1/projects/shop/environments/staging/drift"),
    ],
)
def test_json_nested_deep_is_a_422_not_a_500(shop: TestClient, method: str, path: str) -> None:  # type: ignore[type-arg]
    deep = '{"a": ' + "[" * 2000 + "]" * 2000 + "}"
    body = problem(getattr(shop, method)(path, content=deep, headers=JSON), 422, "nests")
    assert body["limit"] == "max_json_depth"


def test_normalising_past_its_cpu_budget_is_cancelled(shop: TestClient) -> None:  # type: ignore[type-arg]
    ors = " OR ".join(f"id = {i}" for i in range(60_000))
    ddl = f"CREATE TABLE t (id int CHECK ({ors}));"
    started = time.monotonic()
    body = problem(shop.post(SNAPSHOTS, content=ddl, headers=SQL), 422, "CPU")
    assert body["limit"] == "normalize_cpu_seconds"
    # Bounded by the CPU timer, or on a starved machine by the wall clock (3 x budget + 10 s) behind it.
    assert time.monotonic() - started < 20
    # The pool recovers: the next body normalises.
    assert shop.post(SNAPSHOTS, content=V1 + "\nCREATE TABLE b (id int);", headers=SQL).status_code == 201


def test_the_statement_cache_memory_is_bounded_by_bytes() -> None:
    cache = StatementCache(None, max_memory_bytes=1024 * 1024)
    cache.put_many({i.to_bytes(16, "big"): b"x" * 10_000 for i in range(1_000)})
    assert cache.memory_bytes <= 1024 * 1024
    cache.put_many({b"big": b"x" * (2 * 1024 * 1024)})  # larger than the whole budget: not kept in memory
    assert cache.memory_bytes <= 1024 * 1024


# -- 5. object file names ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_object_file_names_round_trip_and_never_collide(a: str, b: str) -> None:
    for name in (a, b):
        stem = escape_filename(name)
        assert unescape_filename(stem) == name
        assert "/" not in stem and "\x00" not in stem
    if a != b:
        assert escape_filename(a) != escape_filename(b)


def test_two_tables_whose_names_collided_keep_two_files(shop: TestClient, data_dir: Path) -> None:  # type: ignore[type-arg]
    ddl = 'CREATE TABLE "a/b" (id int); CREATE TABLE "a%2Fb" (id bigint);'
    assert shop.post(SNAPSHOTS, content=ddl, headers=SQL).status_code == 201
    tree = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", "staging", "objects/tables/"],
        cwd=data_dir / "shop.git",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert len(tree) == 2, tree
    with Registry(data_dir) as registry:
        assert "id int\n" in registry.object_sql("shop", "staging", "tables", "public.a/b").lower()
        assert "id bigint" in registry.object_sql("shop", "staging", "tables", "public.a%2Fb").lower()


def test_trees_written_with_the_old_escaping_stay_readable(tmp_path: Path) -> None:
    """Before, only '/' was escaped: a table "a%b" was stored as objects/tables/public.a%b.sql."""
    with Registry(tmp_path) as registry:
        registry.init_project("shop", "postgres")
        registry.snapshot("shop", "staging", 'CREATE TABLE "a%b" (id int); CREATE TABLE "c/d" (id int);')
        repo = registry._repo("shop")  # rewrite the head's tree as the old code wrote it
        head = repo.ref("refs/heads/staging")
        assert head is not None
        files = {path: repo.blob(sha) for path, sha in repo.files(repo.commit(head).tree).items()}
        old = {path.replace("%25", "%"): content for path, content in files.items()}
        assert "objects/tables/public.a%b.sql" in old and "objects/tables/public.c%2Fd.sql" in old
        commit = repo.write_commit(repo.write_tree(old), [head], "old escaping")
        repo.set_ref("refs/heads/staging", head, commit)
        assert "id int" in registry.object_sql("shop", "staging", "tables", "public.a%b").lower()
        assert "id int" in registry.object_sql("shop", "staging", "tables", "public.c/d").lower()
        # A new snapshot over the old tree reports no spurious changes for the renamed file.
        result = registry.snapshot(
            "shop", "staging", 'CREATE TABLE "a%b" (id int); CREATE TABLE "c/d" (id bigint);'
        )
        assert [key.name for key in result.changes.modified] == ["public.c/d"]
        assert not result.changes.added and not result.changes.removed


def test_object_key_filename_uses_the_escaping() -> None:
    assert ObjectKey(Kind.TABLE, "public.a%2Fb").filename == "objects/tables/public.a%252Fb.sql"
    assert ObjectKey(Kind.TABLE, "public.a/b").filename == "objects/tables/public.a%2Fb.sql"


# -- 6. names that shadow refs -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["HEAD", "FETCH_HEAD", "refs/heads/production", "heads/staging", "tags/v1"])
def test_release_names_that_shadow_refs_are_refused(shop: TestClient, name: str) -> None:  # type: ignore[type-arg]
    problem(shop.post("/v1/projects/shop/releases", json={"name": name, "ref": "staging"}), 400, "ref")


def test_a_release_and_an_env_never_share_a_name(shop: TestClient) -> None:  # type: ignore[type-arg]
    releases = "/v1/projects/shop/releases"
    problem(shop.post(releases, json={"name": "staging", "ref": "staging"}), 409, "environment")
    problem(shop.post("/v1/projects/shop/environments/v1/snapshots", content=V1, headers=SQL), 409, "release")
    problem(shop.post("/v1/projects/shop/environments/v1/promote", json={"from": "staging"}), 409, "release")
    assert shop.get("/v1/projects/shop/versions/staging").json()["release"] == "v1"
    assert [env["name"] for env in shop.get("/v1/projects/shop/environments").json()] == ["staging"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("put", "/v1/projects/shop"), ("post", SNAPSHOTS), ("post", "/v1/projects/shop/releases")],
)
def test_json_that_is_not_utf8_is_a_400(shop: TestClient, method: str, path: str) -> None:  # type: ignore[type-arg]
    problem(getattr(shop, method)(path, content=b'{"ddl": "\xcf"}', headers=JSON), 400, "UTF-8")


# -- the OpenAPI document states what the server enforces ----------------------------------------------


def _accepts(check: object, name: str) -> bool:
    from schemareg.errors import InvalidName

    try:
        check(name)  # type: ignore[operator]
    except InvalidName:
        return False
    return True


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.from_regex(r"[A-Za-z0-9._@/{}~^:-]{1,12}", fullmatch=True), st.text(max_size=12)))
def test_the_documented_name_patterns_are_the_servers_rules(name: str) -> None:
    import re

    from schemareg.store import check_project_name, check_release_name
    from schemareg_api.models import NAME_PATTERN, RELEASE_PATTERN

    # ECMA's `$` is the end of the text; Python's also matches before a final newline.
    documented = re.search(NAME_PATTERN.replace("$", r"\Z"), name) is not None
    assert documented == _accepts(check_project_name, name), name
    if re.search(RELEASE_PATTERN.replace("$", r"\Z"), name) is not None:
        assert _accepts(check_release_name, name), name
