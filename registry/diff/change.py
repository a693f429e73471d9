"""The change set: a closed set of typed values, in the flat JSON shape of DESIGN.md.

A change names its subject (`Subject`), what happened to it (`ChangeType`) and, for a modification, which
attributes changed (`Changed`, bit flags as Atlas's ChangeKind); the severity policy gives it a rule,
a severity and a reason.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable

import msgspec

from schemareg.model import CREATION_ORDER, Kind, ObjectKey

__all__ = [
    "COLUMN_ATTRIBUTES",
    "PARTS",
    "TABLE_ATTRIBUTES",
    "Change",
    "ChangeType",
    "Changed",
    "Diff",
    "Semver",
    "Severity",
    "Subject",
    "suggest_semver",
]


class ChangeType(enum.StrEnum):
    ADD = "add"
    REMOVE = "remove"
    MODIFY = "modify"
    MOVE = "move"
    POSSIBLE_RENAME = "possible_rename"


class Subject(enum.StrEnum):
    """What a change is about: a kind of schema object (as `Kind`), or a part of a table."""

    SCHEMA = "schema"
    EXTENSION = "extension"
    TYPE = "type"
    DOMAIN = "domain"
    SEQUENCE = "sequence"
    TABLE = "table"
    VIEW = "view"
    MATERIALIZED_VIEW = "materialized_view"
    FUNCTION = "function"
    PROCEDURE = "procedure"
    AGGREGATE = "aggregate"
    TRIGGER = "trigger"
    POLICY = "policy"
    INDEX = "index"  # an index object, or (with a `name`) an index of a table
    RULE = "rule"
    OPERATOR = "operator"
    COLLATION = "collation"
    PUBLICATION = "publication"
    STATISTICS = "statistics"
    EVENT_TRIGGER = "event_trigger"
    GRANT = "grant"
    OWNER = "owner"
    OTHER = "other"
    # the parts of a table
    COLUMN = "column"
    CONSTRAINT = "constraint"

    @classmethod
    def of(cls, kind: Kind) -> Subject:
        return cls(kind.value)


PARTS = frozenset({Subject.COLUMN, Subject.CONSTRAINT, Subject.INDEX})


class Changed(enum.Flag):
    """Which attributes of a modified thing changed. JSON lists their names (`what`) in this order."""

    TYPE = enum.auto()
    NULLABLE = enum.auto()
    DEFAULT = enum.auto()
    IDENTITY = enum.auto()
    GENERATED = enum.auto()
    COLLATION = enum.auto()
    DEFINITION = enum.auto()
    UNIQUE = enum.auto()
    OPTIONS = enum.auto()
    PARTITION_BY = enum.auto()
    PARTITION_OF = enum.auto()
    PARTITION_BOUND = enum.auto()
    ALTERATIONS = enum.auto()
    COMMENT = enum.auto()

    @property
    def attributes(self) -> tuple[str, ...]:
        """The attribute names, as `what` lists them."""
        return _attributes(self)

    @property
    def flags(self) -> tuple[Changed, ...]:
        """The single flags set, in order (iterating a Flag is slow; this is computed once per value)."""
        return _flags(self)

    @classmethod
    def of(cls, attributes: Iterable[str]) -> Changed:
        return _parse(tuple(attributes))


@functools.cache
def _flags(changed: Changed) -> tuple[Changed, ...]:
    return tuple(changed)


@functools.cache
def _attributes(changed: Changed) -> tuple[str, ...]:
    return tuple(str(flag.name).lower() for flag in changed)


@functools.cache
def _parse(attributes: tuple[str, ...]) -> Changed:
    flags = Changed(0)
    for attribute in attributes:
        flags |= Changed[attribute.upper()]
    return flags


# The attributes compared on a column and on a table (by the model field of the same name).
COLUMN_CHANGES = (
    Changed.TYPE
    | Changed.NULLABLE
    | Changed.DEFAULT
    | Changed.IDENTITY
    | Changed.GENERATED
    | Changed.COLLATION
    | Changed.COMMENT
)
TABLE_CHANGES = (
    Changed.OPTIONS
    | Changed.PARTITION_BY
    | Changed.PARTITION_OF
    | Changed.PARTITION_BOUND
    | Changed.ALTERATIONS
    | Changed.COMMENT
)
COLUMN_ATTRIBUTES: tuple[str, ...] = COLUMN_CHANGES.attributes
TABLE_ATTRIBUTES: tuple[str, ...] = TABLE_CHANGES.attributes


class Severity(enum.StrEnum):
    BREAKING = "breaking"
    RISKY = "risky"
    SAFE = "safe"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.SAFE: 0, Severity.RISKY: 1, Severity.BREAKING: 2}


class Semver(enum.StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"
    NONE = "none"

    @property
    def rank(self) -> int:
        return _SEMVER_RANK[self]


_SEMVER_RANK = {Semver.NONE: 0, Semver.PATCH: 1, Semver.MINOR: 2, Semver.MAJOR: 3}


class Change(msgspec.Struct, kw_only=True, frozen=True):
    """One change. `object` is the schema-qualified object; `name` the column, constraint or index in it."""

    change: ChangeType
    kind: Subject
    object: str
    name: str | None = None
    what: tuple[str, ...] = ()  # the names of `changed`, the JSON form of the flags
    before: str | None = None
    after: str | None = None
    severity: Severity
    rule: str = ""  # the code of the rule that decided the severity (docs/diff.md lists them)
    title: str = ""  # that rule's one-line title
    reason: str = ""  # why this severity, in words a changelog can show

    @property
    def changed(self) -> Changed:
        return Changed.of(self.what)

    @property
    def sort_key(self) -> tuple[int, str, int, str, int]:
        return (
            _KIND_ORDER.get(self.object_kind, len(_KIND_ORDER)),
            self.object,
            _SUB_ORDER.get(self.kind, 0) if self.name is not None else -1,
            self.name or "",
            _CHANGE_ORDER[self.change],
        )

    @property
    def in_table(self) -> bool:
        """A change of a column, constraint or index of a table (rather than of an object)."""
        return self.name is not None and self.kind in PARTS

    @property
    def object_kind(self) -> Kind:
        """The kind of the top-level object this change is in (a column change is in a table)."""
        return Kind.TABLE if self.in_table else _KIND_OF[self.kind]

    @property
    def cosmetic(self) -> bool:
        """A change that no query can notice: a column moved, or only a comment changed."""
        return self.change is ChangeType.MOVE or (
            self.change is ChangeType.MODIFY and bool(self.what) and self.changed == Changed.COMMENT
        )


_KIND_OF = {Subject.of(kind): kind for kind in Kind}
_KIND_ORDER = {kind: position for position, kind in enumerate(CREATION_ORDER)}
_SUB_ORDER = {Subject.COLUMN: 1, Subject.CONSTRAINT: 2, Subject.INDEX: 3}
_CHANGE_ORDER = {
    ChangeType.REMOVE: 0,
    ChangeType.POSSIBLE_RENAME: 1,
    ChangeType.MODIFY: 2,
    ChangeType.MOVE: 3,
    ChangeType.ADD: 4,
}


class Diff(msgspec.Struct, kw_only=True, rename={"from_": "from"}):
    """A whole diff in the DESIGN.md JSON shape."""

    from_: str
    to: str
    semver: Semver
    changes: list[Change]

    @property
    def empty(self) -> bool:
        return not self.changes

    def breaking(self) -> list[Change]:
        return [change for change in self.changes if change.severity is Severity.BREAKING]

    def touched(self) -> list[ObjectKey]:
        """The objects the changes are in, both names of a renamed object included, sorted."""
        keys: set[ObjectKey] = set()
        for change in self.changes:
            keys.add(ObjectKey(change.object_kind, change.object))
            if change.change is ChangeType.POSSIBLE_RENAME and not change.in_table and change.after:
                keys.add(ObjectKey(change.object_kind, change.after))
        return sorted(keys)


def suggest_semver(changes: Iterable[Change]) -> Semver:
    """major: something breaks; minor: anything that is not cosmetic; patch: comments and moves only."""
    result = Semver.NONE
    for change in changes:
        if change.severity is Severity.BREAKING:
            return Semver.MAJOR
        if not change.cosmetic:
            result = Semver.MINOR
        elif result is Semver.NONE:
            result = Semver.PATCH
    return result
