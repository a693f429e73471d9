"""Retention: which backups to keep. The plan is pure (entries and a clock in, decisions out); `apply`
deletes what the plan says.

Rules (DESIGN.md): daily backups 7 days; schema snapshots 30 days; releases forever; manual and
pre-migration backups until deleted by hand; never the newest full backup of a store. Then, with a
storage quota, the oldest deletable backups of a store go until its total fits (`enforce_quota`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from schemareg.backup.catalog import Entry
from schemareg.backup.manifest import FULL_KINDS
from schemareg.errors import InputError

DAILY_DAYS = 7
SCHEMA_DAYS = 30


@dataclass(frozen=True)
class Decision:
    entry: Entry
    delete: bool
    reason: str


def plan(entries: Sequence[Entry], now: datetime | None = None) -> list[Decision]:
    """One decision per entry, in the order given."""
    moment = now or datetime.now(UTC)
    newest = _newest_full(entries)
    decisions = []
    for entry in entries:
        kind = entry.manifest.kind
        age = entry.age_days(moment)
        if kind == "release":
            decisions.append(Decision(entry, False, "release: kept forever"))
        elif newest.get(entry.store.label) is entry:
            decisions.append(Decision(entry, False, "the newest full backup: always kept"))
        elif kind == "daily" and age > DAILY_DAYS:
            decisions.append(Decision(entry, True, f"daily, {age:.0f} days old (kept {DAILY_DAYS} days)"))
        elif kind == "schema" and age > SCHEMA_DAYS:
            decisions.append(Decision(entry, True, f"schema, {age:.0f} days old (kept {SCHEMA_DAYS} days)"))
        elif kind == "daily":
            decisions.append(Decision(entry, False, f"daily, {age:.1f} days old (kept {DAILY_DAYS} days)"))
        elif kind == "schema":
            decisions.append(Decision(entry, False, f"schema, {age:.1f} days old (kept {SCHEMA_DAYS} days)"))
        else:
            decisions.append(Decision(entry, False, f"{kind}: kept until deleted by hand"))
    return decisions


def apply(decisions: Sequence[Decision]) -> list[Entry]:
    """Delete what the plan says, and return what was deleted."""
    deleted = []
    for decision in decisions:
        if decision.delete:
            decision.entry.store.delete(decision.entry.name)
            deleted.append(decision.entry)
    return deleted


@dataclass(frozen=True)
class Quota:
    """What the storage quota did to one store: its total before and after the plan, and whether it fits."""

    store: str
    limit: int
    before: int  # bytes of the backups retention keeps
    after: int  # bytes left once the quota's deletions are done
    removed: tuple[Entry, ...]

    @property
    def met(self) -> bool:
        return self.after <= self.limit


def enforce_quota(decisions: Sequence[Decision], limit: int) -> tuple[list[Decision], list[Quota]]:
    """After retention, per store: delete the oldest deletable backups until the total fits `limit`.
    Never the newest full backup of the store and never a release's; when only those are left, the quota
    cannot be met and the Quota says so."""
    chosen = list(decisions)
    newest = _newest_full(entry for entry in (d.entry for d in chosen))
    reports = []
    for label in dict.fromkeys(d.entry.store.label for d in chosen):
        kept = [i for i, d in enumerate(chosen) if d.entry.store.label == label and not d.delete]
        before = total = sum(chosen[i].entry.manifest.size for i in kept)
        removed: list[Entry] = []
        deletable = [
            i
            for i in kept
            if chosen[i].entry.manifest.kind != "release" and newest.get(label) is not chosen[i].entry
        ]
        for i in sorted(deletable, key=lambda i: chosen[i].entry.manifest.created_at):
            if total <= limit:
                break
            entry = chosen[i].entry
            total -= entry.manifest.size
            removed.append(entry)
            chosen[i] = Decision(entry, True, f"over the quota of {format_size(limit)}: the oldest deletable")
        reports.append(Quota(label, limit, before, total, tuple(removed)))
    return chosen, reports


def _newest_full(entries: Iterable[Entry]) -> dict[str, Entry]:
    newest: dict[str, Entry] = {}
    for entry in entries:
        if entry.manifest.kind in FULL_KINDS:
            best = newest.get(entry.store.label)
            if best is None or entry.manifest.created() > best.manifest.created():
                newest[entry.store.label] = entry
    return newest


_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": 1024,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": 1024**3,
    "t": 1000**4,
    "tb": 1000**4,
    "tib": 1024**4,
}


def parse_size(text: str | int) -> int:
    """Bytes from `500MB`, `50GiB`, `1.5T` or a plain number of bytes (SI for kB/MB/GB, IEC for KiB...)."""
    if isinstance(text, int):
        return text
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = found[2].lower() if found else ""
    if found is None or unit not in _UNITS:
        raise InputError(f"not a size: {text!r} (for example 500MB, 50GiB, 1.5TB)")
    return int(float(found[1]) * _UNITS[unit])


def format_size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"
