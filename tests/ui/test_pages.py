"""The UI in-process (no browser): sign-in and its cookie, where a sign-in may send you, headers, error
pages, and that no page or asset names another host."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from schemareg_api import create_app
from schemareg_api.settings import Settings
from schemareg_api.ui import STATIC, TEMPLATES
from schemareg_api.ui.text import highlight_css
from tests.ui.seed import PROJECT, seed

TOKEN = "a-read-token"
ADMIN = "an-admin-token"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pages")
    seed(root / "data", root / "backups")
    return root


@pytest.fixture
def open_client(data: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    settings = Settings(data_dir=str(data / "data"), backup_dir=str(data / "backups"))
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def guarded(data: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    tokens = ";".join(
        f"{hashlib.sha256(token.encode()).hexdigest()}:{scope}"
        for token, scope in ((TOKEN, "read"), (ADMIN, "admin"))
    )
    with TestClient(create_app(Settings(data_dir=str(data / "data"), tokens=tokens))) as client:
        yield client


def test_without_tokens_every_page_is_open(open_client: TestClient) -> None:  # type: ignore[type-arg]
    response = open_client.get("/ui/")
    assert response.status_code == 200 and PROJECT in response.text
    assert "full_backup_20260101_020000.sql.gz" in response.text  # the last backup
    assert "drift: 1 change" in response.text  # the last drift check


def test_pages_say_where_their_data_is_in_the_api_and_git(open_client: TestClient) -> None:  # type: ignore[type-arg]
    page = open_client.get(f"/ui/projects/{PROJECT}/environments/staging").text
    assert f'href="/v1/projects/{PROJECT}/environments/staging"' in page
    assert f"git clone -b env/staging http://testserver.local/git/{PROJECT}.git" in page
    version = open_client.get(f"/ui/projects/{PROJECT}/versions/staging").text
    assert "/schema.sql" in version and "objects/tables/public.users.sql" in version


def test_a_sign_in_sets_an_httponly_samesite_cookie_and_sign_out_drops_it(guarded: TestClient) -> None:  # type: ignore[type-arg]
    first = guarded.get("/ui/projects/shop", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/ui/login?next=%2Fui%2Fprojects%2Fshop"
    assert guarded.get("/v1/projects").status_code == 401  # the API is guarded as before
    bad = guarded.post(
        "/ui/login", data={"token": "wrong", "next": "/ui/projects/shop"}, follow_redirects=False
    )
    assert bad.status_code == 401 and "not valid" in bad.text
    good = guarded.post(
        "/ui/login", data={"token": TOKEN, "next": "/ui/projects/shop"}, follow_redirects=False
    )
    assert good.status_code == 303 and good.headers["location"] == "/ui/projects/shop"
    cookie = good.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/ui" in cookie
    assert guarded.get("/ui/projects/shop").status_code == 200
    out = guarded.post("/ui/logout", follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/ui/login"
    assert (
        "schemareg_ui_token=" in out.headers["set-cookie"]
        and "max-age=0" in out.headers["set-cookie"].lower()
    )
    assert guarded.get("/ui/", follow_redirects=False).status_code == 303


def test_a_bearer_token_opens_the_pages_too(guarded: TestClient) -> None:  # type: ignore[type-arg]
    response = guarded.get("/ui/", headers={"authorization": f"Bearer {ADMIN}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "target", ["https://elsewhere.example/ui/", "//elsewhere.example/ui/", "/v1/projects", "/ui\\\\x"]
)
def test_a_sign_in_only_goes_back_to_a_page_of_the_ui(guarded: TestClient, target: str) -> None:  # type: ignore[type-arg]
    response = guarded.post("/ui/login", data={"token": TOKEN, "next": target}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/"


def test_a_form_posted_from_another_site_is_refused(guarded: TestClient) -> None:  # type: ignore[type-arg]
    response = guarded.post(
        "/ui/login",
        data={"token": TOKEN},
        headers={"origin": "https://elsewhere.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_pages_forbid_other_origins_and_inline_script(open_client: TestClient) -> None:  # type: ignore[type-arg]
    headers = open_client.get("/ui/").headers
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"


def test_an_unknown_project_is_a_page_not_json(open_client: TestClient) -> None:  # type: ignore[type-arg]
    response = open_client.get("/ui/projects/nope")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "nope" in response.text
    assert open_client.get("/v1/projects/nope").headers["content-type"] == "application/problem+json"


def test_no_template_or_asset_names_another_host() -> None:
    """Everything a page loads comes from this server: no CDN, no web font, no absolute URL."""
    allowed = {"http://www.w3.org/2000/svg"}
    for path in [*TEMPLATES.iterdir(), *STATIC.iterdir()]:
        text = path.read_text(encoding="utf-8")
        found = set(re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s\"')]*", text)) - allowed
        assert not found, f"{path.name} names other hosts: {found}"
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"{path.name} has an inline script"
        assert " style=" not in text, f"{path.name} has an inline style (the policy refuses it)"


def test_the_highlighting_stylesheet_is_what_pygments_makes() -> None:
    assert (STATIC / "pygments.css").read_text(encoding="utf-8") == highlight_css()


def test_the_changelog_page_renders_the_apis_markdown(open_client: TestClient) -> None:  # type: ignore[type-arg]
    query = {"from": "production", "to": "staging"}
    markdown = open_client.get(f"/v1/projects/{PROJECT}/changelog", params=query).text
    page = open_client.get(f"/ui/projects/{PROJECT}/changelog", params=query).text
    first_heading = next(line for line in markdown.splitlines() if line.startswith("#")).lstrip("# ")
    assert first_heading in page
    assert markdown.strip().splitlines()[-1].strip("-* ") in page.replace("&#39;", "'").replace("&quot;", '"')


def test_a_table_history_without_an_env_finds_an_env_that_has_the_table(open_client: TestClient) -> None:  # type: ignore[type-arg]
    page = open_client.get(f"/ui/projects/{PROJECT}/tables/public.orders/history")  # not in production
    assert page.status_code == 200 and 'data-change="add"' in page.text
    assert open_client.get(f"/ui/projects/{PROJECT}/tables/public.nope/history").status_code == 404
