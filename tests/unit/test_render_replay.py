"""The canonical schema.sql is text PostgreSQL accepts: storage parameters inside WITH (...), and routines
whose signature names a table's row type after that table (checked against a server in
tests/integration/test_roundtrip.py)."""

from __future__ import annotations

from schemareg.creation import parents_in
from schemareg.normalize import normalize
from schemareg.render import render_schema_sql


def test_storage_parameters_are_said_in_with() -> None:
    text = render_schema_sql(
        normalize("CREATE UNLOGGED TABLE t (id int) WITH (fillfactor='50', autovacuum_enabled=false);")
    )
    create = next(line for line in text.splitlines() if line.startswith(")"))
    assert create.startswith(") WITH (") and "fillfactor" in create and "autovacuum_enabled" in create
    assert "CREATE UNLOGGED TABLE public.t" in text
    assert render_schema_sql(normalize(text)) == text  # and it re-normalises to itself


def test_a_routine_that_returns_a_table_row_comes_after_the_table() -> None:
    text = render_schema_sql(
        normalize(
            "CREATE FUNCTION public.all_customers() RETURNS SETOF public.customer LANGUAGE sql"
            " AS $$ SELECT * FROM public.customer $$;"
            "CREATE TABLE public.customer (id int);"
            "CREATE FUNCTION public.plain() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;"
        )
    )
    assert text.index("CREATE TABLE public.customer") < text.index("FUNCTION public.all_customers")
    assert text.index("FUNCTION public.plain") < text.index("CREATE TABLE public.customer")


def test_a_foreign_key_on_a_partitioned_table_is_added_without_only() -> None:
    text = render_schema_sql(
        normalize(
            "CREATE TABLE public.target (id int PRIMARY KEY);"
            "CREATE TABLE public.events (id int, target_id int REFERENCES public.target (id))"
            " PARTITION BY RANGE (id);"
            "CREATE TABLE public.plain (target_id int REFERENCES public.target (id));"
        )
    )
    assert "ALTER TABLE public.events ADD CONSTRAINT events_target_id_fkey" in text
    assert "ALTER TABLE ONLY public.plain ADD CONSTRAINT plain_target_id_fkey" in text


def test_a_table_is_made_after_the_tables_it_inherits_from() -> None:
    text = render_schema_sql(
        normalize(
            'CREATE SCHEMA "B s"; CREATE TABLE public.zz_root (id int);'
            'CREATE TABLE "B s"."Mid" (m text) INHERITS (zz_root);'
            'CREATE TABLE public.aa_leaf (l int) INHERITS ("B s"."Mid", public.zz_other);'
            "CREATE TABLE public.zz_other (o int); CREATE TABLE public.ab (x int);"
        )
    )
    made = {name: text.index(f"CREATE TABLE {name} (") for name in ("public.zz_root", '"B s"."Mid"')}
    made |= {name: text.index(f"CREATE TABLE {name} (") for name in ("public.zz_other", "public.aa_leaf")}
    assert made["public.zz_root"] < made['"B s"."Mid"'] < made["public.aa_leaf"]
    assert made["public.zz_other"] < made["public.aa_leaf"]
    assert "INHERITS (public.zz_root)" in text  # qualified, as PostgreSQL resolved it
    assert render_schema_sql(normalize(text)) == text


def test_parents_in_reads_inherits_and_partition_of() -> None:
    assert parents_in('INHERITS (p, "B s"."Mid" , s . q)', "public") == ["public.p", "B s.Mid", "s.q"]
    assert parents_in("CREATE FOREIGN TABLE f PARTITION OF Pt FOR VALUES IN (1) SERVER s", "x") == ["x.pt"]
    assert parents_in("UNLOGGED", "public") == []


def test_a_trigger_is_disabled_after_it_is_made_and_goes_with_it() -> None:
    script = (
        "CREATE TABLE t (a int);"
        "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;"
        'CREATE TRIGGER "Tr" BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();'
        "CREATE TRIGGER gone BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();"
        'ALTER TABLE t DISABLE TRIGGER "Tr", DISABLE TRIGGER gone;'
        "DROP TRIGGER gone ON t;"
    )
    text = render_schema_sql(normalize(script))
    assert text.index('ALTER TABLE public.t DISABLE TRIGGER "Tr";') > text.index('CREATE TRIGGER "Tr"')
    assert "gone" not in text
    assert render_schema_sql(normalize(text)) == text
    enabled = render_schema_sql(normalize(script + 'ALTER TABLE t ENABLE TRIGGER "Tr";'))
    assert "DISABLE" not in enabled
