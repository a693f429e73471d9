"""The requests the backup workflows run, built in the core from a command's options (schemareg.backup.plans)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from schemareg.backup import Store
from schemareg.backup.plans import BackupOptions, backup_request, local_backup_dir, verify_request
from schemareg.errors import InputError


@dataclass
class _Found:
    sha: str
    fingerprint: str


class _Lookups:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def version(self, project: str, ref: str) -> _Found:
        self.calls.append(f"version {project} {ref}")
        return _Found("a" * 40, "f1")

    def schema_sql(self, project: str, ref: str) -> str:
        self.calls.append(f"schema_sql {project} {ref}")
        return "CREATE TABLE t (id int);\n"

    def expected(self, project: str, env: str) -> _Found:
        self.calls.append(f"expected {project} {env}")
        return _Found("b" * 40, "f2")


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEMAREG_CONFIG", str(tmp_path / "none.toml"))


def _never() -> _Lookups:
    raise AssertionError("the registry was opened")


def test_a_database_backup_reads_nothing_of_the_registry(tmp_path: Path) -> None:
    request = backup_request(BackupOptions(dsn="postgresql://db/shop", backup_dir=tmp_path), _never)
    assert request.database is not None and request.dest == tmp_path and request.kind == "manual"
    assert request.release is None and request.env_head is None


def test_a_release_backup_reads_the_release_and_the_env_head(tmp_path: Path) -> None:
    lookups = _Lookups()
    options = BackupOptions(release="v1", project="shop", env="production", backup_dir=tmp_path)
    request = backup_request(options, lambda: lookups)
    assert (request.kind, request.database, request.release, request.release_fingerprint) == (
        "release",
        None,
        "v1",
        "f1",
    )
    assert request.release_sql == "CREATE TABLE t (id int);\n"
    assert (request.env_head, request.env_fingerprint) == ("b" * 40, "f2")
    assert lookups.calls == ["version shop v1", "schema_sql shop v1", "expected shop production"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (BackupOptions(schema_only=True, release="v1", dsn="x"), "--schema-only and --release"),
        (BackupOptions(no_local=True, dsn="x"), "--no-local needs --s3"),
        (BackupOptions(release="v1"), "--release needs --project"),
        (BackupOptions(), "no database"),
        (BackupOptions(dsn="postgresql://db/shop", env="production"), "--env needs --project"),
    ],
)
def test_options_that_do_not_go_together(options: BackupOptions, message: str) -> None:
    with pytest.raises(InputError, match=message):
        backup_request(options, _never)


def test_the_local_dir_and_no_local(tmp_path: Path) -> None:
    assert local_backup_dir(tmp_path, None) == tmp_path / "backups"
    assert local_backup_dir(tmp_path, tmp_path / "b") == tmp_path / "b"
    request = backup_request(
        BackupOptions(dsn="postgresql://db/shop", no_local=True, s3_url="s3://bucket/prefix"), _never
    )
    assert request.dest is None and request.s3 is not None and request.s3.bucket == "bucket"


def test_a_drill_looks_for_stores_only_for_latest() -> None:
    def stores() -> list[Store]:
        raise AssertionError("the stores were listed")

    request = verify_request(
        "/backups/full.sql.gz",
        dev_url=None,
        stores=stores,
        identity=None,
        jobs=2,
        pg_bin=None,
    )
    assert request.stores == [] and request.jobs == 2
    found = verify_request("latest", dev_url=None, stores=list, identity=None, jobs=4, pg_bin=None)
    assert found.backup == "latest" and found.stores == []
