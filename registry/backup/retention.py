"""Retention: which backups to keep. The plan is pure (entries and a clock in, decisions out); `apply`
deletes what the plan says.

Rules (DESIGN.md): daily backups 7 days; schema snapshots 30 days; releases forever; manual and
pre-migration backups until deleted by hand; never the newest full backup of a store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from schemareg.backup.catalog import Entry
from schemareg.backup.manifest import FULL_KINDS

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
    newest: dict[str, Entry] = {}
    for entry in entries:
        if entry.manifest.kind in FULL_KINDS:
            best = newest.get(entry.store.label)
            if best is None or entry.manifest.created() > best.manifest.created():
                newest[entry.store.label] = entry
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
