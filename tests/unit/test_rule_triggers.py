"""Expression rules skipped when a tree holds nothing they look for (registry/normalize/triggers.py) change
nothing: on every expression of the fixtures and on generated ones, the rules a tree calls for give the text
all the rules in turn give, and no rule adds a kind of node it did not declare (the rules after it would
not see it)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from schemareg.normalize import rules as R
from schemareg.normalize.split import split_statements
from schemareg.normalize.text import blank_comments
from schemareg.normalize.triggers import Rule, apply_rules, declared, looks_for

FIXTURES = Path(__file__).parent.parent / "fixtures"
RULE_SETS = {"expression": R.EXPRESSION_RULES, "index": R.TABLE_RULES, "view": R.VIEW_RULES}
ALL_RULES = tuple(dict.fromkeys(rule for rules in RULE_SETS.values() for rule in rules))


def _every_rule(node: exp.Expression, dialect: str, rules: Sequence[Rule]) -> exp.Expression:
    for rule in rules:
        node = rule(node, dialect)
    return node


def _kinds(node: exp.Expression) -> set[type[exp.Expression]]:
    return {type(child) for child in node.walk()}


def _assert_same(node: exp.Expression, dialect: str) -> None:
    for name, rules in RULE_SETS.items():
        expected = _every_rule(node.copy(), dialect, rules).sql(dialect=dialect)
        got = apply_rules(node.copy(), dialect, rules).sql(dialect=dialect)
        assert got == expected, f"{name} rules on {node.sql(dialect=dialect)[:100]!r}"
    for rule in ALL_RULES:
        found = declared(rule)
        if found is None:
            continue
        before = _kinds(node)
        after = _kinds(rule(node.copy(), dialect))
        new = {kind for kind in after - before if not issubclass(kind, found[1])}
        assert not new, f"{rule.__name__} adds {sorted(k.__name__ for k in new)} undeclared"


def _fixture_nodes() -> Iterator[tuple[exp.Expression, str]]:
    for path in sorted(FIXTURES.rglob("*.sql")):
        dialect = "mysql" if "mysql" in path.name else "sqlite" if "sqlite" in path.name else "postgres"
        try:
            statements, _ = split_statements(path.read_text(encoding="utf-8", errors="replace"), dialect)
        except Exception:
            continue  # malformed on purpose
        for statement in statements:
            try:
                tree = sqlglot.parse_one(blank_comments(statement.text, dialect), read=dialect)
            except Exception:
                continue
            if tree is None:
                continue
            for node in tree.walk():
                # What the compilers hand the rules: defaults, checks, keys, predicates, queries.
                if isinstance(node, exp.Condition | exp.Query) and not isinstance(node, exp.Column):
                    yield node, dialect


def test_fixture_expressions() -> None:
    count = 0
    for node, dialect in _fixture_nodes():
        _assert_same(node, dialect)
        count += 1
    assert count > 500


_ATOMS = st.sampled_from(
    [
        "a",
        '"B"',
        "t.c",
        "s.t.c",
        "1",
        "-1E3",
        "2.5",
        "'x'",
        "NULL",
        "TRUE",
        "INTERVAL '1 DAY'",
        "'90 min'::interval",
        "'2020-1-1'::timestamp",
        "x::text",
        "(0)::numeric",
        "'a'::varchar::text",
        "ARRAY['a', 'b']::text[]",
        "'-1'::integer",
        "NULL::numeric",
        "f(x)",
        "lower(x)",
        "public.g(x)",
        "timezone('UTC', x)",
        "COALESCE(a, b)",
        "now()",
        "(a)",
        "((b))",
        "x /* note */",
        "E'\\\\x00'::bytea",
        "c::character varying",
        "(status)::text",
    ]
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda p: f"{p[0]} = {p[1]}"),
        pair.map(lambda p: f"({p[0]} AND {p[1]})"),
        pair.map(lambda p: f"{p[0]} OR NOT {p[1]}"),
        pair.map(lambda p: f"({p[0]} + {p[1]}) * 2"),
        pair.map(lambda p: f"{p[0]} || {p[1]}"),
        pair.map(lambda p: f"{p[0]} = ANY (ARRAY[{p[1]}, 'z'])"),
        children.map(lambda c: f"{c} = ANY (ARRAY[{c}])"),
        pair.map(lambda p: f"{p[0]} <> ALL (ARRAY[{p[1]}])"),
        pair.map(lambda p: f"{p[0]} IN ({p[1]})"),
        pair.map(lambda p: f"CASE WHEN {p[0]} THEN {p[1]} END"),
        pair.map(lambda p: f"{p[0]} AT TIME ZONE {p[1]}"),
        pair.map(lambda p: f"timezone({p[0]}, {p[1]})"),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"({c})::text"),
        children.map(lambda c: f"-({c})"),
        children.map(lambda c: f"x ->> {c}"),
        pair.map(lambda p: f"(SELECT {p[0]} FROM t INNER JOIN u ON {p[1]} ORDER BY 1)"),
        pair.map(lambda p: f"EXISTS (SELECT {p[0]} AS k FROM (t JOIN u ON {p[1]}) ORDER BY k ASC)"),
    )


EXPRESSIONS = st.recursive(_ATOMS, _combine, max_leaves=6)


@settings(max_examples=400, deadline=None)
@given(text=EXPRESSIONS, dialect=st.sampled_from(["postgres", "postgres", "mysql", "sqlite"]))
def test_generated_expressions(text: str, dialect: str) -> None:
    try:
        select = sqlglot.parse_one(f"SELECT {text}", read=dialect)
    except Exception:
        return  # a combination the dialect does not read
    node = select.expressions[0] if isinstance(select, exp.Select) and select.expressions else None
    if node is not None:
        _assert_same(node, dialect)
    _assert_same(select, dialect)


def test_a_rule_that_declares_nothing_runs_on_every_tree() -> None:
    seen: list[str] = []

    def anything(node: exp.Expression, dialect: str) -> exp.Expression:
        seen.append(node.sql())
        return exp.Paren(this=node)  # adds what no declaration says: the rules after it still see it

    @looks_for(exp.Column)
    def columns(node: exp.Expression, dialect: str) -> exp.Expression:
        seen.append("columns")
        return node

    tree = sqlglot.parse_one("SELECT 1").expressions[0]
    result = apply_rules(tree, "postgres", [columns, anything, R.strip_parens])
    assert seen == ["1"] and result.sql() == "1"
