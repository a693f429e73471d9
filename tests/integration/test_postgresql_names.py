"""PostgreSQL's own names of types and functions (normalize/dialects.py), with PostgreSQL as the judge.

sqlglot's PostgreSQL dialect reads `short`, `string`, `tinyint`, `datetime`... as its own types, which
PostgreSQL does not have: in a PostgreSQL script such a word can only be the name of the user's own type,
and a domain named `short` is not a smallint column. It also reads some of pg_catalog's functions as
another function or operator (`like(s, p)` as `p LIKE s`, `to_hex` as `HEX`, `now()` as
`CURRENT_TIMESTAMP`), where PostgreSQL stores a call under the name it was written with.
"""

from __future__ import annotations

import re

import psycopg
import pytest
from sqlglot.dialects.postgres import Postgres

from schemareg.normalize.dialects import NOT_POSTGRES_TYPES
from schemareg.normalize.pg_parser import AS_WRITTEN, parse_one
from tests.integration.test_fidelity import assert_agree
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.integration

# sqlglot's type words that PostgreSQL refuses alone but that stay keywords for the statements they are
# part of (or that an extension's type is spelt as, and sqlglot prints as PostgreSQL does).
KEPT = {"ARRAY", "ENUM", "RANGE", "UNION", "NULL", "NULLABLE", "USER-DEFINED", "DOUBLE"}
KEPT |= {"SERIAL", "BIGSERIAL", "SMALLSERIAL", "HSTORE", "GEOMETRY", "GEOGRAPHY", "VECTOR"}


def _is_type(conn: psycopg.Connection[tuple[object, ...]], word: str) -> bool:
    try:
        with conn.transaction():
            conn.execute(f"SELECT NULL::{word}")
    except psycopg.Error:
        return False
    return True


def _type_words() -> list[str]:
    types = Postgres.parser_class.TYPE_TOKENS
    return sorted(
        w
        for w, kind in Postgres.Tokenizer.KEYWORDS.items()
        if kind in types and " " not in w and w.isidentifier()
    )


@pytest.mark.parametrize("server", ["pg", "pg_debian"])
def test_the_words_read_as_names_are_no_types_of_postgresql_and_the_rest_are(
    server: str, request: pytest.FixtureRequest
) -> None:
    """Holds the list true on both servers and on a new sqlglot: a type word sqlglot adds is either
    PostgreSQL's (kept as a type) or goes into NOT_POSTGRES_TYPES."""
    pg: PostgresServer = request.getfixturevalue(server)
    with psycopg.connect(pg.database("words"), autocommit=False) as conn:
        misread = [w for w in sorted(NOT_POSTGRES_TYPES) if _is_type(conn, w)]
        unlisted = [
            w
            for w in _type_words()
            if w not in NOT_POSTGRES_TYPES and w not in KEPT and not _is_type(conn, w)
        ]
    assert misread == []
    assert unlisted == []


def test_a_type_of_the_users_named_as_another_databases_type_is_that_type(pg: PostgresServer) -> None:
    # sqlglot's type words that are no type to PostgreSQL and that it takes as a type's name unquoted
    # (`binary` is one of its reserved words)
    with psycopg.connect(pg.database("names"), autocommit=False) as conn:
        words = [
            w.lower()
            for w in _type_words()
            if w not in KEPT and not _is_type(conn, w) and _names_a_domain(conn, w)
        ]
    assert len(words) > 40
    domains = "\n".join(f"CREATE DOMAIN {w} AS varchar(10);" for w in words)
    columns = ", ".join(f"c_{w} {w}, a_{w} {w}[]" for w in words)
    functions = "\n".join(
        f"CREATE FUNCTION f_{w}(x {w}) RETURNS {w} LANGUAGE sql AS 'SELECT x';" for w in words[:8]
    )
    checks = ", ".join(f"CHECK (c_{w} <> 'x')" for w in words[:8])
    assert_agree(f"{domains}\nCREATE TABLE u ({columns}, {checks});\n{functions}", pg)


def _names_a_domain(conn: psycopg.Connection[tuple[object, ...]], word: str) -> bool:
    try:
        with conn.transaction():
            conn.execute(f"CREATE DOMAIN {word} AS text")
            raise _Undo
    except _Undo:
        return True
    except psycopg.Error:
        return False


class _Undo(Exception):
    """Rolls the probe's transaction back."""


# pg_catalog's functions whose call sqlglot prints under another name, each for its reason: a type's name
# (`char(3)` is a type wherever a type may stand, so `char(65)` stays CHR), SQL keywords that are no calls
# with parentheses in PostgreSQL's grammar, and `interval(...)`, a type's modifier.
RENAMED = {"char", "current_schema", "current_user", "session_user", "interval", "overlaps"}


@pytest.mark.parametrize("server", ["pg", "pg_debian"])
def test_every_function_of_pg_catalog_keeps_its_name(server: str, request: pytest.FixtureRequest) -> None:
    pg: PostgresServer = request.getfixturevalue(server)
    with psycopg.connect(pg.admin_url) as conn:
        functions = conn.execute(
            "SELECT DISTINCT proname, pronargs FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace"
            " AND prokind IN ('f', 'a', 'w') AND proname ~ '^[a-z][a-z0-9_]*$' AND proname NOT LIKE 'pg\\_%'"
        ).fetchall()
    assert len(functions) > 1000
    renamed = []
    for name, count in functions:
        sql = f"SELECT {name}({', '.join(f'a{i}' for i in range(count))})"
        try:
            tree = parse_one(sql, "postgres")
        except Exception:
            continue  # syntax of its own (`position`, `overlay`, `extract`): not read as a call at all
        printed = tree.sql(dialect="postgres") if tree is not None else ""
        if name not in RENAMED and not re.match(rf'SELECT "?{name}"?\(', printed, re.IGNORECASE):
            renamed.append(f"{sql} -> {printed}")
    assert "\n".join(renamed) == ""


def test_a_name_of_a_kept_call_is_still_a_name_where_it_names_a_table(pg: PostgresServer) -> None:
    """`mod`, `pow`, `now` followed by `(` are a table's name after TABLE, REFERENCES or ON."""
    names = sorted(n for n in AS_WRITTEN if n != "like")  # `like` is reserved: a table of that name is quoted
    tables = "\n".join(
        f"CREATE TABLE {n} (id int PRIMARY KEY, {n} int);\nCREATE INDEX {n}_i ON {n} ({n});" for n in names
    )
    refs = "\n".join(f'ALTER TABLE {n} ADD FOREIGN KEY ("{n}") REFERENCES {n} (id);' for n in names[:5])
    quoted = 'CREATE TABLE "like" (id int REFERENCES mod (id), x text CHECK ("like"(x, \'a%\')));'
    assert_agree(f"{tables}\n{refs}\n{quoted}", pg)
