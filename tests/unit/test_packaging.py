"""The wheel: what `pip install schemareg` puts into site-packages has names of the project's own."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {"registry": "schemareg", "api": "schemareg_api"}

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    (path,) = out.glob("schemareg-*.whl")
    return zipfile.ZipFile(path)


def test_top_level_names_are_the_projects_own(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/")[0] for name in wheel.namelist() if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"schemareg", "schemareg_api"}


def test_every_module_of_the_folders_is_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    missing = []
    for folder, package in FOLDERS.items():
        for path in (ROOT / folder).rglob("*"):
            if (
                path.suffix in {".py", ".sql", ".html", ".css", ".js", ".svg"}
                and "__pycache__" not in path.parts
            ):
                inside = f"{package}/{path.relative_to(ROOT / folder).as_posix()}"
                if inside not in names:
                    missing.append(inside)
    assert not missing, (
        f"add their packages to [tool.setuptools] packages (data files to package-data) in pyproject.toml: {missing}"
    )


def test_entry_point_names_the_renamed_core(wheel: zipfile.ZipFile) -> None:
    (entry,) = [n for n in wheel.namelist() if n.endswith("entry_points.txt")]
    assert "schemareg = schemareg.cli:main" in wheel.read(entry).decode()
