"""`/docs` works without internet: the page loads nothing from another host, and every file it names is
served by the app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from schemareg_api.app import create_app
from schemareg_api.settings import Settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(create_app(Settings.load({"data_dir": str(tmp_path)}))) as client:
        yield client


@pytest.mark.parametrize("path", ["/docs", "/docs/swagger"])
def test_the_docs_page_is_served_whole(client: TestClient, path: str) -> None:  # type: ignore[type-arg]
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    urls = re.findall(r"""(?:src|href)\s*=\s*['"]([^'"]+)['"]""", page.text)
    assert urls, page.text
    assert not [url for url in urls if re.match(r"(?:[a-z]+:)?//", url)], "loaded from another host"
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200 and int(asset.headers["content-length"]) > 0, url
    assert client.get("/docs/openapi.json").status_code == 200
