"""The client ships as its own wheel (clients/python): the tests import it from its source folder, so the
suite's venv does not need it installed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "clients" / "python" / "src"
if str(SOURCE) not in sys.path:
    sys.path.insert(0, str(SOURCE))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
