"""One GitHub issue per (project, env, drift fingerprint): opened once, commented on when the same drift is
seen again, closed when the drift is gone (or replaced by a different drift, which gets its own issue).

Issues are found again by a label and a hidden marker in their body that names the project, the env and
the drift fingerprint. GitHub REST API v3 through httpx; `GITHUB_API_URL` points at GitHub Enterprise.
"""

from __future__ import annotations

import enum
import os
from typing import Any

import httpx
import msgspec

from schemareg.alerts.http import send
from schemareg.drift import DriftReport, render_markdown
from schemareg.errors import InputError
from schemareg.lazy_re import lazy_compile

__all__ = ["DEFAULT_API_URL", "LABEL", "GitHubIssues", "IssueAction", "IssueResult"]

DEFAULT_API_URL = "https://api.github.com"
LABEL = "schemareg-drift"
_MARKER = lazy_compile(r"<!-- schemareg-drift key=(\S+) fingerprint=(\S+) -->")


class IssueAction(enum.StrEnum):
    OPENED = "opened"
    COMMENTED = "commented"
    CLOSED = "closed"
    NONE = "none"


class IssueResult(msgspec.Struct, frozen=True, kw_only=True):
    action: IssueAction
    number: int | None = None
    url: str | None = None
    closed: tuple[int, ...] = ()  # issues closed on the way (drift gone, or replaced by another)


def marker(report: DriftReport) -> str:
    return f"<!-- schemareg-drift key={report.key} fingerprint={report.fingerprint} -->"


class GitHubIssues:
    """The issues of one repository. `from_env()` reads GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL."""

    def __init__(
        self,
        repository: str,
        token: str,
        *,
        api_url: str = DEFAULT_API_URL,
        client: httpx.Client | None = None,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 0.5,
    ) -> None:
        if repository.count("/") != 1:
            raise InputError(f"GITHUB_REPOSITORY must be owner/name, not {repository!r}")
        self.repository = repository
        self.api_url = api_url.rstrip("/")
        self.attempts = attempts
        self.backoff = backoff
        self.client = client or httpx.Client(timeout=timeout)
        self.client.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "schemareg",
            }
        )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **kwargs: Any) -> GitHubIssues:
        env = os.environ if environ is None else environ
        token, repository = env.get("GITHUB_TOKEN"), env.get("GITHUB_REPOSITORY")
        if not token or not repository:
            raise InputError(
                "--open-issue needs GITHUB_TOKEN and GITHUB_REPOSITORY (owner/name) in the environment"
            )
        api_url = env.get("SCHEMAREG_GITHUB_API_URL") or env.get("GITHUB_API_URL") or DEFAULT_API_URL
        return cls(repository, token, api_url=api_url, **kwargs)

    def close(self) -> None:
        self.client.close()

    # -- the one verb ------------------------------------------------------------------------------------

    def sync(self, report: DriftReport) -> IssueResult:
        """Bring the repository's issues in line with the report (see the module docstring)."""
        mine = [issue for issue in self.open_issues() if self._key(issue) == report.key]
        same = [issue for issue in mine if self._fingerprint(issue) == report.fingerprint]
        closed: list[int] = []
        for issue in mine:
            if report.drift and issue in same[:1]:
                continue
            reason = "The drift is gone" if not report.drift else "The drift changed"
            self._close(issue, f"{reason} (checked at {report.created_at}); closing.")
            closed.append(issue["number"])
        if not report.drift:
            return IssueResult(
                action=IssueAction.CLOSED if closed else IssueAction.NONE, closed=tuple(closed)
            )
        if same:
            issue = same[0]
            self._comment(
                issue["number"],
                f"Still drifting (checked at {report.created_at}).\n\n" + render_markdown(report),
            )
            return IssueResult(
                action=IssueAction.COMMENTED,
                number=issue["number"],
                url=issue.get("html_url"),
                closed=tuple(closed),
            )
        created = self._request(
            "POST",
            f"/repos/{self.repository}/issues",
            json={
                "title": f"Schema drift: {report.project} / {report.env} ({len(report.changes)} changes)",
                "body": render_markdown(report) + "\n" + marker(report) + "\n",
                "labels": [LABEL],
            },
        ).json()
        return IssueResult(
            action=IssueAction.OPENED,
            number=created["number"],
            url=created.get("html_url"),
            closed=tuple(closed),
        )

    # -- the REST calls ----------------------------------------------------------------------------------

    def open_issues(self, label: str = LABEL) -> list[dict[str, Any]]:
        issues: list[dict[str, Any]] = []
        for page in range(1, 11):  # at most 1,000 open issues of a label are looked at
            batch = self._request(
                "GET",
                f"/repos/{self.repository}/issues",
                params={"state": "open", "labels": label, "per_page": 100, "page": page},
            ).json()
            issues.extend(issue for issue in batch if "pull_request" not in issue)
            if len(batch) < 100:
                break
        return issues

    def create(self, title: str, body: str, label: str) -> dict[str, Any]:
        created: dict[str, Any] = self._request(
            "POST", f"/repos/{self.repository}/issues", json={"title": title, "body": body, "labels": [label]}
        ).json()
        return created

    def comment(self, number: int, body: str) -> None:
        self._comment(number, body)

    def close_issue(self, issue: dict[str, Any], body: str) -> None:
        self._close(issue, body)

    def _comment(self, number: int, body: str) -> None:
        self._request("POST", f"/repos/{self.repository}/issues/{number}/comments", json={"body": body})

    def _close(self, issue: dict[str, Any], body: str) -> None:
        self._comment(issue["number"], body)
        self._request(
            "PATCH",
            f"/repos/{self.repository}/issues/{issue['number']}",
            json={"state": "closed", "state_reason": "completed"},
        )

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return send(
            self.client, method, self.api_url + path, attempts=self.attempts, backoff=self.backoff, **kwargs
        )

    @staticmethod
    def _key(issue: dict[str, Any]) -> str | None:
        match = _MARKER.search(issue.get("body") or "")
        return match.group(1) if match else None

    @staticmethod
    def _fingerprint(issue: dict[str, Any]) -> str | None:
        match = _MARKER.search(issue.get("body") or "")
        return match.group(2) if match else None
