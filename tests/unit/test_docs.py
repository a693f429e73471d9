"""The docs keep up with the code: every command and every SCHEMAREG_* setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click

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
