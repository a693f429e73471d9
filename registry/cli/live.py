"""What the verbs share for a live database: where it is (`--dsn`, `--sqlite`, `DATABASE_URL`), and
introspecting it with the password kept out of every message."""

from __future__ import annotations

import os

import click

from schemareg.cli.app import fail
from schemareg.dsn import redact
from schemareg.introspect import Introspection, open_inspector

__all__ = ["database_label", "inspect_live", "live_source", "seed_data"]


def live_source(
    dsn: str | None, sqlite: str | None, *, other_source: bool = False
) -> tuple[str | None, str | None]:
    """The database to introspect: --dsn or --sqlite, else DATABASE_URL when no other source was given."""
    if dsn and sqlite:
        fail("give either --dsn or --sqlite, not both")
    if dsn is None and sqlite is None and not other_source:
        dsn = os.environ.get("DATABASE_URL") or None
    return dsn, sqlite


def database_label(dsn: str | None, sqlite: str | None) -> str:
    return redact(dsn) if dsn else str(sqlite)


def inspect_live(dsn: str | None, sqlite: str | None) -> Introspection:
    result = open_inspector(dsn, sqlite=sqlite).inspect()
    for issue in result.schema.issues:
        click.echo(f"warning: {issue.message}; {issue.outcome}", err=True)
    return result


def seed_data(dsn: str | None, sqlite: str | None, tables: str) -> str:
    names = [name.strip() for name in tables.split(",") if name.strip()]
    return open_inspector(dsn, sqlite=sqlite).seed_data(names)
