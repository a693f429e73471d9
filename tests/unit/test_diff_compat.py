"""Compatibility levels and release semver as pure functions over diffs (the service wiring is tested
through the API, the CLI and the client in tests/integration/test_compat.py)."""

from __future__ import annotations

import pytest

from schemareg.compat import (
    Compatibility,
    Guards,
    ReleasePolicy,
    SemverMode,
    check_release,
    forced_note,
    guards_from_document,
    parse_level,
    parse_semver,
    previous_release,
    refusal,
    violations,
)
from schemareg.diff import Diff, Semver, diff_schemas
from schemareg.errors import Conflict, InputError
from schemareg.normalize import normalize

BASE = "CREATE TABLE t (id bigint PRIMARY KEY, v text, w text);"
ADDED = "CREATE TABLE t (id bigint PRIMARY KEY, v text, w text, x text);"  # safe
INDEXED = BASE + " CREATE INDEX t_v ON t (v);"  # safe
DEFAULTED = "CREATE TABLE t (id bigint PRIMARY KEY, v text DEFAULT 'a', w text);"  # safe
CHANGED_DEFAULT = "CREATE TABLE t (id bigint PRIMARY KEY, v text DEFAULT 'b', w text);"  # risky
DROPPED = "CREATE TABLE t (id bigint PRIMARY KEY, v text);"  # breaking


def _diff(before: str, after: str, label: str = "head") -> Diff:
    return diff_schemas(normalize(before, "postgres"), normalize(after, "postgres"), from_label=label)


@pytest.mark.parametrize(
    ("level", "after", "refused"),
    [
        (Compatibility.NONE, DROPPED, False),
        (Compatibility.BACKWARD, ADDED, False),
        (Compatibility.BACKWARD, INDEXED, False),
        (Compatibility.BACKWARD, DEFAULTED, False),
        (Compatibility.BACKWARD, DROPPED, True),
        (Compatibility.ADDITIVE, ADDED, False),
        (Compatibility.ADDITIVE, DEFAULTED, False),
        (Compatibility.ADDITIVE, DROPPED, True),
    ],
)
def test_each_level_refuses_exactly_its_changes(level: Compatibility, after: str, refused: bool) -> None:
    assert bool(violations(level, [_diff(BASE, after)])) is refused


def test_additive_refuses_risky_changes_that_backward_accepts() -> None:
    diff = _diff(DEFAULTED, CHANGED_DEFAULT)
    assert not violations(Compatibility.BACKWARD, [diff])
    (violation,) = violations(Compatibility.ADDITIVE, [diff])
    assert [change.rule for change in violation.changes] == ["C424"]


def test_transitive_checks_every_baseline_and_names_the_one_broken() -> None:
    # v1 had w; the head already lacks it (forced earlier); dropping nothing more against the head is
    # fine for `backward`, but `backward_transitive` still sees w dropped against v1.
    against_head = _diff(DROPPED, DROPPED, "production@abc")
    against_v1 = _diff(BASE, DROPPED, "v1")
    against_v2 = _diff(DROPPED, DROPPED, "v2")
    assert not violations(Compatibility.BACKWARD, [against_head])
    found = violations(Compatibility.BACKWARD_TRANSITIVE, [against_head, against_v2, against_v1])
    assert [violation.against for violation in found] == ["v1"]
    error = refusal("shop", "production", Compatibility.BACKWARD_TRANSITIVE, found, action="snapshot")
    assert isinstance(error, Conflict)
    assert [change.rule for change in error.changes] == ["C201"] and error.against == ["v1"]
    assert "C201" in str(error) and "nothing was stored" in str(error)


def test_guards_round_trip_through_the_config_document() -> None:
    guards = Guards().with_level("production", Compatibility.BACKWARD).with_level("dev", Compatibility.NONE)
    document = guards.document()
    assert document == {"environments": {"production": {"compatibility": "backward"}}}
    assert guards_from_document(document).level("production") is Compatibility.BACKWARD
    assert guards_from_document({}).level("anything") is Compatibility.NONE
    assert guards_from_document({}).releases == ReleasePolicy(semver=SemverMode.WARN)
    enforce = guards_from_document({"releases": {"semver": "enforce"}})
    assert enforce.releases.semver is SemverMode.ENFORCE and enforce.document() == {
        "releases": {"semver": "enforce"}
    }
    with pytest.raises(InputError):
        guards_from_document({"environments": {"production": {"compatibility": "forwards"}}})
    with pytest.raises(InputError, match="use one of none, backward"):
        parse_level("sideways")


def test_semver_names_and_the_previous_release() -> None:
    assert parse_semver("v1.2.3") == (1, 2, 3) and parse_semver("1.2.3") == (1, 2, 3)
    assert (
        parse_semver("v1.2") is None and parse_semver("release-7") is None and parse_semver("v01.2.3") is None
    )
    assert previous_release("v1.3.0", ["v1.0.0", "v1.2.5", "v2.0.0", "nightly"]) == "v1.2.5"
    assert previous_release("v1.0.0", ["v1.0.0", "v2.0.0"]) is None
    assert previous_release("nightly", ["v1.0.0"]) is None


def test_a_bump_smaller_than_the_changes_need_is_named_with_those_changes() -> None:
    breaking = _diff(BASE, DROPPED)
    minor = check_release("v1.1.0", "v1.0.0", breaking)
    assert minor is not None and not minor.ok
    assert (minor.bump, minor.required) == (Semver.MINOR, Semver.MAJOR)
    assert [change.rule for change in minor.changes] == ["C201"]
    major = check_release("v2.0.0", "v1.0.0", breaking)
    assert major is not None and major.ok and not major.changes
    additive = _diff(BASE, ADDED)
    patch = check_release("v1.0.1", "v1.0.0", additive)
    assert patch is not None and not patch.ok and [c.rule for c in patch.changes] == ["C101"]
    assert check_release("v1.1.0", "v1.0.0", additive).ok  # type: ignore[union-attr]
    # before 1.0.0, a breaking change needs only a minor bump
    assert check_release("v0.2.0", "v0.1.0", breaking).ok  # type: ignore[union-attr]
    assert check_release("nightly", "v1.0.0", breaking) is None


def test_forced_note_records_who_and_what() -> None:
    found = violations(Compatibility.BACKWARD, [_diff(BASE, DROPPED, "production@abc")])
    assert forced_note("token ci-admin", "backward", found) == [
        "Forced-by: token ci-admin",
        "Forced-past: backward",
        "Forced-changes: 1 against production@abc (C201)",
    ]
