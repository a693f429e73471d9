"""One seeded data dir, one real `schemareg serve` process and one headless Chromium for the UI tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import serve
from tests.ui.browser import Browser, screenshot_dir, start_browser
from tests.ui.seed import seed

READ_TOKEN = "ui-test-read-token"


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ui")
    seed(root / "data", root / "backups")
    return root


@pytest.fixture(scope="session")
def server(seeded: Path) -> Iterator[str]:
    with serve(seeded / "data", env={"SCHEMAREG_BACKUP_DIR": str(seeded / "backups")}) as base:
        yield base


@pytest.fixture(scope="session")
def guarded_server(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same data behind a token: only `read`."""
    digest = hashlib.sha256(READ_TOKEN.encode()).hexdigest()
    data = tmp_path_factory.mktemp("guarded") / "data"
    seed(data, data.parent / "backups")
    with serve(data, env={"SCHEMAREG_TOKENS": f"{digest}:read"}) as base:
        yield base


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    shots = screenshot_dir(tmp_path_factory.mktemp("screenshots"))
    started = start_browser(tmp_path_factory.mktemp("chromium-profile"), shots)
    try:
        yield started
    finally:
        started.driver.quit()
