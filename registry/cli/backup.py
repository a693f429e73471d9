"""The backup verbs: `backup` and `s3 lifecycle`; and the backups part of `list`. The request is built by
the core (`schemareg.backup.plans`); restore, verify-backup and prune are in `schemareg.cli.restore`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import msgspec

from schemareg.cli.app import cli, echo_table, open_registry, registry_options
from schemareg.cli.backup_options import (
    age_text,
    alerts_options,
    backup_dir_option,
    echo_json,
    format_option,
    json_option,
    pg_bin_option,
    progress_line,
    s3_client,
    s3_option,
    say,
    size_text,
    stores,
)
from schemareg.errors import InputError

__all__ = ["backup_listing", "backups_json", "print_backups"]


def backup_listing(data_dir: Path, backup_dir: Path | None, s3_url: str | None) -> list[Any]:
    """Every complete backup, local and in S3, newest first (for `list`)."""
    from schemareg.backup import list_backups

    return list_backups(stores(data_dir, backup_dir, s3_url))


def backups_json(entries: list[Any]) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "location": entry.url,
            "store": "s3" if entry.url.startswith("s3://") else "local",
            "age_days": round(entry.age_days(now), 3),
            **msgspec.to_builtins(entry.manifest),
        }
        for entry in entries
    ]


def print_backups(entries: list[Any]) -> None:
    click.echo("backups:")
    now = datetime.now(UTC)
    rows = [
        (e.manifest.kind, age_text(e.age_days(now)), size_text(e.manifest.size), e.manifest.format, e.url)
        for e in entries
    ]
    echo_table(("KIND", "AGE", "SIZE", "FORMAT", "WHERE"), rows, indent="  ", empty="(none)")


@cli.command("backup")
@click.option("--dsn", metavar="URL", envvar="DATABASE_URL", help="The database [env: DATABASE_URL].")
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the file here, not the backup dir.",
)
@backup_dir_option
@s3_option
@click.option("--no-local", is_flag=True, help="Upload to --s3 only; write no local file.")
@click.option(
    "--kind",
    type=click.Choice(["daily", "manual", "pre-migration"]),
    default="manual",
    show_default=True,
    help="Retention keeps daily backups 7 days, the others until deleted.",
)
@click.option(
    "--format",
    "dump_format",
    type=click.Choice(["plain", "custom", "directory"]),
    default="plain",
    show_default=True,
    help="plain: SQL for psql; custom: an archive for pg_restore; directory: dumped and restored in parallel.",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=1, help="pg_dump jobs (--format directory)."
)
@click.option(
    "--compress",
    "--compression",
    "compression",
    metavar="gzip|zstd[:LEVEL]",
    default="gzip",
    show_default=True,
    help="zstd runs on every CPU.",
)
@click.option("--level", type=click.IntRange(0, 22), help="Compression level (gzip 6, zstd 3 by default).")
@click.option(
    "--encrypt-to",
    "recipients",
    metavar="RECIPIENT",
    multiple=True,
    help="Encrypt on the client to this age recipient (age1... or ssh-ed25519 ...); repeatable"
    " [default: [backup] recipients of schemareg.toml].",
)
@click.option("--schema-only", is_flag=True, help="A schema snapshot (kind schema, kept 30 days).")
@click.option(
    "--release", metavar="NAME", help="Store release NAME's schema.sql from the registry (kept forever)."
)
@click.option("--project", "-p", help="Record this project's env head in the manifest (with --env).")
@click.option("--env", "-e", help="The environment whose head is recorded.")
@click.option(
    "--sse",
    type=click.Choice(["AES256", "aws:kms", "none"]),
    envvar="SCHEMAREG_S3_SSE",
    show_envvar=True,
    default="AES256",
    show_default=True,
    help="S3 server-side encryption.",
)
@click.option("--kms-key-id", envvar="SCHEMAREG_S3_KMS_KEY_ID", show_envvar=True, help="KMS key for aws:kms.")
@alerts_options
@pg_bin_option
@json_option
@registry_options
def backup_command(
    dsn: str | None,
    dest: Path | None,
    backup_dir: Path | None,
    s3_url: str | None,
    no_local: bool,
    kind: str,
    dump_format: str,
    jobs: int,
    compression: str,
    level: int | None,
    recipients: tuple[str, ...],
    schema_only: bool,
    release: str | None,
    project: str | None,
    env: str | None,
    sse: str,
    kms_key_id: str | None,
    open_issue: bool,
    webhook: str | None,
    github_api_url: str | None,
    pg_bin: str | None,
    as_json: bool,
    data_dir: Path,
    registry_url: str | None,
) -> None:
    """Take a full backup: pg_dump streamed through compression into a file and/or an S3 multipart upload,
    with a manifest beside it (sha256, size, server version, schema fingerprint, env head).

    \b
    Examples:
      schemareg backup --dsn postgresql://app@db/shop --kind daily --s3 s3://backups/shop
      schemareg backup --format custom --kind pre-migration -p shop -e production
    """
    from schemareg.alerts.incidents import IncidentKind
    from schemareg.backup import run_backup
    from schemareg.backup.alerting import incidents_from, project_of, reported
    from schemareg.backup.plans import BackupOptions, backup_request, local_backup_dir

    options = BackupOptions(
        dsn=dsn,
        dest=dest,
        backup_dir=local_backup_dir(data_dir, backup_dir),
        s3_url=s3_url,
        no_local=no_local,
        kind=kind,
        format=dump_format,
        jobs=jobs,
        compression=compression,
        level=level,
        recipients=recipients,
        schema_only=schema_only,
        release=release,
        project=project,
        env=env,
        sse=sse,
        kms_key_id=kms_key_id,
        pg_bin=pg_bin,
    )
    request = backup_request(options, lambda: open_registry(data_dir, registry_url))
    incidents = incidents_from(open_issue, webhook, github_api_url)
    closes = [IncidentKind.BACKUP, *([IncidentKind.UPLOAD] if s3_url else [])]
    with progress_line("pg_dump") as progress:
        request.progress = progress
        result = reported(
            incidents,
            project_of(project, dsn),
            lambda: run_backup(request),
            kind=IncidentKind.BACKUP,
            closes=closes,
            say=say,
        )
    manifest = result.manifest
    if as_json:
        echo_json({"locations": result.locations, "manifest": manifest})
        return
    click.echo(
        f"{manifest.name}: {manifest.kind}, {manifest.format}, {manifest.compression},"
        f" {size_text(manifest.size)} (from {size_text(manifest.raw_size)}) in {manifest.duration_seconds:.1f} s"
    )
    for location in result.locations:
        click.echo(f"  -> {location}")
    click.echo(f"sha256 {manifest.sha256}")
    if manifest.fingerprint:
        click.echo(f"fingerprint {manifest.fingerprint}")
    if manifest.env_head and manifest.env_fingerprint:
        same = "matches" if manifest.env_fingerprint == manifest.fingerprint else "differs from"
        click.echo(f"{same} {manifest.project}/{manifest.env} head {manifest.env_head[:12]}")


@cli.group("s3")
def s3_group() -> None:
    """S3 bucket set-up."""


@s3_group.command("lifecycle")
@s3_option
@format_option
def lifecycle_command(s3_url: str | None, output_format: str) -> None:
    """Apply the bucket's lifecycle rules: DEEP_ARCHIVE after 365 days, incomplete multipart uploads
    aborted after 7 days (rules of other names on the bucket are kept)."""
    from schemareg.backup import Location
    from schemareg.backup.s3 import apply_lifecycle

    if not s3_url:
        raise InputError("give --s3 s3://BUCKET/PREFIX or set SCHEMAREG_S3_URL")
    location = Location.parse(s3_url)
    answer = apply_lifecycle(s3_client(), location)
    rules = answer.get("Rules", [])
    if output_format == "json":
        echo_json(rules)
        return
    click.echo(f"lifecycle of s3://{location.bucket}:")
    for rule in rules:
        click.echo(f"  {rule.get('ID', '?')}: {msgspec.json.encode(rule).decode()}")
