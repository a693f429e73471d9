"""`prune`: retention, then the storage quota, over every store; the plan first, deletions only when asked;
and the alert a quota gives (what it removed, or that it cannot be met)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemareg.alerts.incidents import Incident, IncidentKind
from schemareg.backup.catalog import LocalStore, list_backups
from schemareg.backup.retention import Decision, Quota, apply, enforce_quota, format_size, parse_size, plan


@dataclass
class PruneOutcome:
    decisions: list[Decision]
    partials: list[Path]  # temporary files of backups that died more than a day ago
    quotas: list[Quota] = field(default_factory=list)


def prune(stores: list[Any], max_size: str | int | None = None, *, apply_plan: bool = False) -> PruneOutcome:
    decisions = plan(list_backups(stores))
    quotas: list[Quota] = []
    if max_size is not None:
        decisions, quotas = enforce_quota(decisions, parse_size(max_size))
    partials = [path for store in stores if isinstance(store, LocalStore) for path in store.stale_partials()]
    if apply_plan:
        apply(decisions)
        for path in partials:
            path.unlink(missing_ok=True)
    return PruneOutcome(decisions, partials, quotas)


def quota_incident(project: str, outcome: PruneOutcome, *, applied: bool) -> Incident | None:
    """An alert when the quota removed backups or cannot be met; None when it changed nothing."""
    lines, unmet = [], []
    for quota in outcome.quotas:
        if not quota.met:
            unmet.append(quota)
            lines.append(
                f"- {quota.store}: {format_size(quota.after)} left over the quota of {format_size(quota.limit)};"
                " only the newest full backup and releases remain"
            )
        for entry in quota.removed:
            verb = "removed" if applied else "to remove"
            lines.append(f"- {verb}: {entry.url} ({entry.manifest.kind}, {format_size(entry.manifest.size)})")
    if not lines:
        return None
    removed = sum(len(q.removed) for q in outcome.quotas)
    summary = (
        f"the storage quota cannot be met in {len(unmet)} store(s)"
        if unmet
        else f"the storage quota removed {removed} backup(s)"
    )
    return Incident(project=project, kind=IncidentKind.QUOTA, summary=summary, detail="\n".join(lines))
