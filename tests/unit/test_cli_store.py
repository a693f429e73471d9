"""The store verbs of the CLI on a local data dir: init, snapshot, version, promote, list, log, gc."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemareg.cli import run

V1 = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"
V2 = V1 + "CREATE TABLE orders (id bigint PRIMARY KEY);\n"


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    data = str(tmp_path / "data")
    (tmp_path / "v1.sql").write_text(V1)
    (tmp_path / "v2.sql").write_text(V2)

    def call(*args: str) -> tuple[int, str, str]:
        code = run([*args, "--data-dir", data])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def test_a_release_workflow(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("init", "shop", "--description", "the shop")[0] == 0
    code, out, _ = cli("snapshot", "-p", "shop", "-e", "staging", "--file", str(tmp_path / "v1.sql"))
    assert code == 0 and "staging: new snapshot" in out and "fingerprint sha256:" in out
    code, out, _ = cli("snapshot", "-p", "shop", "-e", "staging", "--file", str(tmp_path / "v1.sql"))
    assert code == 0 and "unchanged" in out
    code, out, _ = cli("promote", "-p", "shop", "-e", "production", "--from", "staging", "--format", "json")
    assert code == 0 and json.loads(out)["created"] is True
    code, out, _ = cli("version", "v1.0.0", "-p", "shop", "--env", "production", "--description", "first")
    assert code == 0 and out.startswith("released v1.0.0 at ")
    code, _, err = cli("version", "v1.0.0", "-p", "shop", "--env", "production")
    assert code == 2 and "immutable" in err
    code, out, _ = cli(
        "version", "v1.1.0", "-p", "shop", "--env", "staging", "--file", str(tmp_path / "v2.sql")
    )
    assert code == 0

    code, out, _ = cli("list")
    assert code == 0
    assert "shop (postgres): the shop" in out and "v1.0.0" in out and "v1.1.0" in out and "staging" in out
    listing = json.loads(cli("list", "--format", "json")[1])
    assert [v["name"] for v in listing[0]["releases"]] == ["v1.0.0", "v1.1.0"]
    assert [e["name"] for e in listing[0]["environments"]] == ["production", "staging"]

    code, out, _ = cli("log", "-p", "shop", "--env", "staging")
    lines = out.splitlines()
    assert code == 0 and "[v1.1.0] release v1.1.0" in lines[0] and len(lines) == 3
    code, out, _ = cli("log", "-p", "shop", "v1.0.0", "--format", "json")
    assert json.loads(out)[0]["release"] == "v1.0.0"
    code, out, _ = cli("log", "-p", "shop", "--table", "orders", "--env", "staging")
    assert code == 0 and "public.orders on staging" in out and "v1.1.0" in out

    code, out, _ = cli("gc", "--no-git")
    assert code == 0 and out.startswith("shop: dulwich:")


def test_errors_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("init", "shop")[0] == 0
    assert cli("init", "shop")[0] == 2
    code, _, err = cli("snapshot", "-p", "shop", "-e", "prod")
    assert code == 2 and "--file" in err
    code, _, err = cli("snapshot", "-p", "shop", "-e", "prod", "--sqlite", "x.db")
    assert code == 2 and "no such SQLite database file" in err
    code, _, err = cli("snapshot", "-p", "nope", "-e", "prod", "--file", str(tmp_path / "v1.sql"))
    assert code == 2 and "no project 'nope'" in err
    code, _, err = cli("snapshot", "-p", "shop", "-e", "a/b", "--file", str(tmp_path / "v1.sql"))
    assert code == 2 and "invalid environment name" in err
    code, _, err = cli("version", "bad..name", "-p", "shop", "--env", "prod")
    assert code == 2 and "invalid release name" in err
    code, _, err = cli("version", "v1", "-p", "shop", "--env", "prod", "--seed-tables", "users")
    assert code == 2 and "--seed-tables" in err
    code, _, err = cli("promote", "-p", "shop", "-e", "prod", "--from", "nowhere")
    assert code == 2 and "nowhere" in err
    code, _, err = cli("snapshot", "-p", "shop", "-e", "prod", "--file", str(tmp_path / "missing.sql"))
    assert code == 2 and "cannot read" in err


def test_every_verb_that_reads_a_script_says_why_it_cannot(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder (of migrations, say), a missing file and bytes that are not UTF-8: one line and exit 2 from
    each verb, never a traceback and never 'no such file' for a folder that is there."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    (tmp_path / "latin1.sql").write_bytes(b"CREATE TABLE caf\xe9 (id int);")
    assert cli("init", "shop")[0] == 0
    verbs = [
        ["check"],
        ["schema", "--file"],
        ["snapshot", "-p", "shop", "-e", "prod", "--data-dir", str(tmp_path / "data"), "--file"],
        ["diff", "--from-file", str(tmp_path / "v1.sql"), "--to-file"],
    ]
    for verb in verbs:
        for target, says in ((folder, "a directory"), (tmp_path / "gone.sql", "no such file")):
            assert run([*verb, str(target)]) == 2
            assert says in capsys.readouterr().err
        assert run([*verb, str(tmp_path / "latin1.sql")]) == 2
        assert "latin1.sql:1:" in capsys.readouterr().err


def test_check_says_where_a_statement_runs_on_into_the_next(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    """Migration files concatenated, one without its last `;`: the INSERT runs on into the CREATE after it,
    which PostgreSQL refuses and the model cannot read. `check` says so, with the file, line and column,
    rather than passing a script that has lost an index; quoted text that holds a CREATE is not that."""
    script = tmp_path / "all.sql"
    script.write_text(
        "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1)\n  CREATE UNIQUE INDEX t_id ON t (id);\n"
        "INSERT INTO t VALUES ('a\nCREATE TABLE x (a int)');\n"
    )
    code, _, err = cli("check", str(script))
    assert code == 0
    assert err.count("warning:") == 1
    assert f"{script}:3:3: this INSERT runs on into a CREATE UNIQUE INDEX" in err


def test_list_text_has_column_headers(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each table of `list` has a header line, and every value starts under its header."""
    assert cli("init", "shop")[0] == 0
    assert (
        cli("snapshot", "-p", "shop", "-e", "a-long-environment-name", "-f", str(tmp_path / "v1.sql"))[0] == 0
    )
    assert (
        cli("version", "v1.0.0", "-p", "shop", "--env", "a-long-environment-name", "--description", "one")[0]
        == 0
    )
    code, out, _ = cli("list")
    lines = out.splitlines()
    assert code == 0
    for header, first_value in (
        (["NAME", "SHA", "CREATED_AT", "RELEASE"], "a-long-environment-name"),
        (["NAME", "SHA", "CREATED_AT", "DESCRIPTION"], "v1.0.0"),
    ):
        at = next(i for i, line in enumerate(lines) if line.split() == header)
        row = lines[at + 1]
        assert row.split()[0] == first_value
        starts = [lines[at].index(name) for name in header]
        for start in starts:
            assert row[start] != " " and (start == 0 or row[start - 1] == " "), (lines[at], row)


UNREACHABLE = "postgresql://someone:secret@127.0.0.1:1/nowhere"  # nothing listens on port 1
# How to run each verb that may read DATABASE_URL, without --dsn, on the project `shop` (env production).
DATABASE_URL_RUNS = {
    "backup": ["--dest", "{tmp}/backups"],
    "diff": ["-p", "shop", "-e", "production"],
    "drift": ["-p", "shop", "-e", "production"],
    "schema": [],
    "snapshot": ["-p", "shop", "-e", "production"],
    "version": ["v2.0.0", "-p", "shop", "--env", "production"],
}


def test_a_verb_reads_database_url_exactly_when_its_help_says_so(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import click

    from schemareg.cli.app import VERBS
    from schemareg.cli.app import cli as group

    assert cli("init", "shop")[0] == 0
    assert cli("snapshot", "-p", "shop", "-e", "production", "-f", str(tmp_path / "v1.sql"))[0] == 0
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    context = click.Context(group)
    checked = set()
    for verb in VERBS:
        command = group.get_command(context, verb)
        assert command is not None
        dsn = next((p for p in command.params if isinstance(p, click.Option) and "--dsn" in p.opts), None)
        if dsn is None or dsn.required:
            continue
        says = "DATABASE_URL" in (dsn.help or "").replace("DATABASE_URL is not read", "") or (
            dsn.envvar == "DATABASE_URL"
        )
        assert verb in DATABASE_URL_RUNS, f"{verb} has an optional --dsn: add how to run it here"
        args = [arg.format(tmp=tmp_path) for arg in DATABASE_URL_RUNS[verb]]
        if any(param.name == "data_dir" for param in command.params):
            code, out, err = cli(verb, *args)
        else:
            code = run([verb, *args])
            out, err = capsys.readouterr()
        tried = "cannot connect to postgresql://someone:***@127.0.0.1:1/nowhere" in err
        assert tried == says, (verb, dsn.help, code, out, err)
        assert code == 2 if says else code == 0, (verb, err)
        checked.add(verb)
    assert checked == set(DATABASE_URL_RUNS)
    code, _, err = cli("version", "v2.1.0", "-p", "shop", "--env", "production", "--seed-tables", "users")
    assert code == 2 and "--seed-tables needs a database source" in err


def test_a_project_with_snapshots_keeps_its_engine(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("init", "shop", "--engine", "postgres")
    assert code == 0 and "postgres engine" in out
    code, out, _ = cli("project", "shop", "--engine", "sqlglot")
    assert code == 0 and out == "shop: postgres, sqlglot engine\n"  # no snapshot yet: free to change
    assert cli("snapshot", "-p", "shop", "-e", "staging", "--file", str(tmp_path / "v1.sql"))[0] == 0
    code, _, err = cli("project", "shop", "--engine", "postgres")
    assert code != 0 and "engine is fixed for its history" in err
    code, out, _ = cli("project", "shop")
    assert code == 0 and out == "shop: postgres, sqlglot engine\n"
    code, out, _ = cli("list", "-p", "shop")
    assert code == 0 and "staging" in out  # the history is untouched


def test_snapshot_says_the_normalisers_warnings(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`snapshot --file` says on standard error what `schema --file` says (a DO block not applied), and
    its JSON carries them; the snapshot is still made."""
    ddl = tmp_path / "warned.sql"
    ddl.write_text("CREATE TABLE t (a int);\nDO $$ BEGIN PERFORM 1; END $$;\n")
    assert cli("init", "shop")[0] == 0
    code, out, err = cli("snapshot", "-p", "shop", "-e", "staging", "--file", str(ddl))
    assert code == 0 and "new snapshot" in out
    assert err.startswith("warning: line 2:") and "PERFORM" in err and err.rstrip().endswith("; ignored")
    code, out, _ = cli("snapshot", "-p", "shop", "-e", "staging", "--file", str(ddl), "--format", "json")
    assert code == 0 and json.loads(out)["warnings"][0]["outcome"] == "ignored"
