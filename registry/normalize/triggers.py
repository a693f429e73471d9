"""Which expression rules a tree needs: one walk finds the kinds of node it holds, and a rule runs only on a
tree that has a node it looks for (or a comment), so a plain column meets one rule instead of a dozen walks.

A rule declares what it looks for where it is defined, `@looks_for(exp.Cast, adds=(exp.Literal,))`: the
node types it reads (a rule changes nothing in a tree without one), and those it may add that were not
there, so that the rules after it see them. A rule that declares nothing runs on every tree, and the walk
is made again after it. tests/unit/test_rule_triggers.py holds every rule to its declaration: the rules
skipped this way give the same text as all of them in turn, and no rule adds a node it did not declare.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlglot import exp

Rule = Callable[[exp.Expression, str], exp.Expression]
R = TypeVar("R", bound=Rule)


class _Declared:
    """What one rule looks for and what it may add."""

    __slots__ = ("adds", "comments", "types")

    def __init__(
        self, types: tuple[type[exp.Expression], ...], adds: tuple[type[exp.Expression], ...], comments: bool
    ) -> None:
        self.types = types
        self.adds = adds
        self.comments = comments


_DECLARED: dict[object, _Declared] = {}
_BY_TYPE: dict[type, frozenset[object]] = {}  # the rules a node of that type calls for
_COMMENTED: set[object] = set()


def looks_for(
    *types: type[exp.Expression], adds: tuple[type[exp.Expression], ...] = (), comments: bool = False
) -> Callable[[R], R]:
    """Declare the nodes an expression rule reads (or `comments=True`) and the node types it may add."""
    if not types and not comments:
        raise ValueError("a rule looks for some node type or for comments")

    def declare(rule: R) -> R:
        _DECLARED[rule] = _Declared(types, adds, comments)
        if comments:
            _COMMENTED.add(rule)
        _BY_TYPE.clear()  # worked out again with this rule
        return rule

    return declare


def declared(
    rule: object,
) -> tuple[tuple[type[exp.Expression], ...], tuple[type[exp.Expression], ...]] | None:
    """(looked for, added) as a rule declared them, or None."""
    found = _DECLARED.get(rule)
    return None if found is None else (found.types, found.adds)


def _rules_of(kind: type) -> frozenset[object]:
    found = _BY_TYPE.get(kind)
    if found is None:
        found = frozenset(rule for rule, d in _DECLARED.items() if d.types and issubclass(kind, d.types))
        _BY_TYPE[kind] = found
    return found


def _called_for(node: exp.Expression) -> set[object]:
    kinds: set[type] = set()
    commented = False
    for child in node.walk():
        kinds.add(type(child))
        if child.comments:
            commented = True
    called: set[object] = set(_COMMENTED) if commented else set()
    for kind in kinds:
        called |= _rules_of(kind)
    return called


def apply_rules(node: exp.Expression, dialect: str, rules: Sequence[Rule]) -> exp.Expression:
    """The rules in order, each on the tree the one before left, skipping those the tree does not call for."""
    called = _called_for(node)
    for rule in rules:
        found = _DECLARED.get(rule)
        if found is None:
            node = rule(node, dialect)
            called = _called_for(node)  # it may have added anything
        elif rule in called:
            node = rule(node, dialect)
            for kind in found.adds:
                called |= _rules_of(kind)
    return node
