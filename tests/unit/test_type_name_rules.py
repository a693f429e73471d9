"""The pure readers of PostgreSQL's other type names (type_grammar.py): pg_catalog's array names, the
catalog's own names of types the SQL keywords spell otherwise, and the SQL standard's interval qualifier."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from schemareg.normalize.dialects import sqlglot_dialect
from schemareg.normalize.type_grammar import (
    catalog_array_text,
    generic_type,
    interval_qualified,
    restore_spellings,
)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("_int4", "int4[]"),
        ("_INT4", "int4[]"),
        ('"_text"', "text[]"),
        ("pg_catalog._int8", "int8[]"),
        ("_varchar(10)", "varchar(10)[]"),
        ("_numeric (5, 2)", "numeric(5, 2)[]"),
        ("_char", '"char"[]'),
        ("_bit", '"bit"[]'),
        ("_bit(3)", "bit(3)[]"),
        ("_pg_lsn", "pg_lsn[]"),
        ("_mood", "_mood"),  # a user's: its element's schema names it
        ('"_Int4"', '"_Int4"'),
        ("public._int4", "public._int4"),
        ("_pg_class", "_pg_class"),  # a catalog's row type: not among the types
        ("int4", "int4"),
    ],
)
def test_catalog_array_text(written: str, read: str) -> None:
    assert catalog_array_text(written) == read


def _sql(node: exp.DataType | None) -> str | None:
    return None if node is None else restore_spellings(node.sql("postgres"))


@pytest.mark.parametrize(
    ("name", "modifiers", "printed"),
    [
        ("char", [], '"char"'),
        ("bit", [], '"bit"'),
        ("bit", [4], "BIT(4)"),
        ("bpchar", [], "BPCHAR"),
        ("bpchar", [3], "CHAR(3)"),
        ("int4", [], "INT"),
        ("interval", [8], "INTERVAL DAY"),
        ("interval", [6], "INTERVAL YEAR TO MONTH"),
        ("interval", [7176, 3], "INTERVAL DAY TO SECOND(3)"),
        ("interval", [32767, 2], "INTERVAL(2)"),
        ("interval", [32767], "INTERVAL"),
        ("interval", [8, 3], None),  # `interval day(3)`: no spelling PostgreSQL's grammar reads
        ("interval", [3], None),  # refused by PostgreSQL
        ("pg_lsn", [], None),
    ],
)
def test_generic_type(name: str, modifiers: list[int], printed: str | None) -> None:
    params: list[exp.Expression] = [exp.DataTypeParam(this=exp.Literal.number(m)) for m in modifiers]
    assert _sql(generic_type(name, params)) == printed


def _interval(text: str) -> exp.Interval:
    node = sqlglot.parse_one(f"SELECT {text}", read=sqlglot_dialect("postgres")).expressions[0]
    assert isinstance(node, exp.Interval)
    return node


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("INTERVAL '1' DAY", "CAST('1 day' AS INTERVAL DAY)"),
        ("INTERVAL '90' minute", "CAST('01:30:00' AS INTERVAL MINUTE)"),
        ("INTERVAL '-2' DAY", "CAST('-2 days' AS INTERVAL DAY)"),
        ("INTERVAL '3' YEAR", "CAST('3 years' AS INTERVAL YEAR)"),
        ("INTERVAL '1.5' DAY", "CAST('1.5' AS INTERVAL DAY)"),
        ("INTERVAL '1:2' HOUR TO MINUTE", "CAST('1:2' AS INTERVAL HOUR TO MINUTE)"),
        ("INTERVAL '1.25' SECOND(1)", "CAST('1.25' AS INTERVAL SECOND(1))"),
        ("INTERVAL '1 DAY'", None),  # the unit is the constant's: `'1 day'::interval`
        ("INTERVAL '1 day 2 hours'", None),
    ],
)
def test_interval_qualified(written: str, stored: str | None) -> None:
    cast = interval_qualified(_interval(written))
    assert (None if cast is None else restore_spellings(cast.sql("postgres"))) == stored
