"""`schemareg check`: the pre-commit hook's command. A file that parses passes, one that does not names
itself; with --project/--env it equals the env's head (0) or not (1, with the changelog)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from schemareg.cli import run
from tests.support.server import ROOT

V1 = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"
V2 = "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY);\n"


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_file_that_parses_and_one_that_does_not(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "structure.sql"
    good.write_text(V1)
    code, out, _ = call(capsys, "check", str(good))
    assert code == 0 and f"{good}: parses (1 objects" in out
    bad = tmp_path / "schema.sql"
    bad.write_text("CREATE TABLE t (\n  note text DEFAULT 'never closed\n);\n")
    code, _, err = call(capsys, "check", str(good), str(bad))
    assert code == 2 and f"{bad}:2:21: unterminated quoted text" in err


def test_against_an_env(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    (tmp_path / "v1.sql").write_text(V1)
    (tmp_path / "v2.sql").write_text(V2)
    assert call(capsys, "init", "shop", "--data-dir", data)[0] == 0
    assert (
        call(
            capsys,
            "snapshot",
            "-p",
            "shop",
            "-e",
            "production",
            "-f",
            str(tmp_path / "v1.sql"),
            "--data-dir",
            data,
        )[0]
        == 0
    )
    code, out, _ = call(
        capsys, "check", str(tmp_path / "v1.sql"), "-p", "shop", "-e", "production", "--data-dir", data
    )
    assert code == 0 and "equals production's head" in out
    code, out, _ = call(
        capsys,
        "check",
        str(tmp_path / "v2.sql"),
        "-p",
        "shop",
        "-e",
        "production",
        "--data-dir",
        data,
        "--format",
        "markdown",
    )
    assert code == 1
    assert "## Breaking Changes" in out and "`users`.`email`" in out and "`orders`" in out
    code, out, _ = call(
        capsys,
        "check",
        str(tmp_path / "v2.sql"),
        "-p",
        "shop",
        "-e",
        "production",
        "--data-dir",
        data,
        "--format",
        "json",
    )
    document = json.loads(out)
    assert code == 1 and document[0]["match"] is False and document[0]["diff"]["changes"]
    code, _, err = call(capsys, "check", str(tmp_path / "v1.sql"), "-p", "shop", "--data-dir", data)
    assert code == 2 and "--project and --env go together" in err


def test_the_pre_commit_hook_runs_check_on_schema_files() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["entry"] == "schemareg check" and hook["language"] == "python"
    import re

    files = re.compile(hook["files"])
    assert files.search("db/structure.sql") and files.search("schema.sql")
    assert not files.search("db/migrate/001_schema.sql.bak") and not files.search("myschema.sql")
