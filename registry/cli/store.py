"""The store verbs on the local data dir: `init`, `snapshot`, `version`, `promote`, `list`, `log`, `gc`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click
import msgspec

from schemareg.cli.app import DIALECTS, cli, data_dir_option, fail
from schemareg.cli.backup import backup_dir_option, backup_listing, backups_json, print_backups, s3_option
from schemareg.cli.live import inspect_live, live_source, seed_data
from schemareg.cli.remote import registry_option
from schemareg.errors import SchemaregError
from schemareg.service import Environment, Project, Registry, Release, SnapshotResult

FORMATS = click.Choice(["text", "json"])
F = TypeVar("F", bound=Callable[..., Any])


def _data_dir(function: F) -> F:
    return cast(F, data_dir_option(function))  # type: ignore[no-untyped-call]


def _registry(data_dir: Path) -> Registry:
    registry = Registry(data_dir)
    # Close pack files before the interpreter shuts down, or dulwich complains on stderr.
    click.get_current_context().call_on_close(registry.close)
    return registry


def _echo_json(value: Any) -> None:
    click.echo(msgspec.json.format(msgspec.json.encode(value)).decode())


def _read_ddl(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text(encoding="utf-8")
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}")


def _source_options(function: F) -> F:
    function = click.option(  # type: ignore[assignment]
        "--sqlite", "sqlite", type=click.Path(dir_okay=False), help="Introspect a SQLite database file."
    )(function)
    function = click.option(  # type: ignore[assignment]
        "--dsn",
        metavar="URL",
        help="Introspect a live PostgreSQL database (default: DATABASE_URL, if no --file).",
    )(function)
    function = click.option(  # type: ignore[assignment]
        "--dialect", type=DIALECTS, help="Dialect of --file (default: the project's)."
    )(function)
    function = click.option(  # type: ignore[assignment]
        "--file", "-f", "file", help="A DDL file to snapshot ('-' for stdin)."
    )(function)
    return function


def _live(file: str | None, dsn: str | None, sqlite: str | None) -> tuple[str | None, str | None]:
    dsn, sqlite = live_source(dsn, sqlite, other_source=file is not None)
    if file is not None and (dsn or sqlite):
        fail("give one source: --file, --dsn or --sqlite")
    return dsn, sqlite


def _print_snapshot(result: SnapshotResult, output_format: str) -> None:
    if output_format == "json":
        _echo_json({**msgspec.to_builtins(result), "sha": result.sha, "fingerprint": result.fingerprint})
        return
    if result.created:
        click.echo(f"{result.env}: new snapshot {result.sha[:12]}: {result.version.subject}")
    else:
        click.echo(f"{result.env}: unchanged, still {result.sha[:12]}")
    click.echo(f"fingerprint {result.fingerprint}")


@cli.command("init")
@click.argument("project")
@click.option("--dialect", type=DIALECTS, default="postgres", show_default=True)
@click.option("--description", default="", help="What this database is.")
@_data_dir
def init_command(project: str, dialect: str, description: str, data_dir: Path) -> None:
    """Create PROJECT: a bare git repo <data dir>/PROJECT.git."""
    try:
        created = _registry(data_dir).init_project(project, dialect, description)
    except SchemaregError as error:
        fail(error)
    click.echo(f"created project {created.name} ({created.dialect}) in {data_dir / (project + '.git')}")


@cli.command("snapshot")
@click.option("--project", "-p", required=True)
@click.option("--env", "-e", required=True, help="The environment (a branch).")
@_source_options
@click.option("--message", "-m", help="A line for the commit message.")
@click.option("--description", default="", help="Stored in info.json.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@_data_dir
@registry_option
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
    data_dir: Path,
    registry_url: str | None,
) -> None:
    """Record the schema an environment has now (no commit when its fingerprint is unchanged)."""
    dsn, sqlite = _live(file, dsn, sqlite)
    if registry_url is not None:
        _remote_snapshot(
            registry_url, project, env, file, dialect, dsn, sqlite, message, description, output_format
        )
        return
    if dsn or sqlite:
        live = inspect_live(dsn, sqlite)
        try:
            result = _registry(data_dir).snapshot(
                project,
                env,
                live.schema,
                message=message,
                description=description,
                source="introspection",
                metadata=live.metadata(),
            )
        except SchemaregError as error:
            fail(error)
        _print_snapshot(result, output_format)
        return
    if file is None:
        fail("say where the schema comes from: --file F [--dialect D], --dsn URL or --sqlite PATH")
    ddl = _read_ddl(file)
    try:
        result = _registry(data_dir).snapshot(
            project, env, ddl, dialect=dialect, message=message, description=description
        )
    except SchemaregError as error:
        fail(error)
    _print_snapshot(result, output_format)


def _remote_snapshot(
    registry_url: str,
    project: str,
    env: str,
    file: str | None,
    dialect: str | None,
    dsn: str | None,
    sqlite: str | None,
    message: str | None,
    description: str,
    output_format: str,
) -> None:
    """Post the schema to a server. A live database is introspected here and posted as its canonical
    DDL (normalising canonical output is idempotent: the server computes the same fingerprint)."""
    from schemareg.cli.remote import RemoteRegistry
    from schemareg.render import render_schema_sql

    if dsn or sqlite:
        live = inspect_live(dsn, sqlite)
        ddl, dialect = render_schema_sql(live.schema), live.schema.dialect
    elif file is not None:
        ddl = _read_ddl(file)
    else:
        fail("say where the schema comes from: --file F [--dialect D], --dsn URL or --sqlite PATH")
    remote = RemoteRegistry(registry_url)
    click.get_current_context().call_on_close(remote.close)
    try:
        result = remote.snapshot(project, env, ddl, dialect=dialect, message=message, description=description)
    except SchemaregError as error:
        fail(error)
    _print_snapshot(result, output_format)


@cli.command("version")
@click.argument("name")
@click.option("--project", "-p", required=True)
@click.option("--env", "-e", help="Release this env's head (after snapshotting --file into it, if given).")
@click.option("--ref", help="Release another version instead: a sha, a release or an env.")
@_source_options
@click.option("--description", default="", help="What this release is; in info.json and the tag.")
@click.option(
    "--seed-tables",
    metavar="T,...",
    help="Tables whose rows go into seed_data.sql, sorted by primary key (needs --dsn or --sqlite).",
)
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@_data_dir
def version_command(
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
    data_dir: Path,
) -> None:
    """Create release NAME: an annotated tag on its own commit, with info.json and a README.md changelog
    against the previous release. Releases are immutable: re-using a name is an error.

    With --dsn or --sqlite the live schema (and --seed-tables rows) is snapshotted into --env first."""
    dsn, sqlite = _live(file, dsn, sqlite) if (dsn or sqlite or seed_tables) else (None, None)
    if seed_tables and not (dsn or sqlite):
        fail("--seed-tables needs a database source: --dsn URL or --sqlite PATH")
    if (env is None) == (ref is None):
        fail("say what to release: --env E (its head, or --file snapshotted into it) or --ref REF")
    if (file is not None or dsn or sqlite) and env is None:
        fail("--file, --dsn and --sqlite need --env: the schema is snapshotted into that env, then released")
    registry = _registry(data_dir)
    schema: Any = None
    metadata = None
    seed = None
    if dsn or sqlite:
        live = inspect_live(dsn, sqlite)
        schema, metadata = live.schema, live.metadata()
        seed = seed_data(dsn, sqlite, seed_tables) if seed_tables else None
    try:
        if file is not None:
            schema = _read_ddl(file)
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
        )
    except SchemaregError as error:
        fail(error)
    if output_format == "json":
        _echo_json(release)
    else:
        click.echo(f"released {release.name} at {release.sha[:12]}")
        click.echo(f"fingerprint {release.fingerprint}")


@cli.command("promote")
@click.option("--project", "-p", required=True)
@click.option("--env", "-e", required=True, help="The environment to move.")
@click.option("--from", "from_", required=True, help="An env, a release or a sha.")
@click.option("--message", "-m", help="A line for the commit message.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@_data_dir
def promote_command(
    project: str, env: str, from_: str, message: str | None, output_format: str, data_dir: Path
) -> None:
    """Make --env expect what --from has (a new commit on its branch with that tree)."""
    try:
        result = _registry(data_dir).promote(project, env, from_, message=message)
    except SchemaregError as error:
        fail(error)
    _print_snapshot(result, output_format)


def _remote_listing(
    registry_url: str, project: str | None
) -> list[tuple[Project, list[Environment], list[Release]]]:
    from schemareg.cli.remote import RemoteRegistry

    remote = RemoteRegistry(registry_url)
    click.get_current_context().call_on_close(remote.close)
    return remote.listing(project)


@cli.command("list")
@click.option("--project", "-p", help="Only this project.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.option("--backups", "backups_only", is_flag=True, help="Only the backups (JSON: a list of them).")
@backup_dir_option
@s3_option
@_data_dir
@registry_option
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
    try:
        backups = (
            backup_listing(data_dir, backup_dir, s3_url)
            if registry_url is None and (backups_only or output_format == "text")
            else []
        )
    except SchemaregError as error:
        fail(error)
    if backups_only:
        if output_format == "json":
            _echo_json(backups_json(backups))
        else:
            print_backups(backups)
        return
    try:
        listing: list[tuple[Project, list[Environment], list[Release]]]
        if registry_url is not None:
            listing = _remote_listing(registry_url, project)
        else:
            registry = _registry(data_dir)
            projects = [registry.project(project)] if project else registry.projects()
            listing = [
                (item, registry.environments(item.name), registry.releases(item.name)) for item in projects
            ]
    except SchemaregError as error:
        fail(error)
    if output_format == "json":
        _echo_json(
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
        click.echo(f"no projects in {data_dir}")
    for item, environments, releases in listing:
        click.echo(f"{item.name} ({item.dialect})" + (f": {item.description}" if item.description else ""))
        click.echo("  environments:")
        for env in environments:
            released = f"  {env.release}" if env.release else ""
            click.echo(f"    {env.name:<16} {env.sha[:12]}  {env.created_at}{released}")
        if not environments:
            click.echo("    (none)")
        click.echo("  releases:")
        for release in releases:
            click.echo(
                f"    {release.name:<16} {release.sha[:12]}  {release.created_at}  {release.description}"
            )
        if not releases:
            click.echo("    (none)")
    print_backups(backups)


@cli.command("log")
@click.option("--project", "-p", required=True)
@click.option("--env", "-e", help="An environment's history.")
@click.argument("ref", required=False)
@click.option("--table", help="Instead: when each column of this table appeared or changed, per release.")
@click.option("--limit", "-n", type=click.IntRange(min=1), help="At most this many entries.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@_data_dir
def log_command(
    project: str,
    env: str | None,
    ref: str | None,
    table: str | None,
    limit: int | None,
    output_format: str,
    data_dir: Path,
) -> None:
    """The history of an env (or of any REF), newest first; or a table's column history with --table."""
    registry = _registry(data_dir)
    try:
        if table is not None:
            history = registry.table_history(project, table, env=env)
            if output_format == "json":
                _echo_json(history)
                return
            click.echo(f"{history.table} on {history.env}:")
            for event in history.events:
                what = f" ({', '.join(event.what)})" if event.what else ""
                target = f"{event.kind} {event.name}" if event.name else event.kind
                release = event.release or "unreleased"
                click.echo(
                    f"  {event.created_at} {event.sha[:12]} {release:<12} {event.change} {target}{what}"
                )
            return
        if env is not None and ref is not None:
            fail("give either --env or REF, not both")
        entries = (
            registry.history(project, env, limit=limit)
            if env is not None
            else registry.log(project, ref or _default_env(registry, project), limit=limit)
        )
    except SchemaregError as error:
        fail(error)
    if output_format == "json":
        _echo_json(entries)
        return
    for entry in entries:
        release = f" [{entry.release}]" if entry.release else ""
        click.echo(f"{entry.sha[:12]} {entry.created_at}{release} {entry.subject}")


def _default_env(registry: Registry, project: str) -> str:
    names = [env.name for env in registry.environments(project)]
    if not names:
        fail(f"project {project!r} has no environments yet")
    return "production" if "production" in names else names[0]


@cli.command("gc")
@click.option("--project", "-p", help="Only this project (default: all).")
@click.option(
    "--no-git",
    is_flag=True,
    help="Use dulwich's packing even when git is installed (one pack, no delta compression).",
)
@_data_dir
def gc_command(project: str | None, no_git: bool, data_dir: Path) -> None:
    """Pack the repos: the real `git gc` (delta-compressed) when git is on PATH. Without git, dulwich
    gathers the loose objects into one pack without delta compression, so the repo stays larger."""
    registry = _registry(data_dir)
    try:
        names = [project] if project else [item.name for item in registry.projects()]
        for name in names:
            result = registry.gc(name, use_git=False if no_git else None)
            click.echo(
                f"{name}: {result.tool}: {result.size_before / 1024:.0f} KiB -> {result.size_after / 1024:.0f} KiB,"
                f" {result.loose_after} loose objects, {result.packs_after} packs"
            )
    except SchemaregError as error:
        fail(error)
