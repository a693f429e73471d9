"""The verbs that read backups back: `restore`, `verify-backup` (a restore drill) and `prune` (retention
and the storage quota). Each parses its options, calls the core (`schemareg.backup`), and prints."""

from __future__ import annotations

from pathlib import Path

import click

from schemareg.cli.app import EXIT_DIFFERENT, cli, data_dir_option, exit_with
from schemareg.cli.backup_options import (
    PhaseProgress,
    alerts_options,
    backup_dir_option,
    echo_json,
    format_option,
    pg_bin_option,
    progress_line,
    s3_option,
    say,
    size_text,
    stores,
)


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
@pg_bin_option
@format_option
def restore_command(
    backup: str,
    dsn: str,
    force: bool,
    jobs: int,
    identity: Path | None,
    pg_bin: str | None,
    output_format: str,
) -> None:
    """Restore BACKUP (a local path or an s3:// key) into --dsn. The sha256 is checked first, the target
    must be empty unless --force, the restore stops at the first error, and the restored schema's
    fingerprint is compared with the manifest's: exit 1 when they differ.

    \b
    Example:
      schemareg restore s3://backups/shop/full_backup_20250101_020000.sql.gz --dsn postgresql://localhost/shop_copy
    """
    from schemareg.backup import restore
    from schemareg.backup.plans import restore_request

    request = restore_request(backup, dsn, force=force, jobs=jobs, identity=identity, pg_bin=pg_bin)
    with progress_line("restore") as progress:
        if progress is not None:
            request.progress = PhaseProgress(progress)
        result = restore(request)
    manifest = result.manifest
    if output_format == "json":
        echo_json(
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
@pg_bin_option
@format_option
@data_dir_option
def verify_backup_command(
    backup: str,
    dev_url: str | None,
    identity: Path | None,
    jobs: int,
    backup_dir: Path | None,
    s3_url: str | None,
    pg_bin: str | None,
    output_format: str,
    data_dir: Path,
) -> None:
    """Restore drill: restore BACKUP (a path, an s3:// key, or `latest`, the newest full backup of the
    backup dir and --s3) into a scratch database, compare the schema's fingerprint and every table's row
    count with the manifest, print a report, and drop the scratch database. Exit 1 on a mismatch.

    \b
    Example:
      schemareg verify-backup latest --s3 s3://backups/shop --dev-url postgresql://postgres@localhost/postgres
    """
    from schemareg.backup.plans import verify_request
    from schemareg.backup.verify import verify_backup

    request = verify_request(
        backup,
        dev_url=dev_url,
        stores=lambda: stores(data_dir, backup_dir, s3_url),
        identity=identity,
        jobs=jobs,
        pg_bin=pg_bin,
    )
    report = verify_backup(request)
    manifest = report.manifest
    if output_format == "json":
        echo_json(
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
@alerts_options
@format_option
@data_dir_option
def prune_command(
    yes: bool,
    max_size: str | None,
    project: str | None,
    backup_dir: Path | None,
    s3_url: str | None,
    open_issue: bool,
    webhook: str | None,
    github_api_url: str | None,
    output_format: str,
    data_dir: Path,
) -> None:
    """Apply retention to local and S3 backups: daily backups 7 days, schema snapshots 30 days, releases
    forever, manual and pre-migration backups until deleted by hand, never the newest full backup; then
    the storage quota (--max-size), oldest deletable first, never the newest full backup or a release's."""
    from schemareg.alerts.incidents import IncidentKind
    from schemareg.backup.alerting import incidents_from, reported
    from schemareg.backup.config import backup_settings
    from schemareg.backup.plans import local_backup_dir
    from schemareg.backup.pruning import prune, quota_incident

    where = stores(data_dir, backup_dir, s3_url)
    limit = max_size or backup_settings().max_size
    incidents = incidents_from(open_issue, webhook, github_api_url)
    name = project or local_backup_dir(data_dir, backup_dir).resolve().name
    outcome = reported(
        incidents,
        name,
        lambda: prune(where, limit, apply_plan=yes),
        kind=IncidentKind.PRUNE,
        closes=[IncidentKind.PRUNE],
        say=say,
    )
    incident = quota_incident(name, outcome, applied=yes)
    if yes and incidents.enabled and outcome.quotas:
        said = incidents.failed(incident) if incident else incidents.succeeded(name, [IncidentKind.QUOTA])
        for line in said:
            say(line)
    decisions, partials = outcome.decisions, outcome.partials
    deleting = [decision for decision in decisions if decision.delete]
    if output_format == "json":
        echo_json(
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
            f"quota {size_text(quota.limit)} of {quota.store}: {size_text(quota.before)} -> {size_text(quota.after)}, {state}"
        )
    count = len(deleting) + len(partials)
    if not decisions and not partials:
        click.echo("no backups")
    elif yes:
        click.echo(f"{count} deleted, {len(decisions) - len(deleting)} kept")
    else:
        click.echo(f"{count} to delete, {len(decisions) - len(deleting)} to keep; run with --yes to delete")
