"""The inspector's direct path (`pg_direct` probes, `assemble`) against its reference, the DDL path: for
the same catalog rows, the schema built from probes is the schema the normaliser gives for the whole
script, object for object and byte for byte (tests/support/direct_path.py), on generated schemas, on
tables drawn over the forms PostgreSQL prints, on PostgreSQL 18 and 15 alike. The corpus schemas and the
pg-schema-diff cases are checked where they are loaded already: every inspection of test_roundtrip.py,
test_drift.py and test_histories.py is compared the same way (`check_every_inspection`)."""

from __future__ import annotations

import re

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemareg.engine import PostgresEngine
from tests.support import generated
from tests.support.direct_path import assert_same, both_paths
from tests.support.postgres import PostgresServer

BOUNDED = settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def test_the_direct_path_gives_the_ddl_paths_schema_on_generated_schemas(pg: PostgresServer) -> None:
    @BOUNDED
    @given(generated.schemas())
    def check(schema: generated.GenSchema) -> None:
        url = pg.database()
        PostgresEngine(pg.admin_url).apply(url, schema.ddl("plain"))
        direct, reference, _ = both_paths(url)
        assert_same(direct, reference)

    check()


# -- the forms PostgreSQL prints, drawn ----------------------------------------------------------------

_NAMES = st.sampled_from(
    ["id", "Mixed", "with space", 'quo"te', "user", "order", "text", "a.b", "x" * 63, "é", "select"]
)
_TYPES = st.sampled_from(
    [
        ("integer", ["0", "-1", "(1 + 2)", "nextval('{seq}'::regclass)"]),
        ("bigint", ["42", "nextval('{seq}'::regclass)"]),
        ("numeric(12,2)", ["0", "1.50", "'3'"]),
        ("character varying(40)", ["'x'", "''", "'it''s'", "'a'::character varying"]),
        ("character(3)", ["'ab'"]),
        ("text", ["'none'", "upper('a')", "(CURRENT_USER)::text"]),
        ("text[]", ["'{}'::text[]", "ARRAY['a', 'b']"]),
        ("timestamp with time zone", ["now()", "CURRENT_TIMESTAMP", "'2024-01-01 00:00:00+00'"]),
        ("timestamp without time zone", ["LOCALTIMESTAMP", "'2024-01-01'"]),
        ("date", ["CURRENT_DATE"]),
        ("interval", ["'1 day'", "'01:00:00'"]),
        ("boolean", ["true", "false"]),
        ("bytea", ["'\\x00'"]),
        ("jsonb", ["'{}'", "'[]'::jsonb"]),
        ("uuid", ["gen_random_uuid()"]),
        ("double precision", ["1.5", "'-0.5'"]),
        ('"char"', ["'a'"]),
        ("bit(3)", ["B'101'"]),
        ("mood", ["'happy'"]),
        ("public.posint", ["1"]),
    ]
)
_IDENTITY_FORMS = st.sampled_from(
    [
        "BY DEFAULT AS IDENTITY",
        "ALWAYS AS IDENTITY",
        "ALWAYS AS IDENTITY (START WITH 7 INCREMENT BY -1 MAXVALUE 7)",
        "BY DEFAULT AS IDENTITY (SEQUENCE NAME {seq} CACHE 5)",
    ]
)
_FK_OPTIONS = st.sampled_from(
    [
        "",
        " ON DELETE CASCADE",
        " ON UPDATE SET NULL",
        " MATCH FULL",
        " DEFERRABLE INITIALLY DEFERRED",
        " NOT VALID",
    ]
)
_INDEX_FORMS = st.sampled_from(
    [
        "({c})",
        "({c} DESC NULLS LAST)",
        "(lower({c}::text))",
        "({c}) WHERE {c} IS NOT NULL",
        "USING hash ({c})",
        "({c}) WITH (fillfactor = 70)",
        "({c}) INCLUDE (k)",
        "(({c} IS NULL))",
    ]
)


def _quote(name: str) -> str:
    return (
        name
        if re.fullmatch(r"[a-z_][a-z0-9_]*", name) and name not in ("user", "order", "select")
        else ('"' + name.replace('"', '""') + '"')
    )


@st.composite
def tables(draw: st.DrawFn) -> str:
    """A script of two tables with drawn names, types, defaults, keys, checks and indexes."""
    schema = draw(st.sampled_from(["public", "Other", "app"]))
    statements = [
        "CREATE TYPE public.mood AS ENUM ('happy', 'sad')",
        "CREATE DOMAIN public.posint AS integer CHECK (VALUE > 0)",
        f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}",
    ]
    names = draw(st.lists(_NAMES, min_size=1, max_size=4, unique=True))
    parent = f"{_quote(schema)}.{_quote(draw(_NAMES))}"
    statements.append(f"CREATE TABLE {parent} (k integer PRIMARY KEY, u text UNIQUE)")
    child = f"{_quote(schema)}.{_quote(draw(_NAMES) + '_child')}"
    columns = ["k integer NOT NULL"]
    for i, name in enumerate(names):
        kind, defaults = draw(_TYPES)
        column = f"{_quote(name)} {kind}"
        if draw(st.booleans()):
            sequence = f"{_quote(schema)}.{_quote(name + '_seq')}"
            default = draw(st.sampled_from(defaults)).replace("{seq}", sequence.replace("'", "''"))
            if "nextval" in default:
                statements.append(f"CREATE SEQUENCE {sequence}")
            column += f" DEFAULT {default}"
        if draw(st.booleans()):
            column += " NOT NULL"
        if draw(st.booleans()) and kind in ("integer", "bigint") and i == 0:
            identity = draw(_IDENTITY_FORMS).replace("{seq}", f"{_quote(schema)}.{_quote(name + '_s')}")
            column = f"{_quote(name)} {kind} GENERATED {identity}"
        columns.append(column)
    constraints = [
        f"CONSTRAINT {_quote(draw(_NAMES) + '_fk')} FOREIGN KEY (k) REFERENCES {parent}(k){draw(_FK_OPTIONS)}"
    ]
    if draw(st.booleans()):
        constraints.append(f"CONSTRAINT {_quote(draw(_NAMES) + '_ck')} CHECK (k > 0 AND k < 1000)")
    if draw(st.booleans()):
        constraints.append(f"UNIQUE NULLS NOT DISTINCT (k, {_quote(names[0])})")
    statements.append(f"CREATE TABLE {child} ({', '.join(columns + constraints)})")
    for j in range(draw(st.integers(0, 3))):
        form = draw(_INDEX_FORMS).replace("{c}", _quote(names[0]))
        unique = "UNIQUE " if draw(st.booleans()) and "hash" not in form else ""
        statements.append(f"CREATE {unique}INDEX {_quote(draw(_NAMES) + f'_ix{j}')} ON {child} {form}")
    if draw(st.booleans()):
        statements.append(f"COMMENT ON TABLE {child} IS 'it''s'")
    return ";\n".join(statements) + ";\n"


def _check_drawn(pg: PostgresServer, script: str) -> None:
    url = pg.database()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(script)  # type: ignore[arg-type]
    except psycopg.Error:
        return  # a draw PostgreSQL refuses (a unique index on an unhashable type, say): nothing to compare
    direct, reference, _ = both_paths(url)
    assert_same(direct, reference)


def test_the_direct_path_gives_the_ddl_paths_schema_on_drawn_tables(pg: PostgresServer) -> None:
    @BOUNDED
    @given(tables())
    def check(script: str) -> None:
        _check_drawn(pg, script)

    check()


def test_the_direct_path_gives_the_ddl_paths_schema_on_postgresql_15(pg_debian: PostgresServer) -> None:
    @BOUNDED
    @given(tables())
    def check(script: str) -> None:
        _check_drawn(pg_debian, script)

    check()


def test_the_direct_path_compiles_each_shape_once(pg_database: str) -> None:
    """Tables alike in all but their names cost a handful of compiled probes, not a statement each."""
    from bench.introspect_bench import build

    build(pg_database, 40)
    direct, reference, compiled = both_paths(pg_database)
    assert_same(direct, reference)
    assert len(direct.tables()) == 40
    assert compiled <= 15, compiled


def test_identity_columns_take_their_ops_from_probes(pg_database: str) -> None:
    """Identity columns are compiled once per shape: ALWAYS or BY DEFAULT, their sequence's options, and
    a sequence name of the column's own or not; a quoted name is compiled as written, and agrees too."""
    tables = []
    for i in range(30):
        how = "ALWAYS" if i % 2 else "BY DEFAULT"
        options = " (START WITH 5 INCREMENT BY 2)" if i % 3 == 0 else ""
        tables.append(
            f"CREATE TABLE public.t{i} (id bigint GENERATED {how} AS IDENTITY{options} PRIMARY KEY)"
        )
    tables.append(
        "CREATE TABLE public.named (id int GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME public.own_seq))"
    )
    tables.append('CREATE TABLE public."Mixed" ("Id" int GENERATED BY DEFAULT AS IDENTITY, n int)')
    tables.append(
        'CREATE TABLE public.q (id int GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME public."Q_seq"))'
    )
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(";".join(tables))  # type: ignore[arg-type]
    direct, reference, compiled = both_paths(pg_database)
    assert_same(direct, reference)
    assert len(direct.tables()) == 33
    assert compiled <= 12, compiled  # the shapes, and the two quoted tables' statements
