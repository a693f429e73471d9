"""Statements that migration histories use to change what earlier statements made, with PostgreSQL as the
judge: the database the statements build and the one the canonical schema.sql builds are described alike
by PostgreSQL (tests/support/catalog.py), and the sqlglot engine's fingerprint is the postgres engine's.

Each case is a class found in real histories (lemmy's, kratos's, supabase auth's, trigger.dev's;
docs/benchmarks.md):
a table made from a query whose tables are dropped afterwards, a column renamed under the keys, indexes,
checks, views, triggers and policies that name it, RENAME without COLUMN, ALTER CONSTRAINT's deferral, an
enum label renamed under its defaults, an enum swapped for a new type of the same name, arrays under a
cast, a sequence or function renamed under what calls it, a column or
materialized view dropped with what reads it, a key renamed through its index, table settings set and
set back (the last one counts, in any order), and DO blocks that guard
on information_schema, catch any error, EXECUTE a constant, or DECLARE variables only data reads.
"""

from __future__ import annotations

import pytest

from schemareg.model import Kind
from schemareg.normalize import normalize
from tests.integration.test_fidelity import assert_agree
from tests.integration.test_roundtrip import judged_by_postgres
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.integration

TABLE_AS = {
    # lemmy's: aggregates over a UNION of typed NULLs and columns, the sources dropped, keys added after
    "aggregates of a union": """
        CREATE TABLE liked (person_id int NOT NULL, post_id int NOT NULL, score smallint, published timestamptz);
        CREATE TABLE saved (person_id int NOT NULL, post_id int NOT NULL, published timestamptz);
        CREATE TABLE post_actions AS SELECT person_id, post_id, max(liked) AS liked, max(saved) AS saved,
            max(like_score) = 1 AS vote_is_upvote, count(*) AS n
        FROM (SELECT person_id, post_id, score AS like_score, published AS liked, NULL::timestamptz AS saved
              FROM liked
              UNION ALL
              SELECT person_id, post_id, NULL::int, NULL::timestamptz, published FROM saved) AS a
        GROUP BY person_id, post_id;
        DROP TABLE liked, saved;
        ALTER TABLE post_actions ALTER COLUMN person_id SET NOT NULL, ADD PRIMARY KEY (person_id, post_id),
            ADD CONSTRAINT post_actions_check CHECK ((liked IS NULL) = (vote_is_upvote IS NULL));
    """,
    # type modifiers kept by columns and casts, lost by functions; literals; names given; joins; a CTE
    "types as PostgreSQL gives them": """
        CREATE TYPE mood AS ENUM ('sad', 'ok');
        CREATE TABLE a (id int, v varchar(40), amount numeric(12,2), c char(3), at timestamp(3), m mood,
            big bigint, small smallint, d date);
        CREATE TABLE b (id int, v varchar(10), at timestamptz);
        CREATE TABLE e (x, y) AS SELECT a.id, b.v, a.v AS av, 'lit' AS l, NULL AS n, 5000000000 AS huge,
            -3 AS neg, 1.5 AS dec, true AS t, a.id IS NULL AS isn, coalesce(a.v, b.v) AS co,
            CASE WHEN a.id > 1 THEN a.amount ELSE 0 END AS ca, a.at::date AS pd, a.c, max(a.c) AS mc,
            max(a.v) AS mv, max(a.amount) AS ma, sum(a.small) AS ss, sum(a.big) AS sb, avg(a.amount) AS av2,
            min(a.m) AS mm, max(a.at) AS mat, min(a.d) AS md
        FROM a JOIN b ON a.id = b.id GROUP BY a.id, b.v, a.v, a.amount, a.at, a.c WITH NO DATA;
        CREATE TABLE f AS WITH w AS (SELECT id, v FROM b) SELECT * FROM w;
        CREATE UNLOGGED TABLE IF NOT EXISTS g AS SELECT a.*, b.at AS bat FROM a LEFT JOIN b ON b.id = a.id;
        CREATE TABLE h AS SELECT id, row_number() OVER (ORDER BY id) AS rn FROM a;
        CREATE TABLE i AS SELECT v FROM a UNION SELECT v FROM b;
        CREATE TABLE j AS SELECT id FROM a UNION ALL SELECT big FROM a UNION ALL SELECT NULL;
        CREATE TABLE k AS SELECT d AS when_ FROM a UNION ALL SELECT at FROM b;
        DROP TABLE a, b CASCADE;
    """,
}

RENAMES = {
    "a column, everywhere it is named": """
        CREATE TABLE p (id int PRIMARY KEY);
        CREATE TABLE t (a int PRIMARY KEY, b int CHECK (b > 0), s serial, parent int REFERENCES t (a),
            c int REFERENCES p (id), d int GENERATED ALWAYS AS (b * 2) STORED, at timestamp NOT NULL,
            year int);
        CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE TRIGGER tr BEFORE UPDATE OF b, a ON t FOR EACH ROW WHEN (OLD.b IS DISTINCT FROM NEW.b)
            EXECUTE FUNCTION f();
        ALTER TABLE t ENABLE ROW LEVEL SECURITY;
        CREATE POLICY pol ON t USING (b > 0) WITH CHECK (a = 1);
        ALTER TABLE t ALTER COLUMN b SET STATISTICS 100;
        CREATE INDEX ti ON t (b) INCLUDE (a) WITH (fillfactor=70) WHERE a > 0;
        CREATE INDEX ty ON t ((extract(year FROM at))) WHERE year > 2000;
        CREATE UNIQUE INDEX tu ON t (c, b);
        CREATE TABLE u (id int PRIMARY KEY, t_a int, b int);
        CREATE VIEW v AS SELECT a, b, t.b AS bb, (SELECT max(u.b) FROM u WHERE u.t_a = t.a) AS ub FROM t
            WHERE a > 0;
        CREATE VIEW w AS SELECT v.a, v.bb FROM v;
        CREATE VIEW j AS SELECT t.a, u.b FROM t JOIN u ON u.t_a = t.a UNION ALL SELECT a, b FROM t;
        CREATE TABLE m (k int, at date) PARTITION BY RANGE (at);
        ALTER TABLE t RENAME COLUMN a TO "X";
        ALTER TABLE t RENAME COLUMN b TO bee;
        ALTER TABLE t RENAME s TO ess;
        ALTER TABLE t RENAME year TO yr;
        ALTER TABLE m RENAME COLUMN at TO on_day;
        ALTER TABLE u RENAME COLUMN b TO ub2;
        ALTER TABLE p RENAME COLUMN id TO pid;
    """,
    "sequences, functions, enum labels and keys' indexes": """
        CREATE TYPE mode AS ENUM ('closed', 'open');
        CREATE TABLE site (id serial PRIMARY KEY, mode mode NOT NULL DEFAULT 'closed',
            CHECK (mode <> 'closed'::mode OR id > 0));
        CREATE TABLE reply (id serial PRIMARY KEY, site_id int REFERENCES site, n int);
        CREATE INDEX idx_reply_n ON reply (n);
        ALTER TYPE mode RENAME VALUE 'closed' TO 'Closed';
        ALTER TABLE reply RENAME TO notification;
        ALTER SEQUENCE reply_id_seq RENAME TO notification_id_seq;
        ALTER INDEX reply_pkey RENAME TO notification_pkey;
        ALTER INDEX idx_reply_n RENAME TO idx_notification_n;
        CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE TRIGGER tr AFTER INSERT ON notification FOR EACH ROW EXECUTE PROCEDURE f();
        ALTER FUNCTION f RENAME TO g;
        CREATE FUNCTION h() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE TRIGGER tr2 AFTER INSERT ON site FOR EACH ROW EXECUTE PROCEDURE h();
        ALTER FUNCTION h() RENAME TO k;
        DROP FUNCTION k CASCADE;
        ALTER TABLE notification ADD CONSTRAINT fk2 FOREIGN KEY (n) REFERENCES site DEFERRABLE;
        ALTER TABLE notification ALTER CONSTRAINT reply_site_id_fkey DEFERRABLE INITIALLY DEFERRED,
            ALTER CONSTRAINT fk2 NOT DEFERRABLE;
    """,
}

# Statistics objects name a renamed column anew, as PostgreSQL prints them (plain columns first).
STATISTICS = """
    CREATE TABLE t (a int, b int, year int);
    CREATE STATISTICS st ON (b IS NULL), year FROM t;
    CREATE STATISTICS st2 (ndistinct) ON a, b FROM public.t;
    ALTER TABLE t RENAME year TO yr;
    ALTER TABLE t RENAME COLUMN b TO "Bee";
"""

TYPES = {
    # Prisma's way to change an enum: a new type, the columns moved to it, the old one renamed away
    "an enum swapped for a new one": """
        CREATE TYPE "AlertType" AS ENUM ('A', 'B', 'C');
        CREATE TABLE "Alert" (id int, "type" "AlertType" NOT NULL DEFAULT 'A', "types" "AlertType"[]);
        CREATE TYPE "AlertType_new" AS ENUM ('A', 'B');
        ALTER TABLE "Alert" ALTER COLUMN "type" DROP DEFAULT;
        ALTER TABLE "Alert" ALTER COLUMN "types" TYPE "AlertType_new"[] USING ("types"::text::"AlertType_new"[]);
        ALTER TABLE "Alert" ALTER COLUMN "type" TYPE "AlertType_new" USING ("type"::text::"AlertType_new");
        ALTER TYPE "AlertType" RENAME TO "AlertType_old";
        ALTER TYPE "AlertType_new" RENAME TO "AlertType";
        DROP TYPE "AlertType_old";
        ALTER TABLE "Alert" ALTER COLUMN "type" SET DEFAULT 'A';
        CREATE TYPE mood AS ENUM ('x');
        CREATE TABLE m (a mood DEFAULT 'x'::mood, CHECK (a <> 'x'::mood));
        CREATE INDEX ON m (a) WHERE a = 'x'::mood;
        CREATE VIEW mv AS SELECT a FROM m WHERE a = 'x'::mood;
        ALTER TYPE mood RENAME TO feeling;
    """,
    # an array constructor under a cast: each element cast, as PostgreSQL stores it; an empty one keeps it
    "arrays under a cast": """
        CREATE TYPE rt AS ENUM ('STAGING', 'PRODUCTION');
        CREATE TABLE t (a rt[] DEFAULT ARRAY['STAGING', 'PRODUCTION']::rt[], b text[] DEFAULT ARRAY['x']::text[],
            c int[] DEFAULT ARRAY[1, 2]::int[], d bigint[] DEFAULT ARRAY[1]::bigint[],
            e varchar(5)[] DEFAULT ARRAY['q']::varchar[], f text[] DEFAULT ARRAY[]::text[],
            g varchar(3)[] DEFAULT ARRAY[]::varchar(3)[], h int, CHECK (h = ANY (ARRAY[1, 2]::int[])));
        ALTER TABLE t ADD COLUMN i text[] DEFAULT ARRAY[]::TEXT[];
        ALTER TABLE t ALTER COLUMN b SET DEFAULT ARRAY[]::text[];
        CREATE VIEW v AS SELECT coalesce(b, ARRAY[]::text[]) AS x, ARRAY['STAGING']::rt[] AS y FROM t;
    """,
}

DROPS = {
    "a column with what reads it": """
        CREATE TABLE t (id int PRIMARY KEY, email text, n int, s serial,
            CHECK (n > 0 AND email <> ''), UNIQUE (n, id));
        CREATE UNIQUE INDEX ON t (lower(email));
        CREATE INDEX ON t (n) WHERE email IS NOT NULL;
        CREATE INDEX tn ON t (n);
        CREATE STATISTICS ts ON email, n FROM t;
        ALTER TABLE t DROP COLUMN email, DROP COLUMN s;
    """,
    "a materialized view with its indexes": """
        CREATE TABLE t (id int PRIMARY KEY);
        CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
        CREATE UNIQUE INDEX idx_mv ON mv (id);
        DROP MATERIALIZED VIEW mv;
        CREATE MATERIALIZED VIEW mv AS SELECT id, 1 AS one FROM t;
    """,
}

ALTERATIONS = {
    "settings set, set again, set back, in any order": """
        CREATE TABLE t (a int, b int);
        CREATE INDEX t_a ON t (a);
        ALTER TABLE t ENABLE ROW LEVEL SECURITY;
        ALTER TABLE t CLUSTER ON t_a;
        ALTER TABLE t ALTER COLUMN a SET STATISTICS 100;
        ALTER TABLE t ALTER COLUMN b SET STATISTICS 100;
        ALTER TABLE t FORCE ROW LEVEL SECURITY;
        ALTER TABLE t ALTER COLUMN a SET STATISTICS 200;
        ALTER TABLE t ALTER COLUMN b SET STATISTICS -1;
        ALTER TABLE t REPLICA IDENTITY FULL;
        ALTER TABLE t DISABLE ROW LEVEL SECURITY;
    """,
}

DO_BLOCKS = {
    "guards, handlers and a constant EXECUTE": """
        CREATE TABLE t (a int, b text, parent int);
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM information_schema.table_constraints
                         WHERE table_name = 't' AND constraint_name = 't_a_key') THEN
            EXECUTE 'ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a)';
          END IF;
          IF NOT EXISTS (SELECT * FROM information_schema.constraint_column_usage
                         WHERE table_name = 't' AND constraint_name = 't_parent_fkey') THEN
            ALTER TABLE t ADD CONSTRAINT t_parent_fkey FOREIGN KEY (parent) REFERENCES t (a);
          END IF;
        END $$;
        ALTER TABLE t DROP CONSTRAINT t_parent_fkey;
        DO $$ BEGIN
          CREATE INDEX t_b_hash ON t USING hash (b);
        EXCEPTION WHEN OTHERS THEN
          CREATE INDEX t_b_hash ON t USING btree (b);
        END $$;
        DO $$ BEGIN
          ALTER TABLE t ALTER COLUMN b TYPE varchar(20);
        EXCEPTION WHEN SQLSTATE '0A000' THEN
          RAISE NOTICE 'could not';
        END $$;
        DO $$ BEGIN
          ALTER TABLE missing ADD COLUMN c int;
        EXCEPTION WHEN undefined_table THEN NULL;
        END $$;
        DO $$
        DECLARE
          words text[] := ARRAY['apple', 'banana'];
          n int;
        BEGIN
          ALTER TABLE t ADD COLUMN shortcode text;
          n := 3;
          UPDATE t SET shortcode = words[1] || n::text;
          CREATE UNIQUE INDEX t_shortcode_key ON t (a, shortcode);
        END $$;
        ALTER TABLE t ALTER COLUMN shortcode SET NOT NULL;
    """,
}

CASES = {**TABLE_AS, **RENAMES, **TYPES, **DROPS, **ALTERATIONS, **DO_BLOCKS}


@pytest.mark.parametrize("sql", list(CASES.values()), ids=list(CASES))
def test_what_a_history_changes_replays_as_postgresql_built_it(sql: str, pg: PostgresServer) -> None:
    assert judged_by_postgres(pg, sql, "sqlglot") == []
    assert_agree(sql, pg)


def test_statistics_objects_name_a_renamed_column_anew(pg: PostgresServer) -> None:
    assert judged_by_postgres(pg, STATISTICS, "sqlglot") == []
    assert_agree(STATISTICS, pg)
    [st, st2] = sorted(
        (
            obj
            for obj in normalize(STATISTICS, "postgres").objects.values()
            if getattr(obj, "kind", None) is Kind.STATISTICS
        ),
        key=lambda obj: obj.name,
    )
    assert st.sql == 'CREATE STATISTICS public.st ON yr, ("Bee" IS NULL) FROM public.t'
    assert st2.sql == 'CREATE STATISTICS public.st2 (ndistinct) ON a, "Bee" FROM public.t'


@pytest.mark.parametrize("sql", list(TABLE_AS.values()), ids=list(TABLE_AS))
def test_a_table_made_from_a_query_is_a_table(sql: str) -> None:
    schema = normalize(sql, "postgres")
    assert not schema.issues
    assert not [obj for obj in schema.objects.values() if getattr(obj, "opaque", False)]


def test_a_query_whose_columns_are_not_known_here_is_kept_and_said() -> None:
    """A view read, an unnamed expression, a function whose type is not known: kept as written, with a
    warning that schema.sql runs the query; none for one dropped afterwards."""
    sql = """
        CREATE TABLE t (id int, v text);
        CREATE VIEW tv AS SELECT id FROM t;
        CREATE TABLE from_view AS SELECT id FROM tv;
        CREATE TABLE unnamed AS SELECT id + 1 FROM t;
        CREATE TABLE called AS SELECT upper(v) AS u FROM t;
        CREATE TABLE dropped AS SELECT upper(v) AS u FROM t;
        DROP TABLE dropped;
    """
    schema = normalize(sql, "postgres")
    said = sorted(issue.message.split(":")[0] for issue in schema.issues)
    assert said == [
        "CREATE TABLE called AS",
        "CREATE TABLE from_view AS",
        "CREATE TABLE unnamed AS",
    ]
    assert all("--engine postgres" in issue.message for issue in schema.issues)
    kept = {obj.name for obj in schema.objects.values() if getattr(obj, "opaque", False)}
    assert kept == {"from_view", "unnamed", "called"}


def test_kept_as_written_it_replays_while_what_it_reads_exists(pg: PostgresServer) -> None:
    sql = """
        CREATE TABLE t (id int, v text);
        CREATE VIEW tv AS SELECT id FROM t;
        CREATE TABLE from_view AS SELECT id FROM tv;
    """
    assert judged_by_postgres(pg, sql, "sqlglot") == []
