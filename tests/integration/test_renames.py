"""A renamed table carries what PostgreSQL keeps by OID (normalize/renames.py), with PostgreSQL as judge:
its triggers (and their comments), policies, rules, the foreign keys that reference it, the views that read
it and the sequences it owns all name the new table, and schema.sql replays."""

from __future__ import annotations

import pytest

from tests.integration.test_fidelity import assert_agree
from tests.integration.test_roundtrip import judged_by_postgres
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.integration

RENAMED = [
    # plain names, one of everything that names the table
    """CREATE TABLE t (id serial PRIMARY KEY, x int);
    CREATE TABLE c (id int PRIMARY KEY, t_id int REFERENCES t (id));
    CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
    CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
    COMMENT ON TRIGGER tr ON t IS 'hello';
    CREATE VIEW v AS SELECT id, x FROM t WHERE x > 0;
    COMMENT ON COLUMN t.x IS 'the x';
    ALTER TABLE t ENABLE ROW LEVEL SECURITY;
    CREATE POLICY p ON t USING (x > 0);
    ALTER TABLE t RENAME TO t2;""",
    # names that need quotes, another schema, a materialized view over a join, a rule, renamed twice
    """CREATE SCHEMA s;
    CREATE TABLE s."Big T" (id serial PRIMARY KEY, x int);
    CREATE TABLE c (id int PRIMARY KEY, t_id int REFERENCES s."Big T" (id));
    CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
    CREATE TRIGGER tr BEFORE INSERT ON s."Big T" FOR EACH ROW EXECUTE FUNCTION f();
    CREATE MATERIALIZED VIEW mv AS SELECT b.id FROM s."Big T" b JOIN c ON c.t_id = b.id;
    CREATE RULE r AS ON DELETE TO s."Big T" DO INSTEAD NOTHING;
    ALTER TABLE s."Big T" RENAME TO "Small";
    ALTER TABLE s."Small" RENAME TO smaller;""",
]


@pytest.mark.parametrize("sql", RENAMED)
def test_a_renamed_table_carries_what_names_it(sql: str, pg: PostgresServer) -> None:
    assert_agree(sql, pg)
    assert judged_by_postgres(pg, sql, "sqlglot") == []
