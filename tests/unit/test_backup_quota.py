"""The storage quota (`prune --max-size`): after retention, the oldest deletable backups go until each
store fits; never the newest full backup, never a release's; an unmeetable quota is reported."""

from __future__ import annotations

import msgspec
import pytest

from schemareg.backup.catalog import Entry
from schemareg.backup.retention import enforce_quota, parse_size, plan
from schemareg.errors import InputError
from tests.unit.test_retention import NOW, FakeStore, manifest

MB = 1000**2


def entries(store: FakeStore, *specs: tuple[str, str, float, int]) -> list[Entry]:
    return [Entry(store, msgspec.structs.replace(manifest(n, k, d), size=s * MB)) for n, k, d, s in specs]


def test_the_oldest_deletable_go_until_the_total_fits() -> None:
    store = FakeStore("local")
    found = entries(
        store,
        ("rel-old", "release", 400, 50),
        ("manual-old", "manual", 90, 100),
        ("daily-3", "daily", 3, 100),
        ("daily-2", "daily", 2, 100),
        ("schema-1", "schema", 1, 10),
        ("daily-0", "daily", 0.1, 100),
    )
    decisions, [quota] = enforce_quota(plan(found, NOW), 300 * MB)
    deleted = {d.entry.name for d in decisions if d.delete}
    assert deleted == {"manual-old", "daily-3"}  # oldest first, the release skipped, then it fits
    assert all("quota" in d.reason for d in decisions if d.delete)
    assert (quota.before, quota.after, quota.met) == (460 * MB, 260 * MB, True)
    assert [e.name for e in quota.removed] == ["manual-old", "daily-3"]


def test_the_newest_full_backup_and_releases_stay_even_when_the_quota_cannot_be_met() -> None:
    store = FakeStore("local")
    found = entries(store, ("rel", "release", 900, 200), ("old", "daily", 5, 300), ("new", "daily", 1, 300))
    decisions, [quota] = enforce_quota(plan(found, NOW), 100 * MB)
    assert {d.entry.name: d.delete for d in decisions} == {"rel": False, "old": True, "new": False}
    assert not quota.met and quota.after == 500 * MB


def test_retention_deletions_count_before_the_quota_and_each_store_has_its_own() -> None:
    local, remote = FakeStore("local"), FakeStore("s3://b/p")
    found = [
        *entries(local, ("expired", "daily", 10, 500), ("l1", "daily", 2, 100), ("l2", "daily", 1, 100)),
        *entries(remote, ("r1", "daily", 2, 100), ("r2", "daily", 1, 100)),
    ]
    decisions, quotas = enforce_quota(plan(found, NOW), 150 * MB)
    assert {d.entry.name for d in decisions if d.delete} == {"expired", "l1", "r1"}
    assert [(q.store, q.before, q.after) for q in quotas] == [
        ("local", 200 * MB, 100 * MB),
        ("s3://b/p", 200 * MB, 100 * MB),
    ]


@pytest.mark.parametrize(
    ("text", "count"),
    [("500MB", 500 * MB), ("50GiB", 50 * 1024**3), ("1.5T", 1_500_000_000_000), ("1024", 1024), (7, 7)],
)
def test_sizes(text: str | int, count: int) -> None:
    assert parse_size(text) == count


def test_a_bad_size_is_refused() -> None:
    with pytest.raises(InputError, match="not a size"):
        parse_size("lots")
