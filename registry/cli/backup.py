"""The backup verbs: `backup`, `restore`, `prune` and `s3 lifecycle`; and the backups part of `list`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
import msgspec

from schemareg.cli.app import (
    EXIT_DIFFERENT,
    cli,
    data_dir_option,
    exit_with,
    open_registry,
    registry_options,
)
from schemareg.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


def _data_dir(function: F) -> F:
    return data_dir_option(function)


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


def _pg_bin(function: F) -> F:
    return click.option(
        "--pg-bin",
        type=click.Path(file_okay=False),
        envvar="SCHEMAREG_PG_BIN",
        show_envvar=True,
        help="Directory of pg_dump / psql / pg_restore (default: the newest found; never older than the server).",
    )(function)


def _alerts(function: F) -> F:
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


def _say(line: str) -> None:
    click.echo(line, err=True)


def _json(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)


def local_backup_dir(data_dir: Path, backup_dir: Path | None) -> Path:
    return backup_dir if backup_dir is not None else data_dir / "backups"


def _echo_json(value: Any) -> None:
    click.echo(msgspec.json.format(msgspec.json.encode(value)).decode())


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def _age(days: float) -> str:
    if days < 1 / 24:
        return f"{max(days * 1440, 0):.0f}m"
    if days < 1:
        return f"{days * 24:.0f}h"
    return f"{days:.0f}d"


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress line on stderr, only when stderr is a terminal and not in CI."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TransferSpeedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("{task.fields[stored]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=None, stored="")

        def update(done: int, stored: int) -> None:
            progress.update(task, completed=done, stored=f"-> {_size(stored)}" if stored else "")

        yield update


def _s3_client() -> Any:
    from schemareg.backup import s3

    return s3.client()


def _stores(data_dir: Path, backup_dir: Path | None, s3_url: str | None) -> list[Any]:
    from schemareg.backup import LocalStore, Location, S3Store

    stores: list[Any] = [LocalStore(local_backup_dir(data_dir, backup_dir))]
    if s3_url:
        stores.append(S3Store(_s3_client(), Location.parse(s3_url)))
    return stores


def backup_listing(data_dir: Path, backup_dir: Path | None, s3_url: str | None) -> list[Any]:
    """Every complete backup, local and in S3, newest first (for `list`)."""
    from schemareg.backup import list_backups

    return list_backups(_stores(data_dir, backup_dir, s3_url))


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
    for entry in entries:
        manifest = entry.manifest
        click.echo(
            f"  {manifest.kind:<13} {_age(entry.age_days(now)):>5} {_size(manifest.size):>10}"
            f"  {manifest.format:<6} {entry.url}"
        )
    if not entries:
        click.echo("  (none)")


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
@_alerts
@_pg_bin
@_json
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
    from schemareg.backup import BackupRequest, Database, Encryption, Location, Tools, run_backup
    from schemareg.backup.alerting import incidents_from, project_of, reported
    from schemareg.backup.config import backup_settings
    from schemareg.backup.dump import parse_compression

    settings = backup_settings()
    compression, level = parse_compression(compression, level)
    if schema_only and release:
        raise InputError("--schema-only and --release are different backups: give one")
    if no_local and not s3_url:
        raise InputError("--no-local needs --s3")
    request = BackupRequest(
        database=None,
        tools=Tools(pg_bin),
        kind="schema" if schema_only else ("release" if release else kind),
        format=dump_format,
        jobs=jobs,
        compression=compression,
        level=level,
        recipients=list(recipients) or settings.recipients,
        dest=None if no_local else (dest or local_backup_dir(data_dir, backup_dir)),
        s3=Location.parse(s3_url) if s3_url else None,
        encryption=Encryption("aws:kms" if kms_key_id and sse == "AES256" else sse, kms_key_id),
        project=project,
        env=env,
    )
    if release:
        if not project:
            raise InputError("--release needs --project")
        registry = open_registry(data_dir, registry_url)
        found = registry.version(project, release)
        request.release = release
        request.release_sql = registry.schema_sql(project, release)
        request.release_fingerprint = found.fingerprint
    else:
        if not dsn:
            raise InputError("no database: give --dsn URL or set DATABASE_URL")
        request.database = Database(dsn)
    if project and env:
        head = open_registry(data_dir, registry_url).expected(project, env)
        request.env_head, request.env_fingerprint = head.sha, head.fingerprint
    elif env:
        raise InputError("--env needs --project")
    incidents = incidents_from(open_issue, webhook, github_api_url)
    closes = [IncidentKind.BACKUP, *([IncidentKind.UPLOAD] if s3_url else [])]
    with _progress("pg_dump") as progress:
        request.progress = progress
        result = reported(
            incidents,
            project_of(project, dsn),
            lambda: run_backup(request),
            kind=IncidentKind.BACKUP,
            closes=closes,
            say=_say,
        )
    manifest = result.manifest
    if as_json:
        _echo_json({"locations": result.locations, "manifest": manifest})
        return
    click.echo(
        f"{manifest.name}: {manifest.kind}, {manifest.format}, {manifest.compression},"
        f" {_size(manifest.size)} (from {_size(manifest.raw_size)}) in {manifest.duration_seconds:.1f} s"
    )
    for location in result.locations:
        click.echo(f"  -> {location}")
    click.echo(f"sha256 {manifest.sha256}")
    if manifest.fingerprint:
        click.echo(f"fingerprint {manifest.fingerprint}")
    if manifest.env_head and manifest.env_fingerprint:
        same = "matches" if manifest.env_fingerprint == manifest.fingerprint else "differs from"
        click.echo(f"{same} {manifest.project}/{manifest.env} head {manifest.env_head[:12]}")


@cli.command("restore")
@click.argument("backup")
@click.option("--dsn", metavar="URL", required=True, help="The database to restore into (empty).")
@click.option("--force", is_flag=True, help="Restore into a database that is not empty (objects replaced).")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=4, show_default=True, help="pg_restore jobs."
)
@click.option(
    "--identity",
    type=click.Path(dir_okay=False, path_type=Path),
    help="age identity file for an encrypted backup [default: the key in $SCHEMAREG_BACKUP_IDENTITY].",
)
@_pg_bin
@_json
def restore_command(
    backup: str, dsn: str, force: bool, jobs: int, identity: Path | None, pg_bin: str | None, as_json: bool
) -> None:
    """Restore BACKUP (a local path or an s3:// key) into --dsn. The sha256 is checked first, the target
    must be empty unless --force, the restore stops at the first error, and the restored schema's
    fingerprint is compared with the manifest's: exit 1 when they differ.

    \b
    Example:
      schemareg restore s3://backups/shop/full_backup_20250101_020000.sql.gz --dsn postgresql://localhost/shop_copy
    """
    from schemareg.backup import Database, RestoreRequest, Tools, restore
    from schemareg.backup.crypto import load_identities

    request = RestoreRequest(
        backup=backup,
        database=Database(dsn),
        tools=Tools(pg_bin),
        force=force,
        jobs=jobs,
        identities=load_identities(identity),
    )
    with _progress("restore") as progress:
        if progress is not None:
            done = 0

            def report(phase: str, count: int) -> None:
                nonlocal done
                done += count
                progress(done, 0)

            request.progress = report
        result = restore(request)
    manifest = result.manifest
    if as_json:
        _echo_json(
            {
                "backup": backup,
                "name": manifest.name,
                "sha256": manifest.sha256,
                "fingerprint": result.fingerprint,
                "expected_fingerprint": manifest.fingerprint,
                "matches": result.matches,
                "seconds": round(result.seconds, 3),
            }
        )
    else:
        click.echo(f"sha256 verified: {manifest.sha256}")
        click.echo(
            f"restored {manifest.name} ({manifest.format}) into {request.database.redacted} in {result.seconds:.1f} s"
        )
        if result.matches:
            click.echo(f"fingerprint {result.fingerprint} matches the manifest")
        else:
            click.echo(f"fingerprint {result.fingerprint} differs from the manifest's {manifest.fingerprint}")
    if not result.matches:
        exit_with(EXIT_DIFFERENT)


@cli.command("verify-backup")
@click.argument("backup", metavar="BACKUP|latest")
@click.option(
    "--dev-url",
    metavar="URL",
    envvar="SCHEMAREG_DEV_URL",
    show_envvar=True,
    help="Admin URL of the server the scratch database is made on (default: the embedded PostgreSQL).",
)
@click.option(
    "--identity",
    type=click.Path(dir_okay=False, path_type=Path),
    help="age identity file for an encrypted backup [default: the key in $SCHEMAREG_BACKUP_IDENTITY].",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=4, show_default=True, help="pg_restore jobs."
)
@backup_dir_option
@s3_option
@_pg_bin
@_json
@_data_dir
def verify_backup_command(
    backup: str,
    dev_url: str | None,
    identity: Path | None,
    jobs: int,
    backup_dir: Path | None,
    s3_url: str | None,
    pg_bin: str | None,
    as_json: bool,
    data_dir: Path,
) -> None:
    """Restore drill: restore BACKUP (a path, an s3:// key, or `latest`, the newest full backup of the
    backup dir and --s3) into a scratch database, compare the schema's fingerprint and every table's row
    count with the manifest, print a report, and drop the scratch database. Exit 1 on a mismatch.

    \b
    Example:
      schemareg verify-backup latest --s3 s3://backups/shop --dev-url postgresql://postgres@localhost/postgres
    """
    from schemareg.backup import Tools
    from schemareg.backup.crypto import load_identities
    from schemareg.backup.verify import VerifyRequest, verify_backup

    request = VerifyRequest(
        backup=backup,
        dev_url=dev_url,
        stores=_stores(data_dir, backup_dir, s3_url) if backup == "latest" else [],
        tools=Tools(pg_bin),
        identities=load_identities(identity),
        jobs=jobs,
    )
    report = verify_backup(request)
    manifest = report.manifest
    if as_json:
        _echo_json(
            {
                "backup": report.source,
                "scratch_database": report.scratch,
                "ok": report.ok,
                "fingerprint": report.fingerprint,
                "expected_fingerprint": manifest.fingerprint,
                "fingerprint_ok": report.fingerprint_ok,
                "row_counts_recorded": report.counts_recorded,
                "tables": [
                    {"table": t.table, "expected": t.expected, "found": t.found, "ok": t.ok}
                    for t in report.tables
                ],
                "seconds": round(report.seconds, 3),
            }
        )
    else:
        click.echo(f"verified {report.source} in a scratch database ({report.seconds:.1f} s)")
        click.echo(f"  sha256      ok ({manifest.sha256[:16]}...)")
        state = "ok" if report.fingerprint_ok else f"DIFFERS from the manifest's {manifest.fingerprint}"
        click.echo(f"  fingerprint {state} ({report.fingerprint})")
        if not report.counts_recorded:
            click.echo("  row counts  not recorded in this manifest")
        bad = [t for t in report.tables if not t.ok]
        if report.counts_recorded:
            click.echo(f"  row counts  {len(report.tables) - len(bad)} of {len(report.tables)} tables match")
        for check in bad:
            click.echo(f"    {check.table}: {check.found} rows, the manifest says {check.expected}")
        click.echo("OK" if report.ok else "MISMATCH")
    if not report.ok:
        exit_with(EXIT_DIFFERENT)


@cli.command("prune")
@click.option("--yes", is_flag=True, help="Delete what the plan says (without it, only print the plan).")
@click.option(
    "--max-size",
    metavar="SIZE",
    help="Storage quota per store (500MB, 50GiB): after retention the oldest deletable backups go until"
    " the total fits [default: [backup] max_size of schemareg.toml].",
)
@click.option("--project", "-p", help="The project alerts are filed under (default: the backup dir's name).")
@backup_dir_option
@s3_option
@_alerts
@_json
@_data_dir
def prune_command(
    yes: bool,
    max_size: str | None,
    project: str | None,
    backup_dir: Path | None,
    s3_url: str | None,
    open_issue: bool,
    webhook: str | None,
    github_api_url: str | None,
    as_json: bool,
    data_dir: Path,
) -> None:
    """Apply retention to local and S3 backups: daily backups 7 days, schema snapshots 30 days, releases
    forever, manual and pre-migration backups until deleted by hand, never the newest full backup; then
    the storage quota (--max-size), oldest deletable first, never the newest full backup or a release's."""
    from schemareg.alerts.incidents import IncidentKind
    from schemareg.backup.alerting import incidents_from, reported
    from schemareg.backup.config import backup_settings
    from schemareg.backup.pruning import prune, quota_incident

    stores = _stores(data_dir, backup_dir, s3_url)
    limit = max_size or backup_settings().max_size
    incidents = incidents_from(open_issue, webhook, github_api_url)
    name = project or local_backup_dir(data_dir, backup_dir).resolve().name
    outcome = reported(
        incidents,
        name,
        lambda: prune(stores, limit, apply_plan=yes),
        kind=IncidentKind.PRUNE,
        closes=[IncidentKind.PRUNE],
        say=_say,
    )
    incident = quota_incident(name, outcome, applied=yes)
    if yes and incidents.enabled and outcome.quotas:
        said = incidents.failed(incident) if incident else incidents.succeeded(name, [IncidentKind.QUOTA])
        for line in said:
            _say(line)
    decisions, partials = outcome.decisions, outcome.partials
    deleting = [decision for decision in decisions if decision.delete]
    if as_json:
        _echo_json(
            {
                "applied": yes,
                "plan": [
                    {
                        "location": d.entry.url,
                        "kind": d.entry.manifest.kind,
                        "size": d.entry.manifest.size,
                        "delete": d.delete,
                        "reason": d.reason,
                    }
                    for d in decisions
                ],
                "stale_partial_files": [str(path) for path in partials],
                "quota": [
                    {"store": q.store, "limit": q.limit, "before": q.before, "after": q.after, "met": q.met}
                    for q in outcome.quotas
                ],
            }
        )
        return
    for decision in decisions:
        action = ("deleted" if yes else "delete") if decision.delete else "keep"
        click.echo(f"{action:<8} {decision.entry.url}  ({decision.reason})")
    for path in partials:
        click.echo(
            f"{'deleted' if yes else 'delete':<8} {path}  (temporary file of a backup that did not finish)"
        )
    for quota in outcome.quotas:
        state = "fits" if quota.met else "CANNOT be met (only the newest full backup and releases are left)"
        click.echo(
            f"quota {_size(quota.limit)} of {quota.store}: {_size(quota.before)} -> {_size(quota.after)}, {state}"
        )
    count = len(deleting) + len(partials)
    if not decisions and not partials:
        click.echo("no backups")
    elif yes:
        click.echo(f"{count} deleted, {len(decisions) - len(deleting)} kept")
    else:
        click.echo(f"{count} to delete, {len(decisions) - len(deleting)} to keep; run with --yes to delete")


@cli.group("s3")
def s3_group() -> None:
    """S3 bucket set-up."""


@s3_group.command("lifecycle")
@s3_option
@_json
def lifecycle_command(s3_url: str | None, as_json: bool) -> None:
    """Apply the bucket's lifecycle rules: DEEP_ARCHIVE after 365 days, incomplete multipart uploads
    aborted after 7 days (rules of other names on the bucket are kept)."""
    from schemareg.backup import Location
    from schemareg.backup.s3 import apply_lifecycle

    if not s3_url:
        raise InputError("give --s3 s3://BUCKET/PREFIX or set SCHEMAREG_S3_URL")
    location = Location.parse(s3_url)
    answer = apply_lifecycle(_s3_client(), location)
    rules = answer.get("Rules", [])
    if as_json:
        _echo_json(rules)
        return
    click.echo(f"lifecycle of s3://{location.bucket}:")
    for rule in rules:
        click.echo(f"  {rule.get('ID', '?')}: {msgspec.json.encode(rule).decode()}")
