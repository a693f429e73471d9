"""The round trip as a property of the canonical form: for every corpus schema that loads into PostgreSQL,
its canonical schema.sql replays into an empty database with ON_ERROR_STOP, and introspecting that
database gives the same fingerprint.

The corpus is `shared/corpus` beside the checkout (CI has a copy; set SCHEMAREG_CORPUS to use another).
A schema "loads" when the postgres engine can apply it on the test server: one that needs an extension the
server lacks (supabase's pgsodium on the embedded server) is reported as not loading, by name.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemareg.engine import MissingExtension, PostgresEngine, StatementRefused, normalize_ddl
from schemareg.model import Schema
from schemareg.render import render_schema_sql
from tests.support.catalog import describe, differences
from tests.support.direct_path import check_every_inspection
from tests.support.postgres import PostgresServer


@pytest.fixture(autouse=True)
def _direct_path_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every inspection here also checks the inspector's direct path against the DDL path."""
    check_every_inspection(monkeypatch)


ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("SCHEMAREG_CORPUS") or ROOT.parent / "shared" / "corpus")
# Each a known normaliser defect, named by its class; strict, so a fix makes the test pass and shows it.
KNOWN: dict[str, str] = {}
# Schemas that do not load into the embedded server: they need extensions it does not bundle.
NOT_LOADING = {
    "supabase/schema-15": "needs pgsodium, pg_graphql, pgjwt, supabase_vault, pgcrypto, uuid-ossp",
    "supabase/schema-16": "needs pgsodium, pg_graphql, pgjwt, supabase_vault, pgcrypto, uuid-ossp",
}


def corpus_schemas(root: Path) -> Iterator[tuple[str, Path]]:
    """The PostgreSQL schemas of the corpus: whole schemas, then the peer suites' cases."""
    yield "danbooru", root / "danbooru" / "structure.sql"
    yield "chinook", root / "chinook" / "Chinook_PostgreSql_schema_only.sql"
    for path in sorted((root / "pagila").glob("pagila-schema*.sql")):
        yield f"pagila/{path.stem}", path
    for path in sorted((root / "supabase").glob("schema-*.sql")):
        yield f"supabase/{path.stem}", path
    for path in sorted((root / "temporal" / "postgresql").rglob("schema.sql")):
        if "versioned" not in path.parts:
            yield "temporal/" + "/".join(path.relative_to(root / "temporal" / "postgresql").parts[:-1]), path
    for path in sorted((root / "pgschema" / "dump").glob("*/raw.sql")):
        yield f"pgschema/{path.parent.name}", path


def _params(found: Iterator[tuple[str, Path]]) -> list[object]:
    marks = {name: pytest.mark.xfail(reason=why, strict=True) for name, why in KNOWN.items()}
    return [pytest.param(name, path, id=name, marks=marks.get(name, ())) for name, path in found]


def _corpus_params() -> list[object]:
    if not CORPUS.is_dir():
        return [pytest.param("", None, id="no-corpus")]
    return _params(corpus_schemas(CORPUS))


def _require_corpus(path: Path | None) -> Path:
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"the corpus is required in CI: no folder {CORPUS}")
        pytest.skip(f"no corpus at {CORPUS} (set SCHEMAREG_CORPUS)")
    return path


def differing(a: Schema, b: Schema) -> list[str]:
    ra, rb = a.rendered(), b.rendered()
    return sorted(f"{key.kind.value} {key.name}" for key in set(ra) | set(rb) if ra.get(key) != rb.get(key))


_MISSING_EXTENSION = re.compile(r"^CREATE EXTENSION (?:IF NOT EXISTS )?(\S+)", re.MULTILINE)


def _available(pg: PostgresServer) -> set[str]:
    import psycopg

    with psycopg.connect(pg.admin_url) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM pg_available_extensions")}


def round_trip(pg: PostgresServer, name: str, path: Path, tmp_path: Path, *, psql: bool) -> None:
    try:
        loaded = normalize_ddl(path.read_text(encoding="utf-8"), engine="postgres", dev_url=pg.admin_url)
    except MissingExtension as error:
        if name not in NOT_LOADING:
            raise
        pytest.xfail(f"does not load here: {error}")
    except StatementRefused as error:
        if name not in NOT_LOADING:
            raise
        pytest.xfail(f"does not load into PostgreSQL: {error}")
    canonical = render_schema_sql(loaded.schema)
    if psql:
        # Replayed by psql itself, as a user would; extensions the server lacks left out (recorded instead).
        available = _available(pg)
        kept = "\n".join(
            line
            for line in canonical.splitlines()
            if not (m := _MISSING_EXTENSION.match(line)) or m.group(1).strip('"').rstrip(";") in available
        )
        script = tmp_path / "schema.sql"
        script.write_text(kept + "\n", encoding="utf-8")
        target = pg.database("replay")
        replay = subprocess.run(
            [pg.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", target, "-f", str(script)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert replay.returncode == 0, replay.stderr[-2000:]
    try:
        again = normalize_ddl(canonical, engine="postgres", dev_url=pg.admin_url).schema
    except StatementRefused as error:
        pytest.fail(f"the canonical schema.sql does not replay: {error}")
    assert again.fingerprint == loaded.schema.fingerprint, differing(loaded.schema, again)


@pytest.mark.parametrize(("name", "path"), _corpus_params())
def test_corpus_schema_round_trips(pg: PostgresServer, name: str, path: Path | None, tmp_path: Path) -> None:
    round_trip(pg, name, _require_corpus(path), tmp_path, psql=True)


# -- the pg-schema-diff cases: each distinct old.sql and new.sql -------------------------------------------

# Known defects of these cases, by class (strict: a fix shows).
PG_SCHEMA_DIFF_KNOWN: dict[str, str] = {}


def pg_schema_diff_cases(root: Path) -> Iterator[tuple[str, Path]]:
    """Every distinct, non-empty schema of pg-schema-diff's acceptance cases, named by its first case."""
    seen: set[str] = set()
    for path in sorted((root / "pg-schema-diff").glob("*/*/*.sql")):
        if path.stem not in ("old", "new"):
            continue
        text = path.read_text(encoding="utf-8")
        if not text.strip() or text in seen:
            continue
        seen.add(text)
        yield "/".join(path.relative_to(root / "pg-schema-diff").parts), path


def _pg_schema_diff_params() -> list[object]:
    if not CORPUS.is_dir():
        return [pytest.param("", None, id="no-corpus")]
    marks = {name: pytest.mark.xfail(reason=why, strict=True) for name, why in PG_SCHEMA_DIFF_KNOWN.items()}
    return [pytest.param(n, p, id=n, marks=marks.get(n, ())) for n, p in pg_schema_diff_cases(CORPUS)]


_UNKNOWN_ROLE = re.compile(r'role "(.*)" does not exist$')


def with_roles(pg: PostgresServer, sql: str) -> None:
    """Create the roles a schema names that the test server lacks. Roles belong to the cluster, not to a
    database: the postgres engine never creates them (that would change the dev server beyond its scratch
    database), so a schema that names one needs a dev server that has it, as this test server now does."""
    import psycopg
    from psycopg import sql as pgsql

    for _ in range(10):
        try:
            PostgresEngine(pg.admin_url).apply(pg.database("roles"), sql)
            return
        except StatementRefused as error:
            found = _UNKNOWN_ROLE.search(str(error))
            if found is None:
                return  # refused for another reason: the round trip says so
            # DuplicateObject: made by another worker meanwhile
            with (
                psycopg.connect(pg.admin_url, autocommit=True) as conn,
                contextlib.suppress(psycopg.errors.DuplicateObject),
            ):
                conn.execute(pgsql.SQL("CREATE ROLE {} NOLOGIN").format(pgsql.Identifier(found[1])))


@pytest.mark.parametrize(("name", "path"), _pg_schema_diff_params())
def test_pg_schema_diff_case_round_trips(
    pg: PostgresServer, name: str, path: Path | None, tmp_path: Path
) -> None:
    path = _require_corpus(path)
    with_roles(pg, path.read_text(encoding="utf-8"))
    round_trip(pg, name, path, tmp_path, psql=False)


# What PostgreSQL says the replayed database holds that the original did not (or the reverse), by class.
LOST: dict[str, str] = {}


def _judged_params() -> list[object]:
    if not CORPUS.is_dir():
        return [pytest.param("", None, id="no-corpus")]
    marks = {name: pytest.mark.xfail(reason=why, strict=True) for name, why in {**KNOWN, **LOST}.items()}
    # A schema that does not load here has nothing to judge: the fingerprint round trip holds it as an xfail.
    found = [(name, path) for name, path in corpus_schemas(CORPUS) if name not in NOT_LOADING]
    return [pytest.param(name, path, id=name, marks=marks.get(name, ())) for name, path in found]


def judged_by_postgres(pg: PostgresServer, sql: str, engine_name: str = "postgres") -> list[str]:
    """What PostgreSQL itself describes differently in a database built by `sql` and one built by its
    canonical schema.sql (format_type, pg_get_indexdef, ...): a loss our inspector shares with the
    normaliser, which a fingerprint comparison cannot see, shows here."""
    engine = PostgresEngine(pg.admin_url)
    canonical = render_schema_sql(normalize_ddl(sql, engine=engine_name, dev_url=pg.admin_url).schema)
    original, replayed = pg.database("original"), pg.database("replayed")
    engine.apply(original, sql)
    engine.apply(replayed, canonical)
    return differences(describe(original), describe(replayed))


@pytest.mark.parametrize(("name", "path"), _judged_params())
def test_corpus_replay_holds_what_the_schema_built(pg: PostgresServer, name: str, path: Path | None) -> None:
    path = _require_corpus(path)
    assert judged_by_postgres(pg, path.read_text(encoding="utf-8")) == []


# -- classes of defects, on generated input, both engines ---------------------------------------------

ENGINE_NAMES = ("postgres", "sqlglot")
# Types whose modifiers mean something (a dimension, a length, a precision, interval fields), in the
# spellings users write; each must keep them through normalise -> render -> replay.
MODIFIED_TYPES = (
    "public.vector(3)",
    "vector(1536)",
    "public.halfvec(4)",
    "public.vector(3)[]",
    "bit varying(5)",
    "varbit(7)",
    "bit(3)",
    "interval(2)",
    "interval second(3)",
    "interval day to second(2)",
    "interval year to month",
    "interval minute",
    "timestamp(3) with time zone",
    "timestamptz(2)",
    "timestamp(0) without time zone",
    "time(2) with time zone",
    "time(1)",
    "numeric(10,2)",
    "numeric(5)",
    "decimal(7,3)[]",
    "character varying(10)",
    "varchar(4)[]",
    "character(4)",
    "double precision",
    "float(10)",
    "timestamp(3) with time zone[]",
)


def _type_schema(types: tuple[str, ...]) -> str:
    columns = ",\n".join(f"    c{i} {t}" for i, t in enumerate(types))
    out = [
        "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;",
        f"CREATE TABLE public.typed (\n{columns}\n);",
    ]
    out += [f"CREATE DOMAIN public.d{i} AS {t};" for i, t in enumerate(types)]
    attributes = ", ".join(f"a{i} {t}" for i, t in enumerate(types))
    out.append(f"CREATE TYPE public.composite AS ({attributes});")
    out += [
        f"CREATE FUNCTION public.f{i}(a {t}, OUT b {t}) LANGUAGE sql AS $$ SELECT a $$;"
        for i, t in enumerate(types)
    ]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_type_modifiers_survive_the_round_trip(pg: PostgresServer, engine_name: str) -> None:
    assert judged_by_postgres(pg, _type_schema(MODIFIED_TYPES), engine_name) == []


# Index keys of every operator kind PostgreSQL requires parenthesised (and function calls, which it does
# not), generated over a table's columns; PostgreSQL must load the canonical text and build the same index.
_LEAVES = st.sampled_from(["v", "n", "(payload ->> 'a')", "'x'", "3", "ts"])


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda a: f"(payload ->> {a}::text)", inner),
        st.builds(lambda a: f"(payload #>> ARRAY[{a}::text, 'b'])", inner),
        st.builds(lambda a, b: f"({a}::text || {b}::text)", inner, inner),
        st.builds(lambda a: f'({a}::text COLLATE "C")', inner),
        st.builds(lambda a: f"lower({a}::text)", inner),
        st.builds(lambda a: f"public.twice(length({a}::text))", inner),
        st.builds(lambda a: f"(length({a}::text) + 1) * 2", inner),
        st.builds(lambda a: f"({a}::text)::varchar(5)", inner),
        st.builds(lambda a: f"CAST({a}::text AS bytea)", inner),
        st.builds(lambda a: f"({a}::text ~ 'x')", inner),
        st.builds(lambda a: f"(CASE WHEN {a}::text = 'a' THEN 1 ELSE 2 END)", inner),
        st.builds(lambda a: f"({a}::text IS NULL)", inner),
        st.builds(lambda a: f"- length({a}::text)", inner),
        st.builds(lambda a: f"(payload -> {a}::text) ->> 'b'", inner),
        st.builds(lambda a: f"(ts AT TIME ZONE {a}::text)", inner),
        st.builds(lambda a: f"coalesce({a}::text, 'z')", inner),
    )


_EXPRESSIONS = st.recursive(_LEAVES, _combine, max_leaves=3)
_INDEX_TABLE = (
    "CREATE FUNCTION public.twice(integer) RETURNS integer IMMUTABLE LANGUAGE sql AS $$ SELECT $1 * 2 $$;\n"
    "CREATE TABLE public.indexed (v text, n integer, payload jsonb, ts timestamp);\n"
)


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_index_expressions_replay_as_postgresql_built_them(pg: PostgresServer, engine_name: str) -> None:
    @settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(st.lists(_EXPRESSIONS, min_size=1, max_size=3))
    def check(keys: list[str]) -> None:
        sql = (
            _INDEX_TABLE
            + "".join(
                f"CREATE INDEX i{i} ON public.indexed (({key}));\n"
                f"CREATE INDEX j{i} ON public.indexed ({key} DESC);\n"  # unparenthesised where PostgreSQL allows it
                if not key.startswith("(") and re.fullmatch(r"[\w.]+\(.*\)", key)
                else f"CREATE INDEX i{i} ON public.indexed (({key}));\n"
                for i, key in enumerate(keys)
            )
        )
        try:
            PostgresEngine(pg.admin_url).apply(pg.database("generated"), sql)
        except StatementRefused:
            return  # the generator wrote something PostgreSQL refuses as an index key (a volatile function)
        assert judged_by_postgres(pg, sql, engine_name) == [], sql

    check()


# A cast under COLLATE is what gives the operand a collation (an unknown literal and an integer have none):
# PostgreSQL refuses the key without it, or, on a varchar column, builds another one.
COLLATED_KEYS = (
    "('a'::text COLLATE \"C\")",
    "(('a'::text) COLLATE \"C\")",
    '((n)::text COLLATE "C")',
    '(v::text COLLATE "C")',
    "((payload ->> 'a'::text) COLLATE \"C\")",
    "('x'::varchar COLLATE \"C\")",
)
# Index keys only: elsewhere a column's cast to text inside a call is dropped whatever the column's type
# (`lower(n::text)` of an integer n is `lower(n)`), another defect than this one.
COLLATED_INDEX_KEYS = (
    '(lower(n::text) COLLATE "C")',
    "((n::text || 'x'::text) COLLATE \"C\")",
)


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_collated_casts_replay_as_postgresql_built_them(pg: PostgresServer, engine_name: str) -> None:
    keys = "".join(
        f"CREATE INDEX c{i} ON public.indexed ({key});\n"
        for i, key in enumerate(COLLATED_KEYS + COLLATED_INDEX_KEYS)
    )
    checks = "".join(
        f"ALTER TABLE public.indexed ADD CONSTRAINT k{i} CHECK ({key} IS NOT NULL);\n"
        for i, key in enumerate(COLLATED_KEYS)
    )
    view = "CREATE VIEW public.collated AS SELECT " + ", ".join(
        f"{key} AS c{i}" for i, key in enumerate(COLLATED_KEYS)
    )
    assert (
        judged_by_postgres(pg, _INDEX_TABLE + keys + checks + view + " FROM public.indexed;\n", engine_name)
        == []
    )


# Function signatures: argument modes, RETURNS TABLE, SETOF, arrays, qualified and keyword-like types.
SIGNATURE_TYPES = (
    "timestamp with time zone",
    "double precision",
    "character varying(10)",
    "character varying",
    "bit varying",
    "time without time zone",
    "interval",
    "name",
    "text[]",
    "integer[]",
    "public.mood",
    "public.mood[]",
    "pg_catalog.text",
)


def _signature_schema(types: tuple[str, ...]) -> str:
    out = ["CREATE TYPE public.mood AS ENUM ('sad', 'ok');"]
    for i, t in enumerate(types):
        out += [
            f"CREATE FUNCTION public.table{i}(p {t}) RETURNS TABLE(id integer, name {t}, ts {t})"
            f" LANGUAGE sql AS $$ SELECT 1, p, p $$;",
            f"CREATE FUNCTION public.modes{i}(IN a {t}, INOUT b {t}, OUT c {t}, VARIADIC d {t}[])"
            f" LANGUAGE sql AS $$ SELECT b, a $$;",
            f"CREATE FUNCTION public.setof{i}({t}) RETURNS SETOF {t} LANGUAGE sql AS $$ SELECT $1 $$;",
            f'CREATE FUNCTION public.plain{i}("name" {t}, "table" {t} DEFAULT NULL) RETURNS {t}'
            f" LANGUAGE sql AS $$ SELECT $1 $$;",
        ]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_function_signatures_survive_the_round_trip(pg: PostgresServer, engine_name: str) -> None:
    assert judged_by_postgres(pg, _signature_schema(SIGNATURE_TYPES), engine_name) == []


# Output columns whose type a cast decides: literals and columns of several types, each cast to others, in
# a view's select list, a materialized view's, every branch of a UNION and the rows of VALUES.
_OPERANDS = {  # operand -> its type's family
    "'abc'": "unknown",
    "'12'": "unknown",
    "12": "number",
    "3000000000": "number",
    "1.5": "number",
    "NULL": "null",
    "v": "text",
    "c": "text",
    "t": "text",
    "n": "number",
    "i": "number",
}
_COLUMN_TYPES = {
    "v": "character varying(10)",
    "c": "character(4)",
    "t": "text",
    "n": "numeric(8,2)",
    "i": "integer",
}
_TARGETS = {
    "text": "text",
    "character varying": "text",
    "varchar(3)": "text",
    "character(2)": "text",
    "integer": "number",
    "bigint": "number",
    "smallint": "number",
    "numeric": "number",
    "numeric(6,1)": "number",
}


def _output_casts() -> list[str]:
    out = []
    for operand, family in _OPERANDS.items():
        for target, kind in _TARGETS.items():
            if _COLUMN_TYPES.get(operand) == target:
                continue  # a cast to the column's own type: PostgreSQL records none
            if (family == "text" and kind == "number") or (operand == "'abc'" and kind == "number"):
                continue  # no such cast
            if operand == "3000000000" and target in ("integer", "smallint", "numeric(6,1)"):
                continue  # out of range
            out.append(f"{operand}::{target}")
    return out


def _output_cast_schema() -> str:
    columns = ", ".join(f"{expr} AS o{i}" for i, expr in enumerate(_output_casts()))
    table = ", ".join(f"{name} {type_}" for name, type_ in _COLUMN_TYPES.items())
    return (
        f"CREATE TABLE public.source ({table});\n"
        f"CREATE VIEW public.casts AS SELECT {columns} FROM public.source;\n"
        f"CREATE MATERIALIZED VIEW public.frozen AS SELECT {columns}, 'x' AS bare, NULL AS nothing"
        " FROM public.source;\n"
        "CREATE VIEW public.branches AS SELECT 'a'::character varying AS k, 1::bigint AS n, v::text AS w"
        " FROM public.source UNION ALL SELECT v AS k, i AS n, t AS w FROM public.source"
        " UNION ALL SELECT 'b'::text AS k, 2::smallint AS n, 'c'::character(2) AS w FROM public.source;\n"
        "CREATE VIEW public.listed AS VALUES ('a'::character varying, 1::bigint, NULL::numeric),"
        " ('b'::character varying, 2::bigint, 1.5);\n"
        "CREATE VIEW public.nested AS SELECT o FROM (SELECT 'x' AS o) s;\n"
    )


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_output_column_casts_keep_the_column_types(pg: PostgresServer, engine_name: str) -> None:
    """The view's column types are the judge's `column` kind; the view's text differs by design in how
    a constant is spelt (`'12'::bigint` is stored `(12)::bigint` after replay: the same value)."""
    judged = judged_by_postgres(pg, _output_cast_schema(), engine_name)
    assert [line for line in judged if not line.startswith(("- view:", "+ view:"))] == []


def test_output_column_casts_give_one_fingerprint_on_both_engines(pg: PostgresServer) -> None:
    sql = _output_cast_schema()
    by_engine = {name: normalize_ddl(sql, engine=name, dev_url=pg.admin_url).schema for name in ENGINE_NAMES}
    assert differing(by_engine["postgres"], by_engine["sqlglot"]) == []


# Argument defaults: PostgreSQL 15 and 18 store the expression as written (parenthesised, constants typed),
# never its value, so `(2 + 2) * 10` stays that and 40 is another default.
_ARGUMENT_DEFAULTS = (
    ("integer", "(2 + 2) * 10"),
    ("integer", "2 + 2"),
    ("integer", "-1"),
    ("integer", "(5)"),
    ("bigint", "5 * 3"),
    ("numeric", "1.5 * 2"),
    ("numeric", "(10 - 4) / 3"),
    ("text", "'a' || 'b'"),
    ("text", "NULL::text"),
    ("interval", "'1 day'::interval"),
    ("interval", "interval '2 hours' * 3"),
    ("boolean", "1 < 2"),
    ("integer[]", "ARRAY[1 + 1, 2]"),
)


def _argument_default_schema() -> str:
    arguments = ", ".join(f"a{i} {t} DEFAULT {d}" for i, (t, d) in enumerate(_ARGUMENT_DEFAULTS))
    return f"CREATE FUNCTION public.defaults({arguments}) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;\n"


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_argument_defaults_are_kept_as_postgresql_stores_them(pg: PostgresServer, engine_name: str) -> None:
    assert judged_by_postgres(pg, _argument_default_schema(), engine_name) == []


def test_argument_defaults_give_one_fingerprint_on_both_engines_and_both_servers(
    pg: PostgresServer, pg_debian: PostgresServer
) -> None:
    sql = _argument_default_schema()
    sqlglot = normalize_ddl(sql).schema
    for server in (pg, pg_debian):
        read = normalize_ddl(sql, engine="postgres", dev_url=server.admin_url).schema
        assert differing(read, sqlglot) == []
    folded = sql.replace("(2 + 2) * 10", "40")
    assert normalize_ddl(folded).schema.fingerprint != sqlglot.fingerprint


# A partitioned table's key added by ALTER TABLE ONLY: on the parent alone (its index invalid), on the
# partitions made or attached after it, and on those whose own key is attached by ALTER INDEX.
def _only_key_schema(levels: int) -> str:
    out = []
    for n in range(levels):
        t = f"public.t{n}"
        out += [
            f"CREATE TABLE {t} (id int NOT NULL, k text NOT NULL, v int NOT NULL) PARTITION BY LIST (k);",
            *(f"CREATE TABLE {t}_{i} PARTITION OF {t} FOR VALUES IN ('{i}');" for i in range(n + 1)),
            f"ALTER TABLE ONLY {t} ADD CONSTRAINT t{n}_pk PRIMARY KEY (k, id);",
            f"ALTER TABLE ONLY {t} ADD CONSTRAINT t{n}_u UNIQUE (k, v);",
            f"CREATE UNIQUE INDEX t{n}_0_plain ON {t}_0 (k, id);",  # like the key, but no constraint
            f"CREATE TABLE {t}_late PARTITION OF {t} FOR VALUES IN ('late');",
            f"CREATE TABLE {t}_attached (id int NOT NULL, k text NOT NULL, v int NOT NULL);",
            f"ALTER TABLE {t} ATTACH PARTITION {t}_attached FOR VALUES IN ('attached');",
        ]
        for i in range(1, n + 1):  # every partition but the first gets the key, attached
            out += [
                f"ALTER TABLE ONLY {t}_{i} ADD CONSTRAINT t{n}_{i}_pk PRIMARY KEY (k, id);",
                f"ALTER INDEX public.t{n}_pk ATTACH PARTITION public.t{n}_{i}_pk;",
            ]
        if n:  # and the unique key on all of them: valid
            out += [f"ALTER TABLE ONLY {t}_0 ADD CONSTRAINT t{n}_0_u UNIQUE (k, v);"]
            out += [f"ALTER INDEX public.t{n}_u ATTACH PARTITION public.t{n}_0_u;"]
            out += [
                f"ALTER TABLE ONLY {t}_{i} ADD CONSTRAINT t{n}_{i}_u UNIQUE (k, v);" for i in range(1, n + 1)
            ]
            out += [f"ALTER INDEX public.t{n}_u ATTACH PARTITION public.t{n}_{i}_u;" for i in range(1, n + 1)]
    out.append(
        "CREATE TABLE public.plain (id int NOT NULL, k text NOT NULL) PARTITION BY LIST (k);\n"
        "CREATE TABLE public.plain_a PARTITION OF public.plain FOR VALUES IN ('a');\n"
        "ALTER TABLE public.plain ADD CONSTRAINT plain_pk PRIMARY KEY (k, id);"
    )
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_a_key_added_only_to_a_partitioned_table_stays_off_its_partitions(
    pg: PostgresServer, engine_name: str
) -> None:
    assert judged_by_postgres(pg, _only_key_schema(3), engine_name) == []


def test_a_key_added_only_gives_one_fingerprint_on_both_engines_and_both_servers(
    pg: PostgresServer, pg_debian: PostgresServer
) -> None:
    sql = _only_key_schema(3)
    sqlglot = normalize_ddl(sql).schema
    for server in (pg, pg_debian):
        assert (
            differing(normalize_ddl(sql, engine="postgres", dev_url=server.admin_url).schema, sqlglot) == []
        )
    # the pg_dump form of a valid key (ONLY, then each partition's attached) is the plain key
    dumped = (
        "CREATE TABLE public.plain (id int NOT NULL, k text NOT NULL) PARTITION BY LIST (k);\n"
        "CREATE TABLE public.plain_a PARTITION OF public.plain FOR VALUES IN ('a');\n"
        "ALTER TABLE ONLY public.plain ADD CONSTRAINT plain_pk PRIMARY KEY (k, id);\n"
        "ALTER TABLE ONLY public.plain_a ADD CONSTRAINT plain_a_pkey PRIMARY KEY (k, id);\n"
        "ALTER INDEX public.plain_pk ATTACH PARTITION public.plain_a_pkey;\n"
    )
    plain = (
        dumped.split("ALTER TABLE ONLY")[0]
        + "ALTER TABLE public.plain ADD CONSTRAINT plain_pk PRIMARY KEY (k, id);\n"
    )
    assert normalize_ddl(dumped).schema.fingerprint == normalize_ddl(plain).schema.fingerprint
    assert (
        normalize_ddl(dumped.rsplit("ALTER INDEX", 1)[0]).schema.fingerprint
        != normalize_ddl(plain).schema.fingerprint
    )


# A column's explicit cast to text in a CHECK, a generated column or a view is part of the expression
# unless the column is text or varchar (where PostgreSQL inserts that cast itself): on an integer column
# `n <> 'x'` reads 'x' as an integer, on a char(n) column `c::text` drops the trailing blanks, and
# `length(d)` of a date does not exist, so a normaliser that dropped the cast wrote a schema.sql that does
# not replay or means something else (issue 13, class 9).
NON_TEXT_CASTS = (
    "CHECK (n::text <> 'x')",
    "CHECK (lower(n::text) <> 'x')",
    "CHECK (length(d::text) > 0)",
    "CHECK (c::text = 'ab')",
    "CHECK ((b::text || 'x') <> 'truex')",
    "CHECK (n::text IN ('1', '2') OR v::text = 'a')",
)


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
@pytest.mark.parametrize("check", NON_TEXT_CASTS)
def test_a_non_text_columns_cast_to_text_replays(pg: PostgresServer, engine_name: str, check: str) -> None:
    sql = (
        "CREATE TABLE public.casted (n integer, d date, c char(3), b boolean, v varchar(5),"
        f" g text GENERATED ALWAYS AS (n::text || c::text) STORED, CONSTRAINT k {check});\n"
        f"CREATE VIEW public.casted_view AS SELECT n FROM public.casted WHERE {check.removeprefix('CHECK ')};\n"
    )
    assert judged_by_postgres(pg, sql, engine_name) == []


# A null default, bare or cast, on columns with and without a length or precision: PostgreSQL stores none
# only for a null of the column's own type as it is, and `NULL::<type>` otherwise (a Rails dump's
# `character varying(255) DEFAULT NULL::character varying`), by ALTER COLUMN ... SET DEFAULT too. Not
# followed (no default, as before): arrays, intervals and bit strings, whose nulls PostgreSQL keeps or not
# by rules of their own (`interval(2) DEFAULT NULL::interval` is kept, `varchar(3)[] DEFAULT NULL` too).
_NULL_DEFAULTS = """
CREATE TABLE public.nulls (a timestamp(6) DEFAULT NULL::timestamp, b timestamp DEFAULT NULL::timestamp,
  c varchar(10) DEFAULT NULL::varchar, d varchar DEFAULT NULL::varchar, e varchar(10) DEFAULT NULL::text,
  f numeric(10,2) DEFAULT NULL::numeric, g int DEFAULT NULL::bigint, h text DEFAULT NULL::varchar,
  i varchar(10) DEFAULT NULL, j timestamp(6) DEFAULT NULL::timestamp(6), k int DEFAULT NULL::int,
  l char(3) DEFAULT NULL, m int[] DEFAULT NULL, n interval(2) DEFAULT NULL,
  o timestamptz(3) DEFAULT NULL::timestamptz, p varchar(5), q varchar(5), r int, s numeric(4) DEFAULT (NULL),
  t interval minute to second(0) DEFAULT NULL::interval minute to second(0), v numeric(7) DEFAULT NULL::numeric(7),
  x time(2) DEFAULT NULL);
ALTER TABLE public.nulls ALTER COLUMN p SET DEFAULT NULL;
ALTER TABLE public.nulls ALTER COLUMN q SET DEFAULT NULL::text;
ALTER TABLE public.nulls ALTER COLUMN r SET DEFAULT NULL;
"""


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_a_null_default_is_stored_as_postgresql_stores_it(pg: PostgresServer, engine_name: str) -> None:
    assert judged_by_postgres(pg, _NULL_DEFAULTS, engine_name) == []


def test_an_unnamed_exclusion_is_named_from_its_keys(pg: PostgresServer) -> None:
    """As PostgreSQL names the index behind it: `<table>_<keys>_excl`, a key's column or function, `expr`
    for another expression (it was `<table>_excl`, whatever the keys)."""
    sql = (
        "CREATE TABLE public.circles (c circle, d circle, x text, EXCLUDE USING gist (c WITH &&),"
        " EXCLUDE USING gist (c WITH &&, (d) WITH &&), EXCLUDE USING btree (lower(x) WITH =),"
        " EXCLUDE USING btree ((x || 'a') WITH =));"
    )
    for engine_name in ENGINE_NAMES:
        assert judged_by_postgres(pg, sql, engine_name) == [], engine_name
    (table,) = normalize_ddl(sql, engine="sqlglot").schema.tables()
    names = {c.name for c in table.constraints}
    assert names == {"circles_c_excl", "circles_c_d_excl", "circles_lower_excl", "circles_expr_excl"}


def test_a_key_made_from_an_index_is_that_key(pg: PostgresServer) -> None:
    """`ADD CONSTRAINT ... PRIMARY KEY | UNIQUE USING INDEX`: the index becomes the key's own, renamed, as
    PostgreSQL does it. Kept as an alteration of its table, it replayed before the index existed."""
    sql = (
        "CREATE TABLE public.c (cc int, dd int, ee int);\n"
        "CREATE UNIQUE INDEX c_cc_idx ON public.c USING btree (cc);\n"
        'CREATE UNIQUE INDEX "Dd Ee" ON public.c (dd, ee);\n'
        "ALTER TABLE public.c ADD CONSTRAINT c_pkey PRIMARY KEY USING INDEX c_cc_idx DEFERRABLE INITIALLY DEFERRED;\n"
        'ALTER TABLE public.c ADD CONSTRAINT "C Dd" UNIQUE USING INDEX "Dd Ee";\n'
    )
    for engine_name in ENGINE_NAMES:
        assert judged_by_postgres(pg, sql, engine_name) == [], engine_name
    by_engine = {name: normalize_ddl(sql, engine=name, dev_url=pg.admin_url).schema for name in ENGINE_NAMES}
    assert differing(by_engine["postgres"], by_engine["sqlglot"]) == []
    (table,) = by_engine["sqlglot"].tables()
    assert (table.indexes, table.alterations) == ([], [])


def test_a_key_written_on_its_column_keeps_being_deferrable(pg: PostgresServer) -> None:
    """`cc int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED`: the key was an immediate one (a meaning lost)."""
    sql = (
        "CREATE TABLE public.d (cc int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED, e int UNIQUE DEFERRABLE,"
        " f int UNIQUE INITIALLY DEFERRED DEFERRABLE);"
    )
    assert normalize_ddl(sql, engine="sqlglot").schema.stats.opaque == 0
    for engine_name in ENGINE_NAMES:
        assert judged_by_postgres(pg, sql, engine_name) == [], engine_name
