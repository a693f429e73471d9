"""The normaliser's contract: what must not change a fingerprint, what must, and what is never dropped."""

from __future__ import annotations

import pytest

from schemareg.errors import InputError, SQLParseError
from schemareg.model import Definition, Kind, ObjectKey, Table
from schemareg.normalize import normalize
from schemareg.render import render_schema_sql


def fp(sql: str, dialect: str = "postgres") -> str:
    return normalize(sql, dialect, cache=False).fingerprint


BASE = """
CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL, created timestamptz DEFAULT now());
CREATE TABLE orders (id bigint NOT NULL, user_id int4 REFERENCES users(id) ON DELETE CASCADE, total numeric(10,2),
  CONSTRAINT orders_pkey PRIMARY KEY (id), CHECK (total >= 0));
CREATE INDEX orders_user_idx ON orders (user_id);
"""


@pytest.mark.parametrize(
    "variant",
    [
        # order
        """CREATE TABLE orders (id bigint NOT NULL, user_id int4 REFERENCES users(id) ON DELETE CASCADE,
             total numeric(10,2), CONSTRAINT orders_pkey PRIMARY KEY (id), CHECK (total >= 0));
           CREATE INDEX orders_user_idx ON orders (user_id);
           CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL, created timestamptz DEFAULT now());""",
        # case, whitespace, comments, quoting, aliases
        """-- users
           create table "users" ( "id" INT primary key , EMAIL character varying(100) not null,
             created TIMESTAMP WITH TIME ZONE default NOW() ) ;
           /* orders */ CREATE TABLE public.orders (id int8 NOT NULL, user_id integer, total decimal(10,2));
           ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
           ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
             ON DELETE CASCADE;
           ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK ((total >= (0)::numeric));
           CREATE INDEX orders_user_idx ON public.orders USING btree (user_id);""",
    ],
)
def test_equivalent_spellings_share_a_fingerprint(variant: str) -> None:
    assert fp(variant) == fp(BASE)


def test_serial_equals_sequence_default_owned_by() -> None:
    serial = "CREATE TABLE t (id serial PRIMARY KEY, name text);"
    expanded = """
        CREATE SEQUENCE public.t_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
        CREATE TABLE public.t (id integer NOT NULL, name text);
        ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;
        ALTER TABLE ONLY public.t ALTER COLUMN id SET DEFAULT nextval('public.t_id_seq'::regclass);
        ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);
    """
    assert fp(serial) == fp(expanded)


def test_default_set_later_equals_inline_default() -> None:
    assert fp("CREATE TABLE t (a text DEFAULT 'x');") == fp(
        "CREATE TABLE t (a text); ALTER TABLE t ALTER COLUMN a SET DEFAULT 'x'::text;"
    )


@pytest.mark.parametrize(
    "changed",
    [
        BASE.replace("varchar(100)", "varchar(200)"),
        BASE.replace("NOT NULL, created", ", created"),
        BASE.replace("DEFAULT now()", ""),
        BASE.replace("ON DELETE CASCADE", ""),
        BASE.replace("total >= 0", "total > 0"),
        BASE.replace("(user_id)", "(user_id, id)"),
        BASE + "CREATE VIEW v AS SELECT id FROM users;",
    ],
)
def test_real_changes_change_the_fingerprint(changed: str) -> None:
    assert fp(changed) != fp(BASE)


def test_column_order_is_kept() -> None:
    assert fp("CREATE TABLE t (a int, b int);") != fp("CREATE TABLE t (b int, a int);")


def test_owner_grant_set_and_meta_commands_are_ignored() -> None:
    noisy = """\\restrict 3bXkQx
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.t (a integer);
ALTER TABLE public.t OWNER TO app;
GRANT SELECT ON public.t TO reader;
\\unrestrict 3bXkQx
"""
    schema = normalize(noisy, cache=False)
    assert schema.fingerprint == fp("CREATE TABLE t (a int);")
    assert schema.stats.ignored == 6


def test_migration_history_replays_to_the_final_schema() -> None:
    history = """
    CREATE TABLE accounts (id int PRIMARY KEY, nick text, legacy int);
    ALTER TABLE accounts ADD COLUMN email text;
    ALTER TABLE accounts DROP COLUMN legacy;
    ALTER TABLE accounts RENAME COLUMN nick TO name;
    ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;
    DROP INDEX IF EXISTS never_created;
    CREATE TABLE tmp (x int);
    DROP TABLE tmp;
    CREATE TABLE old_name (y int);
    ALTER TABLE old_name RENAME TO new_name;
    """
    final = """
    CREATE TABLE accounts (id int PRIMARY KEY, name text, email text NOT NULL);
    CREATE TABLE new_name (y int);
    """
    assert fp(history) == fp(final)


def test_create_or_replace_replaces() -> None:
    a = "CREATE VIEW v AS SELECT 1 AS x; CREATE OR REPLACE VIEW v AS SELECT 2 AS x;"
    assert fp(a) == fp("CREATE VIEW v AS SELECT 2 AS x;")


def test_unparseable_statement_is_kept_as_opaque_never_dropped() -> None:
    sql = "CREATE TABLE t (a int); CREATE OPERATOR public.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq);"
    schema = normalize(sql, cache=False)
    opaque = [o for o in schema.objects.values() if isinstance(o, Definition) and o.opaque]
    assert len(opaque) == 1
    assert opaque[0].kind is Kind.OPERATOR
    assert "FUNCTION = int4eq" in opaque[0].sql
    assert schema.stats.opaque == 1


def test_parse_error_is_kept_and_reported_with_line_and_column() -> None:
    sql = "CREATE TABLE t (a int);\n\nCREATE TABLE broken (a int REFERENCES);\n"
    schema = normalize(sql, cache=False)
    assert schema.stats.errors == 1
    assert schema.issues[0].line == 3
    assert any(isinstance(o, Definition) and o.opaque for o in schema.objects.values())


@pytest.mark.parametrize("text", ['{"not": "sql"}', "hello world, this is prose", "\x00\x01binary"])
def test_input_that_is_not_sql_is_refused_with_a_position(text: str) -> None:
    with pytest.raises(SQLParseError) as error:
        normalize(text, cache=False)
    assert error.value.line == 1


def test_unterminated_string_is_refused_with_its_position() -> None:
    with pytest.raises(SQLParseError) as error:
        normalize("CREATE TABLE t (a int);\nCOMMENT ON TABLE t IS 'oops;\n", cache=False)
    assert error.value.line == 2


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(InputError):
        normalize("CREATE TABLE t (a int);", "oracle")


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_normalising_canonical_output_is_a_no_op(dialect: str) -> None:
    sql = {
        "postgres": BASE
        + "CREATE VIEW v AS SELECT id FROM users WHERE id > 1; COMMENT ON TABLE users IS 'people';",
        "mysql": "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(10) NOT NULL DEFAULT 'x',"
        " KEY idx_name (name)) ENGINE=InnoDB;",
        "sqlite": "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL); CREATE INDEX t_name ON t (name);",
    }[dialect]
    first = normalize(sql, dialect, cache=False)
    again = normalize(render_schema_sql(first), dialect, cache=False)
    assert again.rendered() == first.rendered()


def test_unnamed_constraints_get_postgres_names() -> None:
    schema = normalize(
        "CREATE TABLE t (a int PRIMARY KEY, b int UNIQUE, c int REFERENCES t(a), d int CHECK (d > 0), CHECK (b < c));",
        cache=False,
    )
    table = schema.objects[ObjectKey(Kind.TABLE, "public.t")]
    assert isinstance(table, Table)
    assert [c.name for c in table.constraints] == ["t_b_key", "t_c_fkey", "t_check", "t_d_check", "t_pkey"]


def test_functions_differ_by_argument_types_and_ignore_attribute_order() -> None:
    a = """CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a $$;
           CREATE FUNCTION f(a text) RETURNS text AS $$ SELECT a $$ LANGUAGE sql;"""
    b = """CREATE OR REPLACE FUNCTION public.f(text) RETURNS text LANGUAGE sql AS $_$ SELECT a $_$;
           CREATE FUNCTION public.f(a int4) RETURNS int4 IMMUTABLE LANGUAGE sql AS $$ SELECT a $$;"""
    schema = normalize(a, cache=False)
    assert {k.name for k in schema.objects} == {"public.f(INT)", "public.f(TEXT)"}
    # argument names are not part of the identity but are part of the definition
    assert fp(a) != fp(b)
    assert fp(a) == fp(b.replace("f(text)", "f(a text)"))


def test_trigger_and_policy_are_qualified_and_ordered() -> None:
    a = """CREATE TABLE t (a int);
           CREATE TRIGGER trg AFTER UPDATE OR INSERT ON t FOR EACH ROW EXECUTE PROCEDURE audit();
           CREATE POLICY p ON t FOR ALL TO PUBLIC USING (a > 0);"""
    b = """CREATE TABLE public.t (a integer);
           CREATE TRIGGER trg AFTER INSERT OR UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION public.audit();
           CREATE POLICY p ON public.t USING ((a > 0));"""
    assert fp(a) == fp(b)


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        (
            "mysql",
            "CREATE TABLE `Users` (`id` int NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) ENGINE=InnoDB;",
        ),
        ("sqlite", 'CREATE TABLE "users" ("id" INTEGER PRIMARY KEY, "name" TEXT);'),
    ],
)
def test_other_dialects_normalise(dialect: str, sql: str) -> None:
    schema = normalize(sql, dialect, cache=False)
    assert schema.stats.errors == 0
    assert any(k.kind is Kind.TABLE for k in schema.objects)
    assert schema.fingerprint == normalize(sql.lower(), dialect, cache=False).fingerprint


@pytest.mark.parametrize(
    ("written", "dumped"),
    [
        # sequence state is data, not schema; ALTER SEQUENCE options merge into the sequence
        (
            "CREATE SEQUENCE s; ALTER SEQUENCE s RESTART WITH 101; ALTER SEQUENCE s INCREMENT BY 2;",
            "CREATE SEQUENCE public.s START WITH 1 INCREMENT BY 2 NO MINVALUE NO MAXVALUE CACHE 1;",
        ),
        # the SQL-standard array spelling
        ("CREATE TABLE t (tags text ARRAY NOT NULL);", "CREATE TABLE public.t (tags text[] NOT NULL);"),
        # a view ordered by an output alias; a single table's qualifier (PostgreSQL 15 vs 16)
        (
            "CREATE TABLE t (id int, b int); CREATE VIEW v AS SELECT t.id AS x, t.b FROM t ORDER BY x;",
            "CREATE TABLE public.t (id integer, b integer);\n"
            "CREATE VIEW public.v AS SELECT id AS x, b FROM public.t ORDER BY id;",
        ),
        # a domain's unnamed CHECK gets PostgreSQL's name
        (
            'CREATE DOMAIN "MyDomain" AS integer CHECK (VALUE > 0);',
            'CREATE DOMAIN public."MyDomain" AS integer CONSTRAINT "MyDomain_check" CHECK ((VALUE > 0));',
        ),
        # DO blocks run code, they declare nothing
        ("CREATE TABLE t (a int); DO $$ BEGIN PERFORM 1; END $$;", "CREATE TABLE public.t (a integer);"),
        # an argument default as PostgreSQL stores it: the expression, parenthesised, its constants typed
        (
            "CREATE FUNCTION f(a int DEFAULT (2 + 2) * 10, b numeric DEFAULT 1.5 * 2, c text DEFAULT 'a' || 'b')"
            " RETURNS int LANGUAGE sql AS $$ SELECT a $$;",
            "CREATE FUNCTION public.f(a integer DEFAULT ((2 + 2) * 10), b numeric DEFAULT (1.5 * (2)::numeric),"
            " c text DEFAULT ('a'::text || 'b'::text)) RETURNS integer LANGUAGE sql AS $$ SELECT a $$;",
        ),
        # a partition created by PARTITION OF, or created and attached the way pg_dump writes it
        (
            "CREATE TABLE p (a int, b text) PARTITION BY RANGE (a);"
            "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (1) TO (10);",
            "CREATE TABLE public.p (a integer, b text) PARTITION BY RANGE (a);"
            "CREATE TABLE public.p1 (a integer, b text);"
            "ALTER TABLE ONLY public.p ATTACH PARTITION public.p1 FOR VALUES FROM (1) TO (10);",
        ),
        # comments inside a default are not part of it
        (
            "CREATE TABLE t (a jsonb DEFAULT '{}' /* why */);",
            "CREATE TABLE public.t (a jsonb DEFAULT '{}'::jsonb);",
        ),
    ],
)
def test_pg_dump_idioms_fold_into_the_same_schema(written: str, dumped: str) -> None:
    assert fp(written) == fp(dumped)


def test_bare_columns_of_a_join_view_are_qualified_by_their_table() -> None:
    tables = "CREATE TABLE a (id int, x int); CREATE TABLE b (a_id int, y int);"
    written = tables + "CREATE VIEW v AS SELECT a.id, x, y FROM a JOIN b ON a.id = b.a_id;"
    dumped = (
        tables + "CREATE VIEW v AS SELECT a.id, a.x, b.y FROM (public.a JOIN public.b ON ((a.id = b.a_id)));"
    )
    assert fp(written) == fp(dumped)


def test_not_valid_constraints_and_validation() -> None:
    table = "CREATE TABLE t (a int, b int REFERENCES t2 (id));"
    not_valid = table + "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;"
    validated = not_valid + "ALTER TABLE t VALIDATE CONSTRAINT c;"
    valid = table + "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);"
    assert fp(not_valid) != fp(valid)
    assert fp(validated) == fp(valid)
    schema = normalize(not_valid, cache=False)
    assert normalize(render_schema_sql(schema), cache=False).rendered() == schema.rendered()


def test_materialized_view_storage_options_count() -> None:
    base = "CREATE MATERIALIZED VIEW v AS SELECT 1 AS x;"
    with_options = "CREATE MATERIALIZED VIEW v WITH (fillfactor = 70) AS SELECT 1 AS x;"
    assert fp(base) != fp(with_options)
    assert fp(with_options) == fp(with_options.replace("fillfactor = 70", "FILLFACTOR=70"))


GRANTS = """
CREATE TABLE t (a int);
CREATE FUNCTION f(a integer) RETURNS int LANGUAGE sql AS $$ SELECT a $$;
ALTER TABLE public.t OWNER TO app;
GRANT SELECT, INSERT ON t TO reader;
GRANT ALL ON TABLE public.t TO admin WITH GRANT OPTION;
REVOKE INSERT ON t FROM reader;
GRANT EXECUTE ON FUNCTION f(int4) TO PUBLIC;
GRANT app TO bob;
"""


def test_owners_and_grants_are_ignored_by_default() -> None:
    assert fp(GRANTS) == fp(
        "CREATE TABLE t (a int); CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$;"
    )


def test_owners_and_grants_are_kept_when_asked_and_revoke_takes_back() -> None:
    from schemareg.normalize import NormalizeOptions

    schema = normalize(GRANTS, cache=False, options=NormalizeOptions(keep_grants=True, keep_owners=True))
    kept = {key.name: text for key, text in schema.rendered().items() if key.kind in (Kind.GRANT, Kind.OWNER)}
    assert kept == {
        "function public.f(INT) to PUBLIC": "GRANT EXECUTE ON FUNCTION public.f(INT) TO PUBLIC;\n",
        "table public.t to admin": "GRANT ALL ON TABLE public.t TO admin WITH GRANT OPTION;\n",
        "table public.t to reader": "GRANT SELECT ON TABLE public.t TO reader;\n",
        "table public.t": "ALTER TABLE public.t OWNER TO app;\n",
    }
    fewer = GRANTS.replace("GRANT SELECT, INSERT ON t TO reader;", "")
    assert (
        normalize(fewer, cache=False, options=NormalizeOptions(keep_grants=True)).fingerprint
        != normalize(GRANTS, cache=False, options=NormalizeOptions(keep_grants=True)).fingerprint
    )


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        # a zone on a timestamp-without-zone default is dropped by PostgreSQL
        (
            "CREATE TABLE t (a timestamp DEFAULT '1970-01-01 00:00:01+00:00');",
            "CREATE TABLE public.t (a timestamp without time zone DEFAULT '1970-01-01 00:00:01'::timestamp);",
        ),
        # extensions: the default schema, IF NOT EXISTS and CASCADE are not part of the shape
        ("CREATE EXTENSION pgcrypto;", "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;"),
        # user-defined types are schema-qualified, pg_catalog ones are not
        (
            "CREATE TYPE mood AS ENUM ('a'); CREATE TABLE t (m mood, r regclass, n mood[]);",
            "CREATE TYPE public.mood AS ENUM ('a'); CREATE TABLE public.t (m public.mood, r regclass, n public.mood[]);",
        ),
        # collations from pg_catalog
        ('CREATE TABLE t (a text COLLATE "C");', 'CREATE TABLE public.t (a text COLLATE pg_catalog."C");'),
        # a materialized view's population state is data
        (
            "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x;",
            "CREATE MATERIALIZED VIEW public.mv AS SELECT 1 AS x WITH NO DATA;",
        ),
    ],
)
def test_what_postgresql_stores_equals_what_was_written(written: str, stored: str) -> None:
    assert fp(written) == fp(stored)


def test_an_index_on_a_materialized_view_is_kept() -> None:
    schema = normalize(
        "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x; CREATE UNIQUE INDEX mv_x ON mv (x);", cache=False
    )
    assert ObjectKey(Kind.INDEX, "public.mv_x") in schema.objects
    sql = render_schema_sql(schema)
    assert sql.index("CREATE MATERIALIZED VIEW") < sql.index("CREATE UNIQUE INDEX mv_x")


def test_partitions_carry_their_parents_keys_and_indexes() -> None:
    declared = """CREATE TABLE p (a int PRIMARY KEY, b int) PARTITION BY RANGE (a); CREATE INDEX ON p (b);
                  CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (1) TO (5);"""
    dumped = """CREATE TABLE public.p (a integer NOT NULL, b integer) PARTITION BY RANGE (a);
        CREATE TABLE public.p1 (a integer NOT NULL, b integer);
        ALTER TABLE ONLY public.p ATTACH PARTITION public.p1 FOR VALUES FROM (1) TO (5);
        ALTER TABLE ONLY public.p ADD CONSTRAINT p_pkey PRIMARY KEY (a);
        ALTER TABLE ONLY public.p1 ADD CONSTRAINT p1_pkey PRIMARY KEY (a);
        CREATE INDEX p_b_idx ON ONLY public.p USING btree (b);
        CREATE INDEX p1_b_idx ON public.p1 USING btree (b);
        ALTER INDEX public.p_b_idx ATTACH PARTITION public.p1_b_idx;
        ALTER INDEX public.p_pkey ATTACH PARTITION public.p1_pkey;"""
    assert fp(declared) == fp(dumped)
    # without its ATTACH (not pg_dump's form), PostgreSQL leaves the key off p1 and p_pkey invalid
    assert fp(dumped.rsplit("ALTER INDEX public.p_pkey", 1)[0]) != fp(declared)
    sql = render_schema_sql(normalize(declared, cache=False))
    assert sql.index("CREATE INDEX p1_b_idx") < sql.index("CREATE INDEX p_b_idx")  # the parent adopts it


@pytest.mark.parametrize(
    ("script", "line", "column", "message"),
    [
        ("CREATE TABLE a (x int);\nCREATE TABLE broken (", 2, 21, "never closed"),
        ("CREATE TABLE t (a int));", 1, 23, "unbalanced"),
        ("CREATE TABLE t (a int);\nhello world;", 2, 1, "not a SQL statement"),
    ],
)
def test_malformed_ddl_is_refused_whole(script: str, line: int, column: int, message: str) -> None:
    with pytest.raises(SQLParseError) as error:
        normalize(script, cache=False)
    assert (error.value.line, error.value.column) == (line, column)
    assert message in str(error.value)


def test_brackets_inside_strings_and_bodies_do_not_count() -> None:
    schema = normalize(
        "CREATE TABLE t (a text DEFAULT '(');"
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT (1 $$;",
        cache=False,
    )
    assert schema.stats.objects == 2


def test_time_partition_bounds_as_postgresql_stores_them() -> None:
    head = "CREATE TABLE s (id int, t timestamptz) PARTITION BY RANGE (t);"
    written = head + "CREATE TABLE s1 PARTITION OF s FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');"
    stored = (
        head
        + "CREATE TABLE s1 PARTITION OF s FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');"
    )
    assert fp(written) == fp(stored)


def test_every_object_text_ends_with_one_newline() -> None:
    schema = normalize(BASE + "CREATE TABLE empty_of_indexes (a int);", cache=False)
    assert all(text.endswith(";\n") and not text.endswith("\n\n") for text in schema.rendered().values())


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("CREATE TABLE t (a int[][]);", "CREATE TABLE t (a integer[3]);", True),
        # PostgreSQL keeps the call as written and prints each back so (15 and later): two expressions.
        (
            "CREATE TABLE e (c timestamp, CONSTRAINT k CHECK (timezone('utc', c) < now()));",
            "CREATE TABLE e (c timestamp, CONSTRAINT k CHECK ((c AT TIME ZONE 'utc') < now()));",
            False,
        ),
        (
            "CREATE TABLE t (a int, CONSTRAINT k UNIQUE (a) NOT DEFERRABLE INITIALLY IMMEDIATE);",
            "CREATE TABLE t (a int, CONSTRAINT k UNIQUE (a));",
            True,
        ),
        (
            "CREATE TABLE t (a int, CONSTRAINT k UNIQUE (a) DEFERRABLE);",
            "CREATE TABLE t (a int, CONSTRAINT k UNIQUE (a));",
            False,
        ),
        (
            "CREATE TABLE t (a int); CREATE INDEX i ON t (a) WITH (fillfactor='70');",
            "CREATE TABLE t (a int); CREATE INDEX i ON t (a) WITH (FILLFACTOR = 70);",
            True,
        ),
    ],
)
def test_defaults_and_spellings_postgresql_does_not_keep(a: str, b: str, same: bool) -> None:
    assert (fp(a) == fp(b)) is same


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "CREATE TABLE e (c timestamp); CREATE INDEX i ON e ((c AT TIME ZONE 'utc'));",
            "CREATE TABLE e (c timestamp); CREATE INDEX i ON e (c AT TIME ZONE 'utc');",
        ),
        (
            "CREATE TABLE t (k varchar CHECK (k::text = ANY (ARRAY['a'::varchar::text, 'b'::varchar::text])));",
            "CREATE TABLE t (k varchar CHECK (k::text = ANY (ARRAY['a'::varchar, 'b'::varchar]::text[])));",
        ),
    ],
)
def test_expression_spellings_postgresql_prints_differently(a: str, b: str) -> None:
    assert fp(a) == fp(b)
