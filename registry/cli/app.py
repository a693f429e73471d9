"""The `schemareg` command group and what every verb shares: error handling, exit codes, output."""

from __future__ import annotations

import importlib
import itertools
import os
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click
import msgspec

from schemareg import __version__
from schemareg.dsn import password_of, scrub
from schemareg.errors import SchemaregError, SQLParseError

if TYPE_CHECKING:
    from schemareg.cli.remote import RemoteRegistry
    from schemareg.service import Registry

# Exit codes of every verb (DESIGN.md): differences are not errors.
EXIT_OK = 0
EXIT_DIFFERENT = 1
EXIT_ERROR = 2

DIALECTS = click.Choice(["postgres", "mysql", "sqlite"], case_sensitive=False)
F = TypeVar("F", bound=Callable[..., Any])


class CommandError(click.ClickException):
    """A domain error shown as one line on stderr, exit code 2."""

    exit_code = EXIT_ERROR


def fail(error: SchemaregError | str) -> NoReturn:
    raise CommandError(str(error))


def read_ddl(file: str) -> tuple[str, str]:
    """A DDL script's text and the name its errors give it (`-` is standard input), or one line saying why
    it cannot be read: every verb that takes a script reads it so."""
    if file == "-":
        return sys.stdin.read(), "<stdin>"
    path = Path(file)
    if path.is_dir():  # a folder of migrations: its up migrations in the order they apply (migrations.py)
        from schemareg.cli.migrations import read_folder

        text = read_folder(path, file)
        if not text:
            fail(f"cannot read {file}: a directory with no .sql migrations in it")
        return text, file
    try:
        return path.read_text(encoding="utf-8"), file
    except FileNotFoundError:
        fail(f"cannot read {file}: no such file")
    except UnicodeDecodeError as error:
        raise SQLParseError("not UTF-8 text", line=1, column=error.start + 1, source=file) from error
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}")


def data_dir_option(function: F) -> F:
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="SCHEMAREG_DATA_DIR",
        default="schemareg-data",
        show_default=True,
        show_envvar=True,
        help="Where the registry keeps one bare git repo per project.",
    )(function)


def registry_options(function: F) -> F:
    """--data-dir and --registry: the verbs that read or write the registry work on either."""
    from schemareg.cli.remote import registry_option

    return data_dir_option(registry_option(function))


def open_registry(data_dir: Path, registry_url: str | None) -> Registry | RemoteRegistry:
    """The registry a verb works on: the server at --registry, else the local data dir; closed when the
    command ends (open pack files or the HTTP connection pool)."""
    registry: Registry | RemoteRegistry
    if registry_url:
        from schemareg.cli.remote import RemoteRegistry

        registry = RemoteRegistry(registry_url)
    else:
        from schemareg.service import Registry  # late: the verbs on files need neither git nor the store

        registry = Registry(data_dir)
    click.get_current_context().call_on_close(registry.close)
    return registry


def echo_json(value: Any) -> None:
    click.echo(msgspec.json.format(msgspec.json.encode(value)).decode())


def echo_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, indent: str = "", empty: str = ""
) -> None:
    """Rows under a header line, each column as wide as its widest cell (`empty` when there are no rows)."""
    if not rows:
        if empty:
            click.echo(f"{indent}{empty}")
        return
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, *rows]:
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)]
        click.echo((indent + "  ".join(cells)).rstrip())


def write_output(text: str, output: Path | None) -> None:
    if output is None or str(output) == "-":
        click.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text, encoding="utf-8")


CONFIG_FILE = "schemareg.toml"


# Which module defines each verb: a verb's module is imported when the verb runs (or when help lists it),
# so `schemareg schema` loads the normaliser and not the store, the backup code or the HTTP client.
# tests/unit/test_cli_lazy.py checks that this names every verb the modules define.
VERBS = {
    "backup": "backup",
    "restore": "restore",
    "verify-backup": "restore",
    "prune": "restore",
    "s3": "backup",
    "compat": "compat",
    "diff": "diff",
    "changelog": "diff",
    "check": "check",
    "drift": "drift",
    "schema": "schema",
    "serve": "serve",
    "init": "store",
    "project": "store",
    "snapshot": "store",
    "version": "store",
    "promote": "store",
    "list": "store",
    "log": "store",
    "gc": "store",
}

# The first sentence of each verb's help, so that `schemareg --help` lists the verbs without importing them
# (tests/unit/test_cli_lazy.py holds each equal to its verb's own).
SUMMARIES = {
    "backup": (
        "Take a full backup: pg_dump streamed through compression into a file and/or an S3 multipart "
        "upload, with a manifest beside it (sha256, size, server version, schema fingerprint, env head)."
    ),
    "restore": "Restore BACKUP (a local path or an s3:// key) into --dsn.",
    "verify-backup": (
        "Restore drill: restore BACKUP (a path, an s3:// key, or `latest`, the newest full backup of the "
        "backup dir and --s3) into a scratch database, compare the schema's fingerprint and every "
        "table's row count with the manifest, print a report, and drop the scratch database."
    ),
    "prune": (
        "Apply retention to local and S3 backups: daily backups 7 days, schema snapshots 30 days, "
        "releases forever, manual and pre-migration backups until deleted by hand, never the newest full "
        "backup; then the storage quota (--max-size), oldest deletable first, never the newest full "
        "backup or a release's."
    ),
    "s3": "S3 bucket set-up.",
    "compat": (
        "Show (or --set) the compatibility level of an environment: which snapshots and promotions it "
        "refuses (none: nothing checked; backward: breaking changes against its head; "
        "backward_transitive: against every release in its history too; additive: anything but safe "
        "changes)."
    ),
    "diff": (
        "Compare two DDL files, two versions, or a live database with an env's baseline; exit 1 when "
        "they differ."
    ),
    "changelog": "The markdown changelog from FROM to TO (a report: exit 0 whether or not anything changed).",
    "check": (
        "Check that each FILE (structure.sql, schema.sql, a folder of migrations) parses; with --project "
        "and --env, that it equals the env's head (exit 1 when not, with the changelog from the head to "
        "the file)."
    ),
    "drift": (
        "Compare a live database with --env's baseline, with the project's ignore rules; exit 1 on drift."
    ),
    "schema": "Export the canonical schema only: dependency-ordered DDL, or JSON with the fingerprint.",
    "serve": (
        "Serve the REST API and read-only `git clone` over HTTP (flags, then SCHEMAREG_* variables, then "
        "the [server] table of ./schemareg.toml)."
    ),
    "init": "Create PROJECT: a bare git repo <data dir>/PROJECT.git (or the project on --registry).",
    "project": "Show PROJECT's settings, or change them with the options given.",
    "snapshot": "Record the schema an environment has now (no commit when its fingerprint is unchanged).",
    "version": (
        "Create release NAME: an annotated tag on its own commit, with info.json and a README.md "
        "changelog against the previous release."
    ),
    "promote": (
        "Make --env expect what --from has (a new commit on its branch with that tree); refused like a "
        "snapshot when the env's compatibility level refuses it, unless --force."
    ),
    "list": (
        "Projects with their environments and releases, then the backups (local, and S3 with --s3): "
        "kind, age, size."
    ),
    "log": "The history of an env (or of any REF), newest first; or a table's column history with --table.",
    "gc": "Pack the repos of the local data dir: the real `git gc` (delta-compressed) when git is on PATH.",
}


class LazyGroup(click.Group):
    """A group whose verbs are imported on first use, from the module `VERBS` names for them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *VERBS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in VERBS:
            # The module's decorators register its verbs on `cli`.
            importlib.import_module(f"schemareg.cli.{VERBS[cmd_name]}")
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The verbs with the first sentence of their help, as click lists them, from `SUMMARIES` for the
        verbs not imported: `schemareg --help` imports none (0.04 s against 0.11 s with them all)."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = self.commands.get(name) or click.Command(name, help=SUMMARIES[name])
            if not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def config_defaults(command: click.Command | None, path: Path) -> dict[str, dict[str, Any]]:
    """Option defaults from the top-level keys of `schemareg.toml` (`data_dir = "..."`, `backup_dir`, ...),
    for the verb that runs, where it has an option of that name. Tables belong to their readers ([diff]
    rules, [server] settings). Click ranks them below flags and SCHEMAREG_* variables, as the design asks."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CommandError(f"{path}: {error}") from error
    if command is None or command.name is None:
        return {}
    values = {key.replace("-", "_"): value for key, value in document.items() if not isinstance(value, dict)}
    names = {param.name for param in command.params}
    chosen = {key: value for key, value in values.items() if key in names}
    return {command.name: chosen} if chosen else {}


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, "-V", "--version", prog_name="schemareg")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """schemareg: a Git-backed registry of database schemas.

    Exit codes: 0 success and no differences, 1 differences or drift found, 2 error.

    Settings: flags, then SCHEMAREG_* environment variables, then the top-level keys of ./schemareg.toml
    (for example data_dir = "/var/lib/schemareg").
    """
    assert isinstance(ctx.command, click.Group)
    verb = ctx.command.get_command(ctx, ctx.invoked_subcommand) if ctx.invoked_subcommand else None
    ctx.default_map = config_defaults(verb, Path(os.environ.get("SCHEMAREG_CONFIG", CONFIG_FILE)))


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (only the entry point calls sys.exit)."""
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name="schemareg", standalone_mode=False
        )
        # Without standalone mode click returns the code of an `Exit` (exit_with) instead of raising it.
        if isinstance(result, int):
            return result
    except click.exceptions.Exit as exit_:
        return int(exit_.exit_code)
    except click.ClickException as error:
        error.show()
        return EXIT_ERROR if isinstance(error, click.UsageError) else error.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_ERROR
    except SchemaregError as error:  # the one place a domain error becomes a message and exit code 2
        if isinstance(error, SQLParseError):
            error = _in_its_file(error)
        click.echo(f"Error: {_without_secrets(str(error), argv)}", err=True)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
    return EXIT_OK


def _in_its_file(error: SQLParseError) -> SQLParseError:
    """A parse error in a folder of migrations names the file it is in and its line there."""
    from schemareg.cli.migrations import locate

    shown, line = locate(error.source, error.line)
    if shown == error.source:
        return error
    return SQLParseError(error.reason, line=line, column=error.column, source=shown)


def _without_secrets(text: str, argv: Sequence[str] | None) -> str:
    """The message with every URL redacted and the raw password of any DSN the command was given masked."""
    args = list(argv) if argv is not None else sys.argv[1:]
    dsns = [value for flag, value in itertools.pairwise(args) if flag == "--dsn"]
    dsns += [arg.split("=", 1)[1] for arg in args if arg.startswith("--dsn=")]
    dsns += [os.environ[name] for name in ("DATABASE_URL",) if os.environ.get(name)]
    text = scrub(text)
    for dsn in dsns:
        if password_of(dsn):
            text = scrub(text, dsn)
    return text


def exit_with(code: int) -> NoReturn:
    """End a verb with a chosen exit code (for example 1 when a diff is not empty)."""
    sys.stdout.flush()
    raise click.exceptions.Exit(code)
