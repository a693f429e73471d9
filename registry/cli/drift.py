"""`schemareg drift`: check a live database against its environment's baseline, report, alert, record."""

from __future__ import annotations

import os
from pathlib import Path

import click

from schemareg.cli.app import (
    EXIT_DIFFERENT,
    EXIT_OK,
    cli,
    exit_with,
    fail,
    open_registry,
    registry_options,
    write_output,
)
from schemareg.cli.live import database_label, inspect_live, live_source
from schemareg.dsn import scrub

FORMATS = click.Choice(["text", "json", "markdown"], case_sensitive=False)


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
    "--github-api-url", envvar="GITHUB_API_URL", help="GitHub Enterprise API URL (default: api.github.com)."
)
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here."
)
@registry_options
def drift_command(
    project: str,
    env: str,
    dsn: str | None,
    sqlite: str | None,
    open_issue: bool,
    webhook: str | None,
    github_api_url: str | None,
    output_format: str,
    output: Path | None,
    data_dir: Path,
    registry_url: str | None,
) -> None:
    """Compare a live database with --env's baseline, with the project's ignore rules; exit 1 on drift.

    \b
    schemareg drift --project shop --env production --dsn "$DATABASE_URL" --open-issue
    schemareg drift -p shop -e staging --sqlite app.db --webhook https://hooks.slack.com/services/...
    """
    from schemareg.alerts.notify import notify
    from schemareg.drift import check_environment, render_json, render_markdown, render_text

    dsn, sqlite = live_source(dsn, sqlite)
    if not (dsn or sqlite):
        fail("say which database: --dsn URL (or DATABASE_URL) or --sqlite PATH")
    registry = open_registry(data_dir, registry_url)
    report = check_environment(
        registry, project, env, inspect_live(dsn, sqlite), database=database_label(dsn, sqlite)
    )
    if registry_url:
        click.echo(f"recorded at {scrub(registry_url)}", err=True)
    if output_format == "json":
        write_output(render_json(report).decode() + "\n", output)
    elif output_format == "markdown":
        write_output(render_markdown(report), output)
    else:
        write_output(render_text(report), output)
    environ = {**os.environ, **({"GITHUB_API_URL": github_api_url} if github_api_url else {})}
    for line in notify(report, open_issue=open_issue, webhook=webhook, environ=environ):
        click.echo(line, err=True)
    exit_with(EXIT_DIFFERENT if report.drift else EXIT_OK)
