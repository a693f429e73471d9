"""A table the parser cannot read is kept whole, and what the script says about it afterwards goes with it
(registry/normalize/absorb.py): schema.sql made by the sqlglot engine replays with ON_ERROR_STOP, and
PostgreSQL describes the database it builds as it describes the original, and a second normalisation of
schema.sql gives the same schema. Before, the later statements were objects of their own, ordered by
name: a comment on an index replayed before the index, a view before the column it reads."""

from __future__ import annotations

import pytest

from schemareg.engine import normalize_ddl
from schemareg.render import render_schema_sql
from tests.integration.test_roundtrip import differing, judged_by_postgres
from tests.support.postgres import PostgresServer

# Tables the sqlglot engine keeps opaque, each in a form PostgreSQL accepts (the test checks that they
# are opaque: once the engine reads one, another must take its place).
HOSTS = {
    "compression": "CREATE TABLE public.host (a integer, b text COMPRESSION pglz);",
    "storage": "CREATE TABLE public.host (a integer, b text STORAGE EXTERNAL);",  # PostgreSQL 16 and later
}
AFTER = """
CREATE TABLE public.zz_parent (id integer PRIMARY KEY);
ALTER TABLE public.host ADD COLUMN c integer;
ALTER TABLE public.host ALTER COLUMN b SET NOT NULL;
ALTER TABLE public.host ADD CONSTRAINT host_pkey PRIMARY KEY (a);
ALTER TABLE public.host ADD CONSTRAINT c_positive CHECK (c > 0);
ALTER TABLE public.host ADD CONSTRAINT host_parent FOREIGN KEY (c) REFERENCES public.zz_parent (id);
CREATE INDEX host_c_idx ON public.host (c);
CREATE INDEX host_b_idx ON public.host (lower(b));
COMMENT ON INDEX public.host_c_idx IS 'by c';
COMMENT ON COLUMN public.host.c IS 'the c';
COMMENT ON CONSTRAINT c_positive ON public.host IS 'positive';
ALTER INDEX public.host_b_idx RENAME TO host_lower_b_idx;
COMMENT ON INDEX public.host_lower_b_idx IS 'renamed';
DROP INDEX public.host_c_idx;
CREATE VIEW public.a_view AS SELECT a, c FROM public.host;
COMMENT ON TABLE public.host IS 'the host';
"""


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_what_is_said_of_an_opaque_table_replays_with_it(pg: PostgresServer, host: str) -> None:
    sql = HOSTS[host] + AFTER
    loaded = normalize_ddl(sql, engine="sqlglot").schema
    table = next(obj for key, obj in loaded.objects.items() if key.name == "public.host")
    assert getattr(table, "opaque", False), "the engine reads this table now: choose another host form"
    others = [obj.sql for key, obj in loaded.objects.items() if key.kind.value == "other"]
    assert others == [
        "ALTER TABLE public.host ADD CONSTRAINT host_parent FOREIGN KEY (c) REFERENCES public.zz_parent (id)"
    ]
    assert judged_by_postgres(pg, sql, "sqlglot") == []
    again = normalize_ddl(render_schema_sql(loaded), engine="sqlglot").schema
    assert again.fingerprint == loaded.fingerprint


def test_an_index_of_a_materialized_view_takes_its_comment_and_its_new_name(pg: PostgresServer) -> None:
    """Such an index is an object of its own (a view has no index list): COMMENT ON INDEX and ALTER INDEX
    RENAME were kept apart from it, so the engines disagreed and the comment was lost."""
    sql = (
        "CREATE TABLE public.t (a integer);\n"
        "CREATE MATERIALIZED VIEW public.mv AS SELECT a FROM public.t;\n"
        "CREATE UNIQUE INDEX mv_a ON public.mv (a);\n"
        "COMMENT ON INDEX public.mv_a IS 'by a';\n"
        "ALTER INDEX public.mv_a RENAME TO mv_by_a;\n"
    )
    by_engine = {
        name: normalize_ddl(sql, engine=name, dev_url=pg.admin_url).schema for name in ("postgres", "sqlglot")
    }
    assert differing(by_engine["postgres"], by_engine["sqlglot"]) == []
    assert [key.kind.value for key in by_engine["sqlglot"].objects].count("other") == 0
    assert judged_by_postgres(pg, sql, "sqlglot") == []
