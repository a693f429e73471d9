"""Post a drift report to a webhook as JSON: `{"text": ..., "report": {...}}`. Slack's incoming webhooks
show `text` and ignore the rest; other receivers get the whole report."""

from __future__ import annotations

import httpx
import msgspec

from schemareg.alerts.http import send
from schemareg.drift import DriftReport

__all__ = ["post_webhook", "webhook_body"]


def webhook_body(report: DriftReport) -> dict[str, object]:
    lines = [report.summary()]
    for change in report.changes[:20]:
        target = change.object + (f".{change.name}" if change.name else "")
        lines.append(f"• {change.change.value} {change.kind} {target} ({change.severity.value})")
    if len(report.changes) > 20:
        lines.append(f"… and {len(report.changes) - 20} more")
    return {"text": "\n".join(lines), "report": msgspec.to_builtins(report)}


def post_webhook(
    url: str,
    report: DriftReport,
    *,
    client: httpx.Client | None = None,
    timeout: float = 10.0,
    attempts: int = 4,
    backoff: float = 0.5,
) -> None:
    own = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        send(http, "POST", url, json=webhook_body(report), attempts=attempts, backoff=backoff)
    finally:
        if own:
            http.close()
