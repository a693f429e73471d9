"""The guards at work in the service: an env's baselines, and the checks a snapshot, promotion or
release must pass before it is stored (the levels and rules themselves are in `schemareg.compat`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from schemareg.compat import (
    Compatibility,
    Guards,
    SemverMode,
    Violation,
    check_candidate,
    check_release,
    forced_note,
    previous_release,
    refusal,
    semver_refusal,
)
from schemareg.diff import DiffRules, diff_schemas
from schemareg.model import Schema

__all__ = [
    "Configured",
    "Repository",
    "baselines",
    "check_release_name",
    "check_write",
    "name_check",
    "would_refuse",
    "write_check",
]


class _Entry(Protocol):
    @property
    def sha(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...


class _Release(_Entry, Protocol):
    @property
    def name(self) -> str: ...


class Repository(Protocol):
    """What the guards read of a project: schemas, releases and first-parent history."""

    def schema_at(self, project: str, ref: str) -> Schema: ...
    def releases(self, project: str) -> Sequence[_Release]: ...
    def log(self, project: str, ref: str, *, limit: int | None = None) -> Sequence[_Entry]: ...


class Configured(Repository, Protocol):
    """A repository that also knows each project's guards and diff rules (the registry)."""

    def guards(self, project: str) -> Guards: ...
    def rules(self, project: str) -> DiffRules: ...


def _releases_in_history(registry: Repository, project: str, head: str) -> list[str]:
    """The releases on the line that led to `head`, newest first: tagged on it, or promoted into it."""
    lineage = registry.log(project, head)
    shas = {entry.sha for entry in lineage}
    fingerprints = {entry.fingerprint for entry in lineage}
    found = [r for r in registry.releases(project) if r.sha in shas or r.fingerprint in fingerprints]
    order = {entry.sha: position for position, entry in enumerate(lineage)}
    found.sort(key=lambda release: order.get(release.sha, len(order)))
    return [release.name for release in found]


def baselines(
    registry: Repository, project: str, env: str, head: str | None, level: Compatibility
) -> list[tuple[str, str]]:
    """(label, ref) pairs that a write to `env` is checked against: the head, then (transitively) every
    release in its history."""
    if head is None:
        return []
    found = [(f"{env}@{head[:12]}", head)]
    if level.transitive:
        found += [(name, name) for name in _releases_in_history(registry, project, head)]
    return found


def would_refuse(
    registry: Repository,
    project: str,
    env: str,
    head: str | None,
    candidate: Schema,
    *,
    guards: Guards,
    rules: DiffRules,
) -> list[Violation]:
    """What the env's level refuses in `candidate` (empty: a post would be accepted)."""
    level = guards.level(env)
    if level is Compatibility.NONE:
        return []
    return check_candidate(
        candidate,
        level=level,
        baselines=baselines(registry, project, env, head, level),
        schema_at=lambda ref: registry.schema_at(project, ref),
        rules=rules,
    )


def check_write(
    registry: Repository,
    project: str,
    env: str,
    head: str | None,
    candidate: Schema,
    *,
    guards: Guards,
    rules: DiffRules,
    action: str,
    force: bool = False,
    forced_by: str = "",
) -> list[str]:
    """Raise `schemareg.compat.Incompatible` when the env's level refuses `candidate`, unless forced; the commit message
    lines that record a forced write (none when nothing was refused)."""
    found = would_refuse(registry, project, env, head, candidate, guards=guards, rules=rules)
    if not found:
        return []
    level = guards.level(env)
    if not force:
        raise refusal(project, env, level, found, action=action)
    return forced_note(forced_by, level.value, found)


def check_release_name(
    registry: Repository,
    project: str,
    name: str,
    target: str,
    *,
    guards: Guards,
    rules: DiffRules,
    force: bool = False,
    forced_by: str = "",
) -> tuple[list[str], str | None]:
    """Check a semver release name against the previous release on the target's line.

    Returns the commit message lines (a forced or warned bump is recorded) and a warning for the
    answer; raises `schemareg.compat.Incompatible` when the project enforces semver and the bump is too small.
    """
    mode = guards.releases.semver
    if mode is SemverMode.OFF:
        return [], None
    previous = previous_release(name, _releases_in_history(registry, project, target))
    if previous is None:
        return [], None
    diff = diff_schemas(
        registry.schema_at(project, previous),
        registry.schema_at(project, target),
        rules=rules,
        from_label=previous,
        to_label=name,
    )
    verdict = check_release(name, previous, diff)
    if verdict is None or verdict.ok:
        return [], None
    if mode is SemverMode.ENFORCE and not force:
        raise semver_refusal(name, verdict)
    lines = [f"Semver: {verdict.message(name)}"]
    if mode is SemverMode.ENFORCE:
        lines += forced_note(forced_by, "semver", [Violation(against=previous, changes=verdict.changes)])
    return lines, verdict.message(name)


def write_check(
    registry: Configured, project: str, env: str, action: str, force: bool, forced_by: str
) -> Callable[[str | None, Schema], list[str]]:
    """The check a snapshot or promotion of `env` runs under the lock: (env head, candidate) -> the
    commit message lines of a forced write (`check_write` with the project's guards and rules)."""

    def check(head: str | None, candidate: Schema) -> list[str]:
        return check_write(
            registry,
            project,
            env,
            head,
            candidate,
            guards=registry.guards(project),
            rules=registry.rules(project),
            action=action,
            force=force,
            forced_by=forced_by,
        )

    return check


def name_check(
    registry: Configured, project: str, name: str, force: bool, forced_by: str
) -> Callable[[str], tuple[list[str], str | None]]:
    """The check a release name runs under the lock: target sha -> (message lines, warning)."""

    def check(target: str) -> tuple[list[str], str | None]:
        return check_release_name(
            registry,
            project,
            name,
            target,
            guards=registry.guards(project),
            rules=registry.rules(project),
            force=force,
            forced_by=forced_by,
        )

    return check
