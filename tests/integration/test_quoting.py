"""Every part of every qualified name replays as PostgreSQL spelt it: the canonical schema.sql of a schema
whose schema, object and column names need quotes (upper case, spaces, quotes, keywords, a digit first,
non-ASCII letters) runs with ON_ERROR_STOP into an empty database, which introspects to the same
fingerprint and which PostgreSQL describes as it describes the original (issue #12)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from schemareg.engine import normalize_ddl
from schemareg.names import needs_quotes
from schemareg.render import render_schema_sql
from tests.integration.test_roundtrip import ENGINE_NAMES, differing, judged_by_postgres
from tests.support.postgres import PostgresServer

# Names PostgreSQL's quote_ident quotes, one of each reason, and generated ones beyond them.
_HARD = (
    "Big",
    "MixedCase",
    "with space",
    'a"quote',
    "select",
    "user",
    "order",
    "between",
    "values",
    "left",
    "1digit",
    "größe",
    "Ünïcode",
    "dollar$",
    "trailing ",
    "x=y",
    "v(w",
    "f()",
)
# Names that spell a type, which sqlglot read as that type before a dot: `"smallint".mood` was SMALLINT and
# a stray `.mood` (the table kept opaque, a view's cast printed `CAST(x AS SMALLINT).mood`). PostgreSQL
# quotes `smallint` and prints `text` and `date` bare, so introspection gives `text.mood` too.
TYPE_WORDS = ("smallint", "text", "date")
# A dot inside a part: the model keys a qualified name as `schema.name` text, which quotes such a part
# (`"a.dot".t`) so that it splits back into the same parts (it wrote `a."dot.t"` for "a.dot".t).
DOTTED = "a.dot"
# Generated names take punctuation too: dots, `=` (once read as a routine argument's default: `b "s"."x=y"` was
# `b "s"."x DEFAULT y"`) and brackets (once read as a signature: `COMMENT ON VIEW s."v(w"` lost its quotes).
_GENERATED = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "Zs"), include_characters="\"'$_-=().,"),
    min_size=1,
    max_size=12,
)
_NAME = st.one_of(st.sampled_from(_HARD), _GENERATED, st.sampled_from(("plain", "x_1")))

# The places a name takes, one object of each kind per place.
_ROLES = ("schema", "enum", "composite", "domain", "sequence", "table", "column", "index", "view")
_ROLES += ("function", "trigger_function", "trigger", "policy", "label")


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quoted_schema(names: dict[str, str]) -> str:
    """A schema with every name written quoted, as a user whose names need it must write them."""
    s = q(names["schema"])
    enum, composite, domain = (f"{s}.{q(names[k])}" for k in ("enum", "composite", "domain"))
    seq, table, view = (f"{s}.{q(names[k])}" for k in ("sequence", "table", "view"))
    function, trigger_function = f"{s}.{q(names['function'])}", f"{s}.{q(names['trigger_function'])}"
    col, label = q(names["column"]), "'" + names["label"].replace("'", "''") + "'"
    return "\n".join(
        [
            f"CREATE SCHEMA {s};",
            f"CREATE TYPE {enum} AS ENUM ({label}, 'other');",
            f"CREATE TYPE {composite} AS ({col} integer, e {enum});",
            f"CREATE DOMAIN {domain} AS integer CONSTRAINT {q(names['domain'] + '_c')} CHECK (VALUE > 0);",
            f"CREATE SEQUENCE {seq};",
            f"CREATE TABLE {table} ({col} integer PRIMARY KEY DEFAULT nextval('{seq.replace(chr(39), chr(39) * 2)}'::regclass),"
            f" m {enum} DEFAULT {label}, d {domain}, c {composite}, t text);",
            f"ALTER SEQUENCE {seq} OWNED BY {table}.{col};",
            f"CREATE INDEX {q(names['index'])} ON {table} ({col}, (lower(t)));",
            f"CREATE VIEW {view} AS SELECT {col}, m FROM {table} WHERE m = {label};",
            f"CREATE FUNCTION {function}(a {enum}, b {domain}) RETURNS {enum} LANGUAGE sql AS $$ SELECT a $$;",
            f"CREATE FUNCTION {trigger_function}() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RETURN NEW; END $$;",
            f"CREATE TRIGGER {q(names['trigger'])} BEFORE INSERT ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {trigger_function}();",
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;",
            f"CREATE POLICY {q(names['policy'])} ON {table} USING ({col} > 0);",
            f"COMMENT ON SCHEMA {s} IS 's';",
            f"COMMENT ON TYPE {enum} IS 'e';",
            f"COMMENT ON TYPE {composite} IS 'c';",
            f"COMMENT ON DOMAIN {domain} IS 'd';",
            f"COMMENT ON SEQUENCE {seq} IS 'q';",
            f"COMMENT ON TABLE {table} IS 't';",
            f"COMMENT ON COLUMN {table}.{col} IS 'k';",
            f"COMMENT ON INDEX {s}.{q(names['index'])} IS 'i';",
            f"COMMENT ON VIEW {view} IS 'v';",
            f"COMMENT ON FUNCTION {function}({enum}, {domain}) IS 'f';",
            f"COMMENT ON TRIGGER {q(names['trigger'])} ON {table} IS 'g';",
            f"COMMENT ON POLICY {q(names['policy'])} ON {table} IS 'p';",
        ]
    )


_NAMES = (
    st.lists(_NAME, min_size=len(_ROLES), max_size=len(_ROLES), unique_by=str.lower)
    .map(lambda found: dict(zip(_ROLES, found, strict=True)))
    .filter(lambda names: names["column"] not in ("e", "m", "d", "c", "t"))
)


def replays(pg: PostgresServer, sql: str, engine_name: str, tmp_path: Path) -> None:
    """render -> psql with ON_ERROR_STOP -> the same fingerprint, and the same catalog."""
    loaded = normalize_ddl(sql, engine=engine_name, dev_url=pg.admin_url).schema
    canonical = render_schema_sql(loaded)
    script = tmp_path / "schema.sql"
    script.write_text(canonical, encoding="utf-8")
    replay = subprocess.run(
        [
            pg.tool("psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            pg.database("replay"),
            "-f",
            str(script),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert replay.returncode == 0, replay.stderr[-2000:] + "\n" + canonical
    again = normalize_ddl(canonical, engine=engine_name, dev_url=pg.admin_url).schema
    assert again.fingerprint == loaded.fingerprint, differing(loaded, again)
    assert judged_by_postgres(pg, sql, engine_name) == [], canonical


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_every_part_of_a_qualified_name_replays(pg: PostgresServer, engine_name: str, tmp_path: Path) -> None:
    @settings(
        max_examples=10,
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(_NAMES)
    def check(names: dict[str, str]) -> None:
        replays(pg, quoted_schema(names), engine_name, tmp_path)

    check()


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
@pytest.mark.parametrize(
    "name",
    [
        *_HARD,
        *TYPE_WORDS,
        DOTTED,
        '".leading quote',
    ],
)
def test_each_reason_to_quote_replays(
    pg: PostgresServer, engine_name: str, name: str, tmp_path: Path
) -> None:
    """Every role takes the same hard name (made distinct by a suffix PostgreSQL would not quote alone)."""
    names = {
        role: name + ("" if role in ("schema", "column", "label") else f"_{i}")
        for i, role in enumerate(_ROLES)
    }
    replays(pg, quoted_schema(names), engine_name, tmp_path)


def test_names_are_quoted_where_postgresql_quotes_them(pg: PostgresServer) -> None:
    """needs_quotes agrees with quote_ident on every keyword PostgreSQL knows and on the hard names (it may
    quote more: a few words MySQL and SQLite reserve)."""
    import psycopg

    with psycopg.connect(pg.admin_url) as conn:
        words = [row[0] for row in conn.execute("SELECT word FROM pg_get_keywords()")]
        names = [*words, *_HARD, DOTTED, "plain", "x_1", "_x", "a1"]
        quoted = conn.execute("SELECT array_agg(quote_ident(n) <> n) FROM unnest(%s::text[]) n", [names])
        postgres_quotes = dict(zip(names, quoted.fetchone()[0], strict=True))  # type: ignore[index]
    assert [n for n, q in postgres_quotes.items() if q and not needs_quotes(n)] == []
    assert [n for n in ("plain", "x_1", "_x", "a1") if needs_quotes(n)] == []
