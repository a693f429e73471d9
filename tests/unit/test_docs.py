"""The docs keep up with the code: every command and every SCHEMAREG_* setting is documented."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from schemareg.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def commands(group: click.Group, prefix: str = "schemareg") -> list[str]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix} {name}")
        else:
            found.append(f"{prefix} {name}")
    return found


def test_every_command_is_in_the_cli_reference() -> None:
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [command for command in commands(cli) if f"`{command}" not in reference]
    assert not missing, f"not in docs/cli.md: {missing}"


def test_every_setting_variable_is_documented() -> None:
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in [*ROOT.glob("registry/**/*.py"), *ROOT.glob("api/**/*.py")]
    )
    variables = set(re.findall(r"\bSCHEMAREG_[A-Z_]+\b", code)) - {"SCHEMAREG_UPDATE_CASES"}
    docs = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *ROOT.glob("docs/*.md")])
    missing = sorted(v for v in variables if v not in docs)
    assert not missing, f"undocumented settings: {missing}"


def test_every_doc_page_is_linked_from_the_readme_or_another_page() -> None:
    pages = {p.name for p in (ROOT / "docs").glob("*.md")}
    text = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *ROOT.glob("docs/*.md")])
    unlinked = sorted(page for page in pages if f"{page})" not in text and f"docs/{page}" not in text)
    assert not unlinked, f"docs pages nothing links to: {unlinked}"


def test_the_quick_start_makes_the_venv_before_it_uses_it() -> None:
    """Each command runs after the one before it has finished, except those sent to the background: a
    command that uses .venv must not rely on a backgrounded one to have made it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start\n+```console\n(.*?)```", readme, re.S)
    assert block is not None
    commands = [
        line[2:].split("  #")[0].strip() for line in block.group(1).splitlines() if line.startswith("$ ")
    ]
    made = False
    for command in commands:
        uses_venv = ".venv/bin" in command or command.startswith("schemareg ")
        assert made or not uses_venv, f"{command!r} runs before .venv exists"
        if command.startswith("make ") and not command.endswith("&"):
            made = True


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_documented_shell_completion_works(shell: str) -> None:
    line = f"_SCHEMAREG_COMPLETE={shell}_source schemareg"
    assert line in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    script = subprocess.run(
        [sys.executable, "-m", "schemareg"],
        env={**os.environ, "_SCHEMAREG_COMPLETE": f"{shell}_source"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "_SCHEMAREG_COMPLETE" in script and "schemareg" in script
    # What the script asks for when the user presses tab after `schemareg ba`:
    words = subprocess.run(
        [sys.executable, "-m", "schemareg"],
        env={
            **os.environ,
            "_SCHEMAREG_COMPLETE": "bash_complete",
            "COMP_WORDS": "schemareg ba",
            "COMP_CWORD": "1",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "backup" in words


def test_no_doc_says_an_existing_option_is_missing() -> None:
    """A sentence that says `VERB --option` is not there yet must not be about an option the verb has."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *ROOT.glob("docs/*.md")])
    wrong = []
    for paragraph in re.split(r"\n\s*\n", text):
        if not re.search(r"not yet|not supported", paragraph, re.I):
            continue
        for verb, flags in re.findall(r"`(?:schemareg )?([a-z-]+)((?: [^`]*)?)`", paragraph):
            command = cli.commands.get(verb)
            if command is None:
                continue
            options = {opt for param in command.params for opt in getattr(param, "opts", [])}
            wrong += [f"{verb} {flag}" for flag in re.findall(r"--[a-z-]+", flags) if flag in options]
    assert not wrong, f"documented as missing but present: {wrong}"


def test_the_healthz_answer_is_as_documented(tmp_path: Path) -> None:
    import json

    from litestar.testing import TestClient

    from schemareg_api.app import create_app
    from schemareg_api.settings import Settings

    row = re.search(
        r"\| `GET /healthz` \| 200 `([^`]+)`", (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    )
    assert row is not None
    with TestClient(create_app(Settings.load({"data_dir": str(tmp_path)}))) as client:
        assert client.get("/healthz").json() == json.loads(row.group(1))
