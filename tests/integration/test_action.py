"""The composite action (action.yml) run on this machine: its `run:` steps, read from the file, executed by
bash as the runner would (inputs and `github.*` expressions substituted, GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY files), against a real `schemareg serve` and a real PostgreSQL database.

The install step really installs the action's checkout (a copy of this repository's files) into its own
virtualenv; the dependencies come from this test interpreter's site-packages (offline), the package itself
is built from the copy. Only `actions/setup-python` is not run: this machine's Python stands in for it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import yaml

from tests.support.server import ROOT, serve

pytestmark = pytest.mark.integration

EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


class Runner:
    """Runs the action's steps like a GitHub runner: one bash per step, the step's env, the output files."""

    def __init__(self, work: Path) -> None:
        self.action = yaml.safe_load((ROOT / "action.yml").read_text())
        self.temp = work / "runner-temp"
        self.temp.mkdir()
        self.action_path = work / "action"
        self.workspace = work / "workspace"
        self.workspace.mkdir()
        files = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.split(b"\0")
        for name in filter(None, (f.decode() for f in files)):
            source = ROOT / name
            if source.is_file():
                (self.action_path / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, self.action_path / name)
        # The install step's virtualenv, made here, sees this interpreter's packages (so pip needs no
        # index), but schemareg itself is built and installed from the action's copy by the step.
        # Without pip of its own: this interpreter's pip and setuptools install into it.
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(self.temp / "schemareg-venv")], check=True
        )
        site = subprocess.run(
            [
                str(self.temp / "schemareg-venv/bin/python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        Path(site, "outer-site.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    def run(
        self, inputs: Mapping[str, str], env: Mapping[str, str], *, install: bool = False
    ) -> dict[str, Any]:
        declared = self.action["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, f"not inputs of the action: {unknown}"
        values = {name: str(spec.get("default", "")) for name, spec in declared.items()} | dict(inputs)
        output_file = self.temp / "github-output"
        summary = self.temp / "step-summary"
        output_file.write_text("")
        summary.write_text("")
        outputs: dict[str, str] = {}
        code = 0
        for step in self.action["runs"]["steps"]:
            if "uses" in step:
                assert step["uses"].startswith("actions/setup-python@"), step
                continue
            if step["name"] == "Install schemareg" and not install:
                continue

            def expression(match: re.Match[str]) -> str:
                name = match.group(1)
                if name.startswith("inputs."):
                    return values[name.removeprefix("inputs.")]
                if name == "github.action_path":
                    return str(self.action_path)
                raise AssertionError(f"an expression this runner does not know: {name}")

            step_env = {
                key: EXPRESSION.sub(expression, str(value)) for key, value in step.get("env", {}).items()
            }
            assert "${{" not in step["run"], "expressions in a run script are template injection"
            process = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=self.workspace,
                env={
                    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                    "HOME": os.environ.get("HOME", str(self.temp)),
                    "RUNNER_TEMP": str(self.temp),
                    "GITHUB_OUTPUT": str(output_file),
                    "GITHUB_STEP_SUMMARY": str(summary),
                    "GITHUB_RUN_ID": "4242",
                    "PIP_NO_INDEX": "1",
                    "PIP_NO_BUILD_ISOLATION": "0",
                    "SCHEMAREG_CACHE_DIR": str(self.temp / "cache"),
                    **env,
                    **step_env,
                },
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert process.returncode in (0, 1, 2), process.stderr
            code = process.returncode
            if code != 0:
                break
        for line in output_file.read_text().splitlines():
            name, _, value = line.partition("=")
            outputs[name] = value
        return {"step-exit": code, **outputs, "summary": summary.read_text(), "stderr": process.stderr}


def test_the_action_snapshots_checks_drift(pg_database: str, tmp_path: Path) -> None:
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL)")
    runner = Runner(tmp_path)
    with serve(tmp_path / "data") as base:
        httpx.put(f"{base}/v1/projects/shop", json={"dialect": "postgres"}, timeout=30).raise_for_status()
        database = {"DATABASE_URL": pg_database}

        snapshot = runner.run(
            {
                "command": 'snapshot --message "from the action"',
                "project": "shop",
                "env": "production",
                "registry-url": base,
            },
            database,
            install=True,
        )
        assert snapshot["step-exit"] == 0, snapshot["stderr"]
        assert snapshot["exit-code"] == "0"
        assert "### schemareg snapshot" in snapshot["summary"]
        head = httpx.get(f"{base}/v1/projects/shop/environments/production", timeout=30).json()
        assert head["sha"][:12] in Path(snapshot["output-file"]).read_text()
        # The installed command is the action's copy, not this checkout.
        installed = subprocess.run(
            [
                str(runner.temp / "schemareg-venv/bin/python"),
                "-c",
                "import schemareg; print(schemareg.__file__)",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert str(runner.temp / "schemareg-venv") in installed

        env = {**database, "SCHEMAREG_REGISTRY_URL": base}
        clean = runner.run({"command": "drift", "project": "shop", "env": "production"}, env)
        assert (clean["step-exit"], clean["exit-code"]) == (0, "0"), clean["stderr"]

        with psycopg.connect(pg_database, autocommit=True) as conn:
            conn.execute("ALTER TABLE users ADD COLUMN nickname text")
        drift = runner.run(
            {
                "command": "drift --format markdown",
                "project": "shop",
                "env": "production",
                "summary": "markdown",
            },
            env,
        )
        assert (drift["step-exit"], drift["exit-code"]) == (1, "1")  # drift fails the step by default
        assert "nickname" in drift["summary"] and "```" not in drift["summary"]
        tolerated = runner.run(
            {"command": "drift", "project": "shop", "env": "production", "fail-on-differences": "false"}, env
        )
        assert (tolerated["step-exit"], tolerated["exit-code"]) == (0, "1")

        # The pull-request workflow's step: the branch's file against production, through POST /check.
        (runner.workspace / "db").mkdir()
        (runner.workspace / "db/structure.sql").write_text("CREATE TABLE users (id bigint PRIMARY KEY);\n")
        check = runner.run(
            {
                "command": "check db/structure.sql --format markdown",
                "project": "shop",
                "env": "production",
                "fail-on-differences": "false",
                "summary": "markdown",
            },
            env,
        )
        assert (check["step-exit"], check["exit-code"]) == (0, "1"), check["stderr"]
        report = Path(check["output-file"]).read_text()
        assert "## Breaking Changes" in report and "`users`.`email`" in report

        # Inputs are words, never shell: a command substitution stays a literal argument.
        marker = tmp_path / "injected"
        injected = runner.run({"command": f"list $(touch {marker})"}, env)
        assert injected["exit-code"] == "2" and not marker.exists()
