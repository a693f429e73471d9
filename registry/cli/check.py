"""`schemareg check`: a committed schema file parses, and (with --project and --env) matches an env's head,
locally or on a server (`POST .../check`). The pre-commit hook and the pull-request workflow run it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
import msgspec

from schemareg.changelog import render_markdown, render_text
from schemareg.cli.app import (
    DIALECTS,
    EXIT_DIFFERENT,
    EXIT_OK,
    CommandError,
    cli,
    exit_with,
    open_registry,
    read_ddl,
    registry_options,
    write_output,
)
from schemareg.cli.migrations import locate
from schemareg.cli.remote import RemoteRegistry
from schemareg.diff import Diff, diff_schemas
from schemareg.model import Schema
from schemareg.normalize import normalize

if TYPE_CHECKING:
    from schemareg.service import Registry


class CheckResult(msgspec.Struct):
    file: str
    fingerprint: str
    objects: int
    opaque: int
    errors: int  # statements the parser could not read, kept whole (the normaliser's issues)
    match: bool | None = None  # None: no env to compare with
    expected: str | None = None
    diff: Diff | None = None


@cli.command("check")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--dialect", "-d", type=DIALECTS, help="SQL dialect of the files (default: the project's, or postgres)."
)
@click.option("-p", "--project", help="Compare with this project's --env (locally, or on --registry).")
@click.option("-e", "--env", help="The environment whose head the files should equal.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
@registry_options
def check_command(
    files: tuple[str, ...],
    dialect: str | None,
    project: str | None,
    env: str | None,
    fmt: str,
    output: Path | None,
    registry_url: str | None,
    data_dir: Path,
) -> None:
    """Check that each FILE (structure.sql, schema.sql, a folder of migrations) parses; with --project and
    --env, that it equals the env's head (exit 1 when not, with the changelog from the head to the file).

    \b
    schemareg check db/structure.sql
    schemareg check db/structure.sql -p shop -e production --registry https://schemareg.example.com --format markdown
    """
    if (project is None) != (env is None):
        raise CommandError("--project and --env go together")
    # The registry is opened only to compare: checking that files parse needs neither store nor server.
    registry = open_registry(data_dir, registry_url) if project else None
    # A domain error (a parse error names its file) becomes exit 2 in schemareg.cli.app, as for every verb.
    if project and registry is not None and dialect is None:
        dialect = registry.project(project).dialect
    results = []
    for file in files:
        text, source = read_ddl(file)
        schema = normalize(text, dialect or "postgres", source=source)
        for issue in schema.issues:  # as `schema --file` says them, on standard error, with the file
            shown, line = locate(file, issue.line)
            message = f"warning: {shown}:{line}:{issue.column}: {issue.message}; {issue.outcome}"
            click.echo(message, err=True)
        result = CheckResult(
            file=file,
            fingerprint=schema.fingerprint,
            objects=schema.stats.objects,
            opaque=schema.stats.opaque,
            errors=schema.stats.errors,
        )
        if project and env:
            assert registry is not None
            result = _compare(result, schema, text, project, env, registry)
        results.append(result)
    write_output(_render(results, fmt, env), output)
    exit_with(EXIT_DIFFERENT if any(result.match is False for result in results) else EXIT_OK)


def _compare(
    result: CheckResult,
    schema: Schema,
    text: str,
    project: str,
    env: str,
    registry: Registry | RemoteRegistry,
) -> CheckResult:
    if isinstance(registry, RemoteRegistry):
        answer = registry.check(project, env, text, dialect=schema.dialect)
        return msgspec.structs.replace(result, match=answer.match, expected=answer.expected, diff=answer.diff)
    head = registry.expected(project, env)
    diff = diff_schemas(
        registry.schema_at(project, head.sha),
        schema,
        rules=registry.rules(project),
        from_label=env,
        to_label=result.file,
    )
    return msgspec.structs.replace(
        result, match=schema.fingerprint == head.fingerprint, expected=head.fingerprint, diff=diff
    )


def _render(results: list[CheckResult], fmt: str, env: str | None) -> str:
    if fmt == "json":
        return msgspec.json.format(msgspec.json.encode(results), indent=2).decode() + "\n"
    out: list[str] = []
    for result in results:
        parsed = (
            f"{result.file}: parses ({result.objects} objects, {result.opaque} opaque,"
            f" {result.errors} statements kept as text after a parse error), {result.fingerprint}"
        )
        if result.match is None or result.diff is None:
            out.append(parsed if fmt == "text" else f"`{result.file}` parses: {result.objects} objects.")
        elif fmt == "markdown":
            verdict = "equals" if result.match else "differs from"
            out.append(f"`{result.file}` {verdict} what `{env}` expects.\n")
            if not result.match:
                out.append(render_markdown(result.diff, f"`{result.file}` against {env}"))
        else:
            out.append(parsed)
            out.append(f"  equals {env}'s head" if result.match else f"  differs from {env}'s head:")
            if not result.match:
                out.append(render_text(result.diff))
    return "\n".join(out).rstrip("\n") + "\n"
