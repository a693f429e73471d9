"""What `schemareg drift` does with a report besides printing it: the GitHub issue and the webhook."""

from __future__ import annotations

from collections.abc import Mapping

from schemareg.alerts.github import GitHubIssues
from schemareg.alerts.webhook import post_webhook
from schemareg.drift import DriftReport
from schemareg.dsn import scrub

__all__ = ["notify"]


def notify(
    report: DriftReport,
    *,
    open_issue: bool = False,
    webhook: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """Alert on a report: keep the GitHub issue of this drift (GITHUB_TOKEN, GITHUB_REPOSITORY in
    `environ`), post the webhook. Returns one line per alert, for the user."""
    lines = []
    if open_issue:
        issues = GitHubIssues.from_env(dict(environ or {}))
        try:
            result = issues.sync(report)
        finally:
            issues.close()
        where = f" #{result.number}" if result.number else ""
        closed = f" (closed {', '.join(f'#{n}' for n in result.closed)})" if result.closed else ""
        lines.append(f"github issue: {result.action.value}{where}{closed}")
    if webhook:
        post_webhook(webhook, report)
        lines.append(f"webhook: posted to {scrub(webhook).split('?')[0]}")
    return lines
