"""Alerts about drift: a GitHub issue per drift (`github`), a JSON post to a webhook (`webhook`).

Both go through `registry.alerts.http.send`: bounded retries with backoff on 5xx and transport errors,
timeouts, and an `ExternalError` (never the raw response) when the service keeps failing.
"""

from __future__ import annotations

from schemareg.alerts.github import GitHubIssues, IssueAction
from schemareg.alerts.webhook import post_webhook

__all__ = ["GitHubIssues", "IssueAction", "post_webhook"]
