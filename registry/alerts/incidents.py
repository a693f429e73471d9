"""Alerts about backups that failed: one GitHub issue per (project, kind of failure), opened on the first
failure, commented on while it keeps failing, closed by the next success; and a JSON post to a webhook.

Kinds: `backup` (the database or pg_dump), `upload` (S3), `prune` (retention could not delete) and
`quota` (the storage quota removed backups, or cannot be met). Issues are found again by their label and
a hidden marker naming the key, as drift issues are.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec

from schemareg.alerts.github import GitHubIssues, IssueAction, IssueResult
from schemareg.alerts.http import send
from schemareg.dsn import scrub
from schemareg.lazy_re import lazy_compile

__all__ = ["LABEL", "Incident", "IncidentKind", "Incidents", "incident_body"]

LABEL = "schemareg-backup"
_MARKER = lazy_compile(r"<!-- schemareg-backup key=(\S+) -->")


class IncidentKind(enum.StrEnum):
    BACKUP = "backup"
    UPLOAD = "upload"
    PRUNE = "prune"
    QUOTA = "quota"


class Incident(msgspec.Struct, frozen=True, kw_only=True):
    project: str  # the --project, else the database's name
    kind: IncidentKind
    summary: str  # one line: what went wrong
    detail: str = ""  # markdown: more lines (the plan, the locations)
    at: str = msgspec.field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def key(self) -> str:
        return f"{self.project}/{self.kind.value}"

    def title(self) -> str:
        what = {
            "backup": "Backup failed",
            "upload": "Backup upload failed",
            "prune": "Prune failed",
            "quota": "Backup storage quota",
        }[self.kind.value]
        return f"{what}: {self.project}"

    def markdown(self) -> str:
        text = f"**{self.title()}** at {self.at}\n\n```\n{self.summary}\n```\n"
        return text + (f"\n{self.detail}\n" if self.detail else "")


def incident_body(incident: Incident) -> dict[str, object]:
    """The webhook's JSON: `text` for Slack-like receivers, `incident` for the others."""
    return {"text": f"{incident.title()}: {incident.summary}", "incident": msgspec.to_builtins(incident)}


class Incidents:
    """Where failures are reported: GitHub issues (`issues`), a webhook (`webhook`), both or neither."""

    def __init__(
        self,
        issues: GitHubIssues | None = None,
        webhook: str | None = None,
        *,
        client: httpx.Client | None = None,
        attempts: int = 4,
        backoff: float = 0.5,
    ) -> None:
        self.issues, self.webhook = issues, webhook
        self.client, self.attempts, self.backoff = client, attempts, backoff

    @property
    def enabled(self) -> bool:
        return self.issues is not None or self.webhook is not None

    def close(self) -> None:
        if self.issues is not None:
            self.issues.close()

    def failed(self, incident: Incident) -> list[str]:
        """Report a failure everywhere configured; returns one line per channel for the user."""
        said: list[str] = []
        if self.issues is not None:
            result = self._open_or_comment(incident)
            said.append(f"github issue: {result.action.value} #{result.number}")
        if self.webhook:
            self._post(incident_body(incident))
            said.append(f"webhook: posted to {scrub(self.webhook).split('?')[0]}")
        return said

    def succeeded(self, project: str, kinds: list[IncidentKind], at: str | None = None) -> list[str]:
        """Close the open issues of these kinds for this project: the thing they reported works again."""
        if self.issues is None:
            return []
        moment = at or datetime.now(UTC).isoformat(timespec="seconds")
        keys = {f"{project}/{kind.value}" for kind in kinds}
        said = []
        for issue in self.issues.open_issues(LABEL):
            if _key(issue) in keys:
                self.issues.close_issue(issue, f"Succeeded again at {moment}; closing.")
                said.append(f"github issue: closed #{issue['number']}")
        return said

    def _open_or_comment(self, incident: Incident) -> IssueResult:
        assert self.issues is not None
        mine = [issue for issue in self.issues.open_issues(LABEL) if _key(issue) == incident.key]
        if mine:
            number = int(mine[0]["number"])
            self.issues.comment(number, "Failed again.\n\n" + incident.markdown())
            return IssueResult(action=IssueAction.COMMENTED, number=number, url=mine[0].get("html_url"))
        body = incident.markdown() + f"\n<!-- schemareg-backup key={incident.key} -->\n"
        created = self.issues.create(incident.title(), body, LABEL)
        return IssueResult(action=IssueAction.OPENED, number=created["number"], url=created.get("html_url"))

    def _post(self, body: dict[str, object]) -> None:
        assert self.webhook is not None
        own = self.client is None
        http = self.client or httpx.Client(timeout=10.0)
        try:
            send(http, "POST", self.webhook, json=body, attempts=self.attempts, backoff=self.backoff)
        finally:
            if own:
                http.close()


def _key(issue: dict[str, Any]) -> str | None:
    match = _MARKER.search(issue.get("body") or "")
    return match.group(1) if match else None
