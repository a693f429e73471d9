"""The semantic differ: two canonical schemas in, a sorted list of changes from a closed set out.

Objects whose canonical model is equal are skipped at once, so the cost follows the size of the change,
not of the schema. Every change carries a severity with its reason; the diff suggests a semver bump.
"""

from __future__ import annotations

import bisect
import enum
import fnmatch
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import msgspec

from schemareg.errors import InputError
from schemareg.model import (
    CREATION_ORDER,
    Column,
    Constraint,
    ConstraintKind,
    Definition,
    Index,
    Kind,
    ObjectKey,
    Schema,
    SchemaObject,
    Table,
)
from schemareg.model import Sequence as SequenceObject
from schemareg.types import TypeChange, classify_type_change

__all__ = [
    "COLUMN_ATTRIBUTES",
    "Change",
    "ChangeType",
    "Diff",
    "DiffRules",
    "Semver",
    "Severity",
    "diff_schemas",
    "rules_from_mapping",
    "rules_from_toml",
]


class ChangeType(enum.StrEnum):
    ADD = "add"
    REMOVE = "remove"
    MODIFY = "modify"
    MOVE = "move"
    POSSIBLE_RENAME = "possible_rename"


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


# The kinds of the things inside a table; the JSON `kind` of a change is one of these or a model Kind.
COLUMN = "column"
CONSTRAINT = "constraint"
INDEX = "index"

# The column attributes a `modify` reports in `what`, in this order (Atlas's ChangeType bit flags).
COLUMN_ATTRIBUTES: tuple[str, ...] = (
    "type",
    "nullable",
    "default",
    "identity",
    "generated",
    "collation",
    "comment",
)
TABLE_ATTRIBUTES: tuple[str, ...] = (
    "options",
    "partition_by",
    "partition_of",
    "partition_bound",
    "alterations",
    "comment",
)


class Change(msgspec.Struct, kw_only=True, frozen=True):
    """One change. `object` is the schema-qualified object; `name` the column, constraint or index in it."""

    change: ChangeType
    kind: str
    object: str
    name: str | None = None
    what: tuple[str, ...] = ()
    before: str | None = None
    after: str | None = None
    severity: Severity
    reason: str = ""  # why this severity, in words a changelog can show

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
    def object_kind(self) -> str:
        """The kind of the top-level object this change is in (a column change is in a table)."""
        return Kind.TABLE.value if self.kind in _SUB_ORDER and self.name is not None else self.kind

    @property
    def cosmetic(self) -> bool:
        """A change that no query can notice: a column moved, or only a comment changed."""
        return self.change is ChangeType.MOVE or (
            self.change is ChangeType.MODIFY and bool(self.what) and set(self.what) <= {"comment"}
        )


_KIND_ORDER = {kind.value: position for position, kind in enumerate(CREATION_ORDER)}
_SUB_ORDER = {COLUMN: 1, CONSTRAINT: 2, INDEX: 3}
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


class DiffRules(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """Per-project ignore rules, from the `[diff]` table of the project's config."""

    ignore_objects: tuple[str, ...] = ()  # fnmatch globs on qualified names ("audit.*", "public.tmp_*")
    ignore_kinds: tuple[str, ...] = ()  # change kinds to leave out ("trigger", "index", "comment" ...)
    ignore_column_order: bool = False
    ignore_comments: bool = False

    def ignores_object(self, qualified_name: str) -> bool:
        bare = qualified_name.rpartition(".")[2]
        return any(
            fnmatch.fnmatchcase(qualified_name, pattern)
            or ("." not in pattern and fnmatch.fnmatchcase(bare, pattern))
            for pattern in self.ignore_objects
        )


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


# --- the differ -------------------------------------------------------------------------------------


def diff_schemas(
    before: Schema,
    after: Schema,
    *,
    rules: DiffRules = NO_RULES,
    from_label: str = "before",
    to_label: str = "after",
) -> Diff:
    """Compare two schemas; the result does not depend on the order of anything in the inputs."""
    changes = list(_object_changes(before, after))
    changes = _apply_rules(changes, rules)
    changes.sort(key=lambda change: change.sort_key)
    return Diff(from_=from_label, to=to_label, semver=suggest_semver(changes), changes=changes)


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


def _apply_rules(changes: list[Change], rules: DiffRules) -> list[Change]:
    if rules == NO_RULES:
        return changes
    kept: list[Change] = []
    for change in changes:
        if rules.ignore_objects and (
            rules.ignores_object(change.object)
            or (change.name is not None and rules.ignores_object(f"{change.object}.{change.name}"))
        ):
            continue
        if change.kind in rules.ignore_kinds:
            continue
        if rules.ignore_column_order and change.change is ChangeType.MOVE:
            continue
        if rules.ignore_comments and change.change is ChangeType.MODIFY and "comment" in change.what:
            what = tuple(attribute for attribute in change.what if attribute != "comment")
            if not what:
                continue
            change = msgspec.structs.replace(change, what=what)
        kept.append(change)
    return kept


def _object_changes(before: Schema, after: Schema) -> Iterator[Change]:
    old_objects, new_objects = before.objects, after.objects
    removed: list[ObjectKey] = []
    old_texts, new_texts = _cached_texts(before), _cached_texts(after)
    if old_texts is not None and new_texts is not None:
        # Equal canonical text is an equal object, and comparing two strings is far cheaper than
        # comparing two models field by field: the scan stays small next to the changed objects.
        for key, text in old_texts.items():
            other = new_texts.get(key)
            if other is None:
                removed.append(key)
            elif other != text:
                yield from _modified_object(key, old_objects[key], new_objects[key])
    else:
        for key, old in old_objects.items():
            new = new_objects.get(key)
            if new is None:
                removed.append(key)
            elif new is not old and new != old:
                yield from _modified_object(key, old, new)
    added = [key for key in new_objects if key not in old_objects]
    if not removed and not added:
        return
    renames = _pair_renames(
        sorted(removed),
        sorted(added),
        lambda old, new: old.kind == new.kind and _objects_alike(old_objects[old], new_objects[new]),
    )
    for old_key, new_key in renames:
        yield Change(
            change=ChangeType.POSSIBLE_RENAME,
            kind=old_key.kind.value,
            object=old_key.name,
            before=old_key.name,
            after=new_key.name,
            severity=Severity.BREAKING,
            reason=f"a {old_key.kind.value} removed and a look-alike added: clients using the old name break",
        )
    paired_old = {old for old, _ in renames}
    paired_new = {new for _, new in renames}
    for key in removed:
        if key not in paired_old:
            change = _removed_object(key, old_objects[key])
            yield msgspec.structs.replace(change, before=_ddl(old_objects[key], before.dialect))
    for key in added:
        if key not in paired_new:
            change = _added_object(key, new_objects[key])
            yield msgspec.structs.replace(change, after=_ddl(new_objects[key], after.dialect))


def _cached_texts(schema: Schema) -> dict[ObjectKey, str] | None:
    """The canonical text per object when the schema has it already (its fingerprint needed it)."""
    texts = schema.cached_rendering()
    return texts if texts is not None and len(texts) == len(schema.objects) else None


def _ddl(obj: SchemaObject, dialect: str) -> str:
    """The canonical DDL of one added or removed object: rendered only for the objects that changed."""
    import schemareg.normalize  # noqa: F401  (render and normalize import each other: normalize goes first)
    from schemareg.render import render_object

    return render_object(obj, dialect)


K = TypeVar("K")


def _pair_renames(
    removed: Sequence[K], added: Sequence[K], alike: Callable[[K, K], bool]
) -> list[tuple[K, K]]:
    """Pair each removed thing with the first unpaired added look-alike, in the given (sorted) order."""
    pairs: list[tuple[K, K]] = []
    taken: set[int] = set()
    for old in removed:
        for position, new in enumerate(added):
            if position not in taken and alike(old, new):
                pairs.append((old, new))
                taken.add(position)
                break
    return pairs


def _objects_alike(old: SchemaObject, new: SchemaObject) -> bool:
    if isinstance(old, Table) and isinstance(new, Table):
        return bool(old.columns) and [(c.name, c.type) for c in old.columns] == [
            (c.name, c.type) for c in new.columns
        ]
    if isinstance(old, SequenceObject) and isinstance(new, SequenceObject):
        return old.options == new.options and old.owned_by == new.owned_by
    if isinstance(old, Definition) and isinstance(new, Definition):
        old_bare, new_bare = _bare(old.name), _bare(new.name)
        return bool(old_bare) and old.sql.replace(old_bare, "\0") == new.sql.replace(new_bare, "\0")
    return False


def _bare(name: str) -> str:
    """The object's own name, without a function's argument list or a trigger's table."""
    return name.partition("(")[0].rpartition(".")[2]


# Object kinds whose removal breaks clients that use them by name; removing the others changes behaviour.
_BREAKING_REMOVALS = frozenset(
    {
        Kind.SCHEMA,
        Kind.TYPE,
        Kind.DOMAIN,
        Kind.SEQUENCE,
        Kind.TABLE,
        Kind.VIEW,
        Kind.MATERIALIZED_VIEW,
        Kind.FUNCTION,
        Kind.PROCEDURE,
        Kind.AGGREGATE,
        Kind.OPERATOR,
        Kind.COLLATION,
    }
)
# Added objects that change what existing statements do (a trigger fires, a policy hides rows).
_RISKY_ADDITIONS = frozenset({Kind.TRIGGER, Kind.POLICY, Kind.RULE, Kind.EVENT_TRIGGER})


def _removed_object(key: ObjectKey, obj: SchemaObject) -> Change:
    if key.kind in _BREAKING_REMOVALS:
        severity, reason = Severity.BREAKING, f"{key.kind.value} removed: clients that use it fail"
    elif key.kind is Kind.INDEX:
        severity, reason = Severity.RISKY, "index removed: queries that used it may slow down"
    else:
        severity, reason = Severity.RISKY, f"{key.kind.value} removed: behaviour that relied on it changes"
    return Change(
        change=ChangeType.REMOVE, kind=key.kind.value, object=key.name, severity=severity, reason=reason
    )


def _added_object(key: ObjectKey, obj: SchemaObject) -> Change:
    if key.kind in _RISKY_ADDITIONS:
        severity, reason = Severity.RISKY, f"{key.kind.value} added: existing statements behave differently"
    elif key.kind is Kind.INDEX and "UNIQUE" in getattr(obj, "sql", "").upper().split("ON", 1)[0]:
        severity, reason = Severity.BREAKING, "unique index added: duplicate rows are refused"
    else:
        severity, reason = Severity.SAFE, f"{key.kind.value} added"
    return Change(
        change=ChangeType.ADD, kind=key.kind.value, object=key.name, severity=severity, reason=reason
    )


def _modified_object(key: ObjectKey, old: SchemaObject, new: SchemaObject) -> Iterator[Change]:
    if isinstance(old, Table) and isinstance(new, Table):
        yield from _table_changes(key.name, old, new)
        return
    what: list[str] = []
    before: str | None = None
    after: str | None = None
    if isinstance(old, SequenceObject) and isinstance(new, SequenceObject):
        if (old.options, old.owned_by) != (new.options, new.owned_by):
            what.append("definition")
            before, after = _join(old.options, old.owned_by), _join(new.options, new.owned_by)
    elif isinstance(old, Definition) and isinstance(new, Definition):
        if old.sql != new.sql or old.opaque != new.opaque:
            what.append("definition")
            before, after = old.sql, new.sql
    else:
        what.append("definition")
    if old.comment != new.comment:
        what.append("comment")
        if len(what) == 1:
            before, after = old.comment, new.comment
    if not what:
        return  # only derived fields (depends_on) differ
    if what == ["comment"]:
        severity, reason = Severity.SAFE, "comment changed"
    elif key.kind is Kind.INDEX:
        severity, reason = Severity.RISKY, "index rebuilt: locks and query plans change"
    else:
        severity, reason = Severity.RISKY, f"{key.kind.value} definition changed: its behaviour may differ"
    yield Change(
        change=ChangeType.MODIFY,
        kind=key.kind.value,
        object=key.name,
        what=tuple(what),
        before=before,
        after=after,
        severity=severity,
        reason=reason,
    )


def _join(options: str, owned_by: str | None) -> str:
    return f"{options} OWNED BY {owned_by}".strip() if owned_by else options


# --- inside a table ---------------------------------------------------------------------------------


def _table_changes(table_name: str, old: Table, new: Table) -> Iterator[Change]:
    what = [attribute for attribute in TABLE_ATTRIBUTES if getattr(old, attribute) != getattr(new, attribute)]
    if what:
        cosmetic = what == ["comment"]
        single = what[0] if len(what) == 1 else None
        yield Change(
            change=ChangeType.MODIFY,
            kind=Kind.TABLE.value,
            object=table_name,
            what=tuple(what),
            before=getattr(old, single) if single else None,
            after=getattr(new, single) if single else None,
            severity=Severity.SAFE if cosmetic else Severity.RISKY,
            reason="comment changed"
            if cosmetic
            else "table storage or partitioning changed: the table may be rewritten",
        )
    if old.columns != new.columns:
        yield from _column_changes(table_name, old, new)
    if old.constraints != new.constraints:
        yield from _constraint_changes(table_name, old, new)
    if old.indexes != new.indexes:
        yield from _index_changes(table_name, old, new)


def _column_changes(table_name: str, old: Table, new: Table) -> Iterator[Change]:
    old_columns = {column.name: column for column in old.columns}
    new_columns = {column.name: column for column in new.columns}
    removed = [column for column in old.columns if column.name not in new_columns]
    added = [column for column in new.columns if column.name not in old_columns]
    old_positions = {column.name: position for position, column in enumerate(old.columns)}
    new_positions = {column.name: position for position, column in enumerate(new.columns)}

    old_constrained = _constraints_by_column(old)
    new_constrained = _constraints_by_column(new)

    def alike(before: Column, after: Column) -> bool:
        if (before.type, before.nullable) != (after.type, after.nullable):
            return False
        same_position = old_positions[before.name] == new_positions[after.name]
        old_roles = old_constrained.get(before.name, frozenset())
        same_constraints = bool(old_roles) and old_roles == new_constrained.get(after.name, frozenset())
        return same_position or same_constraints

    renames = _pair_renames(removed, added, alike)
    renamed = {before.name: after.name for before, after in renames}
    for before, after in renames:
        yield Change(
            change=ChangeType.POSSIBLE_RENAME,
            kind=COLUMN,
            object=table_name,
            name=before.name,
            before=before.name,
            after=after.name,
            severity=Severity.BREAKING,
            reason="a column removed and a look-alike added: queries using the old name break",
        )
        yield from _modified_column(table_name, before, after, name=after.name)
    paired_new = set(renamed.values())
    for column in removed:
        if column.name not in renamed:
            yield Change(
                change=ChangeType.REMOVE,
                kind=COLUMN,
                object=table_name,
                name=column.name,
                before=_column_text(column),
                severity=Severity.BREAKING,
                reason="column removed: its data is lost and queries using it fail",
            )
    for column in added:
        if column.name not in paired_new:
            yield _added_column(table_name, column)
    for column in old.columns:
        counterpart = new_columns.get(column.name)
        if counterpart is not None and counterpart != column:
            yield from _modified_column(table_name, column, counterpart, name=column.name)
    yield from _moved_columns(table_name, old, new, renamed)


def _constraints_by_column(table: Table) -> dict[str, frozenset[str]]:
    """For rename detection: the constraint and index definitions each column takes part in."""
    roles: dict[str, set[str]] = {}
    for constraint in table.constraints:
        for column in constraint.columns:
            roles.setdefault(column, set()).add(f"{constraint.kind}:{len(constraint.columns)}")
    for index in table.indexes:
        for column in index.columns:
            roles.setdefault(column, set()).add(f"index:{index.unique}:{len(index.columns)}")
    return {column: frozenset(found) for column, found in roles.items()}


def _column_text(column: Column) -> str:
    parts = [column.name, column.type]
    if column.collation:
        parts.append(f"COLLATE {column.collation}")
    if column.identity:
        parts.append(f"GENERATED {column.identity} AS IDENTITY")
    if column.generated:
        parts.append(f"GENERATED ALWAYS AS ({column.generated}) STORED")
    if column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    if not column.nullable:
        parts.append("NOT NULL")
    return " ".join(parts)


def _fills_itself(column: Column) -> bool:
    return column.default is not None or column.identity is not None or column.generated is not None


def _added_column(table_name: str, column: Column) -> Change:
    if not column.nullable and not _fills_itself(column):
        severity = Severity.BREAKING
        reason = "NOT NULL column without a default added: existing rows and inserts that omit it fail"
    else:
        severity, reason = Severity.SAFE, "column added"
    return Change(
        change=ChangeType.ADD,
        kind=COLUMN,
        object=table_name,
        name=column.name,
        after=_column_text(column),
        severity=severity,
        reason=reason,
    )


def _modified_column(table_name: str, old: Column, new: Column, *, name: str) -> Iterator[Change]:
    what = tuple(
        attribute
        for attribute in COLUMN_ATTRIBUTES
        if (attribute == "nullable" and old.nullable != new.nullable)
        or (attribute != "nullable" and getattr(old, attribute) != getattr(new, attribute))
    )
    if not what:
        return
    severity, reasons = Severity.SAFE, []
    for attribute in what:
        found, reason = _column_attribute_severity(attribute, old, new)
        if found.rank > severity.rank:
            severity, reasons = found, [reason]
        elif found is severity:
            reasons.append(reason)
    single = what[0] if len(what) == 1 else None
    yield Change(
        change=ChangeType.MODIFY,
        kind=COLUMN,
        object=table_name,
        name=name,
        what=what,
        before=_attribute_text(old, single) if single else _column_text(old),
        after=_attribute_text(new, single) if single else _column_text(new),
        severity=severity,
        reason="; ".join(reasons),
    )


def _attribute_text(column: Column, attribute: str) -> str | None:
    if attribute == "nullable":
        return "NULL" if column.nullable else "NOT NULL"
    value = getattr(column, attribute)
    return None if value is None else str(value)


def _column_attribute_severity(attribute: str, old: Column, new: Column) -> tuple[Severity, str]:
    if attribute == "type":
        return _type_severity(old.type, new.type)
    if attribute == "nullable":
        if new.nullable:
            return Severity.SAFE, "NOT NULL dropped: readers may now see NULL"
        if new.default is None and new.identity is None and new.generated is None:
            return (
                Severity.BREAKING,
                "NOT NULL added without a default: existing NULLs and inserts that omit it fail",
            )
        return Severity.RISKY, "NOT NULL added: the change fails while NULL rows exist"
    if attribute == "default":
        if old.default is None:
            return Severity.SAFE, "default added"
        if new.default is None:
            if not new.nullable and new.identity is None and new.generated is None:
                return Severity.BREAKING, "default removed from a NOT NULL column: inserts that omit it fail"
            return Severity.RISKY, "default removed: inserts that omit the column now store NULL"
        return Severity.RISKY, "default changed: inserts that omit the column store another value"
    if attribute == "identity":
        if new.identity is None and not new.nullable and new.default is None:
            return Severity.BREAKING, "identity removed from a NOT NULL column: inserts that omit it fail"
        if new.identity is not None and new.identity.upper().startswith("ALWAYS"):
            return Severity.BREAKING, "identity is now ALWAYS: inserts with an explicit value fail"
        return Severity.RISKY, "identity changed: generated values change"
    if attribute == "generated":
        if old.generated is None:
            return Severity.BREAKING, "column is now generated: writes to it fail"
        return Severity.RISKY, "generation expression changed: stored values are recomputed"
    if attribute == "collation":
        return Severity.RISKY, "collation changed: ordering and uniqueness of text change"
    return Severity.SAFE, "comment changed"


_TYPE_SEVERITY = {
    TypeChange.SAME: (Severity.SAFE, "type spelled differently"),
    TypeChange.WIDENING: (Severity.SAFE, "type widened: every value still fits"),
    TypeChange.TO_TEXT: (Severity.RISKY, "type changed to text: values convert but clients read strings"),
    TypeChange.NARROWING: (Severity.BREAKING, "type narrowed: existing values may not fit"),
    TypeChange.CONVERSION: (Severity.BREAKING, "type changed: existing values may not convert"),
}


def _type_severity(before: str, after: str) -> tuple[Severity, str]:
    severity, reason = _TYPE_SEVERITY[classify_type_change(before, after)]
    return severity, f"{reason} ({before} -> {after})"


def _moved_columns(table_name: str, old: Table, new: Table, renamed: Mapping[str, str]) -> Iterator[Change]:
    """Columns whose place among the columns both versions share has changed."""
    new_names = {column.name for column in new.columns}
    old_order = [renamed.get(column.name, column.name) for column in old.columns]
    old_order = [name for name in old_order if name in new_names]
    kept = set(old_order)
    new_order = [column.name for column in new.columns if column.name in kept]
    if old_order == new_order:
        return
    # The fewest columns to call moved: those outside a longest common subsequence of both orders.
    stay = _longest_increasing([old_order.index(name) for name in new_order])
    staying = {old_order[position] for position in stay}
    for position, name in enumerate(new_order):
        if name not in staying:
            yield Change(
                change=ChangeType.MOVE,
                kind=COLUMN,
                object=table_name,
                name=name,
                before=str(old_order.index(name) + 1),
                after=str(position + 1),
                severity=Severity.SAFE,
                reason="column order changed: only SELECT * and positional INSERT notice",
            )


def _longest_increasing(values: list[int]) -> list[int]:
    """A longest strictly increasing subsequence of `values` (patience sorting, O(n log n))."""
    tails: list[int] = []
    tail_positions: list[int] = []
    previous: list[int] = [-1] * len(values)
    for position, value in enumerate(values):
        slot = bisect.bisect_left(tails, value)
        if slot == len(tails):
            tails.append(value)
            tail_positions.append(position)
        else:
            tails[slot] = value
            tail_positions[slot] = position
        previous[position] = tail_positions[slot - 1] if slot else -1
    result: list[int] = []
    position = tail_positions[-1] if tail_positions else -1
    while position != -1:
        result.append(values[position])
        position = previous[position]
    return result[::-1]


def _constraint_changes(table_name: str, old: Table, new: Table) -> Iterator[Change]:
    old_by_name = {constraint.name: constraint for constraint in old.constraints}
    new_by_name = {constraint.name: constraint for constraint in new.constraints}
    removed = sorted((c for c in old.constraints if c.name not in new_by_name), key=lambda c: c.name)
    added = sorted((c for c in new.constraints if c.name not in old_by_name), key=lambda c: c.name)
    renames = _pair_renames(removed, added, lambda a, b: (a.kind, a.definition) == (b.kind, b.definition))
    for before, after in renames:
        yield _renamed_part(table_name, CONSTRAINT, before.name, after.name)
    paired_old = {before.name for before, _ in renames}
    paired_new = {after.name for _, after in renames}
    for constraint in removed:
        if constraint.name not in paired_old:
            severity, reason = _removed_constraint_severity(constraint)
            yield Change(
                change=ChangeType.REMOVE,
                kind=CONSTRAINT,
                object=table_name,
                name=constraint.name,
                before=constraint.definition,
                severity=severity,
                reason=reason,
            )
    for constraint in added:
        if constraint.name not in paired_new:
            severity, reason = _added_constraint_severity(constraint)
            yield Change(
                change=ChangeType.ADD,
                kind=CONSTRAINT,
                object=table_name,
                name=constraint.name,
                after=constraint.definition,
                severity=severity,
                reason=reason,
            )
    for name in sorted(old_by_name.keys() & new_by_name.keys()):
        before, after = old_by_name[name], new_by_name[name]
        if before == after:
            continue
        what = tuple(
            attribute
            for attribute, changed in (
                ("definition", (before.kind, before.definition) != (after.kind, after.definition)),
                ("comment", before.comment != after.comment),
            )
            if changed
        )
        if not what:
            continue
        if what == ("comment",):
            severity, reason = Severity.SAFE, "comment changed"
            texts = (before.comment, after.comment)
        else:
            severity, reason = _added_constraint_severity(after)
            if severity is Severity.SAFE:
                severity = Severity.RISKY
            reason = f"constraint redefined: {reason}"
            texts = (before.definition, after.definition)
        yield Change(
            change=ChangeType.MODIFY,
            kind=CONSTRAINT,
            object=table_name,
            name=name,
            what=what,
            before=texts[0],
            after=texts[1],
            severity=severity,
            reason=reason,
        )


def _renamed_part(table_name: str, kind: str, before: str, after: str) -> Change:
    return Change(
        change=ChangeType.POSSIBLE_RENAME,
        kind=kind,
        object=table_name,
        name=before,
        before=before,
        after=after,
        severity=Severity.SAFE,
        reason=f"same {kind} under another name: only statements that name it notice",
    )


def _added_constraint_severity(constraint: Constraint) -> tuple[Severity, str]:
    if constraint.kind in (ConstraintKind.PRIMARY_KEY, ConstraintKind.UNIQUE, ConstraintKind.EXCLUDE):
        return (
            Severity.BREAKING,
            f"{_label(constraint.kind)} added: existing duplicates fail it, such writes are refused",
        )
    if constraint.kind is ConstraintKind.FOREIGN_KEY:
        return Severity.RISKY, "foreign key added: orphan rows fail it, such writes are refused"
    return Severity.RISKY, "check constraint added: rows that fail it are refused"


def _removed_constraint_severity(constraint: Constraint) -> tuple[Severity, str]:
    if constraint.kind in (ConstraintKind.PRIMARY_KEY, ConstraintKind.UNIQUE, ConstraintKind.EXCLUDE):
        return (
            Severity.RISKY,
            f"{_label(constraint.kind)} removed: duplicates become possible, ON CONFLICT and foreign keys on it fail",
        )
    return Severity.SAFE, f"{_label(constraint.kind)} removed: fewer writes are refused"


def _label(kind: ConstraintKind) -> str:
    return kind.value.replace("_", " ") + (" constraint" if kind is not ConstraintKind.FOREIGN_KEY else "")


def _index_changes(table_name: str, old: Table, new: Table) -> Iterator[Change]:
    old_by_name = {index.name: index for index in old.indexes}
    new_by_name = {index.name: index for index in new.indexes}
    removed = sorted((i for i in old.indexes if i.name not in new_by_name), key=lambda i: i.name)
    added = sorted((i for i in new.indexes if i.name not in old_by_name), key=lambda i: i.name)
    renames = _pair_renames(removed, added, lambda a, b: (a.unique, a.definition) == (b.unique, b.definition))
    for before, after in renames:
        yield _renamed_part(table_name, INDEX, before.name, after.name)
    paired_old = {before.name for before, _ in renames}
    paired_new = {after.name for _, after in renames}
    for index in removed:
        if index.name not in paired_old:
            yield Change(
                change=ChangeType.REMOVE,
                kind=INDEX,
                object=table_name,
                name=index.name,
                before=_index_text(index),
                severity=Severity.RISKY,
                reason="index removed: queries that used it may slow down"
                + ("; duplicates become possible" if index.unique else ""),
            )
    for index in added:
        if index.name not in paired_new:
            yield Change(
                change=ChangeType.ADD,
                kind=INDEX,
                object=table_name,
                name=index.name,
                after=_index_text(index),
                severity=Severity.BREAKING if index.unique else Severity.SAFE,
                reason="unique index added: existing duplicates fail it, such writes are refused"
                if index.unique
                else "index added",
            )
    for name in sorted(old_by_name.keys() & new_by_name.keys()):
        yield from _modified_index(table_name, old_by_name[name], new_by_name[name])


def _modified_index(table_name: str, before: Index, after: Index) -> Iterator[Change]:
    if before == after:
        return
    what = tuple(
        attribute
        for attribute, changed in (
            ("definition", before.definition != after.definition or before.columns != after.columns),
            ("unique", before.unique != after.unique),
            ("comment", before.comment != after.comment),
        )
        if changed
    )
    if not what:
        return
    if what == ("comment",):
        severity, reason, texts = Severity.SAFE, "comment changed", (before.comment, after.comment)
    else:
        texts = (_index_text(before), _index_text(after))
        if after.unique and (not before.unique or "definition" in what):
            severity, reason = (
                Severity.BREAKING,
                "unique index redefined: rows that were allowed may be refused",
            )
        else:
            severity, reason = Severity.RISKY, "index rebuilt: locks and query plans change"
    yield Change(
        change=ChangeType.MODIFY,
        kind=INDEX,
        object=table_name,
        name=before.name,
        what=what,
        before=texts[0],
        after=texts[1],
        severity=severity,
        reason=reason,
    )


def _index_text(index: Index) -> str:
    return f"{'UNIQUE ' if index.unique else ''}{index.definition}"
