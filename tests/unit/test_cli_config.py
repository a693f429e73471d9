"""Settings come from flags, then SCHEMAREG_* variables, then the top-level keys of ./schemareg.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemareg.cli import run


def test_config_file_then_environment_then_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCHEMAREG_DATA_DIR", raising=False)
    (tmp_path / "schemareg.toml").write_text('data_dir = "from-file"\n\n[diff]\nignore_comments = true\n')
    assert run(["init", "a"]) == 0
    assert (tmp_path / "from-file" / "a.git").is_dir()
    monkeypatch.setenv("SCHEMAREG_DATA_DIR", str(tmp_path / "from-env"))
    assert run(["init", "b"]) == 0
    assert (tmp_path / "from-env" / "b.git").is_dir()
    assert run(["init", "c", "--data-dir", str(tmp_path / "from-flag")]) == 0
    assert (tmp_path / "from-flag" / "c.git").is_dir()


def test_a_broken_config_file_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schemareg.toml").write_text("data_dir = \n")
    assert run(["list"]) == 2
    assert "schemareg.toml" in capsys.readouterr().err
