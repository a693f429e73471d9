"""A folder of migrations read as one script (cli/migrations.py): up migrations in the order the common
tools apply them, each ended with a semicolon, and errors and warnings naming the file and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemareg.cli import run
from schemareg.cli.migrations import locate, migration_files, read_folder


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_flyway_versions_apply_in_version_order_and_repeatables_last(tmp_path: Path) -> None:
    names = ["V10__j.sql", "V2__c.sql", "V1_1__b.sql", "V1__a.sql", "R__views.sql", "U2__undo_c.sql"]
    _write(tmp_path, dict.fromkeys(names, "SELECT 1;"))
    found = [p.name for p in migration_files(tmp_path)]
    assert found == ["V1__a.sql", "V1_1__b.sql", "V2__c.sql", "V10__j.sql", "R__views.sql"]


def test_numbered_files_and_folders_per_migration_apply_by_number_without_their_down_migrations(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        {
            "10_x.up.sql": "",
            "9_x.up.sql": "",
            "9_x.down.sql": "",
            "2024-01-02-000000_b/up.sql": "",
            "2024-01-02-000000_b/down.sql": "",
            "2024-01-01-000000_a/up.sql": "",
            "20240101_x_down.sql": "",
        },
    )
    found = [p.relative_to(tmp_path).as_posix() for p in migration_files(tmp_path)]
    assert found == ["9_x.up.sql", "10_x.up.sql", "2024-01-01-000000_a/up.sql", "2024-01-02-000000_b/up.sql"]


def test_each_file_ends_its_statement_and_down_sections_are_left_out(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "1_a.sql": "-- migrate:up\nCREATE TABLE a (id int)\n\n-- migrate:down\nDROP TABLE a;\n",
            "2_b.sql": "-- +goose Up\nCREATE TABLE b (id int);\n-- +goose Down\nDROP TABLE b;\n",
        },
    )
    text = read_folder(tmp_path, "m")
    assert "DROP TABLE" not in text
    assert text == "-- migrate:up\nCREATE TABLE a (id int)\n;\n-- +goose Up\nCREATE TABLE b (id int);\n;\n"
    assert locate("m", 2) == ("m/1_a.sql", 2)
    assert locate("m", 5) == ("m/2_b.sql", 2)
    assert locate("other.sql", 5) == ("other.sql", 5)


def test_verbs_read_a_folder_and_name_the_file_of_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(
        tmp_path / "migrations",
        {
            "000001_a.up.sql": "CREATE TABLE a (id int);\n",
            "000001_a.down.sql": "DROP TABLE a;\n",
            "000002_seed.up.sql": "INSERT INTO a VALUES (1)",  # no final semicolon
            "000003_idx.up.sql": "CREATE UNIQUE INDEX a_id ON a (id);\n",
        },
    )
    assert run(["schema", "--file", "migrations"]) == 0
    out = capsys.readouterr()
    assert "CREATE UNIQUE INDEX a_id ON public.a" in out.out and "warning" not in out.err
    (tmp_path / "migrations" / "000004_bad.up.sql").write_text(
        "ALTER TABLE a ADD COLUMN b int;\nCREATE TABLE bad (;\n"
    )
    assert run(["check", "migrations"]) == 2
    assert "migrations/000004_bad.up.sql:2:18: '(' is never closed" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(["schema", "--file", "empty"]) == 2
    assert "a directory with no .sql migrations" in capsys.readouterr().err
