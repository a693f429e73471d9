"""`schemareg compat`: an environment's compatibility level, read or set; and `--force` for the writes
that the guards refuse (recorded in the commit message with who forced them)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import click

from schemareg.cli.app import cli, echo_json, open_registry, registry_options
from schemareg.compat import Compatibility, parse_level

__all__ = ["force_option", "forcing"]

LEVELS = click.Choice([level.value for level in Compatibility], case_sensitive=False)


def force_option(function: Any) -> Any:
    return click.option(
        "--force",
        is_flag=True,
        help="Store it even if the env's compatibility level or the semver policy refuses it (recorded).",
    )(function)


def forcing(force: bool) -> dict[str, Any]:
    """The `force` and `forced_by` arguments of a local write: who forced it is the local user."""
    if not force:
        return {}
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return {"force": True, "forced_by": f"local user {who}"}


@cli.command("compat")
@click.option("--project", "-p", required=True)
@click.option("--env", "-e", required=True, help="The environment.")
@click.option(
    "--set", "level", type=LEVELS, help="Set the level: none, backward, backward_transitive, additive."
)
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@registry_options
def compat_command(
    project: str, env: str, level: str | None, output_format: str, data_dir: Path, registry_url: str | None
) -> None:
    """Show (or --set) the compatibility level of an environment: which snapshots and promotions it
    refuses (none: nothing checked; backward: breaking changes against its head; backward_transitive:
    against every release in its history too; additive: anything but safe changes)."""
    registry = open_registry(data_dir, registry_url)
    if level is None:
        found = registry.compatibility(project, env)
    else:
        found = registry.set_compatibility(project, env, parse_level(level))
    if output_format == "json":
        echo_json({"project": project, "env": env, "compatibility": found.value})
    else:
        click.echo(f"{project}/{env}: {found.value}")
