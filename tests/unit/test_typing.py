"""The implicit-cast resolver (normalize/typing.py) and its signature table, on hand-written expressions;
what PostgreSQL prints for each is in the comments (PostgreSQL 15 and 18 agree)."""

from __future__ import annotations

import pytest
import sqlglot

from schemareg.normalize.literals import date_text, timestamptz_text
from schemareg.normalize.signatures import OPERATORS
from schemareg.normalize.typing import choose, common_type, resolve_casts

COLUMNS = {
    "v": "varchar",
    "c": "bpchar",
    "tx": "text",
    "i": "int4",
    "b": "int8",
    "n": "numeric",
    "f": "float8",
    "r": "float4",
    "ts": "timestamp",
    "d": "date",
    "j": "jsonb",
    "bo": "bool",
}


def typed(text: str, functions: dict[str, list[tuple[tuple[str, ...], str]]] | None = None) -> str:
    return resolve_casts(sqlglot.parse_one(text, read="postgres"), COLUMNS, "t", functions).sql("postgres")


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("lower(v)", "LOWER(CAST(v AS TEXT))"),  # lower((v)::text)
        ("upper(c)", "UPPER(CAST(c AS TEXT))"),  # upper((c)::text)
        ("length(c)", "LENGTH(c)"),  # length(bpchar) exists
        ("length(v)", "LENGTH(CAST(v AS TEXT))"),
        ("v || 'x'", "CAST(v AS TEXT) || CAST('x' AS TEXT)"),
        ("tx || v", "tx || CAST(v AS TEXT)"),
        ("i || 'x'", "i || CAST('x' AS TEXT)"),  # anynonarray || text
        ("v = 'x'", "CAST(v AS TEXT) = CAST('x' AS TEXT)"),
        ("c = 'x'", "c = CAST('x' AS BPCHAR)"),
        ("v = c", "CAST(v AS BPCHAR) = c"),
        ("c LIKE 'a%'", "c LIKE CAST('a%' AS TEXT)"),  # bpchar ~~ text
        ("v IN ('a', 'b')", "CAST(v AS TEXT) IN (CAST('a' AS VARCHAR), CAST('b' AS VARCHAR))"),
        ("c IN ('a', 'b')", "c IN (CAST('a' AS BPCHAR), CAST('b' AS BPCHAR))"),
        ("COALESCE(ts, '2000-01-01')", "COALESCE(ts, CAST('2000-01-01' AS TIMESTAMP))"),
        ("COALESCE(v, tx)", "COALESCE(v, CAST(tx AS VARCHAR))"),  # the first input's type wins a tie
        ("COALESCE(tx, v)", "COALESCE(tx, CAST(v AS TEXT))"),
        ("COALESCE(i, n)", "COALESCE(CAST(i AS DECIMAL), n)"),
        ("COALESCE(d, ts)", "COALESCE(CAST(d AS TIMESTAMP), ts)"),
        ("i > 1.5", "CAST(i AS DECIMAL) > 1.5"),
        ("i + b > 0", "i + b > 0"),  # int48pl
        ("n + f", "CAST(n AS DOUBLE PRECISION) + f"),
        ("r > 1", "r > CAST(1 AS DOUBLE PRECISION)"),  # float48gt
        ("ts + '1 day'", "ts + CAST('1 day' AS INTERVAL)"),
        ("d + 1 > '2020-01-01'", "d + 1 > CAST('2020-01-01' AS DATE)"),
        ("bo = 't'", "bo = TRUE"),  # a boolean constant is folded
        ("to_tsvector('english', v)", "TO_TSVECTOR(CAST('english' AS REGCONFIG), CAST(v AS TEXT))"),
        ("j ->> 'a' = v", "j ->> 'a' = CAST(v AS TEXT)"),
        (
            "lower(tx::text)",
            "LOWER((tx))",
        ),  # a cast to the type a value has is none (strip_parens drops the rest)
        ("lower(v::text)", "LOWER(CAST(v AS TEXT))"),
    ],
)
def test_casts_are_made_explicit_as_postgresql_stores_them(written: str, stored: str) -> None:
    assert typed(written) == stored


@pytest.mark.parametrize(
    "written",
    [
        "lower(other.v)",  # a column of another table
        "lower(missing)",  # a column the table does not have
        "public.f(v)",  # a function the schema does not define
        "my_function(v) = 'x'",  # so its result's type is not known either
        "v::citext = 'x'",  # a type the resolver does not know
    ],
)
def test_what_cannot_be_typed_is_kept_as_written(written: str) -> None:
    assert typed(written) == sqlglot.parse_one(written, read="postgres").sql("postgres")


def test_a_cast_to_the_type_a_value_has_is_dropped_only_with_its_length() -> None:
    node = sqlglot.parse_one("(v::varchar, v::varchar(20), v::varchar(5), tx::text)", read="postgres")
    printed = resolve_casts(node, {"v": "varchar", "tx": "text"}, "t", modifiers={"v": "20"}).sql("postgres")
    assert printed == "(CAST(v AS VARCHAR), (v), CAST(v AS VARCHAR(5)), (tx))"


def test_a_function_of_the_schema_casts_its_arguments() -> None:
    functions = {"public.convert_ts": [(("varchar",), "timestamp")]}
    assert typed("public.convert_ts(j ->> 'a')", functions) == "public.convert_ts(CAST(j ->> 'a' AS VARCHAR))"


def test_inner_expressions_are_typed_inside_ones_that_are_not() -> None:
    assert typed("unknown_f(lower(v))") == "UNKNOWN_F(LOWER(CAST(v AS TEXT)))"


def test_overloads_are_chosen_as_postgresql_chooses() -> None:
    comparison = OPERATORS[sqlglot.exp.EQ]
    assert choose(comparison, ["varchar", "unknown"], operator=True) == (("text", "text"), "bool")
    assert choose(comparison, ["int4", "numeric"], operator=True) == (("numeric", "numeric"), "bool")
    assert choose(comparison, ["uuid", "int4"], operator=True) is None  # no such operator
    assert common_type(["unknown", "unknown"]) == "text"
    assert common_type(["int4", "bool"]) is None


def test_date_and_time_literals_are_printed_as_postgresql_prints_them() -> None:
    assert timestamptz_text("2020-01-01") == "2020-01-01 00:00:00+00"
    assert timestamptz_text("2020-01-01 02:30:00+02") == "2020-01-01 00:30:00+00"
    assert timestamptz_text("2020-01-01 00:00:00.5-01:30") == "2020-01-01 01:30:00.5+00"
    assert timestamptz_text("yesterday") is None
    assert date_text("2020-1-2") == "2020-01-02"


def test_an_expression_is_typed_once_for_every_table_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables that differ only in their names share their typed expressions; a column qualified with the
    table's name is typed per table (the name decides whether it is the table's column)."""
    from schemareg.normalize import StatementCache, normalize, table_casts

    typed: list[str] = []
    real = table_casts._retyped

    def counting(kind: str, text: str, *args: object) -> str:
        typed.append(text)
        return real(kind, text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(table_casts, "_retyped", counting)
    ddl = "".join(
        f"CREATE TABLE t{i} (amount numeric(12,2) CHECK (amount >= 0), n int CHECK (t{i}.n > 0.5));"
        for i in range(20)
    )
    normalize(ddl, "postgres", cache=StatementCache(None))
    assert typed.count("CHECK (amount >= 0)") == 1
    assert sum("n > 0.5" in text for text in typed) == 20
