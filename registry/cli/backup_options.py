"""Options and output shared by the backup verbs (`schemareg.cli.backup`, `schemareg.cli.restore`)."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

import click
import msgspec

F = TypeVar("F", bound=Callable[..., Any])


def backup_dir_option(function: F) -> F:
    return click.option(
        "--backup-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="SCHEMAREG_BACKUP_DIR",
        show_envvar=True,
        help="Local backups (default: <data dir>/backups).",
    )(function)


def s3_option(function: F) -> F:
    return click.option(
        "--s3",
        "s3_url",
        metavar="s3://BUCKET/PREFIX",
        envvar="SCHEMAREG_S3_URL",
        show_envvar=True,
        help="S3 location of backups (AWS_* and AWS_ENDPOINT_URL configure the client).",
    )(function)


def pg_bin_option(function: F) -> F:
    return click.option(
        "--pg-bin",
        type=click.Path(file_okay=False),
        envvar="SCHEMAREG_PG_BIN",
        show_envvar=True,
        help="Directory of pg_dump / psql / pg_restore (default: the newest found; never older than the server).",
    )(function)


def alerts_options(function: F) -> F:
    """--open-issue / --webhook / --github-api-url: report a failure, close its issue on the next success."""
    function = click.option(
        "--github-api-url",
        envvar="GITHUB_API_URL",
        help="GitHub Enterprise API URL (default: api.github.com).",
    )(function)
    function = click.option(
        "--webhook",
        metavar="URL",
        envvar="SCHEMAREG_WEBHOOK_URL",
        help="POST failures (and quota removals) as JSON here (Slack accepts it).",
    )(function)
    return click.option(
        "--open-issue",
        is_flag=True,
        help="Keep one GitHub issue per kind of failure, closed by the next success (GITHUB_TOKEN, GITHUB_REPOSITORY).",
    )(function)


def say(line: str) -> None:
    click.echo(line, err=True)


def json_option(function: F) -> F:
    """`backup`'s JSON switch: its `--format` is the dump's format (plain, custom, directory)."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)


def format_option(function: F) -> F:
    """`--format text|json`, the spelling of every verb, with `--json` kept as a hidden alias for scripts
    written before; the command gets `output_format`."""

    @functools.wraps(function)
    def with_alias(*args: Any, as_json: bool, output_format: str, **kwargs: Any) -> Any:
        return function(*args, output_format="json" if as_json else output_format, **kwargs)

    decorated = click.option("--json", "as_json", is_flag=True, hidden=True, help="Same as --format json.")(
        with_alias
    )
    return cast(
        F,
        click.option(
            "--format",
            "output_format",
            type=click.Choice(["text", "json"]),
            default="text",
            show_default=True,
            help="Text for people, JSON for scripts (--json is the same).",
        )(decorated),
    )


def echo_json(value: Any) -> None:
    click.echo(msgspec.json.format(msgspec.json.encode(value)).decode())


def size_text(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def age_text(days: float) -> str:
    if days < 1 / 24:
        return f"{max(days * 1440, 0):.0f}m"
    if days < 1:
        return f"{days * 24:.0f}h"
    return f"{days:.0f}d"


@contextmanager
def progress_line(label: str) -> Iterator[Progress | None]:
    """A rich progress line on stderr, only when stderr is a terminal and not in CI. Sizes are binary
    (KiB, MiB, GiB: `size_text`), in the bar as in every summary line."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Line
    from rich.text import Text

    class Speed(ProgressColumn):
        def render(self, task: Any) -> Text:
            return Text(f"{size_text(int(task.speed))}/s" if task.speed else "")

    with Line(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[amount]}"),
        Speed(),
        TextColumn("{task.fields[stored]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=None, amount="", stored="")

        def update(done: int, stored: int = 0, *, total: int | None = None, phase: str | None = None) -> None:
            progress.update(
                task,
                completed=done,
                total=total or None,
                description=phase or label,
                amount=amount_text(done, total),
                stored=f"-> {size_text(stored)}" if stored else "",
            )

        yield update


def amount_text(done: int, total: int | None) -> str:
    """`5.0 MiB`, or `5.0 MiB/12.0 MiB` when the total is known."""
    return f"{size_text(done)}/{size_text(total)}" if total else size_text(done)


class PhaseProgress:
    """A restore's `progress(phase, count, total)` as one line: the bytes of the current phase against
    that phase's total from the manifest (the stored size to verify or download, then the dump's size)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.phase = ""
        self.done = 0

    def __call__(self, phase: str, count: int, total: int) -> None:
        if phase != self.phase:
            self.phase, self.done = phase, 0
        self.done += count
        self.progress(self.done, total=total, phase=phase)


class Progress(Protocol):
    """What `progress_line` yields: called with the bytes done (and stored), the total when known, and
    the phase (download, verify, restore) when it has phases."""

    def __call__(
        self, done: int, stored: int = 0, *, total: int | None = None, phase: str | None = None
    ) -> None: ...


def s3_client() -> Any:
    from schemareg.backup import s3

    return s3.client()


def stores(data_dir: Path, backup_dir: Path | None, s3_url: str | None) -> list[Any]:
    """The local backup dir (default `<data dir>/backups`) and --s3, when given."""
    from schemareg.backup.plans import backup_stores, local_backup_dir

    return backup_stores(local_backup_dir(data_dir, backup_dir), s3_url, s3_client)
