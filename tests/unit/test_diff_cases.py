"""The diff case folders: `tests/fixtures/diff/<case>/{a.sql, b.sql, expected.json}`, one test each.

expected.json holds the dialect, optional ignore rules, the semver and the changes; each expected change
is compared on the fields it lists. `SCHEMAREG_UPDATE_CASES=1` rewrites the files from the current output
(review the result before committing it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from schemareg.diff import ChangeType, Diff, diff_schemas, rules_from_mapping
from schemareg.normalize import normalize

CASES = Path(__file__).resolve().parent.parent / "fixtures" / "diff"
FIELDS = ("change", "kind", "object", "name", "what", "severity", "rule")


def _cases() -> list[Path]:
    return sorted(path for path in CASES.iterdir() if (path / "a.sql").is_file())


def _diff(folder: Path, expected: dict[str, Any], *, reverse: bool = False) -> Diff:
    dialect = expected.get("dialect", "postgres")
    before = normalize((folder / "a.sql").read_text(), dialect, source="a.sql")
    after = normalize((folder / "b.sql").read_text(), dialect, source="b.sql")
    if reverse:
        before, after = after, before
    return diff_schemas(before, after, rules=rules_from_mapping(expected.get("rules", {})))


def _projection(diff: Diff) -> list[dict[str, Any]]:
    result = []
    for change in diff.changes:
        row = {field: getattr(change, field) for field in FIELDS}
        row["what"] = list(row["what"])
        if change.change is ChangeType.POSSIBLE_RENAME:
            row["after"] = change.after  # the new name: a rename case says which pair it matched
        result.append({key: value for key, value in row.items() if value not in (None, [])})
    return result


@pytest.mark.parametrize("folder", _cases(), ids=lambda path: path.name)
def test_case(folder: Path) -> None:
    expected_path = folder / "expected.json"
    expected = json.loads(expected_path.read_text())
    diff = _diff(folder, expected)
    actual = _projection(diff)
    if os.environ.get("SCHEMAREG_UPDATE_CASES"):
        expected |= {"semver": diff.semver.value, "changes": actual}
        expected_path.write_text(json.dumps(expected, indent=1) + "\n")
    assert diff.semver.value == expected["semver"]
    wanted = expected["changes"]
    assert len(actual) == len(wanted), actual
    for got, want in zip(actual, wanted, strict=True):
        assert {key: got.get(key) for key in want} == want


@pytest.mark.parametrize("folder", _cases(), ids=lambda path: path.name)
def test_case_reversed_is_empty_exactly_when_forward_is(folder: Path) -> None:
    expected = json.loads((folder / "expected.json").read_text())
    assert _diff(folder, expected, reverse=True).empty == _diff(folder, expected).empty


def test_cases_cover_every_change_kind_severity_and_dialect() -> None:
    seen: dict[str, set[str]] = {"change": set(), "severity": set(), "kind": set(), "dialect": set()}
    for folder in _cases():
        expected = json.loads((folder / "expected.json").read_text())
        seen["dialect"].add(expected.get("dialect", "postgres"))
        for change in expected["changes"]:
            for field in ("change", "severity", "kind"):
                seen[field].add(change[field])
            seen["change"].update(f"modify:{what}" for what in change.get("what", ()))
    assert {"add", "remove", "modify", "move", "possible_rename"} <= seen["change"]
    flags = ("type", "nullable", "default", "identity", "generated", "collation", "comment")
    assert {f"modify:{flag}" for flag in flags} <= seen["change"]
    assert {"breaking", "risky", "safe"} == seen["severity"]
    assert {"table", "column", "constraint", "index", "view", "function", "sequence"} <= seen["kind"]
    assert {"postgres", "mysql", "sqlite"} == seen["dialect"]
