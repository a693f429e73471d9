"""The severity policy: which rule a difference falls under, and so its severity and its reason.

It is applied after the traversal. Each rule has a stable code (listed in docs/diff.md), a title and a
default severity; a project may override the severity of a rule (`[diff.severity]`). A modification of
several attributes is judged per attribute: the most severe verdict names the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import msgspec

from schemareg.diff.change import Changed, ChangeType, Severity, Subject
from schemareg.diff.traverse import Difference
from schemareg.model import Column, Constraint, ConstraintKind, Definition, Index, Table
from schemareg.types import TypeChange, classify_type_change

__all__ = ["RULES", "Rule", "Verdict", "judge", "rule"]


class Rule(msgspec.Struct, frozen=True):
    """One rule: its code, its one-line title, its default severity and why it has that severity."""

    code: str
    title: str
    severity: Severity
    why: str


_B, _R, _S = Severity.BREAKING, Severity.RISKY, Severity.SAFE

# Codes: a letter for the subject (O object, T table, V view, C column, K constraint, I index, X any),
# then 1xx added, 2xx removed, 3xx renamed, 4xx modified, 5xx moved. A code never changes meaning.
RULES: tuple[Rule, ...] = (
    Rule("O101", "object added", _S, "nothing that exists uses it yet"),
    Rule(
        "O102", "trigger, policy, rule or event trigger added", _R, "existing statements behave differently"
    ),
    Rule("O201", "object dropped", _B, "clients that use the type, view, function, sequence ... fail"),
    Rule(
        "O202",
        "extension, trigger, policy or other behaviour dropped",
        _R,
        "behaviour that relied on it changes",
    ),
    Rule(
        "O301",
        "object renamed (possible)",
        _B,
        "a drop and a look-alike add: clients using the old name break",
    ),
    Rule("O401", "definition changed", _R, "a function, sequence, type or trigger behaves differently"),
    Rule("V401", "view body changed", _R, "readers of the view may see other rows or columns"),
    Rule("T201", "table dropped", _B, "its rows are gone and every query on it fails"),
    Rule(
        "T301", "table renamed (possible)", _B, "a drop and a look-alike add: queries on the old name break"
    ),
    Rule("T401", "table storage or partitioning changed", _R, "the table may be rewritten under a lock"),
    Rule("C101", "column added", _S, "existing statements do not name it"),
    Rule("C102", "NOT NULL column added without default", _B, "existing rows and inserts that omit it fail"),
    Rule("C201", "column dropped", _B, "its data is lost and queries using it fail"),
    Rule(
        "C301",
        "column renamed (possible)",
        _B,
        "a drop and a look-alike add: queries using the old name break",
    ),
    Rule("C401", "column type spelled differently", _S, "the same type under another name"),
    Rule("C402", "column type widened", _S, "every stored value still fits"),
    Rule("C403", "column type changed to text", _R, "values convert, but clients read strings"),
    Rule("C404", "column type narrowed", _B, "existing values may not fit"),
    Rule("C405", "column type converted", _B, "existing values may not convert"),
    Rule("C411", "NOT NULL dropped", _S, "writes are accepted that were refused; readers may see NULL"),
    Rule("C412", "NOT NULL added without default", _B, "existing NULLs and inserts that omit it fail"),
    Rule("C413", "NOT NULL added", _R, "the change fails while NULL rows exist"),
    Rule("C421", "column default added", _S, "inserts that omit it store the default instead of NULL"),
    Rule("C422", "default dropped from a NOT NULL column", _B, "inserts that omit the column fail"),
    Rule("C423", "column default dropped", _R, "inserts that omit the column store NULL"),
    Rule("C424", "column default changed", _R, "inserts that omit the column store another value"),
    Rule("C431", "identity dropped from a NOT NULL column", _B, "inserts that omit the column fail"),
    Rule("C432", "identity made ALWAYS", _B, "inserts with an explicit value fail"),
    Rule("C433", "identity changed", _R, "the generated values change"),
    Rule("C441", "column made generated", _B, "writes to the column fail"),
    Rule("C442", "generation expression changed", _R, "stored values are recomputed"),
    Rule("C451", "column collation changed", _R, "ordering and uniqueness of text change"),
    Rule("C501", "column moved", _S, "only SELECT * and positional INSERT notice"),
    Rule("K101", "primary key, unique or exclusion constraint added", _B, "existing duplicates fail it"),
    Rule("K102", "foreign key added", _R, "orphan rows fail it, such writes are refused"),
    Rule("K103", "check constraint added", _R, "rows that fail it are refused"),
    Rule("K201", "primary key, unique or exclusion constraint dropped", _R, "duplicates become possible"),
    Rule("K202", "foreign key dropped", _S, "fewer writes are refused; orphans become possible"),
    Rule("K203", "check constraint dropped", _S, "fewer writes are refused"),
    Rule("K301", "constraint renamed (possible)", _S, "only statements that name the constraint notice"),
    Rule(
        "K401",
        "primary key, unique or exclusion constraint redefined",
        _B,
        "rows that were allowed may be refused",
    ),
    Rule("K402", "foreign key or check constraint redefined", _R, "rows that were allowed may be refused"),
    Rule("I101", "index added", _S, "queries may get faster; writes do a little more"),
    Rule("I102", "unique index added", _B, "existing duplicates fail it, such writes are refused"),
    Rule("I201", "index dropped", _R, "queries that used it may slow down"),
    Rule("I301", "index renamed (possible)", _S, "only statements that name the index notice"),
    Rule("I401", "index rebuilt", _R, "locks and query plans change"),
    Rule("I402", "unique index redefined", _B, "rows that were allowed may be refused"),
    Rule("X401", "comment changed", _S, "no query notices"),
)
_BY_CODE = {entry.code: entry for entry in RULES}


def rule(code: str) -> Rule:
    """The rule of a code; KeyError for a code that is not one."""
    return _BY_CODE[code]


class Verdict(msgspec.Struct, frozen=True):
    """A rule applied to one difference, with the reason in the words of that difference."""

    rule: Rule
    reason: str


def judge(
    difference: Difference, overrides: Mapping[str, Severity] | None = None
) -> tuple[Rule, Severity, str]:
    """The deciding rule, the severity (after the project's overrides) and the reason of a difference."""
    verdicts = _verdicts(difference)
    if overrides:
        severities = [overrides.get(verdict.rule.code, verdict.rule.severity) for verdict in verdicts]
    else:
        severities = [verdict.rule.severity for verdict in verdicts]
    if len(verdicts) == 1:
        return verdicts[0].rule, severities[0], verdicts[0].reason
    top = max(severity.rank for severity in severities)
    deciding = [(v, s) for v, s in zip(verdicts, severities, strict=True) if s.rank == top]
    (first, severity), reasons = deciding[0], (verdict.reason for verdict, _ in deciding)
    return first.rule, severity, "; ".join(reasons)


def _verdicts(difference: Difference) -> list[Verdict]:
    if difference.change is ChangeType.MODIFY and difference.changed == Changed.COMMENT:
        return [_verdict("X401", "comment changed")]
    part = difference.subject if difference.name is not None else _OBJECT
    if difference.subject is Subject.TABLE and difference.name is None:
        part = Subject.TABLE
    return _POLICY[part, difference.change](difference)


_OBJECT = Subject.OTHER  # the key of every object kind but a table in the policy table below


def _verdict(code: str, reason: str) -> Verdict:
    return Verdict(_BY_CODE[code], reason)


# --- objects ----------------------------------------------------------------------------------------

# Object kinds whose removal breaks clients that use them by name; removing the others changes behaviour.
_BREAKING_REMOVALS = frozenset(
    {
        Subject.SCHEMA,
        Subject.TYPE,
        Subject.DOMAIN,
        Subject.SEQUENCE,
        Subject.VIEW,
        Subject.MATERIALIZED_VIEW,
        Subject.FUNCTION,
        Subject.PROCEDURE,
        Subject.AGGREGATE,
        Subject.OPERATOR,
        Subject.COLLATION,
    }
)
# Added objects that change what existing statements do (a trigger fires, a policy hides rows).
_RISKY_ADDITIONS = frozenset({Subject.TRIGGER, Subject.POLICY, Subject.RULE, Subject.EVENT_TRIGGER})


def _object_added(difference: Difference) -> list[Verdict]:
    kind = difference.subject
    if kind in _RISKY_ADDITIONS:
        return [_verdict("O102", f"{kind} added: existing statements behave differently")]
    new = difference.new
    if (
        kind is Subject.INDEX
        and isinstance(new, Definition)
        and "UNIQUE" in new.sql.upper().split("ON", 1)[0]
    ):
        return [_verdict("I102", "unique index added: duplicate rows are refused")]
    return [_verdict("O101", f"{kind} added")]


def _object_removed(difference: Difference) -> list[Verdict]:
    kind = difference.subject
    if kind in _BREAKING_REMOVALS:
        return [_verdict("O201", f"{kind} removed: clients that use it fail")]
    if kind is Subject.INDEX:
        return [_verdict("I201", "index removed: queries that used it may slow down")]
    return [_verdict("O202", f"{kind} removed: behaviour that relied on it changes")]


def _object_renamed(difference: Difference) -> list[Verdict]:
    reason = f"a {difference.subject} removed and a look-alike added: clients using the old name break"
    return [_verdict("T301" if difference.subject is Subject.TABLE else "O301", reason)]


def _object_modified(difference: Difference) -> list[Verdict]:
    kind = difference.subject
    if kind is Subject.INDEX:
        return [_verdict("I401", "index rebuilt: locks and query plans change")]
    code = "V401" if kind in (Subject.VIEW, Subject.MATERIALIZED_VIEW) else "O401"
    return [_verdict(code, f"{kind} definition changed: its behaviour may differ")]


def _table_removed(difference: Difference) -> list[Verdict]:
    return [_verdict("T201", "table removed: clients that use it fail")]


def _table_modified(difference: Difference) -> list[Verdict]:
    if not (isinstance(difference.old, Table) and isinstance(difference.new, Table)):  # kept as text (opaque)
        return _object_modified(difference)
    return [_verdict("T401", "table storage or partitioning changed: the table may be rewritten")]


# --- columns ----------------------------------------------------------------------------------------


def _fills_itself(column: Column) -> bool:
    return column.default is not None or column.identity is not None or column.generated is not None


def _column_added(difference: Difference) -> list[Verdict]:
    column = difference.new
    assert isinstance(column, Column)
    if not column.nullable and not _fills_itself(column):
        return [
            _verdict(
                "C102",
                "NOT NULL column without a default added: existing rows and inserts that omit it fail",
            )
        ]
    return [_verdict("C101", "column added")]


def _column_removed(difference: Difference) -> list[Verdict]:
    return [_verdict("C201", "column removed: its data is lost and queries using it fail")]


def _column_renamed(difference: Difference) -> list[Verdict]:
    return [_verdict("C301", "a column removed and a look-alike added: queries using the old name break")]


def _column_moved(difference: Difference) -> list[Verdict]:
    return [_verdict("C501", "column order changed: only SELECT * and positional INSERT notice")]


def _column_modified(difference: Difference) -> list[Verdict]:
    old, new = difference.old, difference.new
    assert isinstance(old, Column) and isinstance(new, Column)
    return [_COLUMN_ATTRIBUTE[flag](old, new) for flag in difference.changed.flags]


_TYPE_VERDICTS = {
    TypeChange.SAME: ("C401", "type spelled differently"),
    TypeChange.WIDENING: ("C402", "type widened: every value still fits"),
    TypeChange.TO_TEXT: ("C403", "type changed to text: values convert but clients read strings"),
    TypeChange.NARROWING: ("C404", "type narrowed: existing values may not fit"),
    TypeChange.CONVERSION: ("C405", "type changed: existing values may not convert"),
}


def _type(old: Column, new: Column) -> Verdict:
    code, reason = _TYPE_VERDICTS[classify_type_change(old.type, new.type)]
    return _verdict(code, f"{reason} ({old.type} -> {new.type})")


def _nullable(old: Column, new: Column) -> Verdict:
    if new.nullable:
        return _verdict("C411", "NOT NULL dropped: readers may now see NULL")
    if not _fills_itself(new):
        return _verdict(
            "C412", "NOT NULL added without a default: existing NULLs and inserts that omit it fail"
        )
    return _verdict("C413", "NOT NULL added: the change fails while NULL rows exist")


def _default(old: Column, new: Column) -> Verdict:
    if old.default is None:
        return _verdict("C421", "default added")
    if new.default is None:
        if not new.nullable and new.identity is None and new.generated is None:
            return _verdict("C422", "default removed from a NOT NULL column: inserts that omit it fail")
        return _verdict("C423", "default removed: inserts that omit the column now store NULL")
    return _verdict("C424", "default changed: inserts that omit the column store another value")


def _identity(old: Column, new: Column) -> Verdict:
    if new.identity is None and not new.nullable and new.default is None:
        return _verdict("C431", "identity removed from a NOT NULL column: inserts that omit it fail")
    if new.identity is not None and new.identity.upper().startswith("ALWAYS"):
        return _verdict("C432", "identity is now ALWAYS: inserts with an explicit value fail")
    return _verdict("C433", "identity changed: generated values change")


def _generated(old: Column, new: Column) -> Verdict:
    if old.generated is None:
        return _verdict("C441", "column is now generated: writes to it fail")
    return _verdict("C442", "generation expression changed: stored values are recomputed")


def _collation(old: Column, new: Column) -> Verdict:
    return _verdict("C451", "collation changed: ordering and uniqueness of text change")


def _comment(old: Column, new: Column) -> Verdict:
    return _verdict("X401", "comment changed")


_COLUMN_ATTRIBUTE: dict[Changed, Callable[[Column, Column], Verdict]] = {
    Changed.TYPE: _type,
    Changed.NULLABLE: _nullable,
    Changed.DEFAULT: _default,
    Changed.IDENTITY: _identity,
    Changed.GENERATED: _generated,
    Changed.COLLATION: _collation,
    Changed.COMMENT: _comment,
}


# --- constraints and indexes ------------------------------------------------------------------------

_KEYS = (ConstraintKind.PRIMARY_KEY, ConstraintKind.UNIQUE, ConstraintKind.EXCLUDE)


def _label(kind: ConstraintKind) -> str:
    return kind.value.replace("_", " ") + (" constraint" if kind is not ConstraintKind.FOREIGN_KEY else "")


def _constraint_added_verdict(constraint: Constraint) -> Verdict:
    if constraint.kind in _KEYS:
        return _verdict(
            "K101", f"{_label(constraint.kind)} added: existing duplicates fail it, such writes are refused"
        )
    if constraint.kind is ConstraintKind.FOREIGN_KEY:
        return _verdict("K102", "foreign key added: orphan rows fail it, such writes are refused")
    return _verdict("K103", "check constraint added: rows that fail it are refused")


def _constraint_added(difference: Difference) -> list[Verdict]:
    assert isinstance(difference.new, Constraint)
    return [_constraint_added_verdict(difference.new)]


def _constraint_removed(difference: Difference) -> list[Verdict]:
    constraint = difference.old
    assert isinstance(constraint, Constraint)
    if constraint.kind in _KEYS:
        return [
            _verdict(
                "K201",
                f"{_label(constraint.kind)} removed: duplicates become possible, ON CONFLICT and foreign "
                "keys on it fail",
            )
        ]
    code = "K202" if constraint.kind is ConstraintKind.FOREIGN_KEY else "K203"
    return [_verdict(code, f"{_label(constraint.kind)} removed: fewer writes are refused")]


def _constraint_modified(difference: Difference) -> list[Verdict]:
    assert isinstance(difference.new, Constraint)
    added = _constraint_added_verdict(difference.new)
    code = "K401" if added.rule.severity is Severity.BREAKING else "K402"
    return [_verdict(code, f"constraint redefined: {added.reason}")]


def _part_renamed(difference: Difference) -> list[Verdict]:
    code = "K301" if difference.subject is Subject.CONSTRAINT else "I301"
    return [
        _verdict(code, f"same {difference.subject} under another name: only statements that name it notice")
    ]


def _index_added(difference: Difference) -> list[Verdict]:
    assert isinstance(difference.new, Index)
    if difference.new.unique:
        return [_verdict("I102", "unique index added: existing duplicates fail it, such writes are refused")]
    return [_verdict("I101", "index added")]


def _index_removed(difference: Difference) -> list[Verdict]:
    assert isinstance(difference.old, Index)
    duplicates = "; duplicates become possible" if difference.old.unique else ""
    return [_verdict("I201", "index removed: queries that used it may slow down" + duplicates)]


def _index_modified(difference: Difference) -> list[Verdict]:
    before, after = difference.old, difference.new
    assert isinstance(before, Index) and isinstance(after, Index)
    if after.unique and (not before.unique or Changed.DEFINITION in difference.changed):
        return [_verdict("I402", "unique index redefined: rows that were allowed may be refused")]
    return [_verdict("I401", "index rebuilt: locks and query plans change")]


_Judge = Callable[[Difference], list[Verdict]]
_POLICY: dict[tuple[Subject, ChangeType], _Judge] = {
    (_OBJECT, ChangeType.ADD): _object_added,
    (_OBJECT, ChangeType.REMOVE): _object_removed,
    (_OBJECT, ChangeType.POSSIBLE_RENAME): _object_renamed,
    (_OBJECT, ChangeType.MODIFY): _object_modified,
    (Subject.TABLE, ChangeType.ADD): _object_added,
    (Subject.TABLE, ChangeType.REMOVE): _table_removed,
    (Subject.TABLE, ChangeType.POSSIBLE_RENAME): _object_renamed,
    (Subject.TABLE, ChangeType.MODIFY): _table_modified,
    (Subject.COLUMN, ChangeType.ADD): _column_added,
    (Subject.COLUMN, ChangeType.REMOVE): _column_removed,
    (Subject.COLUMN, ChangeType.POSSIBLE_RENAME): _column_renamed,
    (Subject.COLUMN, ChangeType.MODIFY): _column_modified,
    (Subject.COLUMN, ChangeType.MOVE): _column_moved,
    (Subject.CONSTRAINT, ChangeType.ADD): _constraint_added,
    (Subject.CONSTRAINT, ChangeType.REMOVE): _constraint_removed,
    (Subject.CONSTRAINT, ChangeType.POSSIBLE_RENAME): _part_renamed,
    (Subject.CONSTRAINT, ChangeType.MODIFY): _constraint_modified,
    (Subject.INDEX, ChangeType.ADD): _index_added,
    (Subject.INDEX, ChangeType.REMOVE): _index_removed,
    (Subject.INDEX, ChangeType.POSSIBLE_RENAME): _part_renamed,
    (Subject.INDEX, ChangeType.MODIFY): _index_modified,
}
