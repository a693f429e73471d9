"""`schemareg diff` and `schemareg changelog`: compare two DDL files or two versions of a project."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from registry.changelog import render_json, render_markdown, render_text, render_unified
from registry.cli.app import (
    DIALECTS,
    EXIT_DIFFERENT,
    EXIT_OK,
    cli,
    data_dir_option,
    exit_with,
    fail,
    write_output,
)
from registry.diff import NO_RULES, Diff, DiffRules, diff_schemas, rules_from_toml
from registry.errors import SchemaregError
from registry.model import Kind, ObjectKey, Schema

if TYPE_CHECKING:
    from registry.service import Registry

FORMATS = click.Choice(["text", "json", "markdown", "unified"], case_sensitive=False)
CONFIG_FILE = "schemareg.toml"


def _normalize(path: Path, dialect: str) -> Schema:
    from registry.normalize import normalize

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror}")
    return normalize(text, dialect, source=str(path))


def _service(data_dir: Path) -> Registry:
    """The registry service, imported late: the file forms need neither git nor the store."""
    from registry.service import Registry

    return Registry(data_dir)


def _rules(config: Path | None, ignore: tuple[str, ...], column_order: bool, comments: bool) -> DiffRules:
    """The [diff] rules of the config file (or ./schemareg.toml when present), plus the flags."""
    path = config if config is not None else Path(CONFIG_FILE)
    rules = NO_RULES
    if config is not None or path.is_file():
        try:
            rules = rules_from_toml(path.read_text(encoding="utf-8"))
        except OSError as error:
            fail(f"cannot read {path}: {error.strerror}")
    return _with_flags(rules, ignore, column_order, comments)


def _with_flags(rules: DiffRules, ignore: tuple[str, ...], column_order: bool, comments: bool) -> DiffRules:
    return DiffRules(
        ignore_objects=(*rules.ignore_objects, *ignore),
        ignore_kinds=rules.ignore_kinds,
        ignore_column_order=rules.ignore_column_order or column_order,
        ignore_comments=rules.ignore_comments or comments,
    )


def _changed_keys(diff: Diff) -> list[ObjectKey]:
    """The objects a diff touches (both names of a possible rename), for the unified diff."""
    keys: set[ObjectKey] = set()
    for change in diff.changes:
        kind = Kind(change.object_kind) if change.object_kind in Kind._value2member_map_ else Kind.OTHER
        keys.add(ObjectKey(kind, change.object))
        if change.name is None and change.after is not None and change.change.value == "possible_rename":
            keys.add(ObjectKey(kind, change.after))
    return sorted(keys)


def _render(diff: Diff, before: Schema, after: Schema, output_format: str, title: str | None) -> str:
    if output_format == "json":
        return render_json(diff).decode() + "\n"
    if output_format == "markdown":
        return render_markdown(diff, title or diff.to)
    if output_format == "unified":
        return render_unified(before, after, keys=_changed_keys(diff))
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
) -> tuple[Diff, Schema, Schema]:
    if from_file is not None or to_file is not None:
        if from_file is None or to_file is None:
            fail("give both --from-file and --to-file")
        if refs:
            fail("give either --from-file/--to-file or FROM TO, not both")
        chosen = (dialect or "postgres").lower()
        before, after = _normalize(from_file, chosen), _normalize(to_file, chosen)
        diff = diff_schemas(before, after, rules=rules, from_label=str(from_file), to_label=str(to_file))
        return diff, before, after
    if project is None:
        fail("give --from-file A --to-file B, or --project P FROM TO")
    if len(refs) != 2:
        fail("give two versions to compare: FROM TO (a release, an environment or a commit sha)")
    service = _service(data_dir)
    from_ref, to_ref = refs
    before, after = service.schema_at(project, from_ref), service.schema_at(project, to_ref)
    project_rules = service.rules(project)
    merged = DiffRules(
        ignore_objects=(*project_rules.ignore_objects, *rules.ignore_objects),
        ignore_kinds=(*project_rules.ignore_kinds, *rules.ignore_kinds),
        ignore_column_order=project_rules.ignore_column_order or rules.ignore_column_order,
        ignore_comments=project_rules.ignore_comments or rules.ignore_comments,
    )
    diff = diff_schemas(before, after, rules=merged, from_label=from_ref, to_label=to_ref)
    return diff, before, after


def _options(function: Any) -> Any:
    """The options `diff` and `changelog` share."""
    decorators = [
        click.option("--project", "-p", help="Compare two versions of this project (FROM TO)."),
        click.option("--from-file", type=click.Path(dir_okay=False, path_type=Path), help="The DDL before."),
        click.option("--to-file", type=click.Path(dir_okay=False, path_type=Path), help="The DDL after."),
        click.option("--dialect", "-d", type=DIALECTS, help="SQL dialect of the files (default: postgres)."),
        click.option(
            "--config",
            type=click.Path(dir_okay=False, path_type=Path),
            help=f"A TOML file whose [diff] table holds ignore rules (default: ./{CONFIG_FILE} if present).",
        ),
        click.option("--ignore", multiple=True, metavar="GLOB", help="Leave out objects matching GLOB."),
        click.option("--ignore-column-order", is_flag=True, help="Do not report moved columns."),
        click.option("--ignore-comments", is_flag=True, help="Do not report comment changes."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here."),
        data_dir_option,
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


@cli.command("diff")
@click.argument("refs", nargs=-1, metavar="[FROM [TO]]")
@_options
@click.option("--dsn", help="Compare a live database with --env's baseline (see `schemareg drift`).")
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
    output: Path | None,
    data_dir: Path,
    dsn: str | None,
    env: str | None,
    output_format: str,
) -> None:
    """Compare two DDL files or two versions; exit 1 when they differ.

    \b
    schemareg diff --from-file a.sql --to-file b.sql --format markdown
    schemareg diff --project shop v1.1.0 production --format json
    """
    if dsn is not None or env is not None:
        fail(
            "comparing a live database with an environment is `schemareg drift --project P --env E --dsn URL`"
        )
    try:
        rules = _rules(config, ignore, ignore_column_order, ignore_comments)
        diff, before, after = _compare(
            data_dir=data_dir,
            project=project,
            refs=refs,
            from_file=from_file,
            to_file=to_file,
            dialect=dialect,
            rules=rules,
        )
        text = _render(diff, before, after, output_format.lower(), None)
    except SchemaregError as error:
        fail(error)
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
    output: Path | None,
    data_dir: Path,
    title: str | None,
    output_format: str,
) -> None:
    """The markdown changelog from FROM to TO (a report: exit 0 whether or not anything changed).

    \b
    schemareg changelog v1.1.0 v1.2.0 --project shop
    schemareg changelog --from-file a.sql --to-file b.sql --title v2
    """
    try:
        rules = _rules(config, ignore, ignore_column_order, ignore_comments)
        diff, before, after = _compare(
            data_dir=data_dir,
            project=project,
            refs=refs,
            from_file=from_file,
            to_file=to_file,
            dialect=dialect,
            rules=rules,
        )
        text = _render(diff, before, after, output_format.lower(), title)
    except SchemaregError as error:
        fail(error)
    write_output(text, output)
