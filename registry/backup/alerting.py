"""Backups, uploads and prunes that fail are reported (`registry.alerts.incidents`): this decides what kind
of failure an error is and runs a step so that its failure is reported and its success closes the issue."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from schemareg.alerts.incidents import Incident, IncidentKind, Incidents
from schemareg.backup.s3 import UploadError
from schemareg.errors import ExternalError, SchemaregError

T = TypeVar("T")

__all__ = ["incidents_from", "project_of", "reported"]


def incidents_from(open_issue: bool, webhook: str | None, github_api_url: str | None = None) -> Incidents:
    issues = None
    if open_issue:
        from schemareg.alerts.github import GitHubIssues

        environ = dict(os.environ)
        if github_api_url:
            environ["GITHUB_API_URL"] = github_api_url
        issues = GitHubIssues.from_env(environ)
    return Incidents(issues, webhook)


def project_of(project: str | None, dsn: str | None) -> str:
    """The project a failure is filed under: --project, else the database's name."""
    if project:
        return project
    if dsn:
        from psycopg.conninfo import conninfo_to_dict

        try:
            name = conninfo_to_dict(dsn).get("dbname")
        except Exception:
            name = None
        if name:
            return str(name)
    return "default"


def kind_of(error: SchemaregError, default: IncidentKind) -> IncidentKind:
    return IncidentKind.UPLOAD if isinstance(error, UploadError) else default


def reported(
    incidents: Incidents,
    project: str,
    step: Callable[[], T],
    *,
    kind: IncidentKind,
    closes: list[IncidentKind],
    say: Callable[[str], None],
) -> T:
    """Run `step`; on failure file an incident (of `kind`, or `upload` for S3 errors) and raise the error
    again; on success close the open issues of `closes`. A failing alert never hides the step's error."""
    try:
        result = step()
    except SchemaregError as error:
        if incidents.enabled:
            incident = Incident(project=project, kind=kind_of(error, kind), summary=str(error))
            try:
                for line in incidents.failed(incident):
                    say(line)
            except ExternalError as alert_error:
                say(f"alert failed: {alert_error}")
        raise
    if incidents.enabled:
        try:
            for line in incidents.succeeded(project, closes):
                say(line)
        except ExternalError as alert_error:
            say(f"alert failed: {alert_error}")
    return result
