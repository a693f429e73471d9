"""PostgreSQL's own functions and types as PostgreSQL stores them, with PostgreSQL as the judge (issue 13).

sqlglot reads some of PostgreSQL's functions as nodes it shares with other dialects (`substr` as Substring,
`btrim` as Trim, `strpos` as StrPosition, `date_part` as Extract) and prints them under another name; a
cast to `char` or `bit` without a length is `character(1)` / `bit(1)` in PostgreSQL; an index made without
a name is named from its keys as FigureColname names them, numbered when the name is taken. The sqlglot
engine must give what the postgres engine reads back.
"""

from __future__ import annotations

import re

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemareg.normalize import normalize
from schemareg.normalize.pg_parser import AS_WRITTEN
from tests.integration.test_fidelity import assert_agree
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.integration

BOUNDED = settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

TABLE = (
    "CREATE TABLE t (a text, v varchar(10), x integer, n numeric, f double precision, ts timestamp, j json);"
)

# One immutable call of each function the parser keeps as called, on the columns above.
CALLS = {
    "btrim": ["btrim(a)", "btrim(a, 'x')"],
    "ceiling": ["ceiling(n)", "ceiling(f)"],
    "character_length": ["character_length(a)"],
    "char_length": ["char_length(a)"],
    "convert": [],  # not immutable: in a view only
    "date_add": [],  # not immutable: in a view only
    "date_part": ["date_part('year', ts)"],
    "date_trunc": ["date_trunc('day', ts)"],
    "json_extract_path": [],  # json has no btree operator class: in a view only
    "json_extract_path_text": ["json_extract_path_text(j, 'k', 'l')", "json_extract_path_text(j, 'k')"],
    "like": ["like(a, 'x%')"],  # sqlglot's order of arguments is SQLite's: `'x%' LIKE a`
    "log10": ["log10(f)", "log10(n)"],
    "ltrim": ["ltrim(a, 'x')", "ltrim(a)"],
    "mod": ["mod(x, 2)", "mod(n, 3)"],
    "now": [],  # not immutable: in a view only; PostgreSQL stores it apart from CURRENT_TIMESTAMP
    "overlay": ["overlay(a, 'x', 2)"],  # the call, not the SQL syntax overlay(a PLACING 'x' FROM 2)
    "position": ["\"position\"(a, 'x')"],  # a keyword: the call is quoted, and reads (string, substring)
    "pow": ["pow(f, 2)"],
    "regexp_like": ["regexp_like(a, 'x')"],
    "rtrim": ["rtrim(a, 'x')"],
    "strpos": ["strpos(a, 'x')"],
    "substr": ["substr(a, 1, 2)", "substr(a, 2)"],
    "substring": ["substring(a, 1, 2)", "substring(a, 2)"],  # PostgreSQL 16 prints the SQL syntax apart
    "to_hex": ["to_hex(x)"],
    "variance": [],  # an aggregate: in a view only
}
VIEW_ONLY = [
    "variance(n)",
    "convert(a::bytea, 'UTF8', 'LATIN1')",
    "now()",
    "date_add(ts::timestamptz, interval '1 day')",
    "json_extract_path(j, 'k', 'l')",
    "substring(a from 2 for 3)",
    "position('x' in a)",
    "overlay(a placing 'x' from 2)",
    "trim(both 'x' from a)",
]
SQL_SYNTAX = VIEW_ONLY[-4:]  # the SQL syntax forms


def test_every_kept_function_has_a_case() -> None:
    assert sorted(CALLS) == sorted(AS_WRITTEN)


@pytest.mark.parametrize("name", sorted(AS_WRITTEN))
def test_a_function_is_stored_as_called(pg: PostgresServer, name: str) -> None:
    """In a view's select list and as an index key (named from the function, as PostgreSQL names it)."""
    calls = CALLS[name] or [c for c in VIEW_ONLY if c.startswith(name)]
    selected = ", ".join(f"{call} AS c{i}" for i, call in enumerate(calls))
    group = " GROUP BY n" if name == "variance" else ""
    script = [TABLE, f"CREATE VIEW v AS SELECT {selected} FROM t{group};"]
    script += [f"CREATE INDEX ON t (({call}));" for call in CALLS[name]]
    sql = "\n".join(script)
    assert_agree(sql, pg)
    canonical = "\n".join(normalize(sql, "postgres").rendered().values())
    assert f"{name.upper()}(" in canonical or f'"{name}"(' in canonical, canonical
    if CALLS[name]:
        assert f"t_{name}_idx ON" in canonical, canonical


def test_sql_syntax_functions_stay_as_postgresql_prints_them(pg: PostgresServer) -> None:
    selected = ", ".join(f"{call} AS c{i}" for i, call in enumerate(SQL_SYNTAX))
    assert_agree(f"{TABLE}\nCREATE VIEW v AS SELECT {selected} FROM t;", pg)


def test_sqlglot_reads_no_other_catalog_function_under_another_name(pg: PostgresServer) -> None:
    """Every pg_catalog function sqlglot's PostgreSQL parser knows by name, called with as many arguments
    as PostgreSQL takes, prints under its own name, unless listed here with the reason."""
    from sqlglot.dialects.postgres import Postgres

    known = {n.lower() for n in (*Postgres.Parser.FUNCTIONS, *Postgres.Parser.FUNCTION_PARSERS)}
    respelt = {
        "now": "CURRENT_TIMESTAMP, as the normaliser always read it (the same value and type)",
        "extract": "SQL syntax",
        "position": "SQL syntax (no call syntax: `position(a, b)` is refused)",
        "trim": "SQL syntax",
        "decode": "sqlglot reads decode(a, b, c) as Oracle's DECODE; PostgreSQL's takes two arguments",
        "char": 'a keyword: char(a) is no call in PostgreSQL (pg_catalog.char is the cast to "char")',
        "like": "like(a, b) is the function of b LIKE a, which PostgreSQL prints as the operator it was",
    }
    with psycopg.connect(pg.admin_url) as conn:
        arities = conn.execute(
            "SELECT proname, array_agg(DISTINCT pronargs) FROM pg_proc"
            " WHERE pronamespace = 'pg_catalog'::regnamespace AND proname = ANY(%s) GROUP BY proname",
            [sorted(known)],
        ).fetchall()
    wrong = []
    for name, counts in arities:
        for count in counts:
            if name in respelt or not 1 <= count <= 3:
                continue
            args = ", ".join("abc"[:count])
            printed = normalize(
                f"CREATE VIEW v AS SELECT {name}({args}) AS r FROM t;", "postgres", cache=False
            )
            text = next(iter(printed.rendered().values()))
            if not re.search(rf"\b{name}\(", text, re.IGNORECASE):
                wrong.append(f"{name}/{count}: {text}")
    assert wrong == [], "\n".join(wrong)


# -- char and bit without a length in a cast -----------------------------------------------------------------

ONE_BY_DEFAULT = ["char", "character", "national char", "national character", "nchar", "bit", "char[]"]


@BOUNDED
@given(st.lists(st.sampled_from(ONE_BY_DEFAULT), min_size=1, max_size=4))
def _casts_without_a_length(pg: PostgresServer, spellings: list[str]) -> None:
    selected = ", ".join(f"CAST(NULL AS {s}) AS c{i}" for i, s in enumerate(spellings))
    keys = ", ".join(f"(a::{s})" for s in spellings if s != "bit" and not s.endswith("]"))
    script = [TABLE, f"CREATE VIEW v AS SELECT {selected}, a::{spellings[0]} AS k FROM t;"]
    if keys:
        script.append(f"CREATE INDEX t_cast ON t ({keys});")
    assert_agree("\n".join(script), pg)


def test_a_cast_to_char_or_bit_without_a_length_has_one(pg: PostgresServer) -> None:
    _casts_without_a_length(pg)


# -- the names PostgreSQL gives an index made without one ----------------------------------------------------

KEYS = st.sampled_from(
    [
        "a",
        "x",
        "lower(a)",
        "lower(v)",
        "upper(a)",
        "(a::char)",
        "((x + 1)::bigint)",
        "(x + 2)",
        "(a || v)",
        "substr(a, 1, 2)",
        "btrim(a)",
        "(CASE WHEN x > 0 THEN a ELSE upper(a) END)",
        "(CASE WHEN x > 0 THEN a END)",
        "(('x'::text))",
        "coalesce(a, v)",
        "(j ->> 'k')",
        "date_trunc('day', ts)",
        "(ts AT TIME ZONE 'UTC')",
        "trim(leading 'x' from a)",
        '(a COLLATE "C")',
        "md5(a)",
        "left(a, 2)",
    ]
)


@BOUNDED
@given(st.lists(st.lists(KEYS, min_size=1, max_size=3), min_size=1, max_size=4), st.booleans())
def _unnamed_indexes(pg: PostgresServer, indexes: list[list[str]], partitioned: bool) -> None:
    if partitioned:
        script = [
            TABLE.replace(");", ") PARTITION BY RANGE (x);"),
            "CREATE TABLE t1 PARTITION OF t FOR VALUES FROM (0) TO (10);",
        ]
    else:
        script = [TABLE]
    script += [f"CREATE INDEX ON t ({', '.join(keys)});" for keys in indexes]
    script.append("CREATE INDEX ON t (a) INCLUDE (x);")
    if partitioned:
        script.append("CREATE TABLE t2 PARTITION OF t FOR VALUES FROM (10) TO (20);")
    assert_agree("\n".join(script), pg)


def test_an_unnamed_index_is_named_as_postgresql_names_it(pg: PostgresServer) -> None:
    _unnamed_indexes(pg)
