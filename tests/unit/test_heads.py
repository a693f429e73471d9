"""The text rules' dispatch by first words (registry/normalize/heads.py) loses no statement: a rule a
statement does not meet answers None for it, whatever words begin it, their case and the blanks between.

Statements come from every fixture under tests/fixtures, then each statement that some rule answers is
given other first words (every head a rule declares, the heads seen in the fixtures, other spellings and
blanks) and generated ones by hypothesis; each rule left out must answer None for each of them, under every
option that turns a rule on."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemareg.normalize.compile import TEXT_RULES, Compiler, TextRule
from schemareg.normalize.heads import TextRules, applies_to, heads_of, statement_head
from schemareg.normalize.options import NormalizeOptions
from schemareg.normalize.split import split_statements
from schemareg.normalize.text import blank_comments

FIXTURES = Path(__file__).parent.parent / "fixtures"
OPTIONS = (NormalizeOptions(), NormalizeOptions(keep_owners=True, keep_grants=True))
DIALECTS = ("postgres", "mysql", "sqlite")
_LEADING_WORDS = re.compile(r"\s*(?:\w+\s+){0,3}")


def _statements() -> list[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in sorted(FIXTURES.rglob("*.sql")):
        text = path.read_text(encoding="utf-8", errors="replace")
        dialect = "mysql" if "mysql" in path.name else "sqlite" if "sqlite" in path.name else "postgres"
        try:
            statements, _ = split_statements(text, dialect)
        except Exception:
            continue  # a fixture that is malformed on purpose
        for statement in statements:
            found.add((dialect, blank_comments(statement.text, dialect)))
    return sorted(found)


STATEMENTS = _statements()
COMPILERS = {(dialect, options): Compiler(dialect, options) for dialect in DIALECTS for options in OPTIONS}
DISPATCH = TextRules(TEXT_RULES)


def _answering(dialect: str, text: str) -> Iterator[tuple[Compiler, TextRule]]:
    for options in OPTIONS:
        compiler = COMPILERS[(dialect, options)]
        for rule in TEXT_RULES:
            try:
                answer = rule(compiler.context, text)
            except Exception:  # a rule that trips on a statement must meet it too, or the trip goes unseen
                answer = []
            if answer is not None:
                yield compiler, rule


def _assert_kept(dialect: str, text: str) -> None:
    """Every rule that answers the statement is one the dispatch gives it."""
    met = DISPATCH.rules_for(text)
    for _, rule in _answering(dialect, text):
        assert rule in met, (
            f"{rule.__name__} answers {text[:80]!r}, but its heads {heads_of(rule)} leave it out"
        )


ANSWERED = [(dialect, text) for dialect, text in STATEMENTS if any(True for _ in _answering(dialect, text))]
HEADS = sorted(
    {head for rule in TEXT_RULES for head in heads_of(rule) or ()}
    | {words for _, text in STATEMENTS if (words := statement_head(text))}
)


def test_fixtures_cover_the_rules() -> None:
    answered_by = {rule for dialect, text in ANSWERED for _, rule in _answering(dialect, text)}
    # Every rule that declares heads is exercised by some fixture statement (a rule without heads meets all).
    missing = [rule.__name__ for rule in TEXT_RULES if heads_of(rule) is not None and rule not in answered_by]
    assert not missing, f"no fixture statement is answered by {missing}"


def test_every_fixture_statement_meets_the_rules_that_answer_it() -> None:
    for dialect, text in STATEMENTS:
        _assert_kept(dialect, text)


def _respelled(text: str, head: tuple[str, ...], rng: random.Random) -> str:
    """The statement with its first words replaced by `head`, in a random case and with random blanks."""
    rest = text[_LEADING_WORDS.match(text).end() :]  # type: ignore[union-attr]
    blank = lambda: rng.choice([" ", "  ", "\n", "\t", " \n  "])  # noqa: E731
    words = [rng.choice([word, word.lower(), word.title()]) for word in head]
    return rng.choice(["", " ", "\n"]) + blank().join(words) + blank() + rest


def test_other_first_words_reach_only_rules_that_declare_them() -> None:
    rng = random.Random(13)
    for dialect, text in ANSWERED:
        # The statement's own head respelled, and every other head (a word kept, a word changed).
        for head in [statement_head(text) or (), *rng.sample(HEADS, min(len(HEADS), 25))]:
            _assert_kept(dialect, _respelled(text, head, rng))


WORDS = st.sampled_from(sorted({word for head in HEADS for word in head} | {"TABLE", "ON", "IF", "ONLY"}))
ODD = st.sampled_from(["\u017fet", "\u212aEY", "\uff21lter", "_x", "x1", "(", '"quoted"', "--", "/*c*/"])


@settings(max_examples=300, deadline=None)
@given(
    source=st.sampled_from(ANSWERED),
    head=st.lists(st.one_of(WORDS, ODD), min_size=0, max_size=4),
    blanks=st.lists(st.sampled_from([" ", "\t", "\n", "\u00a0", "\u2003"]), min_size=5, max_size=5),
    upper=st.booleans(),
)
def test_generated_heads(source: tuple[str, str], head: list[str], blanks: list[str], upper: bool) -> None:
    dialect, text = source
    rest = text[_LEADING_WORDS.match(text).end() :]  # type: ignore[union-attr]
    words = [word.upper() if upper else word.lower() for word in head]
    statement = blanks[0] + "".join(word + blanks[i % 4 + 1] for i, word in enumerate(words)) + rest
    _assert_kept(dialect, statement)


def test_a_rule_without_heads_meets_every_statement() -> None:
    def anywhere(context: object, text: str) -> None:
        return None

    @applies_to("alter table", "CREATE OR REPLACE")
    def tables(context: object, text: str) -> None:
        return None

    rules = TextRules([anywhere, tables])
    assert rules.rules_for("ALTER  TABLE\tx ADD y int") == (anywhere, tables)
    assert rules.rules_for("alter table") == (anywhere, tables)
    assert rules.rules_for("create or replace view v") == (anywhere, tables)
    assert rules.rules_for("CREATE OR VIEW v") == (anywhere,)
    assert rules.rules_for("ALTER INDEX i") == (anywhere,)
    assert rules.rules_for("(SELECT 1)") == (anywhere,)
    assert rules.rules_for("") == (anywhere,)
    assert rules.rules_for("ALTER \u212aEY") == (anywhere, tables)  # not ASCII: every rule


def test_a_head_has_one_to_three_words() -> None:
    with pytest.raises(ValueError):
        applies_to("CREATE OR REPLACE FUNCTION")
    with pytest.raises(ValueError):
        applies_to()
