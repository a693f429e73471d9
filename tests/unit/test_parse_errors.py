"""A parse error names the file it is in, whichever command read the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemareg.cli import run

BROKEN = {
    "unterminated.sql": "CREATE TABLE t (id int);\nCREATE TABLE u (\n  note text DEFAULT 'never closed\n);\n",
    "unbalanced.sql": "CREATE TABLE t (id int;\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_every_command_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    bad = tmp_path / name
    bad.write_text(BROKEN[name])
    good = tmp_path / "good.sql"
    good.write_text("CREATE TABLE t (id int);\n")
    for argv in (
        ["schema", "--file", str(bad)],
        ["diff", "--from-file", str(good), "--to-file", str(bad)],
        ["check", str(bad)],
    ):
        assert run(argv) == 2, argv
        err = capsys.readouterr().err
        assert f"{bad}:" in err and "line" not in err.split(str(bad))[0], (argv, err)
