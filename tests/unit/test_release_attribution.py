"""Which release a commit is, and which release shipped a table change: by commit (the tag's target),
then by tree (a promotion of the release), the fingerprint only for a release cut on another env. And one
`created_at` per commit, the commit's own time, wherever a commit is shown."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from schemareg.cli import run
from schemareg.service import Registry

V1 = "CREATE TABLE tags (id bigint PRIMARY KEY);"
V2 = V1 + "\nALTER TABLE tags ADD COLUMN name text;"
V3 = V2 + "\nALTER TABLE tags ADD COLUMN colour text;"


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    registry = Registry(tmp_path / "data")
    registry.init_project("shop")
    return registry


def test_two_releases_of_one_schema_are_told_apart_by_commit(registry: Registry) -> None:
    """v1.0.0 and v1.2.0 have one fingerprint: each commit is the release that tags it, and the changes
    before v1.0.0 shipped in v1.0.0, not in the latest release with that schema."""
    registry.snapshot("shop", "production", V1)
    registry.snapshot("shop", "production", V2)
    v1_0 = registry.release("shop", "v1.0.0", env="production")
    v1_2 = registry.release("shop", "v1.2.0", env="production")  # nothing changed in between
    assert v1_0.fingerprint == v1_2.fingerprint
    assert registry.version("shop", "v1.0.0").release == "v1.0.0"
    assert registry.version("shop", "v1.2.0").release == "v1.2.0"
    by_sha = {entry.sha: entry.release for entry in registry.history("shop", "production")}
    assert by_sha[v1_0.sha] == "v1.0.0" and by_sha[v1_2.sha] == "v1.2.0"

    events = registry.table_history("shop", "tags").events
    assert [(e.change, e.kind, e.name, e.release) for e in events] == [
        ("add", "table", None, "v1.0.0"),
        ("add", "column", "name", "v1.0.0"),
    ]
    registry.snapshot("shop", "production", V3)
    registry.release("shop", "v1.3.0", env="production")
    assert registry.table_history("shop", "tags").events[-1].release == "v1.3.0"


def test_a_release_off_the_line_ships_what_it_was_cut_from(registry: Registry) -> None:
    first = registry.snapshot("shop", "production", V1)
    registry.snapshot("shop", "production", V2)
    registry.snapshot("shop", "production", V3)
    registry.release("shop", "v1.0.0", ref=first.sha)  # hangs off the first snapshot, moves no env
    registry.release("shop", "v1.1.0", ref="production~1")
    events = registry.table_history("shop", "tags").events
    assert [(e.name, e.release) for e in events] == [(None, "v1.0.0"), ("name", "v1.1.0"), ("colour", None)]


def test_a_revert_to_a_released_schema_is_not_shipped_by_that_release(registry: Registry) -> None:
    """v1.0.0 has schema V2; the line later drops the column and adds it back (V2 again): the change
    after v1.0.0 is unreleased, though its fingerprint is v1.0.0's."""
    registry.snapshot("shop", "production", V1)
    registry.snapshot("shop", "production", V2)
    registry.release("shop", "v1.0.0", env="production")
    registry.snapshot("shop", "production", V1)
    registry.snapshot("shop", "production", V2)
    events = registry.table_history("shop", "tags").events
    assert [(e.change, e.name, e.release) for e in events] == [
        ("add", None, "v1.0.0"),
        ("add", "name", "v1.0.0"),
        ("remove", "name", None),
        ("add", "name", None),
    ]


def test_releases_cut_on_another_env(registry: Registry) -> None:
    """Promoted from a release: by tree. Promoted from the env a release was later cut on: by fingerprint."""
    registry.snapshot("shop", "staging", V1)
    registry.release("shop", "v1.0.0", env="staging")
    registry.promote("shop", "production", "v1.0.0")
    registry.snapshot("shop", "staging", V2)
    registry.promote("shop", "production", "staging")
    registry.release("shop", "v1.1.0", env="staging")  # cut after production got the schema
    assert registry.expected("shop", "production").release == "v1.1.0"
    events = registry.table_history("shop", "tags", env="production").events
    assert [(e.name, e.release) for e in events] == [(None, "v1.0.0"), ("name", "v1.1.0")]
    assert [entry.release for entry in registry.history("shop", "production")] == ["v1.1.0", "v1.0.0"]


def test_one_created_at_per_commit(
    registry: Registry, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A promoted commit keeps the source's info.json (and its created_at, when the schema was taken);
    the commit's created_at is its own time, the same in /environments, /versions, /history, list and git."""
    registry.snapshot("shop", "staging", V1)
    staging = registry.version("shop", "staging")
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)  # the promotion happens an hour later
    registry.promote("shop", "production", "staging")
    monkeypatch.undo()
    git_log = ["git", "-C", str(registry.data_dir / "shop.git"), "log", "-1", "production"]
    git_time = subprocess.run(
        [*git_log, "--format=%cd", "--date=format-local:%Y-%m-%dT%H:%M:%SZ"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TZ": "UTC"},
    ).stdout.strip()
    production = registry.expected("shop", "production")
    assert production.info.created_at == staging.info.created_at != git_time  # what info.json says
    assert production.created_at == git_time
    assert registry.version("shop", production.sha).created_at == git_time
    assert registry.history("shop", "production")[0].created_at == git_time
    assert {e.name: e.created_at for e in registry.environments("shop")}["production"] == git_time
    assert run(["list", "--project", "shop", "--data-dir", str(registry.data_dir)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "production" in line)
    assert git_time in line
