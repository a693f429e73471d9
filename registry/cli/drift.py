"""`schemareg drift`: check a live database against its environment's baseline, report, alert, record."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click
import msgspec

from schemareg.cli.app import EXIT_DIFFERENT, EXIT_OK, cli, data_dir_option, exit_with, fail, write_output
from schemareg.cli.live import database_label, inspect_live, live_source
from schemareg.diff import NO_RULES, DiffRules
from schemareg.dsn import scrub
from schemareg.errors import SchemaregError
from schemareg.model import Schema

FORMATS = click.Choice(["text", "json", "markdown"], case_sensitive=False)
F = TypeVar("F", bound=Callable[..., Any])


def _data_dir(function: F) -> F:
    return cast(F, data_dir_option(function))  # type: ignore[no-untyped-call]


def _remote_baseline(registry_url: str, project: str, env: str, dialect: str) -> tuple[Schema, str, str]:
    """The env head of a registry server: (schema, sha, fingerprint)."""
    import httpx

    from schemareg.alerts.http import send
    from schemareg.normalize import normalize

    base = registry_url.rstrip("/") + f"/v1/projects/{project}"
    with httpx.Client(timeout=30, headers=_auth_headers()) as client:
        head = send(client, "GET", f"{base}/environments/{env}").json()
        text = send(client, "GET", f"{base}/versions/{head['sha']}/schema.sql").text
    info = head.get("info") or {}
    schema = normalize(text, str(info.get("dialect") or dialect))
    return schema, str(head["sha"]), str(head.get("fingerprint") or schema.fingerprint)


def _auth_headers() -> dict[str, str]:
    token = os.environ.get("SCHEMAREG_TOKEN")
    return {"Authorization": f"Bearer {token}"} if token else {}


def post_report(registry_url: str, project: str, env: str, report: Any) -> None:
    """POST {registry}/v1/projects/{p}/environments/{env}/drift with the report as JSON."""
    import httpx

    from schemareg.alerts.http import send

    url = registry_url.rstrip("/") + f"/v1/projects/{project}/environments/{env}/drift"
    with httpx.Client(timeout=30, headers=_auth_headers()) as client:
        send(
            client,
            "POST",
            url,
            content=msgspec.json.encode(report),
            headers={"Content-Type": "application/json"},
        )


@cli.command("drift")
@click.option("--project", "-p", required=True)
@click.option("--env", "-e", required=True, help="The environment whose baseline the database should have.")
@click.option("--dsn", metavar="URL", help="The live PostgreSQL database (default: DATABASE_URL).")
@click.option("--sqlite", metavar="PATH", help="A live SQLite database file instead.")
@click.option(
    "--open-issue", is_flag=True, help="Keep a GitHub issue for this drift (GITHUB_TOKEN, GITHUB_REPOSITORY)."
)
@click.option(
    "--webhook",
    metavar="URL",
    envvar="SCHEMAREG_WEBHOOK_URL",
    help="POST the report as JSON here (Slack accepts it).",
)
@click.option(
    "--registry",
    "registry_url",
    metavar="URL",
    envvar="SCHEMAREG_REGISTRY_URL",
    help="A schemareg server: record the report there (and read the baseline from it if the project is not local).",
)
@click.option(
    "--github-api-url", envvar="GITHUB_API_URL", help="GitHub Enterprise API URL (default: api.github.com)."
)
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here."
)
@_data_dir
def drift_command(
    project: str,
    env: str,
    dsn: str | None,
    sqlite: str | None,
    open_issue: bool,
    webhook: str | None,
    registry_url: str | None,
    github_api_url: str | None,
    output_format: str,
    output: Path | None,
    data_dir: Path,
) -> None:
    """Compare a live database with --env's baseline, with the project's ignore rules; exit 1 on drift.

    \b
    schemareg drift --project shop --env production --dsn "$DATABASE_URL" --open-issue
    schemareg drift -p shop -e staging --sqlite app.db --webhook https://hooks.slack.com/services/...
    """
    from schemareg.drift import check_drift, render_json, render_markdown, render_text
    from schemareg.service import Registry

    dsn, sqlite = live_source(dsn, sqlite)
    if not (dsn or sqlite):
        fail("say which database: --dsn URL (or DATABASE_URL) or --sqlite PATH")
    label = database_label(dsn, sqlite)
    registry = Registry(data_dir)
    click.get_current_context().call_on_close(registry.close)
    local = (data_dir / f"{project}.git").is_dir()
    try:
        live = inspect_live(dsn, sqlite)
        rules: DiffRules = NO_RULES
        if local:
            expected = registry.expected(project, env)
            baseline = registry.schema_at(project, expected.sha)
            sha, fingerprint = expected.sha, expected.fingerprint
            rules = registry.rules(project)
        elif registry_url:
            baseline, sha, fingerprint = _remote_baseline(registry_url, project, env, live.dialect)
        else:
            fail(f"no project {project!r} in {data_dir} (and no --registry to read it from)")
        report = check_drift(
            project=project,
            env=env,
            baseline=baseline,
            live=live.schema,
            expected_sha=sha,
            expected_fingerprint=fingerprint,
            rules=rules,
            database=label,
            database_version=live.database_version,
        )
        if output_format == "json":
            text = render_json(report).decode() + "\n"
        elif output_format == "markdown":
            text = render_markdown(report)
        else:
            text = render_text(report)
        write_output(text, output)
        if local:
            registry.record_drift(project, env, msgspec.to_builtins(report))
        _alert(report, open_issue=open_issue, webhook=webhook, github_api_url=github_api_url)
        if registry_url:
            post_report(registry_url, project, env, report)
            click.echo(f"recorded at {scrub(registry_url)}", err=True)
    except SchemaregError as error:
        fail(scrub(str(error), dsn))
    exit_with(EXIT_DIFFERENT if report.drift else EXIT_OK)


def _alert(report: Any, *, open_issue: bool, webhook: str | None, github_api_url: str | None) -> None:
    if open_issue:
        from schemareg.alerts.github import GitHubIssues

        environ = dict(os.environ)
        if github_api_url:
            environ["GITHUB_API_URL"] = github_api_url
        issues = GitHubIssues.from_env(environ)
        try:
            result = issues.sync(report)
        finally:
            issues.close()
        where = f" #{result.number}" if result.number else ""
        closed = f" (closed {', '.join(f'#{n}' for n in result.closed)})" if result.closed else ""
        click.echo(f"github issue: {result.action.value}{where}{closed}", err=True)
    if webhook:
        from schemareg.alerts.webhook import post_webhook

        post_webhook(webhook, report)
        click.echo(f"webhook: posted to {scrub(webhook).split('?')[0]}", err=True)
