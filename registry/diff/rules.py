"""A project's diff rules, from the `[diff]` table of its config: what to leave out, and severity overrides.

[diff]
ignore_objects = ["audit.*"]      # fnmatch globs on qualified names
ignore_kinds = ["trigger"]        # subjects of changes to leave out
ignore_column_order = true
ignore_comments = true
allow = ["C501"]                  # rules accepted: their changes count as safe
[diff.severity]
C403 = "safe"                     # a rule's severity for this project
"""

from __future__ import annotations

import dataclasses
import fnmatch
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import msgspec

from schemareg.diff.change import Changed, ChangeType, Severity
from schemareg.diff.policy import rule
from schemareg.diff.traverse import Difference
from schemareg.errors import InputError
from schemareg.names import split_key

__all__ = ["NO_RULES", "DiffRules", "rules_from_mapping", "rules_from_toml"]


class DiffRules(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """Per-project diff rules, from the `[diff]` table of the project's config."""

    ignore_objects: tuple[str, ...] = ()  # fnmatch globs on qualified names ("audit.*", "public.tmp_*")
    ignore_kinds: tuple[str, ...] = ()  # change kinds to leave out ("trigger", "index", "comment" ...)
    ignore_column_order: bool = False
    ignore_comments: bool = False
    severity: dict[str, Severity] = msgspec.field(default_factory=dict)  # rule code -> its severity here
    allow: tuple[str, ...] = ()  # rule codes accepted: their changes count as safe

    def __post_init__(self) -> None:
        for code in (*self.severity, *self.allow):
            try:
                rule(code)
            except KeyError:
                raise ValueError(f"unknown rule code {code!r} (docs/diff.md lists them)") from None

    def ignores_object(self, qualified_name: str) -> bool:
        bare = split_key(qualified_name)[-1]
        return any(
            fnmatch.fnmatchcase(qualified_name, pattern)
            or ("." not in pattern and fnmatch.fnmatchcase(bare, pattern))
            for pattern in self.ignore_objects
        )

    def overrides(self) -> dict[str, Severity]:
        """The severity of each rule this project (or this run) changes."""
        return {**self.severity, **dict.fromkeys(self.allow, Severity.SAFE)}

    def merged(self, other: DiffRules) -> DiffRules:
        """These rules and `other`'s together (flags of a run on top of a project's rules)."""
        return DiffRules(
            ignore_objects=(*self.ignore_objects, *other.ignore_objects),
            ignore_kinds=(*self.ignore_kinds, *other.ignore_kinds),
            ignore_column_order=self.ignore_column_order or other.ignore_column_order,
            ignore_comments=self.ignore_comments or other.ignore_comments,
            severity={**self.severity, **other.severity},
            allow=(*self.allow, *other.allow),
        )

    def filter(self, differences: Iterable[Difference]) -> Iterator[Difference]:
        """The differences these rules do not leave out (a comment change left out of the others)."""
        for difference in differences:
            if self.ignore_objects and (
                self.ignores_object(difference.object)
                or (
                    difference.name is not None
                    and self.ignores_object(f"{difference.object}.{difference.name}")
                )
            ):
                continue
            if difference.subject in self.ignore_kinds:
                continue
            if self.ignore_column_order and difference.change is ChangeType.MOVE:
                continue
            if (
                self.ignore_comments
                and difference.change is ChangeType.MODIFY
                and Changed.COMMENT in difference.changed
            ):
                changed = difference.changed & ~Changed.COMMENT
                if not changed:
                    continue
                difference = dataclasses.replace(difference, changed=changed)
            yield difference


def rules_from_mapping(mapping: Mapping[str, Any]) -> DiffRules:
    """Build the rules from the `[diff]` table of a config file (keys with `-` or `_` alike)."""
    cleaned = {str(key).replace("-", "_"): value for key, value in mapping.items()}
    try:
        return msgspec.convert(cleaned, DiffRules)
    except msgspec.ValidationError as error:
        raise InputError(f"invalid [diff] rules: {error}") from error


def rules_from_toml(text: str) -> DiffRules:
    """The rules in a whole TOML config document (its `[diff]` table; none: no rules)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"invalid config: {error}") from error
    table = document.get("diff", {})
    if not isinstance(table, dict):
        raise InputError("invalid config: [diff] must be a table")
    return rules_from_mapping(table)


NO_RULES = DiffRules()
