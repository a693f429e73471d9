"""One spelling of JSON output: `--format json` on every verb that prints a result; `--json` stays a
hidden alias where it was the spelling (restore, verify-backup, prune, s3 lifecycle), and is the switch of
`backup` alone, whose `--format` is the dump's format (plain, custom, directory) by the design."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from schemareg.cli import run
from schemareg.cli.app import VERBS
from schemareg.cli.app import cli as group

NO_OUTPUT = {"serve"}  # runs a server: no result to print
DUMP_FORMAT = {"backup"}  # --format is pg_dump's format; --json prints JSON
ALIASED = {"restore", "verify-backup", "prune", "s3 lifecycle"}  # --json kept, hidden, for old scripts


def _commands() -> dict[str, click.Command]:
    context = click.Context(group)
    found: dict[str, click.Command] = {}
    for verb in VERBS:
        command = group.get_command(context, verb)
        assert command is not None, verb
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                found[f"{verb} {name}"] = sub
        else:
            found[verb] = command
    return found


def _option(command: click.Command, flag: str) -> click.Option | None:
    return next((p for p in command.params if isinstance(p, click.Option) and flag in p.opts), None)


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_verb_spells_json_output_one_way(name: str) -> None:
    command = _commands()[name]
    if name in NO_OUTPUT:
        return
    fmt, alias = _option(command, "--format"), _option(command, "--json")
    if name in DUMP_FORMAT:
        assert fmt is not None and "json" not in getattr(fmt.type, "choices", ())
        assert alias is not None and not alias.hidden
        return
    assert fmt is not None, f"{name} has no --format"
    assert "json" in getattr(fmt.type, "choices", ()), f"{name} --format has no json"
    if name in ALIASED:
        assert alias is not None and alias.hidden, f"{name} lost its --json alias (or shows it)"
    else:
        assert alias is None, f"{name} has a second spelling, --json"


def test_the_alias_prints_what_format_json_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["prune", "--data-dir", str(tmp_path / "data"), "--backup-dir", str(tmp_path / "backups")]
    assert run([*args, "--format", "json"]) == 0
    spelled = capsys.readouterr().out
    assert run([*args, "--json"]) == 0
    assert capsys.readouterr().out == spelled
    assert isinstance(json.loads(spelled), dict | list)
    assert run(args) == 0
    assert not capsys.readouterr().out.lstrip().startswith(("{", "["))


def test_docs_say_so() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "`--format json` on every verb" in text and "hidden alias" in text
