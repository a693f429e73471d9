"""Which text rules a statement meets, by its first words: a statement is tried against its own rules only.

A text rule reads one family of statements, and its pattern begins with their keywords (`\\s*ALTER\\s+SEQUENCE`).
It says so with `@applies_to("ALTER SEQUENCE")` (up to three words each; several heads allowed), and
`TextRules(rules).rules_for(text)` gives, in the table's order, the rules whose heads begin the statement,
with the rules that declare no head (tried on every statement). A head is a promise that the rule answers
None for any statement beginning otherwise; tests/unit/test_heads.py holds every rule to it.

The words are read as the rules' patterns read them (`\\s+` between, `\\w+` each, case folded): a
statement whose first words are not ASCII meets every rule, since a case-insensitive pattern may take a
non-ASCII letter for an ASCII one (the Kelvin sign for k).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from schemareg.lazy_re import lazy_compile

R = TypeVar("R", bound=Callable[..., object])

_MAX_WORDS = 3
_WORDS = lazy_compile(r"\s*(\w+)(?:\s+(\w+)(?:\s+(\w+))?)?")
_DECLARED: dict[object, tuple[tuple[str, ...], ...]] = {}


def applies_to(*heads: str) -> Callable[[R], R]:
    """Declare the first words of the statements a text rule can answer (`"ALTER TABLE"`, `"GRANT"`)."""
    words = tuple(tuple(head.upper().split()) for head in heads)
    if not words or any(not 1 <= len(head) <= _MAX_WORDS for head in words):
        raise ValueError(f"a head is one to {_MAX_WORDS} words: {heads!r}")

    def declare(rule: R) -> R:
        _DECLARED[rule] = words
        return rule

    return declare


def heads_of(rule: object) -> tuple[tuple[str, ...], ...] | None:
    """The heads a rule declared, or None: it is tried on every statement."""
    return _DECLARED.get(rule)


def statement_head(text: str) -> tuple[str, ...] | None:
    """The first (up to three) words of a statement, upper-case; None when one of them is not ASCII."""
    m = _WORDS.match(text)
    if m is None:
        return ()
    words = tuple(word for word in m.groups() if word is not None)
    if not all(word.isascii() for word in words):
        return None
    return tuple(word.upper() for word in words)


class _Node(Generic[R]):
    """The rules a statement beginning with this node's words meets, and the words that can follow."""

    __slots__ = ("next", "rules")

    def __init__(self, rules: tuple[R, ...]) -> None:
        self.rules = rules
        self.next: dict[str, _Node[R]] = {}


class TextRules(Generic[R]):
    """A table of text rules in order, with the rules each statement head meets worked out once: a tree of
    the declared heads' words, each node holding the rules of the words that lead to it."""

    def __init__(self, rules: Sequence[R]) -> None:
        self.rules = tuple(rules)
        declared = [(rule, heads_of(rule)) for rule in self.rules]
        prefixes = sorted({head[:n] for _, heads in declared for head in heads or () for n in range(1, 4)})

        def meets(words: tuple[str, ...]) -> tuple[R, ...]:
            return tuple(
                rule
                for rule, heads in declared
                if heads is None or any(words[: len(head)] == head for head in heads)
            )

        self._root: _Node[R] = _Node(meets(()))
        nodes: dict[tuple[str, ...], _Node[R]] = {(): self._root}
        for words in prefixes:  # sorted: a prefix comes before the heads it begins
            nodes[words] = nodes[words[:-1]].next[words[-1]] = _Node(meets(words))

    def rules_for(self, text: str) -> tuple[R, ...]:
        node = self._root
        m = _WORDS.match(text)
        if m is None:
            return node.rules
        for word in m.groups():
            if word is None:
                break
            found = node.next.get(word.upper())
            if found is None:
                # A word no head goes on with ends the walk, unless a case-insensitive pattern could
                # still read it as one (non-ASCII): then every rule.
                return node.rules if word.isascii() else self.rules
            node = found
        return node.rules
