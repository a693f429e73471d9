"""`schemareg diff` and `schemareg changelog`: compare two DDL files or two versions of a project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from schemareg.changelog import render_json, render_markdown, render_text, render_unified
from schemareg.cli.app import (
    DIALECTS,
    EXIT_DIFFERENT,
    EXIT_OK,
    cli,
    exit_with,
    fail,
    open_registry,
    read_ddl,
    registry_options,
    write_output,
)
from schemareg.diff import NO_RULES, Diff, DiffRules, diff_schemas, rules_from_toml
from schemareg.model import Schema

FORMATS = click.Choice(["text", "json", "markdown", "unified"], case_sensitive=False)
CONFIG_FILE = "schemareg.toml"


def _normalize(path: Path, dialect: str) -> Schema:
    from schemareg.normalize import normalize

    text, source = read_ddl(str(path))
    return normalize(text, dialect, source=source)


def _rules(
    config: Path | None, ignore: tuple[str, ...], column_order: bool, comments: bool, allow: tuple[str, ...]
) -> DiffRules:
    """The [diff] rules of the config file (or ./schemareg.toml when present), plus the flags."""
    path = config if config is not None else Path(CONFIG_FILE)
    rules = NO_RULES
    if config is not None or path.is_file():
        try:
            rules = rules_from_toml(path.read_text(encoding="utf-8"))
        except OSError as error:
            fail(f"cannot read {path}: {error.strerror}")
    return _with_flags(rules, ignore, column_order, comments, allow)


def _with_flags(
    rules: DiffRules, ignore: tuple[str, ...], column_order: bool, comments: bool, allow: tuple[str, ...]
) -> DiffRules:
    try:
        flags = DiffRules(
            ignore_objects=ignore, ignore_column_order=column_order, ignore_comments=comments, allow=allow
        )
    except ValueError as error:
        fail(f"--allow: {error}")
    return rules.merged(flags)


def _render(diff: Diff, before: Schema, after: Schema, output_format: str, title: str | None) -> str:
    if output_format == "json":
        return render_json(diff).decode() + "\n"
    if output_format == "markdown":
        return render_markdown(diff, title or diff.to)
    if output_format == "unified":
        return render_unified(before, after, keys=diff.touched())
    return render_text(diff)


def _compare(
    *,
    data_dir: Path,
    project: str | None,
    refs: tuple[str, ...],
    from_file: Path | None,
    to_file: Path | None,
    dialect: str | None,
    rules: DiffRules,
    registry_url: str | None = None,
    to_optional: bool = False,
) -> tuple[Diff, Schema, Schema]:
    """Two files, or two refs of a project; with `to_optional`, FROM alone compares it with the project's
    default env (production, else the first env), as `log` defaults to it."""
    usage = "FROM [TO]" if to_optional else "FROM TO"
    if from_file is not None or to_file is not None:
        if from_file is None or to_file is None:
            fail("give both --from-file and --to-file")
        if refs:
            fail(f"give either --from-file/--to-file or {usage}, not both")
        chosen = (dialect or "postgres").lower()
        before, after = _normalize(from_file, chosen), _normalize(to_file, chosen)
        diff = diff_schemas(before, after, rules=rules, from_label=str(from_file), to_label=str(to_file))
        return diff, before, after
    if project is None:
        fail(f"give --from-file A --to-file B, or --project P {usage}")
    if not (len(refs) == 2 or (to_optional and len(refs) == 1)):
        count = "one or two versions" if to_optional else "two versions"
        fail(
            f"give {count} to compare: {usage} (a release, an environment or a commit sha, "
            f"with ~N or ^N for an ancestor); got {len(refs)}"
        )
    registry = open_registry(data_dir, registry_url)
    from_ref, to_ref = refs if len(refs) == 2 else (refs[0], registry.default_env(project))
    diff = registry.diff(project, from_ref, to_ref, rules=rules)
    return diff, registry.schema_at(project, from_ref), registry.schema_at(project, to_ref)


def _compare_live(
    data_dir: Path,
    registry_url: str | None,
    project: str | None,
    env: str | None,
    dsn: str | None,
    sqlite: str | None,
    refs: tuple[str, ...],
    rules: DiffRules,
) -> tuple[Diff, Schema, Schema]:
    """The env's baseline against the live database, with the project's ignore rules and the flags."""
    from schemareg.cli.live import database_label, inspect_live, live_source

    if project is None or env is None or refs:
        fail("comparing a live database needs --project P --env E and --dsn URL (or --sqlite PATH), no refs")
    dsn, sqlite = live_source(dsn, sqlite)
    if not (dsn or sqlite):
        fail("say which database: --dsn URL (or DATABASE_URL) or --sqlite PATH")
    registry = open_registry(data_dir, registry_url)
    before = registry.schema_at(project, env)
    merged = registry.rules(project).merged(rules)
    after = inspect_live(dsn, sqlite).schema
    diff = diff_schemas(before, after, rules=merged, from_label=env, to_label=database_label(dsn, sqlite))
    return diff, before, after


def _options(function: Any) -> Any:
    """The options `diff` and `changelog` share."""
    decorators = [
        click.option("--project", "-p", help="Compare versions of this project (FROM and TO)."),
        click.option(
            "--from-file",
            type=click.Path(path_type=Path),
            help="The DDL before (a script or a migrations folder).",
        ),
        click.option(
            "--to-file",
            type=click.Path(path_type=Path),
            help="The DDL after (a script or a migrations folder).",
        ),
        click.option("--dialect", "-d", type=DIALECTS, help="SQL dialect of the files (default: postgres)."),
        click.option(
            "--config",
            type=click.Path(dir_okay=False, path_type=Path),
            help=f"A TOML file whose [diff] table holds ignore rules (default: ./{CONFIG_FILE} if present).",
        ),
        click.option("--ignore", multiple=True, metavar="GLOB", help="Leave out objects matching GLOB."),
        click.option("--ignore-column-order", is_flag=True, help="Do not report moved columns."),
        click.option("--ignore-comments", is_flag=True, help="Do not report comment changes."),
        click.option(
            "--allow",
            multiple=True,
            metavar="CODE",
            help="Accept the changes of this rule for this run: they count as safe (docs/diff.md).",
        ),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here."),
        registry_options,
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


@cli.command("diff")
@click.argument("refs", nargs=-1, metavar="[FROM [TO]]")
@_options
@click.option(
    "--dsn", metavar="URL", help="Compare this live database with --env's baseline (also: DATABASE_URL)."
)
@click.option(
    "--sqlite", "sqlite", metavar="PATH", help="Compare this SQLite database file with --env's baseline."
)
@click.option("--env", "-e", help="The environment whose baseline --dsn is compared with.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
def diff_command(
    refs: tuple[str, ...],
    project: str | None,
    from_file: Path | None,
    to_file: Path | None,
    dialect: str | None,
    config: Path | None,
    ignore: tuple[str, ...],
    ignore_column_order: bool,
    ignore_comments: bool,
    allow: tuple[str, ...],
    output: Path | None,
    data_dir: Path,
    registry_url: str | None,
    dsn: str | None,
    sqlite: str | None,
    env: str | None,
    output_format: str,
) -> None:
    """Compare two DDL files, two versions, or a live database with an env's baseline; exit 1 when they
    differ. FROM alone is compared with the project's default env (production, else the first env).

    \b
    schemareg diff --from-file a.sql --to-file b.sql --format markdown
    schemareg diff --project shop v1.1.0 production --format json
    schemareg diff --project shop production~1
    schemareg diff --project shop --env production --dsn "$DATABASE_URL"
    """
    rules = _rules(config, ignore, ignore_column_order, ignore_comments, allow)
    if dsn is not None or sqlite is not None or env is not None:
        diff, before, after = _compare_live(data_dir, registry_url, project, env, dsn, sqlite, refs, rules)
    else:
        diff, before, after = _compare(
            data_dir=data_dir,
            project=project,
            refs=refs,
            from_file=from_file,
            to_file=to_file,
            dialect=dialect,
            rules=rules,
            registry_url=registry_url,
            to_optional=True,
        )
    text = _render(diff, before, after, output_format.lower(), None)
    write_output(text, output)
    exit_with(EXIT_OK if diff.empty else EXIT_DIFFERENT)


@cli.command("changelog")
@click.argument("refs", nargs=-1, metavar="[FROM TO]")
@_options
@click.option("--title", help="The version in the heading (default: TO).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json", "text"], case_sensitive=False),
    default="markdown",
    show_default=True,
)
def changelog_command(
    refs: tuple[str, ...],
    project: str | None,
    from_file: Path | None,
    to_file: Path | None,
    dialect: str | None,
    config: Path | None,
    ignore: tuple[str, ...],
    ignore_column_order: bool,
    ignore_comments: bool,
    allow: tuple[str, ...],
    output: Path | None,
    data_dir: Path,
    registry_url: str | None,
    title: str | None,
    output_format: str,
) -> None:
    """The markdown changelog from FROM to TO (a report: exit 0 whether or not anything changed).

    \b
    schemareg changelog v1.1.0 v1.2.0 --project shop
    schemareg changelog --from-file a.sql --to-file b.sql --title v2
    """
    rules = _rules(config, ignore, ignore_column_order, ignore_comments, allow)
    diff, before, after = _compare(
        data_dir=data_dir,
        project=project,
        refs=refs,
        from_file=from_file,
        to_file=to_file,
        dialect=dialect,
        rules=rules,
        registry_url=registry_url,
    )
    text = _render(diff, before, after, output_format.lower(), title)
    write_output(text, output)
