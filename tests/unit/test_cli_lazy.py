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
