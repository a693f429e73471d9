"""`schemareg schema`: export the canonical schema of a DDL file or of a live database."""

from __future__ import annotations

from pathlib import Path

import click
import msgspec

from schemareg.cli.app import DIALECTS, cli, read_ddl, write_output
from schemareg.cli.live import inspect_live, live_source
from schemareg.cli.migrations import place
from schemareg.engine import ENGINES, Normalised, normalize_ddl
from schemareg.model import Schema
from schemareg.normalize import NormalizeOptions
from schemareg.render import render_schema_sql


class SchemaJSON(msgspec.Struct):
    dialect: str
    fingerprint: str
    objects: list[dict[str, object]]
    stats: dict[str, int]
    issues: list[dict[str, object]]


def schema_json(schema: Schema) -> bytes:
    document = SchemaJSON(
        dialect=schema.dialect,
        fingerprint=schema.fingerprint,
        objects=[
            {"kind": obj.kind.value, "name": obj.name, "sql": obj.sql, "opaque": obj.opaque}
            for obj in schema.canonical_objects()
        ],
        stats=msgspec.structs.asdict(schema.stats),
        issues=[msgspec.structs.asdict(issue) for issue in schema.issues],
    )
    return msgspec.json.format(msgspec.json.encode(document), indent=2)


def load_schema(
    file: str,
    dialect: str,
    options: NormalizeOptions | None = None,
    *,
    engine: str = "sqlglot",
    dev_url: str | None = None,
) -> Normalised:
    """Normalise a file, or standard input when the file is `-`, with the chosen engine."""
    options = options or NormalizeOptions()
    text, source = read_ddl(file)
    return normalize_ddl(text, dialect, engine=engine, source=source, options=options, dev_url=dev_url)


@cli.command("schema")
@click.option(
    "--file",
    "-f",
    "file",
    metavar="FILE",
    help="DDL script or folder of migrations to normalise ('-' for standard input).",
)
@click.option(
    "--dialect", "-d", type=DIALECTS, default="postgres", show_default=True, help="SQL dialect of FILE."
)
@click.option(
    "--dsn",
    metavar="URL",
    help="Live PostgreSQL database to introspect (default: DATABASE_URL, if no --file).",
)
@click.option("--sqlite", "sqlite_path", metavar="PATH", help="Live SQLite database file to introspect.")
@click.option("--format", "fmt", type=click.Choice(["sql", "json"]), default="sql", show_default=True)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="sqlglot",
    show_default=True,
    help="Normalise FILE in-process (sqlglot) or by applying it to a scratch database (postgres).",
)
@click.option(
    "--dev-url",
    metavar="URL",
    help="PostgreSQL server for --engine postgres (default: SCHEMAREG_DEV_URL, else the embedded one).",
)
@click.option("--keep-owners", is_flag=True, help="Keep ALTER ... OWNER TO as `owner` objects (FILE only).")
@click.option("--keep-grants", is_flag=True, help="Keep GRANT / REVOKE as `grant` objects (FILE only).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
def schema_command(
    file: str | None,
    dialect: str,
    dsn: str | None,
    sqlite_path: str | None,
    fmt: str,
    engine: str,
    dev_url: str | None,
    keep_owners: bool,
    keep_grants: bool,
    output: Path | None,
) -> None:
    """Export the canonical schema only: dependency-ordered DDL, or JSON with the fingerprint.

    \b
    Examples:
      schemareg schema --file structure.sql
      schemareg schema --file structure.sql --engine postgres
      pg_dump --schema-only mydb | schemareg schema --file - --format json
      schemareg schema --dsn postgresql://app@db/shop --format json
    """
    dsn, sqlite_path = live_source(dsn, sqlite_path, other_source=file is not None)
    if file and (dsn or sqlite_path):
        raise click.UsageError("give one source: --file, --dsn or --sqlite")
    if dsn or sqlite_path:
        schema = inspect_live(dsn, sqlite_path).schema
        emit(schema, fmt, output)
        return
    if not file:
        raise click.UsageError(
            "give --file FILE (or --file - for standard input), --dsn URL or --sqlite PATH"
        )
    options = NormalizeOptions(keep_owners=keep_owners, keep_grants=keep_grants)
    result = load_schema(file, dialect.lower(), options, engine=engine, dev_url=dev_url)
    schema = result.schema
    for issue in schema.issues:
        click.echo(
            f"warning: {place(file, issue.line, issue.column)}: {issue.message}; {issue.outcome}", err=True
        )
    for warning in result.warnings:
        click.echo(f"warning: {place(file, warning.line, warning.column)}: {warning.message}", err=True)
    emit(schema, fmt, output)


def emit(schema: Schema, fmt: str, output: Path | None) -> None:
    if fmt == "json":
        write_output(schema_json(schema).decode() + "\n", output)
    else:
        write_output(render_schema_sql(schema), output)
