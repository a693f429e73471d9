"""The client's README, executed: each Python block runs, in order, against `schemareg serve` with a
SQLite database that has the schema `shop/production` expects."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from schemareg.service import Registry
from tests.clients._data import ADMIN, TOKENS
from tests.clients.conftest import SOURCE
from tests.support.server import serve

pytestmark = pytest.mark.integration

README = SOURCE.parent / "README.md"
DDL = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);"


def test_every_readme_example_runs(tmp_path: Path) -> None:
    blocks = re.findall(r"^```python\n(.*?)^```$", README.read_text(), re.MULTILINE | re.DOTALL)
    assert len(blocks) >= 5
    work = tmp_path / "work"
    work.mkdir()
    (work / "structure.sql").write_text(DDL)
    with sqlite3.connect(work / "app.db") as connection:
        connection.execute(DDL)
    with Registry(tmp_path / "data") as registry:
        registry.init_project("shop", "sqlite")
        registry.snapshot("shop", "staging", DDL)
        registry.promote("shop", "production", "staging")
        registry.release("shop", "v1.0.0", "production")
        fingerprint = registry.expected("shop", "production").fingerprint

    with serve(tmp_path / "data", env={"SCHEMAREG_TOKENS": TOKENS}) as base:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(SOURCE), str(Path(__file__).resolve().parents[2])]),
            "SCHEMAREG_REGISTRY_URL": base,
            "SCHEMAREG_TOKEN": ADMIN,
            "DATABASE_URL": "sqlite:app.db",
            "SCHEMA_FINGERPRINT": fingerprint,
        }
        for block in blocks:
            result = subprocess.run(
                [sys.executable, "-c", block], cwd=work, env=env, capture_output=True, text=True, timeout=60
            )
            assert result.returncode == 0, f"{block}\n{result.stdout}{result.stderr}"
            assert "starting anyway" not in result.stdout and "refusing" not in result.stdout
