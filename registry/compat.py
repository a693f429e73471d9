"""Guards on what an environment may receive: compatibility levels, and the semver of releases.

    [environments.production]
    compatibility = "backward"     # none | backward | backward_transitive | additive
    [releases]
    semver = "warn"                # enforce | warn | off

A snapshot or promotion is checked against the env's head (and, transitively, every release in its
history); a release named as a semver against the previous release. What is refused raises
`Incompatible`, which holds the offending changes; nothing is stored.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import msgspec

from schemareg.diff import NO_RULES, Change, Diff, DiffRules, Semver, Severity, diff_schemas
from schemareg.errors import Conflict, InputError
from schemareg.lazy_re import lazy_compile
from schemareg.model import Schema

__all__ = [
    "Compatibility",
    "EnvironmentPolicy",
    "Guards",
    "Incompatible",
    "ReleasePolicy",
    "SemverCheck",
    "SemverMode",
    "Violation",
    "check_candidate",
    "check_release",
    "forced_note",
    "guards_from_document",
    "parse_level",
    "parse_semver",
    "previous_release",
    "refusal",
    "semver_refusal",
    "violations",
]


class Compatibility(enum.StrEnum):
    """What an env accepts, against its head (or, transitively, every release in its history)."""

    NONE = "none"  # anything
    BACKWARD = "backward"  # no breaking change: the code that ran against the head keeps working
    BACKWARD_TRANSITIVE = "backward_transitive"  # the same against every release in the env's history
    ADDITIVE = "additive"  # only safe changes: expand only

    @property
    def transitive(self) -> bool:
        return self is Compatibility.BACKWARD_TRANSITIVE

    def offending(self, diff: Diff) -> list[Change]:
        """The changes of `diff` that this level refuses."""
        if self is Compatibility.NONE:
            return []
        if self is Compatibility.ADDITIVE:
            return [change for change in diff.changes if change.severity is not Severity.SAFE]
        return diff.breaking()


class SemverMode(enum.StrEnum):
    ENFORCE = "enforce"  # a release bumped less than its changes need is refused (unless forced)
    WARN = "warn"  # it is made, and the answer says so
    OFF = "off"  # release names are not checked


class EnvironmentPolicy(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    compatibility: Compatibility = Compatibility.NONE


class ReleasePolicy(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    semver: SemverMode = SemverMode.WARN


class Guards(msgspec.Struct, frozen=True, kw_only=True):
    """A project's `[environments.<env>]` and `[releases]` tables."""

    environments: dict[str, EnvironmentPolicy] = msgspec.field(default_factory=dict)
    releases: ReleasePolicy = ReleasePolicy()

    def level(self, env: str) -> Compatibility:
        policy = self.environments.get(env)
        return policy.compatibility if policy is not None else Compatibility.NONE

    def with_level(self, env: str, level: Compatibility) -> Guards:
        environments = dict(self.environments)
        environments[env] = EnvironmentPolicy(compatibility=level)
        return Guards(environments=environments, releases=self.releases)

    def document(self) -> dict[str, Any]:
        """The tables to write into the project config (defaults left out)."""
        document: dict[str, Any] = {}
        environments = {
            env: {"compatibility": policy.compatibility.value}
            for env, policy in sorted(self.environments.items())
            if policy.compatibility is not Compatibility.NONE
        }
        if environments:
            document["environments"] = environments
        if self.releases != ReleasePolicy():
            document["releases"] = {"semver": self.releases.semver.value}
        return document


def guards_from_document(document: Mapping[str, Any]) -> Guards:
    """The guards of a whole project config document (missing tables: the defaults)."""
    try:
        return msgspec.convert(
            {
                "environments": document.get("environments", {}),
                "releases": document.get("releases", {}),
            },
            Guards,
        )
    except msgspec.ValidationError as error:
        raise InputError(f"invalid [environments] or [releases] settings: {error}") from error


def parse_level(text: str) -> Compatibility:
    try:
        return Compatibility(text.strip().lower())
    except ValueError:
        levels = ", ".join(level.value for level in Compatibility)
        raise InputError(f"unknown compatibility level {text!r}: use one of {levels}") from None


class Violation(msgspec.Struct, frozen=True, kw_only=True):
    """The changes refused against one baseline (the env head, or a release in its history)."""

    against: str
    changes: list[Change]


class Incompatible(Conflict):
    """A snapshot, promotion or release refused by the project's guards; nothing was stored.

    `changes` are the offending changes (in the diff JSON shape), `against` what they were checked against.
    """

    def __init__(self, message: str, *, guard: str, violations: list[Violation]) -> None:
        self.guard = guard  # the compatibility level, or "semver"
        self.violations = violations
        super().__init__(message)

    @property
    def against(self) -> list[str]:
        return [violation.against for violation in self.violations]

    @property
    def changes(self) -> list[Change]:
        """The offending changes, each once (the first baseline's version of it), in diff order."""
        seen: dict[tuple[str, str, str, str | None, str], Change] = {}
        for violation in self.violations:
            for change in violation.changes:
                seen.setdefault((change.change, change.kind, change.object, change.name, change.rule), change)
        return sorted(seen.values(), key=lambda change: change.sort_key)


def violations(level: Compatibility, diffs: Iterable[Diff]) -> list[Violation]:
    """What `level` refuses in each diff (from a baseline to the candidate), baselines without any left out."""
    found = []
    for diff in diffs:
        offending = level.offending(diff)
        if offending:
            found.append(Violation(against=diff.from_, changes=offending))
    return found


def check_candidate(
    candidate: Schema,
    *,
    level: Compatibility,
    baselines: Sequence[tuple[str, str]],
    schema_at: Callable[[str], Schema],
    rules: DiffRules = NO_RULES,
) -> list[Violation]:
    """What `level` refuses in `candidate` against its baselines: (label, sha) pairs, the env head first,
    then the releases in the env's history (checked only by a transitive level)."""
    if level is Compatibility.NONE:
        return []
    chosen = baselines if level.transitive else baselines[:1]
    diffs = (
        diff_schemas(schema_at(sha), candidate, rules=rules, from_label=label, to_label="candidate")
        for label, sha in chosen
    )
    return violations(level, diffs)


def refusal(
    project: str, env: str, level: Compatibility, found: list[Violation], *, action: str
) -> Incompatible:
    changes = {(c.change, c.kind, c.object, c.name, c.rule) for v in found for c in v.changes}
    codes = sorted({c.rule for v in found for c in v.changes})
    return Incompatible(
        f"{project}/{env} is {level.value}: this {action} has {len(changes)} change(s) it refuses "
        f"({', '.join(codes)}) against {', '.join(v.against for v in found)}; nothing was stored "
        "(an admin may force it)",
        guard=level.value,
        violations=found,
    )


def forced_note(who: str, guard: str, found: list[Violation]) -> list[str]:
    """Commit message lines that record a forced write: who forced which guard past which changes."""
    lines = [f"Forced-by: {who or 'unknown'}", f"Forced-past: {guard}"]
    for violation in found:
        codes = ", ".join(sorted({change.rule for change in violation.changes}))
        lines.append(f"Forced-changes: {len(violation.changes)} against {violation.against} ({codes})")
    return lines


# --- release semver ---------------------------------------------------------------------------------

_SEMVER = lazy_compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def parse_semver(name: str) -> tuple[int, int, int] | None:
    """(major, minor, patch) of a release named `v1.2.3` or `1.2.3`; None for any other name."""
    match = _SEMVER.match(name)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def previous_release(name: str, candidates: Iterable[str]) -> str | None:
    """The highest semver-named release below `name` among `candidates` (None if there is none)."""
    version = parse_semver(name)
    if version is None:
        return None
    lower = [(parsed, other) for other in candidates if (parsed := parse_semver(other)) and parsed < version]
    return max(lower)[1] if lower else None


def _bump(previous: tuple[int, int, int], new: tuple[int, int, int]) -> Semver:
    if new[0] > previous[0]:
        return Semver.MAJOR
    if new[:2] > previous[:2]:
        return Semver.MINOR
    if new > previous:
        return Semver.PATCH
    return Semver.NONE


class SemverCheck(msgspec.Struct, frozen=True, kw_only=True):
    """A release name against the previous release: the bump it makes and the bump its changes need."""

    previous: str
    bump: Semver
    required: Semver
    changes: list[Change]  # the changes that need more than `bump`

    @property
    def ok(self) -> bool:
        return self.bump.rank >= self.required.rank

    def message(self, name: str) -> str:
        return (
            f"{name} is a {self.bump.value} bump over {self.previous}, but its changes need {self.required.value} "
            f"({', '.join(sorted({change.rule for change in self.changes}))})"
        )


def check_release(name: str, previous: str, diff: Diff) -> SemverCheck | None:
    """Check release `name` against `previous` with the diff between them; None when either is no semver.

    Before 1.0.0 a breaking change needs only a minor bump (semver's "anything may change" range).
    """
    new_version, old_version = parse_semver(name), parse_semver(previous)
    if new_version is None or old_version is None:
        return None
    required = diff.semver
    if required is Semver.MAJOR and old_version[0] == 0:
        required = Semver.MINOR
    bump = _bump(old_version, new_version)
    needing = [change for change in diff.changes if _needs(change).rank > bump.rank]
    if required.rank <= bump.rank:
        needing = []
    return SemverCheck(previous=previous, bump=bump, required=required, changes=needing)


def _needs(change: Change) -> Semver:
    """The bump one change needs on its own."""
    if change.severity is Severity.BREAKING:
        return Semver.MAJOR
    return Semver.PATCH if change.cosmetic else Semver.MINOR


def semver_refusal(name: str, check: SemverCheck) -> Incompatible:
    return Incompatible(
        f"{check.message(name)}; nothing was stored (name it as that bump, or an admin may force it)",
        guard="semver",
        violations=[Violation(against=check.previous, changes=check.changes)],
    )
