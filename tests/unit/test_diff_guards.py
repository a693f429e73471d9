"""The guards over a real registry: baselines of an env (its head, then the releases in its history),
what a level would refuse, the release semver check, and the levels kept in the project's config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from schemareg.compat import Compatibility, Guards, Incompatible, ReleasePolicy, SemverMode
from schemareg.guards import baselines, check_release_name, check_write, would_refuse
from schemareg.normalize import normalize
from schemareg.projects import read_config, write_config
from schemareg.service import Registry

S1 = "CREATE TABLE t (id bigint PRIMARY KEY, a text, b text);"
S2 = "CREATE TABLE t (id bigint PRIMARY KEY, b text);"  # a dropped
S3 = "CREATE TABLE t (id bigint PRIMARY KEY, b text, c text);"
S4 = "CREATE TABLE t (id bigint PRIMARY KEY, b text, c text, d text);"


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    found = Registry(tmp_path / "data")
    found.init_project("shop")
    found.snapshot("shop", "production", S1)
    found.release("shop", "v1.0.0", env="production")
    found.snapshot("shop", "production", S2)
    found.release("shop", "v2.0.0", env="production")
    found.snapshot("shop", "production", S3)
    found.release("shop", "v2.1.0", env="production")
    yield found
    found.close()


def _head(registry: Registry) -> str:
    return registry.expected("shop", "production").sha


def test_baselines_are_the_head_then_the_releases_newest_first(registry: Registry) -> None:
    head = _head(registry)
    assert baselines(registry, "shop", "production", head, Compatibility.BACKWARD) == [
        (f"production@{head[:12]}", head)
    ]
    transitive = baselines(registry, "shop", "production", head, Compatibility.BACKWARD_TRANSITIVE)
    assert [label for label, _ in transitive[1:]] == ["v2.1.0", "v2.0.0", "v1.0.0"]
    assert baselines(registry, "shop", "production", None, Compatibility.BACKWARD_TRANSITIVE) == []


def test_transitive_refuses_what_breaks_a_release_two_back(registry: Registry) -> None:
    head, candidate = _head(registry), normalize(S4, "postgres")
    rules = registry.rules("shop")
    backward = Guards().with_level("production", Compatibility.BACKWARD)
    assert would_refuse(registry, "shop", "production", head, candidate, guards=backward, rules=rules) == []
    transitive = Guards().with_level("production", Compatibility.BACKWARD_TRANSITIVE)
    found = would_refuse(registry, "shop", "production", head, candidate, guards=transitive, rules=rules)
    assert [(v.against, [c.rule for c in v.changes]) for v in found] == [("v1.0.0", ["C201"])]
    with pytest.raises(Incompatible) as refused:
        check_write(
            registry, "shop", "production", head, candidate, guards=transitive, rules=rules, action="snapshot"
        )
    assert refused.value.against == ["v1.0.0"]
    forced = check_write(
        registry,
        "shop",
        "production",
        head,
        candidate,
        guards=transitive,
        rules=rules,
        action="snapshot",
        force=True,
        forced_by="local user ci",
    )
    assert forced[:2] == ["Forced-by: local user ci", "Forced-past: backward_transitive"]


def test_release_names_against_the_previous_release_enforce_warn_off(registry: Registry) -> None:
    registry.snapshot("shop", "production", S4)  # a column added since v2.1.0: needs a minor bump
    head, rules = _head(registry), registry.rules("shop")

    def guards(mode: SemverMode) -> Guards:
        return Guards(releases=ReleasePolicy(semver=mode))

    lines, warning = check_release_name(
        registry, "shop", "v2.1.1", head, guards=guards(SemverMode.WARN), rules=rules
    )
    assert warning is not None and "v2.1.1 is a patch bump over v2.1.0" in warning and lines
    with pytest.raises(Incompatible) as refused:
        check_release_name(registry, "shop", "v2.1.1", head, guards=guards(SemverMode.ENFORCE), rules=rules)
    assert [change.rule for change in refused.value.changes] == ["C101"]
    assert check_release_name(
        registry, "shop", "v2.2.0", head, guards=guards(SemverMode.ENFORCE), rules=rules
    ) == (
        [],
        None,
    )
    assert check_release_name(
        registry, "shop", "v2.1.1", head, guards=guards(SemverMode.OFF), rules=rules
    ) == (
        [],
        None,
    )


def test_levels_are_kept_in_the_project_config_across_rewrites(registry: Registry) -> None:
    path = registry.repo_path("shop")
    config = read_config(path, "shop")
    write_config(
        path, config.project, config.diff, config.guards.with_level("production", Compatibility.ADDITIVE)
    )
    registry.update_project("shop", description="rewritten")  # rewrites the file without naming the guards
    assert read_config(path, "shop").guards.level("production") is Compatibility.ADDITIVE
    assert read_config(path, "shop").project.description == "rewritten"
