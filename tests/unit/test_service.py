"""The registry's porcelain: projects, snapshots, envs, releases, promotion, refs and history."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from schemareg.errors import Conflict, InputError, InvalidName, NotFound
from schemareg.normalize import normalize
from schemareg.service import CONFIG_FILE, Registry, SnapshotMetadata
from schemareg.store import ProjectRepo

V1 = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);"
V1_AGAIN = "create table USERS (\n  id int8 primary key,\n  email TEXT not null\n) ; -- same schema"
V2 = V1 + "\nCREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10, 2));"
V3 = (
    V2
    + "\nALTER TABLE users ADD COLUMN name text;\nCREATE VIEW big AS SELECT id FROM orders WHERE total > 100;"
)


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    registry = Registry(tmp_path)
    registry.init_project("shop", "postgres", "the shop database")
    return registry


def test_projects(registry: Registry, tmp_path: Path) -> None:
    assert [p.name for p in registry.projects()] == ["shop"]
    assert registry.project("shop").description == "the shop database"
    assert (tmp_path / "shop.git" / CONFIG_FILE).read_text().startswith("# schemareg project settings")
    with pytest.raises(Conflict):
        registry.init_project("shop")
    with pytest.raises(InvalidName):
        registry.init_project("../evil")
    with pytest.raises(InputError):
        registry.init_project("other", "oracle")
    with pytest.raises(NotFound):
        registry.project("nope")
    with pytest.raises(NotFound):
        registry.snapshot("nope", "production", V1)


def test_update_project_and_diff_rules(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    registry.init_project(
        "shop", diff_rules={"ignore_objects": ["public.tmp_*"], "ignore_column_order": True}
    )
    assert registry.rules("shop").ignore_objects == ("public.tmp_*",)
    updated = registry.update_project("shop", description="renamed")
    assert updated.description == "renamed" and updated.dialect == "postgres"
    assert Registry(tmp_path).rules("shop").ignore_column_order  # the rules survive the update
    with pytest.raises(InputError):
        registry.init_project("bad", diff_rules={"no_such_rule": 1})


@pytest.mark.parametrize(
    "description",
    [
        "del \x7f here",
        "nul \x00 bell \x07 esc \x1b",
        "line\nbreak\ttab",
        'quote " backslash \\ \u2028',
        "\ud7ff\ue000",
    ],
)
def test_any_description_round_trips_through_the_project_config(tmp_path: Path, description: str) -> None:
    """Control characters (U+007F included) are escaped by the TOML writer: the project stays readable."""
    registry = Registry(tmp_path)
    registry.init_project("shop", description=description, diff_rules={"ignore_objects": [description]})
    assert Registry(tmp_path).project("shop").description == description
    assert Registry(tmp_path).rules("shop").ignore_objects == (description,)
    registry.update_project("shop", description=description + "\x7f")
    fresh = Registry(tmp_path)
    assert fresh.project("shop").description == description + "\x7f"
    assert [project.name for project in fresh.projects()] == ["shop"]
    fresh.snapshot("shop", "production", V1)
    assert fresh.info("shop", "production").description == description + "\x7f"


def test_snapshot_writes_the_tree_of_the_design(registry: Registry) -> None:
    result = registry.snapshot(
        "shop",
        "production",
        V1,
        metadata=SnapshotMetadata(
            database_version="PostgreSQL 15.5", migration_tool="alembic", migration_count=3
        ),
        seed_data="INSERT INTO public.users VALUES (1, 'a@example.com');\n",
    )
    assert result.created and result.version.subject == "snapshot production: initial, 1 table"
    repo = registry._repo("shop")
    info = json.loads(repo.read_file(repo.commit(result.sha).tree, "info.json") or b"{}")
    assert msgspec.to_builtins(registry.info("shop", result.sha)) == info
    assert list(info) == [
        "version",
        "created_at",
        "dialect",
        "database_version",
        "migration_tool",
        "migration_count",
        "last_migration",
        "tables",
        "objects",
        "opaque",
        "fingerprint",
        "normalizer",
        "source",
        "description",
    ]
    assert info["created_at"].endswith("Z") and info["tables"] == 1 and info["objects"] == {"table": 1}
    assert info["fingerprint"] == normalize(V1).fingerprint == result.fingerprint
    assert info["database_version"] == "PostgreSQL 15.5" and info["source"] == "ddl"
    assert info["normalizer"]["name"] == "schemareg-normalize"
    assert info["normalizer"]["version"].startswith("20+sqlglot.")
    repo = registry._repo("shop")
    files = repo.files(repo.commit(result.sha).tree)
    assert set(files) == {
        "info.json",
        "schema.sql",
        "README.md",
        "seed_data.sql",
        "objects/tables/public.users.sql",
    }
    assert registry.schema_sql("shop", "production").count("CREATE TABLE") == 1
    assert registry.readme("shop", "production").startswith("# Schema Version snapshot-")
    assert registry.seed_data("shop", "production") is not None


def test_same_fingerprint_makes_no_commit(registry: Registry) -> None:
    first = registry.snapshot("shop", "production", V1)
    again = registry.snapshot("shop", "production", V1_AGAIN)
    assert not again.created and again.sha == first.sha
    assert len(registry.history("shop", "production")) == 1


def test_snapshot_messages_count_changes(registry: Registry) -> None:
    registry.snapshot("shop", "production", V1)
    second = registry.snapshot("shop", "production", V2, message="add orders")
    assert second.version.subject == "snapshot production: 1 table changed (+1 -0 ~0)"
    third = registry.snapshot("shop", "production", V3)
    assert third.version.subject == (
        "snapshot production: 1 table changed (+0 -0 ~1), 1 other object changed (+1 -0 ~0)"
    )
    assert [str(key.name) for key in third.changes.modified] == ["public.users"]
    readme = registry.readme("shop", "production")
    assert "name" in readme and "big" in readme


def test_expected_is_cached_and_sees_other_writers(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(NotFound):
        registry.expected("shop", "production")
    first = registry.snapshot("shop", "production", V1)
    assert registry.expected("shop", "production").sha == first.sha
    other = Registry(tmp_path)  # another process, as far as caches go
    second = other.snapshot("shop", "production", V2)
    assert registry.expected("shop", "production").sha == second.sha

    # The hot path reads no git object once the head is known: no commit, tree or blob, no parse.
    reads: list[str] = []
    for name in ("commit", "blob", "read_file"):
        original = getattr(ProjectRepo, name)
        monkeypatch.setattr(
            ProjectRepo, name, lambda self, *args, _o=original, _n=name: reads.append(_n) or _o(self, *args)
        )
    for _ in range(100):
        registry.expected("shop", "production")
    assert reads == []


def test_promote(registry: Registry) -> None:
    staging = registry.snapshot("shop", "staging", V2)
    promoted = registry.promote("shop", "production", "staging")
    assert promoted.created and promoted.fingerprint == staging.fingerprint
    repo = registry._repo("shop")
    assert repo.commit(promoted.sha).tree == repo.commit(staging.sha).tree
    assert promoted.version.subject == "promote staging to production: initial"
    assert not registry.promote("shop", "production", "staging").created
    registry.snapshot("shop", "staging", V3)
    again = registry.promote("shop", "production", "staging")
    assert again.version.subject.startswith("promote staging to production: 1 table changed (+0 -0 ~1)")
    with pytest.raises(NotFound):
        registry.promote("shop", "production", "nowhere")


def test_releases(registry: Registry) -> None:
    registry.snapshot("shop", "production", V1)
    v1 = registry.release("shop", "v1.0.0", env="production", description="first")
    assert registry.expected("shop", "production").sha == v1.sha  # the env moves to the release commit
    assert registry.expected("shop", "production").release == "v1.0.0"
    assert registry.info("shop", "v1.0.0").version == "v1.0.0"
    assert registry.readme("shop", "v1.0.0").startswith("# Schema Version v1.0.0")
    with pytest.raises(Conflict):
        registry.release("shop", "v1.0.0", env="production")
    with pytest.raises(InvalidName):
        registry.release("shop", "bad..name", env="production")

    v2 = registry.release("shop", "v1.1.0", env="production", schema=V2)  # snapshot, then release
    readme = registry.readme("shop", "v1.1.0")
    assert "orders" in readme and "No schema changes" not in readme
    assert [r.name for r in registry.releases("shop")] == ["v1.0.0", "v1.1.0"]
    assert v2.fingerprint == normalize(V2).fingerprint
    # A release of an older version hangs off it without moving any env.
    registry.release("shop", "v1.0.1", ref=v1.sha)
    assert registry.expected("shop", "production").sha == v2.sha
    assert registry.resolve("shop", "v1.0.1") != v1.sha
    assert registry.info("shop", "v1.0.1").fingerprint == v1.fingerprint


def test_resolve_every_ref_form(registry: Registry) -> None:
    first = registry.snapshot("shop", "production", V1)
    registry.release("shop", "v1.0.0", ref=first.sha)
    second = registry.snapshot("shop", "production", V2)
    assert registry.resolve("shop", "production") == second.sha
    assert registry.resolve("shop", first.sha) == first.sha
    assert registry.resolve("shop", first.sha[:8]) == first.sha
    assert registry.resolve("shop", first.sha[:8].upper()) == first.sha
    assert registry.info("shop", "v1.0.0").fingerprint == first.fingerprint
    for bad in ("staging", "0000000", "refs/heads/production", "production~2", "v2.0.0"):
        with pytest.raises(NotFound):
            registry.resolve("shop", bad)


def test_schema_at_rebuilds_the_same_schema(registry: Registry, tmp_path: Path) -> None:
    result = registry.snapshot("shop", "production", V3)
    fresh = Registry(tmp_path)  # no cache: normalises schema.sql from git
    assert fresh.schema_at("shop", "production").fingerprint == result.fingerprint
    assert {o.name for o in fresh.objects("shop", "production")} == {
        "public.users",
        "public.orders",
        "public.big",
    }
    assert fresh.object_sql("shop", "production", "table", "public.orders").startswith("CREATE TABLE")
    assert fresh.object_sql("shop", "production", "tables", "public.orders").startswith("CREATE TABLE")
    with pytest.raises(NotFound):
        fresh.object_sql("shop", "production", "table", "public.nope")


def test_diff_and_changelog_between_versions(registry: Registry) -> None:
    registry.snapshot("shop", "production", V1)
    registry.release("shop", "v1", env="production")
    registry.snapshot("shop", "production", V2)
    diff = registry.diff("shop", "v1", "production")
    assert [(c.change.value, c.object) for c in diff.changes] == [("add", "public.orders")]
    assert registry.changelog("shop", "v1", "production", title="v2").startswith("# Schema Version v2")


def test_history_and_table_history(registry: Registry) -> None:
    registry.snapshot("shop", "production", V1)
    registry.release("shop", "v1", env="production")
    registry.snapshot("shop", "production", V2)
    registry.snapshot("shop", "production", V3)
    registry.snapshot("shop", "production", V3 + "\nALTER TABLE users ALTER COLUMN email DROP NOT NULL;")
    registry.release("shop", "v2", env="production")
    registry.snapshot("shop", "production", V3.replace("name text", "name varchar(80)"))

    history = registry.history("shop", "production")
    assert [entry.release for entry in history[:2]] == [None, "v2"]
    assert history[-1].subject == "snapshot production: initial, 1 table"
    assert len(registry.history("shop", "production", limit=2)) == 2

    users = registry.table_history("shop", "users")
    assert users.table == "public.users" and users.env == "production"
    events = [(e.change, e.kind, e.name, e.release) for e in users.events]
    assert events[0] == ("add", "table", None, "v1")
    assert ("add", "column", "name", "v2") in events
    modified = [e for e in users.events if e.change == "modify" and e.name == "email"]
    assert modified and modified[0].release == "v2" and "nullable" in modified[0].what
    assert any(e.name == "name" and e.release is None and e.change == "modify" for e in users.events)
    with pytest.raises(NotFound):
        registry.table_history("shop", "nope")


def test_seed_data_change_makes_a_commit(registry: Registry) -> None:
    first = registry.snapshot("shop", "production", V1, seed_data="INSERT INTO users VALUES (1);\n")
    same = registry.snapshot("shop", "production", V1, seed_data="INSERT INTO users VALUES (1);\n")
    changed = registry.snapshot("shop", "production", V1, seed_data="INSERT INTO users VALUES (2);\n")
    assert not same.created and changed.created and changed.sha != first.sha


def test_environments_listing(registry: Registry) -> None:
    registry.snapshot("shop", "staging", V2)
    registry.snapshot("shop", "production", V1)
    registry.release("shop", "v1", env="production")
    envs = registry.environments("shop")
    assert [(e.name, e.release) for e in envs] == [("production", "v1"), ("staging", None)]
    assert json.loads(msgspec.json.encode(registry.info("shop", "staging")))["tables"] == 2


def test_gc_keeps_everything_readable(registry: Registry) -> None:
    registry.snapshot("shop", "production", V1)
    registry.snapshot("shop", "production", V2)
    result = registry.gc("shop", use_git=False)
    assert result.loose_after == 0
    assert registry.schema_at("shop", "production").fingerprint == normalize(V2).fingerprint


def test_a_project_with_snapshots_keeps_its_engine(tmp_path: Path) -> None:
    """`[normalize] engine` is fixed for a project's history: the same DDL must never get two fingerprints
    in one project. A change is refused once there is a snapshot, and nothing is lost."""
    registry = Registry(tmp_path)
    registry.init_project("shop")
    assert registry.project("shop").engine == "sqlglot"
    assert registry.update_project("shop", engine="postgres").engine == "postgres"  # no history yet
    assert registry.update_project("shop", engine="sqlglot").engine == "sqlglot"
    first = registry.snapshot("shop", "production", V1)
    config = (registry.repo_path("shop") / CONFIG_FILE).read_text(encoding="utf-8")
    with pytest.raises(Conflict, match="engine is fixed for its history"):
        registry.update_project("shop", engine="postgres", description="renamed")
    fresh = Registry(tmp_path)
    assert (fresh.repo_path("shop") / CONFIG_FILE).read_text(encoding="utf-8") == config  # nothing written
    assert fresh.project("shop").engine == "sqlglot" and fresh.project("shop").description == ""
    assert fresh.expected("shop", "production").fingerprint == first.version.fingerprint
    # the same engine, or other settings, are still fine
    assert registry.update_project("shop", engine="sqlglot", description="ok").description == "ok"
    with pytest.raises(InputError):
        registry.update_project("shop", engine="oracle")
    registry.init_project("lab", engine="postgres")
    assert Registry(tmp_path).project("lab").engine == "postgres"
