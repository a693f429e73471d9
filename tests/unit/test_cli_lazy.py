"""Verbs load what they need: `VERBS` names every verb the CLI modules define, and running one verb does
not import the others' dependencies."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import schemareg.cli
from schemareg.cli.app import VERBS, cli


def test_every_verb_a_module_defines_is_listed() -> None:
    for module in pkgutil.iter_modules(schemareg.cli.__path__):
        importlib.import_module(f"schemareg.cli.{module.name}")
    assert set(cli.commands) == set(VERBS)
    for name, module in VERBS.items():
        assert cli.commands[name].callback is not None
        assert cli.commands[name].callback.__module__ == f"schemareg.cli.{module}", name


def loaded_by(*argv: str) -> set[str]:
    code = (
        "import sys; from schemareg.cli import run; run(sys.argv[1:]); "
        "print(' '.join(sorted(m for m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True, timeout=60
    )
    return set(result.stdout.split()[-1:] and result.stdout.splitlines()[-1].split())


def test_the_schema_verb_on_a_file_loads_no_store_backup_or_http_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ddl = tmp_path / "schema.sql"
    ddl.write_text("CREATE TABLE users (id bigint PRIMARY KEY);\n")
    modules = loaded_by("schema", "--file", str(ddl), "-o", str(tmp_path / "out.sql"))
    assert "schemareg.normalize" in modules
    heavy = {
        "dulwich",
        "boto3",
        "httpx",
        "litestar",
        "psycopg",
        "schemareg.service",
        "schemareg.backup",
        "rich",
    }
    assert not heavy & modules, sorted(heavy & modules)


def test_a_snapshot_from_a_file_seen_before_loads_neither_sqlglot_nor_package_metadata(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A warm snapshot reads the cache: sqlglot's version comes from its version file, not
    importlib.metadata (which loads email, zipfile and csv: a fifth of the verb's start-up)."""
    import os

    ddl = tmp_path / "schema.sql"
    ddl.write_text("CREATE TABLE users (id bigint PRIMARY KEY);\n")
    env = {
        **os.environ,
        "SCHEMAREG_DATA_DIR": str(tmp_path / "data"),
        "SCHEMAREG_CACHE_DIR": str(tmp_path / "c"),
    }
    run = [sys.executable, "-m", "schemareg"]
    subprocess.run([*run, "init", "shop"], env=env, check=True, capture_output=True, timeout=60)
    subprocess.run([*run, "schema", "--file", str(ddl)], env=env, check=True, capture_output=True, timeout=60)
    code = (
        "import sys; from schemareg.cli import run; run(sys.argv[1:]); "
        "print(' '.join(sorted(m for m in sys.modules)))"
    )
    argv = ["snapshot", "--project", "shop", "--env", "production", "--file", str(ddl)]
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    modules = set(out.splitlines()[-1].split())
    assert "schemareg.store" in modules
    assert not {"sqlglot", "importlib.metadata"} & modules, sorted(
        {"sqlglot", "importlib.metadata"} & modules
    )


def test_the_command_list_loads_no_verb_and_reads_as_the_verbs_own_help() -> None:
    """`schemareg --help` lists every verb from `SUMMARIES` without importing one, in the words and at the
    widths click would give from the verbs themselves."""
    from click import Command

    from schemareg.cli.app import SUMMARIES

    assert set(SUMMARIES) == set(VERBS)
    for module in pkgutil.iter_modules(schemareg.cli.__path__):
        importlib.import_module(f"schemareg.cli.{module.name}")
    for name, summary in SUMMARIES.items():
        for limit in (30, 45, 81, 10_000):
            stand_in = Command(name, help=summary).get_short_help_str(limit)
            assert stand_in == cli.commands[name].get_short_help_str(limit), (name, limit)
    code = (
        "import sys; from schemareg.cli import run; run(['--help']); "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('schemareg.cli.'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    listing, loaded = result.stdout.rsplit("\n", 2)[0], result.stdout.splitlines()[-1].split()
    assert loaded == ["schemareg.cli.app"], loaded
    for name in VERBS:
        assert f"  {name} " in listing, name
