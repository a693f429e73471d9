"""The canonical schema.sql is text PostgreSQL accepts: storage parameters inside WITH (...), and routines
whose signature names a table's row type after that table (checked against a server in
tests/integration/test_roundtrip.py)."""

from __future__ import annotations

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
