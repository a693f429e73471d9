"""The semantic differ: two canonical schemas in, a sorted list of changes from a closed set out.

    diff_schemas(before, after, rules=...) -> Diff

The traversal (`traverse`) finds the differences, the project's rules (`rules`) leave some out, and the
severity policy (`policy`) gives each the rule it falls under, a severity and a reason; the diff suggests
a semver bump. `change` holds the types of the result.
"""

from __future__ import annotations

from schemareg.diff.change import (
    COLUMN_ATTRIBUTES,
    PARTS,
    TABLE_ATTRIBUTES,
    Change,
    Changed,
    ChangeType,
    Diff,
    Semver,
    Severity,
    Subject,
    suggest_semver,
)
from schemareg.diff.policy import RULES, Rule, judge, rule
from schemareg.diff.rules import NO_RULES, DiffRules, rules_from_mapping, rules_from_toml
from schemareg.diff.traverse import Difference, differences
from schemareg.model import Schema

__all__ = [
    "COLUMN_ATTRIBUTES",
    "NO_RULES",
    "PARTS",
    "RULES",
    "TABLE_ATTRIBUTES",
    "Change",
    "ChangeType",
    "Changed",
    "Diff",
    "DiffRules",
    "Rule",
    "Semver",
    "Severity",
    "Subject",
    "diff_schemas",
    "rule",
    "rules_from_mapping",
    "rules_from_toml",
    "suggest_semver",
]


def diff_schemas(
    before: Schema,
    after: Schema,
    *,
    rules: DiffRules = NO_RULES,
    from_label: str = "before",
    to_label: str = "after",
) -> Diff:
    """Compare two schemas; the result does not depend on the order of anything in the inputs."""
    overrides = rules.overrides()
    changes = [_judged(difference, overrides) for difference in rules.filter(differences(before, after))]
    changes.sort(key=lambda change: change.sort_key)
    return Diff(from_=from_label, to=to_label, semver=suggest_semver(changes), changes=changes)


def _judged(difference: Difference, overrides: dict[str, Severity]) -> Change:
    decided, severity, reason = judge(difference, overrides)
    return Change(
        change=difference.change,
        kind=difference.subject,
        object=difference.object,
        name=difference.name,
        what=difference.changed.attributes,
        before=difference.before,
        after=difference.after,
        severity=severity,
        rule=decided.code,
        title=decided.title,
        reason=reason,
    )
