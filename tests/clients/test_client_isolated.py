"""The client as its users get it: `clients/python` installed alone in a fresh venv (pip, from the package
index), importable without litestar, dulwich, sqlglot, psycopg or the server's own packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clients.conftest import SOURCE

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

SERVER_ONLY = ("litestar", "dulwich", "sqlglot", "psycopg", "schemareg", "schemareg_api", "granian", "boto3")
CHECK = f"""
import importlib.util, sys
import schemareg_client
from schemareg_client import Client, AsyncClient, SchemaregError, verify_database
assert schemareg_client.__file__.startswith(sys.prefix), schemareg_client.__file__
present = [name for name in {SERVER_ONLY!r} if importlib.util.find_spec(name) is not None]
loaded = [name for name in {SERVER_ONLY!r} if name in sys.modules]
assert not present and not loaded, (present, loaded)
try:
    verify_database("sqlite:app.db", "shop", "production", base_url="http://127.0.0.1:9")
except SchemaregError as error:
    assert "schemareg is not installed" in str(error), error
else:
    raise AssertionError("verify_database worked without the schemareg package")
print("ok", schemareg_client.__version__)
"""


def test_installs_and_imports_alone(tmp_path: Path) -> None:
    project = tmp_path / "schemareg-client"
    # A copy: the build leaves build/ and *.egg-info next to the sources, and tests run in parallel.
    shutil.copytree(
        SOURCE.parent, project, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(project)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    freeze = subprocess.run(
        [str(python), "-m", "pip", "freeze"], env=env, capture_output=True, text=True, check=True
    ).stdout.lower()
    assert "schemareg-client" in freeze or "schemareg_client" in freeze
    result = subprocess.run(
        [str(python), "-c", CHECK], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok 0.1.0")
