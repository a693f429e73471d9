"""Retention planning (pure): daily 7 days, schema 30 days, releases forever, never the newest full."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemareg.backup.catalog import Entry
from schemareg.backup.manifest import Manifest
from schemareg.backup.retention import apply, plan

NOW = datetime(2025, 6, 30, 2, 0, tzinfo=UTC)


class FakeStore:
    def __init__(self, label: str) -> None:
        self.label = label
        self.deleted: list[str] = []

    def entries(self) -> list[Entry]:
        return []

    def delete(self, name: str) -> None:
        self.deleted.append(name)

    def url(self, name: str) -> str:
        return f"{self.label}/{name}"


def manifest(name: str, kind: str, days: float) -> Manifest:
    created = (NOW - timedelta(days=days)).isoformat().replace("+00:00", "Z")
    return Manifest(
        name=name,
        kind=kind,
        format="plain",
        compression="gzip",
        compressed_by="schemareg",
        sha256="0" * 64,
        size=1,
        raw_size=1,
        created_at=created,
        duration_seconds=0.1,
        database="postgresql://app:***@db/shop",
        server_version="PostgreSQL 15.5",
        pg_dump_version="pg_dump 15.5",
        restrict_key=None,
        fingerprint=None,
    )


def decisions(store: FakeStore, *specs: tuple[str, str, float]) -> dict[str, tuple[bool, str]]:
    entries = [Entry(store, manifest(name, kind, days)) for name, kind, days in specs]
    return {d.entry.name: (d.delete, d.reason) for d in plan(entries, NOW)}


def test_daily_backups_are_kept_seven_days() -> None:
    found = decisions(
        FakeStore("local"), ("new", "daily", 0.5), ("week", "daily", 6.9), ("old", "daily", 7.1)
    )
    assert not found["new"][0] and not found["week"][0]
    assert found["old"][0] and "7 days" in found["old"][1]


def test_schema_snapshots_thirty_days_releases_forever() -> None:
    found = decisions(
        FakeStore("s3://b/p"),
        ("full", "daily", 1),
        ("s29", "schema", 29),
        ("s31", "schema", 31),
        ("rel", "release", 4000),
    )
    assert found == {
        "full": (False, "the newest full backup: always kept"),
        "s29": (False, found["s29"][1]),
        "s31": (True, found["s31"][1]),
        "rel": (False, "release: kept forever"),
    }


def test_the_newest_full_backup_is_never_deleted_even_when_old() -> None:
    found = decisions(FakeStore("local"), ("a", "daily", 40), ("b", "daily", 30), ("s", "schema", 1))
    assert found["b"] == (False, "the newest full backup: always kept")
    assert found["a"][0]


def test_manual_and_pre_migration_backups_stay_and_count_as_full() -> None:
    found = decisions(
        FakeStore("local"), ("m", "manual", 100), ("p", "pre-migration", 90), ("d", "daily", 95)
    )
    assert not found["m"][0] and not found["p"][0]
    assert found["d"][0]  # "m" is the newest full backup, so the old daily goes


def test_each_store_keeps_its_own_newest_full_backup() -> None:
    local, remote = FakeStore("local"), FakeStore("s3://b/p")
    entries = [
        Entry(local, manifest("l-old", "daily", 20)),
        Entry(local, manifest("l-new", "daily", 10)),
        Entry(remote, manifest("r-only", "daily", 50)),
    ]
    result = plan(entries, NOW)
    assert [d.delete for d in result] == [True, False, False]
    assert [e.name for e in apply(result)] == ["l-old"]
    assert local.deleted == ["l-old"] and remote.deleted == []
