"""The REST API in-process: every endpoint and every error, through Litestar's test client."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from schemareg.errors import Conflict, ExternalError, StoreError
from schemareg.service import Registry
from schemareg_api import create_app
from schemareg_api.settings import Settings

V1 = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);"
V2 = V1 + "\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));"
V3 = V2 + "\nALTER TABLE users ADD COLUMN name text;"
SQL = {"content-type": "application/sql"}
PROBLEM = "application/problem+json"


def make_client(data_dir: Path, **settings: object) -> TestClient:  # type: ignore[type-arg]
    return TestClient(create_app(Settings(data_dir=str(data_dir), **settings)))  # type: ignore[arg-type]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with make_client(data_dir, max_body_bytes=64 * 1024) as client:
        yield client


@pytest.fixture
def shop(client: TestClient) -> TestClient:  # type: ignore[type-arg]
    """A project with staging at V3, production at V1 and release v1.0.0."""
    assert client.put("/v1/projects/shop", json={"dialect": "postgres"}).status_code == 201
    assert (
        client.post("/v1/projects/shop/environments/staging/snapshots", content=V1, headers=SQL).status_code
        == 201
    )
    assert (
        client.post("/v1/projects/shop/environments/production/promote", json={"from": "staging"}).status_code
        == 201
    )
    assert (
        client.post("/v1/projects/shop/releases", json={"name": "v1.0.0", "ref": "production"}).status_code
        == 201
    )
    client.post("/v1/projects/shop/environments/staging/snapshots", content=V2, headers=SQL)
    client.post("/v1/projects/shop/environments/staging/snapshots", content=V3, headers=SQL)
    return client


def assert_problem(response: object, status: int, fragment: str = "") -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status and body["type"] and body["title"]
    assert fragment in str(body["detail"]), body
    return body


# -- health, docs, metrics -----------------------------------------------------------------------------


def test_health_ready_docs_metrics(client: TestClient) -> None:  # type: ignore[type-arg]
    assert client.get("/healthz").json() == {"status": "ok", "checks": {}}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["data_dir"] == "ok"
    assert client.get("/docs").status_code == 200
    spec = client.get("/docs/openapi.json").json()
    assert "/v1/projects/{project}/environments/{env}" in spec["paths"]
    metrics = client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "schemareg_http_requests_total{" in metrics.text
    assert 'route="/healthz",status="200"' in metrics.text
    assert "schemareg_http_request_duration_seconds_bucket" in metrics.text


def test_unknown_route_and_method_are_problems(client: TestClient) -> None:  # type: ignore[type-arg]
    assert_problem(client.get("/nope"), 404)
    assert_problem(client.delete("/healthz"), 405)


# -- projects ------------------------------------------------------------------------------------------


def test_projects(client: TestClient) -> None:  # type: ignore[type-arg]
    created = client.put("/v1/projects/shop", json={"dialect": "mysql", "description": "the shop"})
    assert created.status_code == 201 and created.json()["dialect"] == "mysql"
    updated = client.put("/v1/projects/shop", json={"description": "our shop"})
    assert updated.status_code == 200 and updated.json() == {
        "name": "shop",
        "dialect": "mysql",
        "description": "our shop",
        "default_env": None,
        "engine": "sqlglot",
    }
    assert [p["name"] for p in client.get("/v1/projects").json()] == ["shop"]
    detail = client.get("/v1/projects/shop").json()
    assert detail["environments"] == [] and detail["releases"] == []
    assert client.get("/v1/projects/shop/environments").json() == []
    assert_problem(client.get("/v1/projects/nope"), 404, "nope")
    assert_problem(client.put("/v1/projects/bad..name", json={}), 400)
    assert_problem(client.put("/v1/projects/other", json={"dialect": "oracle"}), 400, "dialect")
    assert_problem(client.put("/v1/projects/other", json={"dialect": 3}), 400)


# -- snapshots -----------------------------------------------------------------------------------------


def test_snapshot_sql_and_json(client: TestClient) -> None:  # type: ignore[type-arg]
    client.put("/v1/projects/shop", json={})
    url = "/v1/projects/shop/environments/staging/snapshots"
    first = client.post(url + "?message=first", content=V1, headers=SQL)
    assert first.status_code == 201
    body = first.json()
    assert body["created"] is True and body["fingerprint"].startswith("sha256:")
    assert body["changes"]["added"] == [{"kind": "table", "name": "public.users"}]
    assert body["version"]["sha"] == body["sha"]
    same = client.post(url, content=V1.lower(), headers={"content-type": "text/plain"})
    assert same.status_code == 200 and same.json()["created"] is False and same.json()["sha"] == body["sha"]
    second = client.post(url, json={"ddl": V2, "message": "add orders", "description": "two tables"})
    assert second.status_code == 201
    assert second.json()["changes"]["added"] == [{"kind": "table", "name": "public.orders"}]
    assert second.json()["version"]["info"]["description"] == "two tables"
    assert first.json()["warnings"] == [] == second.json()["warnings"]


def test_snapshot_says_what_the_normaliser_warned_of(client: TestClient) -> None:  # type: ignore[type-arg]
    """A statement kept as written or a DO block not applied is said in the answer (the CLI prints it),
    with its place in the posted DDL, whether the snapshot is new or not."""
    client.put("/v1/projects/shop", json={})
    url = "/v1/projects/shop/environments/staging/snapshots"
    ddl = "CREATE TABLE t (a int);\nDO $$ BEGIN PERFORM 1; END $$;\n"
    for status in (201, 200):
        answer = client.post(url, content=ddl, headers=SQL)
        assert answer.status_code == status
        (warning,) = answer.json()["warnings"]
        assert warning["line"] == 2 and warning["outcome"] == "ignored"
        assert "PERFORM" in warning["message"] and warning["statement"].startswith("DO")


def test_snapshot_errors_store_nothing(client: TestClient, data_dir: Path) -> None:  # type: ignore[type-arg]
    client.put("/v1/projects/shop", json={})
    url = "/v1/projects/shop/environments/staging/snapshots"
    client.post(url, content=V1, headers=SQL)

    def history() -> int:
        return len(client.get("/v1/projects/shop/environments/staging/history").json())

    parse = assert_problem(client.post(url, content="CREATE TABLE t (a text DEFAULT 'x);", headers=SQL), 422)
    assert (parse["line"], parse["column"]) == (1, 32)
    second_line = "CREATE TABLE a (id int);\nCREATE TABLE b (x text DEFAULT 'y);"
    assert assert_problem(client.post(url, content=second_line, headers=SQL), 422)["line"] == 2
    assert assert_problem(client.post(url, content="hello world", headers=SQL), 422)["column"] == 1
    assert_problem(client.post(url, content=V2, headers={"content-type": "text/csv"}), 415)
    assert_problem(client.post(url, content=V2.encode()), 415)
    assert_problem(client.post(url, content=V2 + "--" + "x" * 70_000, headers=SQL), 413)
    assert_problem(client.post(url, content="  \n", headers=SQL), 400, "empty")
    assert_problem(client.post(url, content=b"\xff\xfe", headers=SQL), 400, "UTF-8")
    assert_problem(client.post(url, content=b"{not json", headers={"content-type": "application/json"}), 400)
    assert_problem(client.post(url, json={"sql": V2}), 400)
    assert_problem(client.post(url, json={"ddl": V2, "dialect": "oracle"}), 400, "dialect")
    assert_problem(
        client.post("/v1/projects/nope/environments/staging/snapshots", content=V2, headers=SQL), 404
    )
    assert_problem(client.post("/v1/projects/shop/environments/HEAD/snapshots", content=V2, headers=SQL), 400)
    assert history() == 1
    assert not (data_dir / "nope.git").exists()


# -- the expected version (hot path) -------------------------------------------------------------------


def test_expected_etag_and_304(shop: TestClient) -> None:  # type: ignore[type-arg]
    url = "/v1/projects/shop/environments/production"
    first = shop.get(url)
    assert first.status_code == 200
    body = first.json()
    assert body["project"] == "shop" and body["env"] == "production"
    assert body["release"] == "v1.0.0" and body["info"]["fingerprint"] == body["fingerprint"]
    etag = first.headers["etag"]
    assert etag.startswith('"' + body["sha"]) and first.headers["cache-control"] == "no-cache"
    again = shop.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert shop.get(url, headers={"if-none-match": f'"x", W/{etag}'}).status_code == 304
    assert shop.get(url, headers={"if-none-match": "*"}).status_code == 304
    assert shop.get(url, headers={"if-none-match": '"other"'}).status_code == 200
    shop.post(url + "/promote", json={"from": "staging"})
    moved = shop.get(url, headers={"if-none-match": etag})
    assert moved.status_code == 200 and moved.headers["etag"] != etag and moved.json()["release"] is None
    # A release of the same commit changes the answer (its `release`) and so the ETag.
    shop.post("/v1/projects/shop/releases", json={"name": "v1.1.0", "ref": "production"})
    released = shop.get(url, headers={"if-none-match": moved.headers["etag"]})
    assert released.status_code == 200 and released.json()["release"] == "v1.1.0"


def test_expected_errors(shop: TestClient) -> None:  # type: ignore[type-arg]
    assert_problem(shop.get("/v1/projects/shop/environments/nope"), 404, "nope")
    assert_problem(shop.get("/v1/projects/nope/environments/production"), 404)
    assert_problem(shop.get("/v1/projects/shop/environments/HEAD"), 400)
    assert_problem(shop.get("/v1/projects/shop/environments/a.lock"), 400)


def test_expected_sees_writes_of_other_processes(shop: TestClient, data_dir: Path) -> None:  # type: ignore[type-arg]
    """Another worker (here: another Registry on the same data dir) writes; this one answers the new head."""
    url = "/v1/projects/shop/environments/staging"
    before = shop.get(url).json()["sha"]
    with Registry(data_dir) as other:
        after = other.snapshot("shop", "staging", V3 + "\nCREATE TABLE extra (id int);").sha
        assert shop.get(url).json()["sha"] == after != before
        other.gc("shop")  # git gc packs the refs: the loose ref file disappears
        newer = other.snapshot("shop", "staging", V1).sha
    assert shop.get(url).json()["sha"] == newer
    with Registry(data_dir) as other:
        other.gc("shop")
    assert shop.get(url).json()["sha"] == newer


# -- check, promote, history ---------------------------------------------------------------------------


def test_check(shop: TestClient) -> None:  # type: ignore[type-arg]
    url = "/v1/projects/shop/environments/production/check"
    head = shop.get("/v1/projects/shop/environments/production").json()
    same = shop.post(url, json={"fingerprint": head["fingerprint"]}).json()
    assert same["match"] is True and same["diff"] is None and same["sha"] == head["sha"]
    assert shop.post(url, json={"fingerprint": "sha256:0"}).json()["match"] is False
    live = shop.post(url, content=V2, headers=SQL).json()
    assert live["match"] is False and live["expected"] == head["fingerprint"]
    assert [c["object"] for c in live["diff"]["changes"]] == ["public.orders"]
    assert shop.post(url, json={"ddl": V1}).json()["match"] is True
    assert_problem(shop.post(url, json={}), 400, "fingerprint")
    assert_problem(shop.post(url, json={"fingerprint": "x", "ddl": V1}), 400)
    assert_problem(shop.post(url, content="hello world", headers=SQL), 422)
    assert_problem(shop.post("/v1/projects/shop/environments/nope/check", content=V1, headers=SQL), 404)


def test_promote_and_history(shop: TestClient) -> None:  # type: ignore[type-arg]
    url = "/v1/projects/shop/environments/production/promote"
    assert shop.post(url, json={"from": "staging", "message": "go"}).status_code == 201
    assert shop.post(url, json={"from": "staging"}).status_code == 200
    assert_problem(shop.post(url, json={"from": "nope"}), 404)
    assert_problem(shop.post(url, json={}), 400)
    history = shop.get("/v1/projects/shop/environments/production/history").json()
    assert len(history) == 3 and history[0]["subject"].startswith("promote staging")
    assert len(shop.get("/v1/projects/shop/environments/production/history?limit=1").json()) == 1
    assert_problem(shop.get("/v1/projects/shop/environments/production/history?limit=0"), 400)
    assert_problem(shop.get("/v1/projects/shop/environments/nope/history"), 404)
    envs = shop.get("/v1/projects/shop/environments").json()
    assert [env["name"] for env in envs] == ["production", "staging"]


# -- versions, objects, releases -----------------------------------------------------------------------


def test_versions_and_schema_sql(shop: TestClient) -> None:  # type: ignore[type-arg]
    release = shop.get("/v1/projects/shop/versions/v1.0.0").json()
    sha = release["sha"]
    assert release["release"] == "v1.0.0"
    assert shop.get(f"/v1/projects/shop/versions/{sha[:8]}").json()["sha"] == sha
    assert shop.get(f"/v1/projects/shop/versions/{sha.upper()}").json()["sha"] == sha
    assert shop.get("/v1/projects/shop/versions/production").json()["sha"] == sha
    schema = shop.get("/v1/projects/shop/versions/staging/schema.sql")
    assert schema.headers["content-type"].startswith("text/plain") and "CREATE TABLE" in schema.text
    assert "orders" in schema.text and schema.headers["cache-control"] == "no-cache"
    by_sha = shop.get(f"/v1/projects/shop/versions/{sha}/schema.sql")
    assert "immutable" in by_sha.headers["cache-control"] and "orders" not in by_sha.text
    not_modified = shop.get(
        f"/v1/projects/shop/versions/{sha}/schema.sql", headers={"if-none-match": by_sha.headers["etag"]}
    )
    assert not_modified.status_code == 304
    assert_problem(shop.get("/v1/projects/shop/versions/nope"), 404)
    assert_problem(shop.get("/v1/projects/shop/versions/nope/schema.sql"), 404)


def test_objects(shop: TestClient) -> None:  # type: ignore[type-arg]
    objects = shop.get("/v1/projects/shop/versions/staging/objects").json()
    assert {(o["kind"], o["name"]) for o in objects} >= {
        ("table", "public.users"),
        ("table", "public.orders"),
    }
    one = shop.get("/v1/projects/shop/versions/staging/objects/table/public.users")
    assert (
        one.status_code == 200
        and "email" in one.text
        and one.headers["content-type"].startswith("text/plain")
    )
    assert shop.get("/v1/projects/shop/versions/staging/objects/tables/public.users").text == one.text
    assert_problem(shop.get("/v1/projects/shop/versions/staging/objects/table/public.nope"), 404)
    assert_problem(shop.get("/v1/projects/shop/versions/staging/objects/widget/x"), 404)


def test_releases(shop: TestClient) -> None:  # type: ignore[type-arg]
    created = shop.post(
        "/v1/projects/shop/releases", json={"name": "v1.1.0", "ref": "staging", "description": "orders"}
    )
    assert created.status_code == 201 and created.json()["description"] == "orders"
    assert [r["name"] for r in shop.get("/v1/projects/shop/releases").json()] == ["v1.0.0", "v1.1.0"]
    assert_problem(shop.post("/v1/projects/shop/releases", json={"name": "v1.1.0", "ref": "staging"}), 409)
    assert_problem(shop.post("/v1/projects/shop/releases", json={"name": "v1..2", "ref": "staging"}), 400)
    assert_problem(shop.post("/v1/projects/shop/releases", json={"name": "v2", "ref": "nope"}), 404)
    assert_problem(shop.post("/v1/projects/shop/releases", json={"name": "v2"}), 400)


# -- diff, changelog, table history, drift, backups ----------------------------------------------------


def test_every_text_answer_names_its_charset_once(shop: TestClient) -> None:  # type: ignore[type-arg]
    for url, accept in [
        ("/v1/projects/shop/changelog?from=v1.0.0&to=staging", "*/*"),
        ("/v1/projects/shop/diff?from=v1.0.0&to=staging", "text/x-diff"),
        ("/v1/projects/shop/versions/staging/schema.sql", "*/*"),
        ("/metrics", "*/*"),
        ("/healthz", "*/*"),
    ]:
        content_type = shop.get(url, headers={"accept": accept}).headers["content-type"]
        assert content_type.count("charset") <= 1, (url, content_type)


def test_diff_and_changelog(shop: TestClient) -> None:  # type: ignore[type-arg]
    diff = shop.get("/v1/projects/shop/diff?from=v1.0.0&to=staging")
    assert diff.headers["content-type"].startswith("application/json")
    body = diff.json()
    assert body["from"] == "v1.0.0" and body["to"] == "staging" and body["semver"] in ("minor", "major")
    assert {c["object"] for c in body["changes"]} == {"public.orders", "public.users"}
    unified = shop.get("/v1/projects/shop/diff?from=v1.0.0&to=staging", headers={"accept": "text/x-diff"})
    assert unified.headers["content-type"].startswith("text/x-diff") and "+++ b/" in unified.text
    changelog = shop.get("/v1/projects/shop/changelog?from=v1.0.0&to=staging")
    assert changelog.headers["content-type"].startswith("text/markdown")
    assert changelog.text.startswith("# Schema Version staging") and "`orders` table" in changelog.text
    as_json = shop.get(
        "/v1/projects/shop/changelog?from=v1.0.0&to=staging&title=v1.1.0",
        headers={"accept": "application/json"},
    ).json()
    assert as_json["markdown"].startswith("# Schema Version v1.1.0") and as_json["from"] == "v1.0.0"
    assert_problem(shop.get("/v1/projects/shop/diff?from=v1.0.0"), 400)
    assert_problem(shop.get("/v1/projects/shop/diff?from=v1.0.0&to=nope"), 404)
    assert_problem(shop.get("/v1/projects/shop/changelog?from=nope&to=staging"), 404)


def test_table_history_drift_backups(shop: TestClient) -> None:  # type: ignore[type-arg]
    history = shop.get("/v1/projects/shop/tables/users/history?env=staging").json()
    assert history["table"] == "public.users" and history["env"] == "staging"
    assert any(e["kind"] == "column" and e["name"] == "name" for e in history["events"])
    assert_problem(shop.get("/v1/projects/shop/tables/nope/history"), 404)
    assert shop.get("/v1/projects/shop/drift").json() == []
    posted = shop.post("/v1/projects/shop/environments/production/drift", json={"drift": True, "changes": []})
    assert posted.status_code == 201
    reports = shop.get("/v1/projects/shop/drift").json()
    assert [r["env"] for r in reports] == ["production"] and reports[0]["report"]["drift"] is True
    assert_problem(shop.post("/v1/projects/shop/environments/nope/drift", json={}), 404)
    assert_problem(shop.get("/v1/projects/nope/drift"), 404)
    assert shop.get("/v1/projects/shop/backups").json() == []
    assert_problem(shop.get("/v1/projects/nope/backups"), 404)


def test_backups_lists_the_projects_manifests(shop: TestClient, data_dir: Path) -> None:  # type: ignore[type-arg]
    from schemareg.backup.manifest import Manifest, encode, manifest_name

    backups = data_dir / "backups"
    backups.mkdir()
    for name, project in [("full_backup_20250101_020000.sql.gz", "shop"), ("other.sql.gz", "other")]:
        (backups / name).write_bytes(b"dump")
        manifest = Manifest(
            name=name,
            kind="daily",
            format="plain",
            compression="gzip",
            compressed_by="schemareg",
            sha256="0" * 64,
            size=4,
            raw_size=4,
            created_at="2025-01-01T02:00:00Z",
            duration_seconds=1.0,
            database="postgresql://app@db/app",
            server_version="PostgreSQL 16.1",
            pg_dump_version="16.1",
            restrict_key=None,
            fingerprint=None,
            project=project,
        )
        (backups / manifest_name(name)).write_bytes(encode(manifest))
    listed = shop.get("/v1/projects/shop/backups").json()
    assert [item["name"] for item in listed] == ["full_backup_20250101_020000.sql.gz"]
    assert listed[0]["kind"] == "daily" and str(backups) not in str(listed)


# -- auth ----------------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def test_tokens_and_scopes(data_dir: Path) -> None:
    tokens = ";".join(
        [
            f"{_hash('reader')}:read",
            f"{_hash('ci')}:write:shop/stag*",
            f"{_hash('root')}:admin",
        ]
    )
    with make_client(data_dir, tokens=tokens) as client:

        def auth(token: str) -> dict[str, str]:
            return {"authorization": f"Bearer {token}"}

        assert client.get("/healthz").status_code == 200  # probes need no token
        unauthorized = assert_problem(client.get("/v1/projects"), 401)
        assert unauthorized["type"] == "/problems/unauthorized"
        assert "Bearer" in client.get("/v1/projects").headers["www-authenticate"]
        assert_problem(client.get("/v1/projects", headers=auth("wrong")), 401)
        assert client.get("/v1/projects", headers=auth("reader")).status_code == 200
        assert_problem(client.put("/v1/projects/shop", json={}, headers=auth("ci")), 403)
        assert client.put("/v1/projects/shop", json={}, headers=auth("root")).status_code == 201
        url = "/v1/projects/shop/environments/{}/snapshots"
        assert_problem(client.post(url.format("staging"), content=V1, headers={**SQL, **auth("reader")}), 403)
        assert (
            client.post(url.format("staging"), content=V1, headers={**SQL, **auth("ci")}).status_code == 201
        )
        assert_problem(client.post(url.format("production"), content=V1, headers={**SQL, **auth("ci")}), 403)
        assert_problem(
            client.post(
                "/v1/projects/shop/releases", json={"name": "v1", "ref": "staging"}, headers=auth("ci")
            ),
            403,
        )
        # The hot path: no token is a 401, a read token answers, Basic auth with the token as password too.
        expected = "/v1/projects/shop/environments/staging"
        assert_problem(client.get(expected), 401)
        assert client.get(expected, headers=auth("ci")).status_code == 200
        basic = base64.b64encode(b"git:reader").decode()
        assert client.get(expected, headers={"authorization": f"Basic {basic}"}).status_code == 200
        assert_problem(client.get(expected, headers={"authorization": "Basic !!"}), 401)


# -- git over HTTP (in-process: the protocol answers; tests/integration/test_serve.py clones) ----------


def test_git_http_answers(shop: TestClient) -> None:  # type: ignore[type-arg]
    refs = shop.get("/git/shop.git/info/refs?service=git-upload-pack")
    assert refs.status_code == 200
    assert refs.headers["content-type"] == "application/x-git-upload-pack-advertisement"
    assert refs.content.startswith(b"001e# service=git-upload-pack\n0000")
    assert b"refs/heads/production" in refs.content and b"refs/tags/v1.0.0" in refs.content
    v2 = shop.get("/git/shop.git/info/refs?service=git-upload-pack", headers={"git-protocol": "version=2"})
    assert v2.content.startswith(b"000eversion 2\n")
    assert_problem(shop.get("/git/shop.git/info/refs?service=git-receive-pack"), 403, "read-only")
    assert_problem(shop.post("/git/shop.git/git-receive-pack", content=b"0000"), 403)
    assert_problem(shop.get("/git/shop.git/info/refs"), 400, "smart")
    assert_problem(shop.get("/git/shop.git/HEAD"), 404)
    assert_problem(shop.get("/git/nope.git/info/refs?service=git-upload-pack"), 404)
    assert_problem(shop.get("/git/shop/info/refs?service=git-upload-pack"), 404)
    assert_problem(shop.post("/git/shop.git/git-upload-pack", content=b"0000"), 415)
    flush = shop.post(
        "/git/shop.git/git-upload-pack",
        content=b"0000",
        headers={"content-type": "application/x-git-upload-pack-request"},
    )
    assert (
        flush.status_code == 200 and flush.headers["content-type"] == "application/x-git-upload-pack-result"
    )


# -- the exception mapper: the statuses no request above reaches ---------------------------------------


@pytest.mark.parametrize(
    ("error", "status", "kind"),
    [
        (RuntimeError("boom"), 500, "internal-error"),
        (StoreError("disk full"), 500, "store-error"),
        (ExternalError("S3 is down"), 502, "external-error"),
        (Conflict("taken"), 409, "conflict"),
    ],
)
def test_every_error_class_maps_to_one_status(
    client: TestClient,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    status: int,
    kind: str,
) -> None:
    def fail() -> None:
        raise error

    monkeypatch.setattr(client.app.state.context.registry, "projects", fail)
    body = assert_problem(client.get("/v1/projects"), status)
    assert body["type"] == f"/problems/{kind}"
    if status == 500 and kind == "internal-error":
        assert body["detail"] == "internal server error"  # no internals sent


def test_git_routes_without_git(shop: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    monkeypatch.setattr("schemareg_api.git_http.shutil.which", lambda name: None)
    assert_problem(shop.get("/git/shop.git/info/refs?service=git-upload-pack"), 503, "git")


def test_default_env_is_a_project_setting(shop: TestClient, data_dir: Path) -> None:  # type: ignore[type-arg]
    from schemareg.store import ProjectRepo

    head = ProjectRepo(data_dir / "shop.git")
    assert head.head_branch() == "production"
    answer = shop.put("/v1/projects/shop", json={"default_env": "staging"})
    assert answer.status_code == 200 and answer.json()["default_env"] == "staging"
    assert head.head_branch() == "staging"  # moved at once: the env exists
    assert shop.get("/v1/projects/shop").json()["default_env"] == "staging"
    assert_problem(shop.put("/v1/projects/shop", json={"default_env": "bad..name"}), 400)
    cleared = shop.put("/v1/projects/shop", json={"default_env": ""}).json()
    assert cleared["default_env"] is None and head.head_branch() == "production"
    made = shop.put("/v1/projects/other", json={"default_env": "qa"})
    assert made.status_code == 201 and made.json()["default_env"] == "qa"
    head.close()


def test_a_project_with_snapshots_refuses_another_engine(client: TestClient) -> None:  # type: ignore[type-arg]
    created = client.put("/v1/projects/lab", json={"engine": "postgres"})
    assert created.status_code == 201 and created.json()["engine"] == "postgres"
    assert client.put("/v1/projects/lab", json={"engine": "sqlglot"}).json()["engine"] == "sqlglot"
    assert client.put("/v1/projects/shop", json={}).json()["engine"] == "sqlglot"
    assert (
        client.post("/v1/projects/shop/environments/staging/snapshots", content=V1, headers=SQL).status_code
        == 201
    )
    before = client.get("/v1/projects/shop").json()
    problem = assert_problem(client.put("/v1/projects/shop", json={"engine": "postgres"}), 409)
    assert "engine is fixed for its history" in problem["detail"]
    assert client.get("/v1/projects/shop").json() == before  # nothing lost, nothing changed
    assert client.put("/v1/projects/shop", json={"engine": "sqlglot"}).status_code == 200  # no change
    assert_problem(client.put("/v1/projects/shop", json={"engine": "oracle"}), 400)
