"""docs/curl.md, executed: every command of its `console` blocks runs, in order and in one shell, with the
real curl against `schemareg serve` (with `localhost:8080` replaced by the server's address), must exit 0
and print what the doc shows (`…` standing for anything); its Python blocks then run with the client."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from schemareg.service import Registry
from tests.clients._data import ADMIN, TOKENS, V1, V2, V3
from tests.clients.conftest import SOURCE
from tests.support.server import ROOT, serve

pytestmark = pytest.mark.integration

DOC = ROOT / "docs" / "curl.md"
DOC_SERVER = "http://localhost:8080"
BLOCK = re.compile(r"^```(console|python)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@dataclass
class Example:
    command: str
    output: list[str] = field(default_factory=list)


def examples(text: str) -> tuple[list[Example], list[str]]:
    """The console commands with their shown output, and the Python blocks, in the doc's order."""
    commands: list[Example] = []
    python: list[str] = []
    for kind, body in BLOCK.findall(text):
        if kind == "python":
            python.append(body)
            continue
        lines = body.splitlines()
        index = 0
        while index < len(lines):
            line = lines[index]
            if line.startswith("$ "):
                command = line[2:]
                while command.endswith("\\"):
                    index += 1
                    command = command[:-1] + lines[index].strip()
                commands.append(Example(command))
            elif line.strip():
                assert commands, f"output before any command: {line!r}"
                commands[-1].output.append(line)
            index += 1
    return commands, python


def shows(expected: list[str], actual: str) -> bool:
    """Every shown line matches an actual line, in order; `…` matches anything (a line of `…` alone,
    any number of lines)."""
    lines = actual.splitlines()
    position = 0
    for pattern in expected:
        if pattern.strip() == "…":
            continue
        regex = re.compile(".*".join(re.escape(part) for part in pattern.split("…")))
        while position < len(lines) and not regex.fullmatch(lines[position]):
            position += 1
        if position == len(lines):
            return False
        position += 1
    return True


def seed(data_dir: Path) -> None:
    with Registry(data_dir) as registry:
        registry.init_project("shop", "postgres", "the shop database")
        registry.snapshot("shop", "staging", V1)
        registry.promote("shop", "production", "staging")
        registry.release("shop", "v1.0.0", "production", description="users")
        registry.snapshot("shop", "staging", V2)
        registry.release("shop", "v1.1.0", "staging", description="orders")


def test_every_curl_example_runs(tmp_path: Path) -> None:
    curl = shutil.which("curl")
    assert curl is not None, "the curl guide is checked with the real curl: install it (apt-get install curl)"
    commands, python = examples(DOC.read_text())
    assert len(commands) >= 15 and python
    work = tmp_path / "work"
    work.mkdir()
    (work / "structure.sql").write_text(V3 + "\nALTER TABLE orders ADD COLUMN status text;\n")
    seed(tmp_path / "data")

    with serve(tmp_path / "data", env={"SCHEMAREG_TOKENS": TOKENS}) as base:
        assert all(DOC_SERVER not in e.command or e.command.startswith("export SCHEMAREG=") for e in commands)
        script = ["set +e"]
        for number, example in enumerate(commands):
            command = example.command.replace(DOC_SERVER, base)
            script.append(
                f"printf '\\n@@@ {number} start\\n'\n{command}\nprintf '\\n@@@ {number} exit %s\\n' $?"
            )
        env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
        env["SCHEMAREG_TOKEN"] = ADMIN
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", "\n".join(script)],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        for number, example in enumerate(commands):
            match = re.search(
                rf"@@@ {number} start\n(.*?)\n@@@ {number} exit (\d+)\n", result.stdout, re.DOTALL
            )
            assert match, f"{example.command!r} did not run: {result.stdout[-2000:]} {result.stderr[-2000:]}"
            output, code = match.group(1), int(match.group(2))
            assert code == 0, f"{example.command!r} exited {code}: {output}"
            assert shows(example.output, output), (
                f"{example.command!r} printed:\n{output}\nnot:\n" + "\n".join(example.output)
            )

        for block in python:
            ran = subprocess.run(
                [sys.executable, "-c", block],
                cwd=work,
                env={**env, "PYTHONPATH": str(SOURCE), "SCHEMAREG_REGISTRY_URL": base},
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert ran.returncode == 0, ran.stdout + ran.stderr

    with Registry(tmp_path / "data") as registry:
        assert [release.name for release in registry.releases("shop")] == [
            "v1.0.0",
            "v1.1.0",
            "v1.2.0",
            "v1.3.0",
        ]
        assert (
            registry.expected("shop", "production").fingerprint
            == registry.expected("shop", "staging").fingerprint
        )
