"""`schemareg serve`: the options only; the server lives in `api` and is imported when the verb runs, so
that importing the CLI never imports the web stack."""

from __future__ import annotations

from pathlib import Path

import click

from schemareg.cli.app import cli, fail


@cli.command("serve")
@click.option("--host", help="Address to bind [env SCHEMAREG_HOST; default 127.0.0.1].")
@click.option("--port", type=click.IntRange(0, 65535), help="Port [env SCHEMAREG_PORT; default 8080].")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The registry's data dir [env SCHEMAREG_DATA_DIR; default ./schemareg-data].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes [env SCHEMAREG_WORKERS; default one per core].",
)
@click.option(
    "--server",
    type=click.Choice(["granian", "uvicorn"]),
    help="The ASGI server [env SCHEMAREG_SERVER; default granian].",
)
@click.option(
    "--allow-anonymous",
    is_flag=True,
    default=None,
    help="Serve a non-loopback address without tokens (anyone who reaches it can write).",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1),
    help="Largest request body [env SCHEMAREG_MAX_BODY_BYTES; default 5 MiB].",
)
def serve_command(
    host: str | None,
    port: int | None,
    data_dir: Path | None,
    workers: int | None,
    server: str | None,
    allow_anonymous: bool | None,
    max_body_bytes: int | None,
) -> None:
    """Serve the REST API and read-only `git clone` over HTTP (flags, then SCHEMAREG_* variables, then
    the [server] table of ./schemareg.toml). With no tokens configured it binds loopback only."""
    from schemareg_api.cli import ServeError, serve

    overrides = {
        "host": host,
        "port": port,
        "data_dir": str(data_dir) if data_dir is not None else None,
        "workers": workers,
        "server": server,
        "allow_anonymous": allow_anonymous,
        "max_body_bytes": max_body_bytes,
    }
    try:
        serve(overrides, lambda message, warning: click.echo(message, err=warning))
    except (ServeError, ValueError) as error:
        fail(str(error))
