"""A parse error names the file it is in, whichever command read the file, on either engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemareg.cli import run

BROKEN = {
    "unterminated.sql": "CREATE TABLE t (id int);\nCREATE TABLE u (\n  note text DEFAULT 'never closed\n);\n",
    "unbalanced.sql": "CREATE TABLE t (id int;\n",
    "misspelt.sql": "CREATE TABLE t (id int);\nCREATE TABEL oops (id int);\n",
    "unfinished.sql": "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN;\n",
}


def commands(bad: Path, good: Path, data: Path) -> list[list[str]]:
    """Every verb that reads a DDL file, as a user gives it one."""
    store = ["--data-dir", str(data)]
    return [
        ["schema", "--file", str(bad)],
        ["diff", "--from-file", str(good), "--to-file", str(bad)],
        ["check", str(bad)],
        ["snapshot", "-p", "shop", "-e", "dev", "--file", str(bad), *store],
        ["version", "v1", "-p", "shop", "-e", "dev", "--file", str(bad), *store],
    ]


def assert_every_command_names(bad: Path, good: Path, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in commands(bad, good, data):
        assert run(argv) == 2, argv
        err = capsys.readouterr().err
        assert f"{bad}:" in err and "line" not in err.split(str(bad))[0], (argv, err)
    assert run(["log", "-p", "shop", "-e", "dev", "--data-dir", str(data)]) != 0  # nothing was stored
    capsys.readouterr()


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_every_command_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    bad = tmp_path / name
    bad.write_text(BROKEN[name])
    good = tmp_path / "good.sql"
    good.write_text("CREATE TABLE t (id int);\n")
    assert run(["init", "shop", "--data-dir", str(tmp_path / "data")]) == 0
    capsys.readouterr()
    assert_every_command_names(bad, good, tmp_path / "data", capsys)
