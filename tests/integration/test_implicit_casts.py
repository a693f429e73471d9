"""Implicit casts (issue 13, classes 4 and 9) on generated expressions, with PostgreSQL as the judge.

Expressions over columns of the string, number and date types, built from text functions, COALESCE,
comparisons, LIKE, IN lists, `||` and arithmetic, are put where PostgreSQL stores an expression (index keys
and predicates, CHECK constraints, generated columns, defaults). PostgreSQL prints each with the casts its
parser inserted (`lower((v)::text)`, `COALESCE(ts, '...'::timestamp without time zone)`); the sqlglot
engine, which never sees the database, must give the same fingerprint. Every expression is well-typed by
construction: one that PostgreSQL refuses is a bug in this test.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.test_fidelity import assert_agree
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.integration

BOUNDED = settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

COLUMNS = {
    "i": "integer",
    "b": "bigint",
    "s": "smallint",
    "v": "varchar(20)",
    "w": "character varying",
    "c": "char(3)",
    "tx": "text",
    "ts": "timestamp",
    "d": "date",
    "n": "numeric(10,2)",
    "f": "double precision",
    "r": "real",
    "bo": "boolean",
}
TABLE = "CREATE TABLE t ({});".format(", ".join(f"{name} {kind}" for name, kind in COLUMNS.items()))

STRING_COLUMNS = st.sampled_from(["v", "w", "c", "tx"])
# A value of another type cast to text: the cast is part of the expression (class 9), never dropped.
CASTS_TO_TEXT = st.sampled_from(
    ["(i::text)", "(n::text)", "(d::text)", "(ts::text)", "(bo::text)", "(c::text)"]
)
STRING_LITERALS = st.sampled_from(["'a'", "'x y'", "''", "'ab%'"])
NUMBER_COLUMNS = st.sampled_from(["i", "b", "s", "n", "f", "r"])
NUMBER_LITERALS = st.sampled_from(["1", "2.5", "'3'", "-4", "100000000000"])
DATE_COLUMNS = st.sampled_from(["ts", "d"])
DATE_LITERALS = st.sampled_from(["'2000-01-01'", "'2020-1-2 03:04:05'", "'1999-12-31 23:59:59.5'"])


STRING_FUNCTIONS = st.sampled_from(
    [
        "lower({})",
        "upper({})",
        "md5({})",
        "initcap({})",
        "reverse({})",
        "left({}, 2)",
        "right({}, 1)",
        "replace({}, 'a', 'b')",
        "split_part({}, ',', 1)",
        "lpad({}, 4)",
        "({} || 'x')",
        "('x' || {})",
        "({}::text)",
    ]
)


@st.composite
def strings(draw: st.DrawFn, depth: int = 2) -> str:
    """A string-valued expression naming at least one column."""
    if depth == 0 or draw(st.booleans()):
        return draw(st.one_of(STRING_COLUMNS, CASTS_TO_TEXT))
    inner = draw(strings(depth - 1))
    kind = draw(st.sampled_from(["function", "concat", "coalesce"]))
    if kind == "function":
        return draw(STRING_FUNCTIONS).format(inner)
    other = draw(st.one_of(STRING_COLUMNS, STRING_LITERALS))
    if kind == "concat":
        return f"({inner} || {other})"
    return f"COALESCE({inner}, {other})"


@st.composite
def numbers(draw: st.DrawFn) -> str:
    left = draw(NUMBER_COLUMNS)
    right = draw(st.one_of(NUMBER_COLUMNS, NUMBER_LITERALS))
    operator = draw(st.sampled_from(["+", "-", "*"]))
    if draw(st.booleans()):
        return f"({left} {operator} {right})"
    return f"COALESCE({left}, {right})"


@st.composite
def conditions(draw: st.DrawFn) -> str:
    """A boolean expression: a comparison of strings, numbers or dates, LIKE, IN, or a length."""
    kind = draw(st.sampled_from(["strings", "numbers", "dates", "like", "in", "length", "boolean"]))
    comparison = draw(st.sampled_from(["=", "<>", "<", ">="]))
    if kind == "strings":
        return f"{draw(strings())} {comparison} {draw(st.one_of(strings(), STRING_LITERALS))}"
    if kind == "numbers":
        left = draw(st.one_of(NUMBER_COLUMNS, numbers()))
        return f"{left} {comparison} {draw(st.one_of(NUMBER_COLUMNS, NUMBER_LITERALS))}"
    if kind == "dates":
        left = draw(
            st.one_of(DATE_COLUMNS, st.just("COALESCE(ts, '2001-02-03')"), st.just("COALESCE(d, ts)"))
        )
        return f"{left} {comparison} {draw(st.one_of(DATE_COLUMNS, DATE_LITERALS))}"
    if kind == "like":
        return f"{draw(strings())} {draw(st.sampled_from(['LIKE', 'ILIKE', 'NOT LIKE']))} 'a%'"
    if kind == "in":
        negated = draw(st.sampled_from(["IN", "NOT IN"]))
        subject = draw(st.one_of(strings(), NUMBER_COLUMNS, DATE_COLUMNS))
        items = {"i": "1, 2", "b": "1, 2", "s": "1, 2", "n": "1, 2.5", "f": "1, 2.5", "r": "1, 2"}
        values = items.get(subject, "'2000-01-01', '2000-01-02'" if subject in ("ts", "d") else "'a', 'b'")
        return f"{subject} {negated} ({values})"
    if kind == "length":
        return f"length({draw(strings())}) > 2"
    return "bo = " + draw(st.sampled_from(["'t'", "'false'", "true"]))


@BOUNDED
@given(keys=st.lists(st.one_of(strings(), numbers()), min_size=1, max_size=4), where=conditions())
def test_index_keys_and_predicates_are_typed_as_postgresql_types_them(
    keys: list[str], where: str, pg: PostgresServer
) -> None:
    indexes = "\n".join(f"CREATE INDEX t_{n} ON t (({key}));" for n, key in enumerate(keys))
    assert_agree(f"{TABLE}\n{indexes}\nCREATE INDEX t_where ON t (i) WHERE {where};", pg)


@BOUNDED
@given(checks=st.lists(conditions(), min_size=1, max_size=4))
def test_checks_are_typed_as_postgresql_types_them(checks: list[str], pg: PostgresServer) -> None:
    constraints = "\n".join(f"ALTER TABLE t ADD CONSTRAINT t_c{n} CHECK ({c});" for n, c in enumerate(checks))
    assert_agree(f"{TABLE}\n{constraints}", pg)


@BOUNDED
@given(expression=st.one_of(strings(), numbers()))
def test_generated_columns_are_typed_as_postgresql_types_them(expression: str, pg: PostgresServer) -> None:
    assert_agree(
        f"{TABLE}\nALTER TABLE t ADD COLUMN g text GENERATED ALWAYS AS (({expression})::text) STORED;", pg
    )


@pytest.mark.parametrize(
    ("kind", "default"),
    [
        ("timestamptz", "now() + '1 day'"),
        ("timestamp", "'2000-01-01'::timestamp + '1 hour'"),
        ("date", "CURRENT_DATE + 1"),
        ("text", "lower('X')"),
        ("text", "'a' || 'b'"),
        ("numeric", "1 + 2.5"),
        ("boolean", "'yes'"),
        ("boolean", "'f'"),
        ("date", "'2020-1-2 03:04:05'"),
        ("timestamptz", "'2020-01-01 02:00+02'"),
    ],
)
def test_defaults_are_typed_as_postgresql_types_them(kind: str, default: str, pg: PostgresServer) -> None:
    assert_agree(f"CREATE TABLE t (x {kind} DEFAULT {default});", pg)


@pytest.mark.parametrize(
    "sql",
    [
        # The atuin history: a unique index on lower() of a varchar column.
        "CREATE TABLE u (email varchar(128)); CREATE UNIQUE INDEX u_email ON u (lower(email));",
        # temporal's visibility schema: COALESCE of a timestamp column with an untyped literal.
        "CREATE TABLE e (close_time timestamp); CREATE INDEX e_close ON e (COALESCE(close_time, '9999-12-31'));",
        # A function of the schema's own takes varchar: its text argument is cast to it.
        "CREATE FUNCTION f(s varchar) RETURNS timestamp AS $$ SELECT s::timestamp $$ LANGUAGE sql IMMUTABLE;"
        " CREATE TABLE e (j jsonb, t timestamp GENERATED ALWAYS AS (f(j ->> 'a')) STORED);",
        # Casts written out where PostgreSQL would insert them, and casts to the type a value has.
        "CREATE TABLE u (v varchar(9), tx text); CREATE INDEX u_v ON u (lower(v::text), (tx::text));",
        # A cast to the type a column has is dropped only where the length is the column's too.
        "CREATE TABLE u (v varchar(20), n numeric(10,2), c char(3), w varchar); CREATE INDEX u_v ON u"
        " ((v::varchar), (n::numeric), (c::bpchar), (c::char(3)), (v::varchar(20)), (w::varchar), (v::varchar(5)));",
        # A varchar compared with a char column is compared as bpchar.
        "CREATE TABLE u (v varchar(9), c char(2)); CREATE INDEX u_vc ON u (v) WHERE v = c;",
        # A literal compared with an enum column takes the enum's type.
        "CREATE TYPE mood AS ENUM ('a', 'b'); CREATE TABLE u (m mood, v varchar);"
        " CREATE INDEX u_m ON u (v) WHERE m = 'a';",
        "CREATE TYPE mood AS ENUM ('a', 'b'); CREATE TABLE u (m mood, v varchar);"
        " CREATE INDEX u_m ON u (v) WHERE m IN ('a', 'b') AND COALESCE(m, 'b') <> 'a';",
        # A cast to text of a column that is not text or varchar is part of the expression (class 9);
        # a domain's value is its base type's, so a varchar domain's cast to text is PostgreSQL's own.
        "CREATE TABLE u (n int, d date, c char(3), v varchar); ALTER TABLE u ADD CHECK"
        " (n::text <> 'x' AND length(d::text) > 0 AND c::text = 'ab' AND v::text = 'a');",
        "CREATE DOMAIN short AS varchar(10); CREATE TABLE u (m short, n int,"
        " g text GENERATED ALWAYS AS (lower(m) || n::text) STORED, CHECK (m = 'a' AND lower(m) <> 'b'));",
        # A column of a type the resolver does not know keeps its expression as written.
        "CREATE TABLE u (a int[], v varchar); CREATE INDEX u_a ON u (v) WHERE a = '{1}' AND v = 'x';",
    ],
)
def test_known_shapes_are_typed_as_postgresql_types_them(sql: str, pg: PostgresServer) -> None:
    assert_agree(sql, pg)


# Views are not typed, but a column's cast to text in one is judged once the tables are known
# (view_casts.py): dropped on a text or varchar column, where PostgreSQL inserts it, kept on any other.
VIEW_SUBJECTS = st.sampled_from(
    [
        "v",
        "w",
        "tx",
        "(v::text)",
        "(tx::text)",
        "(i::text)",
        "(n::text)",
        "(d::text)",
        "(bo::text)",
        "(c::text)",
    ]
)
VIEW_SOURCES = {
    "table": "SELECT i FROM t WHERE {}",
    "alias": "SELECT x.i FROM t x WHERE {}",
    "join": "SELECT x.i FROM t x JOIN t y ON y.i = x.i WHERE {}",
    "subquery": "SELECT s.i FROM (SELECT i, v, w, tx, n, d, bo, c FROM t) s WHERE {}",
    "cte": "WITH q AS (SELECT i, v, w, tx, n, d, bo, c FROM t) SELECT i FROM q WHERE {}",
}


@BOUNDED
@given(
    source=st.sampled_from(sorted(VIEW_SOURCES)),
    subjects=st.lists(VIEW_SUBJECTS, min_size=1, max_size=3),
    operator=st.sampled_from(["=", "<>", "LIKE"]),
)
def test_a_views_casts_to_text_are_kept_where_they_mean_something(
    source: str, subjects: list[str], operator: str, pg: PostgresServer
) -> None:
    def qualified(subject: str) -> str:
        prefix = {"alias": "x.", "join": "x.", "subquery": "s."}.get(source, "")
        return subject.replace("(", f"({prefix}", 1) if subject.startswith("(") else prefix + subject

    where = " AND ".join(f"{qualified(s)} {operator} 'a%'" for s in subjects)
    assert_agree(f"{TABLE}\nCREATE VIEW vw AS {VIEW_SOURCES[source].format(where)};", pg)
