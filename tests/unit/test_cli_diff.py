"""`schemareg diff` and `schemareg changelog` on files: output formats and exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemareg.cli import run

BEFORE = "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n"
AFTER = "CREATE TABLE users (id bigint PRIMARY KEY, name text, email text);\nCREATE TABLE notes (id int);\n"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.chdir(tmp_path)  # no stray ./schemareg.toml rules
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text(BEFORE)
    b.write_text(AFTER)
    return a, b


def test_equal_files_exit_0(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = files
    assert run(["diff", "--from-file", str(a), "--to-file", str(a)]) == 0
    assert "no differences" in capsys.readouterr().out


def test_different_files_exit_1_with_text(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = files
    assert run(["diff", "--from-file", str(a), "--to-file", str(b)]) == 1
    out = capsys.readouterr().out
    assert "public.users.email" in out and "public.notes" in out


def test_json_format(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    a, b = files
    assert run(["diff", "--from-file", str(a), "--to-file", str(b), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["from"] == str(a) and document["to"] == str(b)
    assert document["semver"] == "minor"
    assert [(c["change"], c["kind"], c["object"], c["name"]) for c in document["changes"]] == [
        ("add", "table", "public.notes", None),
        ("add", "column", "public.users", "email"),
    ]


def test_markdown_and_unified(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    a, b = files
    assert run(["diff", "--from-file", str(a), "--to-file", str(b), "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    assert "- `users` table: added `email` column" in markdown
    assert "- `notes` table" in markdown
    assert run(["diff", "--from-file", str(a), "--to-file", str(b), "--format", "unified"]) == 1
    unified = capsys.readouterr().out
    assert "--- a/objects/tables/public.users.sql" in unified
    assert "+++ b/objects/tables/public.notes.sql" in unified
    assert "\n+" in unified


def test_dialect_and_ignore_rules(tmp_path: Path, files: tuple[Path, Path]) -> None:
    a, b = files
    assert run(["diff", "--from-file", str(a), "--to-file", str(b), "--dialect", "sqlite"]) == 1
    config = tmp_path / "rules.toml"
    config.write_text('[diff]\nignore_objects = ["public.notes", "public.users.email"]\n')
    assert run(["diff", "--from-file", str(a), "--to-file", str(b), "--config", str(config)]) == 0
    assert run(["diff", "--from-file", str(a), "--to-file", str(b), "--ignore", "*"]) == 0


def test_errors_exit_2(tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = files
    assert run(["diff", "--from-file", str(a)]) == 2
    assert run(["diff", "--from-file", str(a), "--to-file", str(tmp_path / "missing.sql")]) == 2
    assert run(["diff", "--from-file", str(a), "--to-file", str(a), "--format", "yaml"]) == 2
    assert run(["diff"]) == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[diff]\nignore_everything = true\n")
    assert run(["diff", "--from-file", str(a), "--to-file", str(a), "--config", str(bad)]) == 2
    assert "ignore_everything" in capsys.readouterr().err


def test_changelog_from_files_exits_0(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    a, b = files
    assert run(["changelog", "--from-file", str(a), "--to-file", str(b), "--title", "v1.2.0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Schema Version v1.2.0\n")
    assert "## Rollback Procedure" in out


def test_versions_of_a_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from schemareg.service import Registry

    registry = Registry(tmp_path / "data")
    registry.init_project("shop")
    registry.snapshot("shop", "staging", BEFORE)
    registry.snapshot("shop", "production", AFTER)
    data_dir = ["--data-dir", str(tmp_path / "data")]
    assert run(["diff", "--project", "shop", "staging", "production", "--format", "json", *data_dir]) == 1
    document = json.loads(capsys.readouterr().out)
    assert (document["from"], document["to"]) == ("staging", "production")
    assert run(["diff", "--project", "shop", "staging", "staging", *data_dir]) == 0
    capsys.readouterr()
    assert run(["changelog", "staging", "production", "--project", "shop", *data_dir]) == 0
    assert capsys.readouterr().out.startswith("# Schema Version production\n")
    assert run(["diff", "--project", "shop", "staging", "nowhere", *data_dir]) == 2


@pytest.mark.parametrize("verb", ["diff", "changelog"])
def test_the_usage_says_how_many_versions_the_verb_takes(
    verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`[FROM [TO]]` takes one or two versions (FROM alone: against the default env), `[FROM TO]` two:
    the verb's usage line, what it accepts and what its errors say agree."""
    from schemareg.service import Registry

    registry = Registry(tmp_path / "data")
    registry.init_project("shop")
    registry.snapshot("shop", "production", BEFORE)
    registry.snapshot("shop", "production", AFTER)
    data_dir = ["--data-dir", str(tmp_path / "data")]
    assert run([verb, "--help"]) == 0
    usage = capsys.readouterr().out.splitlines()[0]
    metavar = usage.split("[OPTIONS] ", 1)[1]
    assert metavar in ("[FROM [TO]]", "[FROM TO]"), usage
    to_optional = metavar == "[FROM [TO]]"
    spelled = "FROM [TO]" if to_optional else "FROM TO"

    code = run([verb, "--project", "shop", "production~1", *data_dir])
    out, err = capsys.readouterr()
    if to_optional:
        assert code == (1 if verb == "diff" else 0), err
        assert "production~1 -> production" in out or "production~1" in out
    else:
        assert code == 2 and f"give two versions to compare: {spelled}" in err
    for refs in ([], ["a", "b", "c"]):
        assert run([verb, "--project", "shop", *refs, *data_dir]) == 2
        err = capsys.readouterr().err
        assert spelled in err and f"got {len(refs)}" in err, err
    assert run([verb, "production", *data_dir]) == 2
    assert f"--project P {spelled}" in capsys.readouterr().err
