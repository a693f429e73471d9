"""PostgreSQL's other names of types, with PostgreSQL as the judge: the sqlglot engine's schema is the
postgres engine's, and the canonical schema.sql builds what the file built.

- `serial4`, `serial8`, `serial2` are serial, bigserial and smallserial (an owned sequence, a nextval
  default, NOT NULL); read as a type of the user's, `public.serial4`, schema.sql did not replay;
- `_int4`, `_text`, `_varchar(10)`, ...: pg_catalog's names of its array types, `INT[]`, `TEXT[]`,
  `VARCHAR(10)[]`, wherever a type is written (a column, a cast, a routine, a domain, a composite type's
  attribute); read as types of the default schema, schema.sql did not replay. A user's `_mood` (the array of
  the enum `mood`) stays the name it is, which PostgreSQL resolves to the same type;
- `pg_catalog.char` is the one-byte `"char"`, `pg_catalog.bit` a bit string of any length and an interval's
  modifiers on the catalog's name (`pg_catalog.interval(6)`) its fields: the keywords' `char(1)`, `bit(1)`
  and precision were another type;
- `INTERVAL '1' DAY`: the SQL standard's qualifier after the constant is the type `interval day`; it was
  lost (`'1 day'::interval`).
"""

from __future__ import annotations

import pytest

from schemareg.engine import normalize_ddl
from schemareg.render import render_schema_sql
from tests.integration.test_fidelity import assert_agree
from tests.integration.test_roundtrip import judged_by_postgres
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.integration

BOTH = ("pg", "pg_debian")

CASES: dict[str, str] = {
    "serial aliases": """
        CREATE TABLE t (a serial4, b serial8 PRIMARY KEY, c SERIAL2, serial4 int);
        ALTER TABLE t ADD COLUMN d serial4, ADD COLUMN e Serial8;
        ALTER TABLE t ADD f serial2 NOT NULL;
        CREATE TABLE u (id serial, x int);
        ALTER TABLE u ADD COLUMN y serial8;
        CREATE VIEW v AS SELECT serial4, serial4 AS serial8 FROM t;
    """,
    "catalog array names": """
        CREATE TABLE t (j _int4, k _text, l _varchar(10), m _numeric(5,2), n _bpchar(3), o _bool,
          p _timestamptz(3), q _bit(3), r _bit, s _char, u _interval, v _float8, w _jsonb, x pg_catalog._int8,
          y "_text", ab _numeric(7), ac _bpchar, ad _varbit(5), ae _uuid, af _inet, ag _tsvector, ah _pg_lsn,
          ai _oid, aj _regclass, ak _int4range, al _date, am _name, an _float4, ao _int2, ap _bytea, aq _money,
          ar _xml, as2 _point, at _interval(2), au _time(2), av _timetz, aw _macaddr, ax _cidr, ay _json,
          az _tid, ba _xid8, bb _int2vector, bc _gtsvector, bd _tsquery, be _jsonpath, bf _refcursor,
          bg _aclitem, bh _datemultirange, bi _interval(7176, 3), bj _interval(32767, 2),
          d1 _text DEFAULT '{a}'::_text, d2 _int4 CHECK (d2 <> '{}'::_int4));
        CREATE DOMAIN dom AS _int4;
        CREATE DOMAIN dom2 AS _varchar(5) CHECK (VALUE <> '{}'::_varchar);
        CREATE FUNCTION f(a _int4, b pg_catalog._text, c _varchar) RETURNS _text LANGUAGE sql
            AS $$ SELECT b $$;
        CREATE FUNCTION g(_int4) RETURNS SETOF _int8 LANGUAGE sql AS $$ SELECT ARRAY[1::int8] $$;
        CREATE FUNCTION h(a _char, b _bit, c _bpchar(3), d _interval(2)) RETURNS _bit LANGUAGE sql
            AS $$ SELECT b $$;
        CREATE VIEW v AS SELECT j::_text AS jt, CAST(k AS _varchar) AS kv, '{1,2}'::_int4 AS c FROM t;
        CREATE TABLE t2 (id int);
        ALTER TABLE t2 ADD COLUMN c _int8;
        ALTER TABLE t2 ALTER COLUMN c TYPE _numeric;
        CREATE TYPE comp AS (a _int4, b _text);
    """,
    "catalog type names": """
        CREATE TABLE t3 (a pg_catalog.char, b pg_catalog.bit, c pg_catalog.bpchar(3), e pg_catalog.interval(6),
          f pg_catalog.interval(2), h pg_catalog.bpchar, i pg_catalog.bit(4), j pg_catalog.int4,
          k pg_catalog.varchar(4));
    """,
    "interval qualifiers": """
        CREATE TABLE t (a timestamptz, b interval DEFAULT INTERVAL '1' DAY,
          c timestamptz DEFAULT now() - INTERVAL '2' DAY, d interval CHECK (d > INTERVAL '5' minute));
        CREATE VIEW v AS SELECT a FROM t WHERE a > now() - INTERVAL '1' DAY;
        CREATE VIEW w AS SELECT interval '1' day a, interval '2' hour b, interval '3' year c,
          interval '5' minute d, interval '7' second e, interval '4' month f, interval '1 day' g,
          interval '90' minute i, interval '-2' day j, interval '1 day 2 hours' n, INTERVAL '2 DAYS' p;
    """,
}

# Replayed, but printed otherwise than PostgreSQL prints them: a user's array name (the sqlglot engine does
# not know the script's types when it reads one); a qualified constant other than a whole number in one
# field, kept as written under its type (PostgreSQL computes the value).
REPLAYED: dict[str, str] = {
    "user array name": """
        CREATE TYPE mood AS ENUM ('a', 'b');
        CREATE TABLE t (a _mood, b mood[]);
        CREATE VIEW v AS SELECT a, b::_mood AS c FROM t;
    """,
    "interval constants kept": """
        CREATE VIEW w AS SELECT interval '1.5' day h, interval '1' day to second k,
          INTERVAL '1:2' HOUR TO MINUTE l, interval '1.25' second(1) m, interval '3' YEAR TO MONTH o;
    """,
}


@pytest.mark.parametrize(("server", "case"), [(server, case) for case in sorted(CASES) for server in BOTH])
def test_type_name_agrees_and_replays(request: pytest.FixtureRequest, server: str, case: str) -> None:
    pg: PostgresServer = request.getfixturevalue(server)
    sql = CASES[case]
    assert_agree(sql, pg)
    assert judged_by_postgres(pg, sql, "sqlglot") == []


@pytest.mark.parametrize(("server", "case"), [(server, case) for case in sorted(REPLAYED) for server in BOTH])
def test_type_name_replays(request: pytest.FixtureRequest, server: str, case: str) -> None:
    pg: PostgresServer = request.getfixturevalue(server)
    assert judged_by_postgres(pg, REPLAYED[case], "sqlglot") == []


def test_serial_alias_is_a_serial() -> None:
    """`serial4` makes what `serial` makes: the two scripts normalise to one schema."""
    alias = "CREATE TABLE t (a serial4, b serial8, c serial2); ALTER TABLE t ADD COLUMN d serial4;"
    plain = "CREATE TABLE t (a serial, b bigserial, c smallserial); ALTER TABLE t ADD COLUMN d serial;"
    assert render_schema_sql(normalize_ddl(alias).schema) == render_schema_sql(normalize_ddl(plain).schema)


def test_catalog_array_is_the_array() -> None:
    """`_int4` is `int4[]`; `_mood` is a name of the default schema."""
    sql = 'CREATE TABLE t (a _int4, b _varchar(3), c _mood, d "_Int4");'
    text = render_schema_sql(normalize_ddl(sql).schema)
    assert "a INT[]," in text
    assert "b VARCHAR(3)[]," in text
    assert "c public._mood," in text
    assert 'd public."_Int4"' in text
