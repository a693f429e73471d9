"""Drift: the difference between a live database and the schema its environment is expected to have.

    check_environment(registry, project, env, live) -> DriftReport   (the workflow: compare, record)
    check_drift(project, env, baseline=Schema, live=Schema, rules, ...) -> DriftReport

The live schema is compared with the env head through the differ, with the project's ignore rules. A
report has a drift fingerprint (a hash of its changes) so that alerts can tell the same drift seen again
from a new one. Renderers: text (terminal), markdown (GitHub issue), JSON (the API, webhooks).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from schemareg.diff import NO_RULES, Change, ChangeType, DiffRules, diff_schemas
from schemareg.model import Schema
from schemareg.projects import atomic_write

if TYPE_CHECKING:
    from schemareg.introspect.base import Introspection
    from schemareg.snapshots import Snapshot

__all__ = [
    "DriftReport",
    "DriftReports",
    "DriftSource",
    "check_drift",
    "check_environment",
    "drift_fingerprint",
    "render_json",
    "render_markdown",
    "render_text",
]


class DriftReport(msgspec.Struct, kw_only=True):
    """One drift check of one env. `fingerprint` identifies the drift itself (None when there is none)."""

    project: str
    env: str
    drift: bool
    expected_sha: str | None
    expected_fingerprint: str | None
    actual_fingerprint: str
    fingerprint: str | None
    changes: list[Change]
    created_at: str
    database: str = ""  # the redacted DSN or file that was inspected
    database_version: str | None = None
    semver: str = "none"

    @property
    def key(self) -> str:
        """What one open alert is kept for: the project and env (one issue per drift fingerprint)."""
        return f"{self.project}/{self.env}"

    def summary(self) -> str:
        if not self.drift:
            return f"{self.project}/{self.env}: no drift (live {self.actual_fingerprint[:19]})"
        count = len(self.changes)
        noun = "change" if count == 1 else "changes"
        return f"{self.project}/{self.env}: drift, {count} {noun} against {(self.expected_sha or '')[:12]}"


class DriftReports:
    """The latest drift report of each env of one project, kept beside its repo as
    `<data dir>/<project>.drift/<env>.json` (outside git: a report is not a commit)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def record(self, env: str, report: Mapping[str, Any]) -> None:
        """Replace the env's report, atomically (a reader sees the old one or the new one)."""
        self.folder.mkdir(exist_ok=True)
        text = json.dumps(dict(report), indent=2, ensure_ascii=False) + "\n"
        atomic_write(self.folder / f"{env}.json", text)

    def latest(self) -> dict[str, dict[str, Any]]:
        """The report per env name (empty when no drift check was recorded)."""
        if not self.folder.is_dir():
            return {}
        reports: dict[str, dict[str, Any]] = {}
        for path in sorted(self.folder.glob("*.json")):
            if not path.name.startswith("."):
                reports[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        return reports


def drift_fingerprint(changes: list[Change]) -> str | None:
    """sha256 of the changes in their sorted, canonical JSON form: the same drift gives the same id."""
    if not changes:
        return None
    digest = hashlib.sha256()
    for change in sorted(changes, key=lambda c: c.sort_key):
        digest.update(msgspec.json.encode(change))
        digest.update(b"\n")
    return "sha256:" + digest.hexdigest()


def check_drift(
    *,
    project: str,
    env: str,
    baseline: Schema,
    live: Schema,
    expected_sha: str | None,
    expected_fingerprint: str | None,
    rules: DiffRules = NO_RULES,
    database: str = "",
    database_version: str | None = None,
    now: datetime | None = None,
) -> DriftReport:
    actual = live.fingerprint
    if expected_fingerprint is not None and actual == expected_fingerprint:
        changes: list[Change] = []
        semver = "none"
    else:
        diff = diff_schemas(
            baseline, live, rules=rules, from_label=f"{env}@{(expected_sha or '')[:12]}", to_label="live"
        )
        changes, semver = diff.changes, diff.semver.value
    created = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return DriftReport(
        project=project,
        env=env,
        drift=bool(changes),
        expected_sha=expected_sha,
        expected_fingerprint=expected_fingerprint,
        actual_fingerprint=actual,
        fingerprint=drift_fingerprint(changes),
        changes=changes,
        created_at=created,
        database=database,
        database_version=database_version,
        semver=semver,
    )


class DriftSource(Protocol):
    """What a drift check needs of a registry, local (`Registry`) or a server (the CLI's remote adapter)."""

    def expected(self, project: str, env: str) -> Snapshot: ...

    def schema_at(self, project: str, ref: str) -> Schema: ...

    def rules(self, project: str) -> DiffRules: ...

    def record_drift(self, project: str, env: str, report: Mapping[str, Any]) -> None: ...


def check_environment(
    registry: DriftSource, project: str, env: str, live: Introspection, *, database: str = ""
) -> DriftReport:
    """The drift check of one env: its head against the live schema, with the project's ignore rules;
    the report is recorded as the env's latest (what `GET /drift` and `list` show)."""
    expected = registry.expected(project, env)
    report = check_drift(
        project=project,
        env=env,
        baseline=registry.schema_at(project, expected.sha),
        live=live.schema,
        expected_sha=expected.sha,
        expected_fingerprint=expected.fingerprint,
        rules=registry.rules(project),
        database=database,
        database_version=live.database_version,
    )
    registry.record_drift(project, env, msgspec.to_builtins(report))
    return report


def _describe(change: Change) -> str:
    target = f"{change.kind} `{change.object}`" + (f" `{change.name}`" if change.name else "")
    what = f" ({', '.join(change.what)})" if change.what else ""
    verb = change.change.value.replace("_", " ")
    detail = ""
    if change.before is not None or change.after is not None:
        detail = f": `{change.before}` -> `{change.after}`" if change.change is ChangeType.MODIFY else ""
    rule = f" {change.rule} {change.title}" if change.rule else ""
    return f"{verb} {target}{what}{detail} [{change.severity.value}{rule}]"


def render_text(report: DriftReport) -> str:
    lines = [report.summary()]
    if report.database:
        lines.append(
            f"database: {report.database}"
            + (f" ({report.database_version})" if report.database_version else "")
        )
    lines.append(f"expected: {report.expected_sha or '-'} {report.expected_fingerprint or ''}".rstrip())
    lines.append(f"actual:   {report.actual_fingerprint}")
    if report.drift:
        lines.append(f"drift:    {report.fingerprint}")
        lines.extend(f"  - {_describe(change).replace('`', '')}" for change in report.changes)
    return "\n".join(lines) + "\n"


def render_markdown(report: DriftReport) -> str:
    title = f"Schema drift: {report.project} / {report.env}"
    lines = [f"## {title}", ""]
    if not report.drift:
        lines += ["No drift: the live database matches the environment's baseline.", ""]
    else:
        lines += [
            f"The live database differs from the `{report.env}` baseline in {len(report.changes)} way(s):",
            "",
            *[f"- {_describe(change)}" for change in report.changes],
            "",
        ]
    lines += [
        "| | |",
        "|---|---|",
        f"| expected version | `{report.expected_sha or '-'}` |",
        f"| expected fingerprint | `{report.expected_fingerprint or '-'}` |",
        f"| live fingerprint | `{report.actual_fingerprint}` |",
        f"| drift fingerprint | `{report.fingerprint or '-'}` |",
        f"| database | {report.database or '-'} {report.database_version or ''} |",
        f"| checked at | {report.created_at} |",
    ]
    return "\n".join(lines) + "\n"


def render_json(report: DriftReport) -> bytes:
    return msgspec.json.format(msgspec.json.encode(report), indent=2)
