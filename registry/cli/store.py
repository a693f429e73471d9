"""The store verbs on the local data dir: `init`, `snapshot`, `version`, `promote`, `list`, `log`, `gc`."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
import msgspec

from schemareg.cli.app import (
    DIALECTS,
    cli,
    data_dir_option,
    echo_json,
    echo_table,
    fail,
    open_registry,
    read_ddl,
    registry_options,
)
from schemareg.cli.backup import backup_listing, backups_json, print_backups
from schemareg.cli.backup_options import backup_dir_option, s3_option
from schemareg.cli.compat import force_option, forcing
from schemareg.cli.live import inspect_live, live_source, seed_data
from schemareg.cli.migrations import place
from schemareg.errors import SQLParseError
from schemareg.snapshots import SnapshotResult

FORMATS = click.Choice(["text", "json"])
F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def _naming(file: str | None) -> Iterator[None]:
    """A parse error of --file names it, as `schema --file` and `check` do: the registry that normalises
    the text (here or on --registry) knows only the text."""
    try:
        yield
    except SQLParseError as error:
        if file is None:
            raise
        raise error.named("<stdin>" if file == "-" else file) from None


def _source_options(dsn_help: str) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        return _with_sources(function, dsn_help)

    return decorate


def _with_sources(function: F, dsn_help: str) -> F:
    function = click.option(
        "--sqlite", "sqlite", type=click.Path(dir_okay=False), help="Introspect a SQLite database file."
    )(function)
    function = click.option("--dsn", metavar="URL", help=dsn_help)(function)
    function = click.option("--dialect", type=DIALECTS, help="Dialect of --file (default: the project's).")(
        function
    )
    return click.option(
        "--file", "-f", "file", help="A DDL file or folder of migrations to snapshot ('-' for stdin)."
    )(function)


def _live(
    file: str | None, dsn: str | None, sqlite: str | None, *, from_environment: bool = True
) -> tuple[str | None, str | None]:
    """The database source; DATABASE_URL only when `from_environment` and no --file was given."""
    dsn, sqlite = live_source(dsn, sqlite, other_source=file is not None or not from_environment)
    if file is not None and (dsn or sqlite):
        fail("give one source: --file, --dsn or --sqlite")
    return dsn, sqlite


def _print_snapshot(result: SnapshotResult, output_format: str, file: str | None = None) -> None:
    for issue in result.warnings:  # as `schema --file` says them, on standard error
        where = place(file, issue.line, issue.column)
        click.echo(f"warning: {where}: {issue.message}; {issue.outcome}", err=True)
    if output_format == "json":
        echo_json({**msgspec.to_builtins(result), "sha": result.sha, "fingerprint": result.fingerprint})
        return
    if result.created:
        click.echo(f"{result.env}: new snapshot {result.sha[:12]}: {result.version.subject}")
    else:
        click.echo(f"{result.env}: unchanged, still {result.sha[:12]}")
    click.echo(f"fingerprint {result.fingerprint}")


_ENGINES = click.Choice(["sqlglot", "postgres"], case_sensitive=False)


@cli.command("init")
@click.argument("project")
@click.option("--dialect", type=DIALECTS, default="postgres", show_default=True)
@click.option("--description", default="", help="What this database is.")
@click.option(
    "--default-env",
    metavar="ENV",
    help="The env the repo's HEAD points at (what git clone checks out) and log defaults to "
    "[default: production if it exists, else the first env].",
)
@click.option(
    "--engine",
    type=_ENGINES,
    default="sqlglot",
    show_default=True,
    help="The engine that normalises the project's DDL ([normalize] engine), fixed for its history.",
)
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@registry_options
def init_command(
    project: str,
    dialect: str,
    description: str,
    default_env: str | None,
    engine: str,
    output_format: str,
    data_dir: Path,
    registry_url: str | None,
) -> None:
    """Create PROJECT: a bare git repo <data dir>/PROJECT.git (or the project on --registry)."""
    created = open_registry(data_dir, registry_url).init_project(
        project, dialect, description, default_env=default_env, engine=engine.lower()
    )
    if output_format == "json":
        echo_json(created)
        return
    where = registry_url or data_dir / (project + ".git")
    engine_note = f", normalised by the {created.engine} engine" if created.engine != "sqlglot" else ""
    click.echo(f"created project {created.name} ({created.dialect}) in {where}{engine_note}")


@cli.command("project")
@click.argument("project")
@click.option("--dialect", type=DIALECTS, default=None, help="A new dialect.")
@click.option("--description", default=None, help="A new description.")
@click.option(
    "--engine",
    type=_ENGINES,
    default=None,
    help="A new normalisation engine: refused once the project has a snapshot (its history keeps one).",
)
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@registry_options
def project_command(
    project: str,
    dialect: str | None,
    description: str | None,
    engine: str | None,
    output_format: str,
    data_dir: Path,
    registry_url: str | None,
) -> None:
    """Show PROJECT's settings, or change them with the options given."""
    registry = open_registry(data_dir, registry_url)
    if dialect is None and description is None and engine is None:
        shown = registry.project(project)
    else:
        shown = registry.update_project(
            project, dialect=dialect, description=description, engine=engine.lower() if engine else None
        )
    if output_format == "json":
        echo_json(shown)
        return
    click.echo(
        f"{shown.name}: {shown.dialect}, {shown.engine} engine"
        + (f": {shown.description}" if shown.description else "")
    )


@cli.command("snapshot")
@click.option("--project", "-p", required=True)
@click.option("--env", "-e", required=True, help="The environment (a branch).")
@_source_options("Introspect a live PostgreSQL database (default: DATABASE_URL, if no --file).")
@click.option("--message", "-m", help="A line for the commit message.")
@click.option("--description", default="", help="Stored in info.json.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@force_option
@registry_options
def snapshot_command(
    project: str,
    env: str,
    file: str | None,
    dialect: str | None,
    dsn: str | None,
    sqlite: str | None,
    message: str | None,
    description: str,
    output_format: str,
    force: bool,
    data_dir: Path,
    registry_url: str | None,
) -> None:
    """Record the schema an environment has now (no commit when its fingerprint is unchanged). A schema
    the env's compatibility level refuses is an error (exit 2, its rule codes named) unless --force.

    With --registry, a live database is introspected here and posted as its canonical DDL (the server
    computes the same fingerprint)."""
    dsn, sqlite = _live(file, dsn, sqlite)
    if not (dsn or sqlite or file is not None):
        fail("say where the schema comes from: --file F [--dialect D], --dsn URL or --sqlite PATH")
    if dsn or sqlite:
        live = inspect_live(dsn, sqlite)
        result = open_registry(data_dir, registry_url).snapshot(
            project,
            env,
            live.schema,
            message=message,
            description=description,
            source="introspection",
            metadata=live.metadata(),
            **forcing(force),
        )
    else:
        assert file is not None
        with _naming(file):
            result = open_registry(data_dir, registry_url).snapshot(
                project,
                env,
                read_ddl(file)[0],
                dialect=dialect,
                message=message,
                description=description,
                **forcing(force),
            )
    _print_snapshot(result, output_format, file)


@cli.command("version")
@click.argument("name")
@click.option("--project", "-p", required=True)
@click.option("--env", "-e", help="Release this env's head (after snapshotting --file into it, if given).")
@click.option("--ref", help="Release another snapshot instead: a sha, a release or an env (~N, ^N too).")
@_source_options(
    "Introspect this live PostgreSQL database and snapshot it into --env first. Only when given: "
    "DATABASE_URL is not read, a release is cut from what the registry has."
)
@click.option("--description", default="", help="What this release is; in info.json and the tag.")
@click.option(
    "--seed-tables",
    metavar="T,...",
    help="Tables whose rows go into seed_data.sql, sorted by primary key (needs --dsn or --sqlite).",
)
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@force_option
@registry_options
def release_command(
    name: str,
    project: str,
    env: str | None,
    ref: str | None,
    file: str | None,
    dialect: str | None,
    dsn: str | None,
    sqlite: str | None,
    description: str,
    seed_tables: str | None,
    output_format: str,
    force: bool,
    data_dir: Path,
    registry_url: str | None,
) -> None:
    """Create release NAME: an annotated tag on its own commit, with info.json and a README.md changelog
    against the previous release. Releases are immutable: re-using a name is an error.

    With --dsn or --sqlite the live schema (and --seed-tables rows) is snapshotted into --env first."""
    dsn, sqlite = _live(file, dsn, sqlite, from_environment=False)
    if seed_tables and not (dsn or sqlite):
        fail("--seed-tables needs a database source: --dsn URL or --sqlite PATH")
    if (env is None) == (ref is None):
        fail("say what to release: --env E (its head, or --file snapshotted into it) or --ref REF")
    if (file is not None or dsn or sqlite) and env is None:
        fail("--file, --dsn and --sqlite need --env: the schema is snapshotted into that env, then released")
    registry = open_registry(data_dir, registry_url)
    schema: Any = read_ddl(file)[0] if file is not None else None
    metadata = seed = None
    if dsn or sqlite:
        live = inspect_live(dsn, sqlite)
        schema, metadata = live.schema, live.metadata()
        seed = seed_data(dsn, sqlite, seed_tables) if seed_tables else None
    with _naming(file if metadata is None else None):
        release = registry.release(
            project,
            name,
            ref,
            env=env,
            schema=schema,
            dialect=dialect,
            description=description,
            seed_data=seed,
            metadata=metadata,
            source="introspection" if metadata is not None else "ddl",
            **forcing(force),
        )
    if release.warning:
        click.echo(f"warning: {release.warning}", err=True)
    if output_format == "json":
        echo_json(release)
    else:
        click.echo(f"released {release.name} at {release.sha[:12]}")
        click.echo(f"fingerprint {release.fingerprint}")


@cli.command("promote")
@click.option("--project", "-p", required=True)
@click.option("--env", "-e", required=True, help="The environment to move.")
@click.option("--from", "from_", required=True, help="An env, a release or a sha.")
@click.option("--message", "-m", help="A line for the commit message.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@force_option
@registry_options
def promote_command(
    project: str,
    env: str,
    from_: str,
    message: str | None,
    output_format: str,
    force: bool,
    data_dir: Path,
    registry_url: str | None,
) -> None:
    """Make --env expect what --from has (a new commit on its branch with that tree); refused like a
    snapshot when the env's compatibility level refuses it, unless --force."""
    result = open_registry(data_dir, registry_url).promote(
        project, env, from_, message=message, **forcing(force)
    )
    _print_snapshot(result, output_format)


@cli.command("list")
@click.option("--project", "-p", help="Only this project.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.option("--backups", "backups_only", is_flag=True, help="Only the backups (JSON: a list of them).")
@backup_dir_option
@s3_option
@registry_options
def list_command(
    project: str | None,
    output_format: str,
    backups_only: bool,
    backup_dir: Path | None,
    s3_url: str | None,
    data_dir: Path,
    registry_url: str | None,
) -> None:
    """Projects with their environments and releases, then the backups (local, and S3 with
    --s3): kind, age, size. `--format json` lists the projects; `--backups --format json` the backups.
    With --registry, the server's projects (and no backups)."""
    wants_backups = registry_url is None and (backups_only or output_format == "text")
    backups = backup_listing(data_dir, backup_dir, s3_url) if wants_backups else []
    if backups_only:
        if output_format == "json":
            echo_json(backups_json(backups))
        else:
            print_backups(backups)
        return
    registry = open_registry(data_dir, registry_url)
    projects = [registry.project(project)] if project else registry.projects()
    listing = [(item, registry.environments(item.name), registry.releases(item.name)) for item in projects]
    if output_format == "json":
        echo_json(
            [
                {
                    "project": item.name,
                    "dialect": item.dialect,
                    "description": item.description,
                    "environments": environments,
                    "releases": releases,
                }
                for item, environments, releases in listing
            ]
        )
        return
    if not listing:
        click.echo(f"no projects in {registry_url or data_dir}")
    for item, environments, releases in listing:
        click.echo(f"{item.name} ({item.dialect})" + (f": {item.description}" if item.description else ""))
        click.echo("  environments:")
        echo_table(
            ("NAME", "SHA", "CREATED_AT", "RELEASE"),
            [(env.name, env.sha[:12], env.created_at, env.release or "") for env in environments],
            indent="    ",
            empty="(none)",
        )
        click.echo("  releases:")
        echo_table(
            ("NAME", "SHA", "CREATED_AT", "DESCRIPTION"),
            [(r.name, r.sha[:12], r.created_at, r.description.split("\n", 1)[0]) for r in releases],
            indent="    ",
            empty="(none)",
        )
    if registry_url is None:
        print_backups(backups)


@cli.command("log")
@click.option("--project", "-p", required=True)
@click.option("--env", "-e", help="An environment's history.")
@click.argument("ref", required=False)
@click.option("--table", help="Instead: when each column of this table appeared or changed, per release.")
@click.option("--limit", "-n", type=click.IntRange(min=1), help="At most this many entries.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@registry_options
def log_command(
    project: str,
    env: str | None,
    ref: str | None,
    table: str | None,
    limit: int | None,
    output_format: str,
    data_dir: Path,
    registry_url: str | None,
) -> None:
    """The history of an env (or of any REF), newest first; or a table's column history with --table."""
    registry = open_registry(data_dir, registry_url)
    if table is not None:
        history = registry.table_history(project, table, env=env)
        if output_format == "json":
            echo_json(history)
            return
        click.echo(f"{history.table} on {history.env}:")
        for event in history.events:
            what = f" ({', '.join(event.what)})" if event.what else ""
            target = f"{event.kind} {event.name}" if event.name else event.kind
            release = event.release or "unreleased"
            click.echo(f"  {event.created_at} {event.sha[:12]} {release:<12} {event.change} {target}{what}")
        return
    if env is not None and ref is not None:
        fail("give either --env or REF, not both")
    if env is not None:
        entries = registry.history(project, env, limit=limit)
    else:
        entries = registry.log(project, ref or registry.default_env(project), limit=limit)
    if output_format == "json":
        echo_json(entries)
        return
    for entry in entries:
        release = f" [{entry.release}]" if entry.release else ""
        click.echo(f"{entry.sha[:12]} {entry.created_at}{release} {entry.subject}")


@cli.command("gc")
@click.option("--project", "-p", help="Only this project (default: all).")
@click.option(
    "--no-git",
    is_flag=True,
    help="Use dulwich's packing even when git is installed (one pack, no delta compression).",
)
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@data_dir_option
def gc_command(project: str | None, no_git: bool, output_format: str, data_dir: Path) -> None:
    """Pack the repos of the local data dir: the real `git gc` (delta-compressed) when git is on PATH.
    Without git, dulwich gathers the loose objects into one pack without delta compression, so the repo
    stays larger. (A server packs its own data dir: run gc there.)"""
    from schemareg.service import Registry

    registry = Registry(data_dir)
    click.get_current_context().call_on_close(registry.close)
    results = []
    for name in [project] if project else [item.name for item in registry.projects()]:
        result = registry.gc(name, use_git=False if no_git else None)
        results.append({"project": name, **dataclasses.asdict(result)})
        if output_format == "json":
            continue
        click.echo(
            f"{name}: {result.tool}: {result.size_before / 1024:.0f} KiB -> {result.size_after / 1024:.0f} KiB,"
            f" {result.loose_after} loose objects, {result.packs_after} packs"
        )
    if output_format == "json":
        echo_json(results)
