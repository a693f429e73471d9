"""Rule codes: every code the policy can emit is in the catalogue, documented, and shown by a case;
a project's `[diff.severity]` and a run's `--allow` change severities."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemareg.changelog import render_markdown, render_text
from schemareg.cli import cli
from schemareg.diff import RULES, Severity, diff_schemas, rule, rules_from_mapping, rules_from_toml
from schemareg.errors import InputError
from schemareg.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"^[A-Z]\d{3}$")


def _policy_codes() -> set[str]:
    """Every rule code written in the policy module (the only place verdicts are made)."""
    tree = ast.parse((ROOT / "registry" / "diff" / "policy.py").read_text())
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value)
    }


def _documented() -> dict[str, tuple[str, str]]:
    rows = re.findall(
        r"^\| `([A-Z]\d{3})` \| (.+?) \| (breaking|risky|safe) \| .+ \|$",
        (ROOT / "docs" / "diff.md").read_text(),
        flags=re.MULTILINE,
    )
    return {code: (title, severity) for code, title, severity in rows}


def test_codes_are_unique_and_the_policy_emits_only_catalogued_codes() -> None:
    codes = [entry.code for entry in RULES]
    assert len(codes) == len(set(codes))
    assert _policy_codes() == set(codes)


def test_every_code_is_documented_with_its_title_and_default_severity() -> None:
    documented = _documented()
    assert {entry.code: (entry.title, entry.severity.value) for entry in RULES} == documented


def test_every_code_is_shown_by_a_diff_case() -> None:
    seen = {
        change.get("rule")
        for expected in (ROOT / "tests" / "fixtures" / "diff").glob("*/expected.json")
        for change in json.loads(expected.read_text())["changes"]
    }
    assert {entry.code for entry in RULES} <= seen


BEFORE = "CREATE TABLE t (id bigint PRIMARY KEY, v character varying(10), u uuid);"
AFTER = "CREATE TABLE t (id bigint PRIMARY KEY, v character varying(5) NOT NULL, u text);"


def _diff(**rules: object) -> dict[str, tuple[str, str, str]]:
    diff = diff_schemas(
        normalize(BEFORE, "postgres"), normalize(AFTER, "postgres"), rules=rules_from_mapping(rules)
    )
    return {change.name or "": (change.rule, change.severity.value, change.title) for change in diff.changes}


def test_each_change_names_its_rule_and_the_most_severe_flag_decides() -> None:
    changes = _diff()
    assert changes["u"] == ("C403", "risky", "column type changed to text")
    assert changes["v"][:2] == ("C404", "breaking")  # narrowed and NOT NULL added: both breaking


def test_project_severity_overrides_apply_per_rule() -> None:
    changes = _diff(severity={"C403": "safe", "C404": "risky"})
    assert changes["u"][:2] == ("C403", "safe")
    assert changes["v"][:2] == ("C412", "breaking")  # the other flag still breaks
    assert _diff(severity={"C404": "safe", "C412": "safe"})["v"][1] == "safe"


def test_allow_makes_a_rule_safe_for_a_run() -> None:
    assert _diff(allow=["C403"])["u"][:2] == ("C403", "safe")


def test_unknown_codes_and_severities_are_refused() -> None:
    with pytest.raises(InputError, match="unknown rule code 'Z999'"):
        rules_from_mapping({"severity": {"Z999": "safe"}})
    with pytest.raises(InputError):
        rules_from_mapping({"severity": {"C403": "fatal"}})
    with pytest.raises(InputError, match="unknown rule code"):
        rules_from_mapping({"allow": ["nope"]})
    assert rules_from_toml('[diff.severity]\nC403 = "safe"\n').severity == {"C403": Severity.SAFE}
    assert rule("C404").severity is Severity.BREAKING


def test_text_and_markdown_name_the_rules() -> None:
    diff = diff_schemas(normalize(BEFORE, "postgres"), normalize(AFTER, "postgres"))
    text = render_text(diff)
    assert "C404" in text and "(column type changed to text)" in text
    markdown = render_markdown(diff, "v2")
    breaking = markdown.split("## Breaking Changes")[1].split("## Migration Notes")[0]
    assert "(`C404` column type narrowed)" in breaking


def test_cli_allow_and_config_severity(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text(BEFORE)
    (tmp_path / "b.sql").write_text(AFTER)
    args = ["diff", "--from-file", str(tmp_path / "a.sql"), "--to-file", str(tmp_path / "b.sql")]
    runner = CliRunner()
    plain = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    assert plain["semver"] == "major"
    allowed = runner.invoke(cli, [*args, "--format", "json", "--allow", "C404", "--allow", "C412"])
    document = json.loads(allowed.output)
    assert (allowed.exit_code, document["semver"]) == (1, "minor")
    assert {change["rule"] for change in document["changes"]} == {"C403", "C404"}
    config = tmp_path / "schemareg.toml"
    config.write_text('[diff.severity]\nC404 = "safe"\nC412 = "safe"\nC403 = "safe"\n')
    configured = json.loads(runner.invoke(cli, [*args, "--format", "json", "--config", str(config)]).output)
    assert {change["severity"] for change in configured["changes"]} == {"safe"}
    refused = runner.invoke(cli, [*args, "--allow", "Q1"])
    assert refused.exit_code == 2 and "unknown rule code" in refused.output
