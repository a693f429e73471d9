"""A warm inspection answered from the state the server reports (registry/introspect/pg_state.py): the
same state gives the same answer in one query, and any change to the catalog, committed or rolled back,
made by another session or still in progress, is a new state whose inspection is read afresh and equals
an inspection without any cache. On the suite's PostgreSQL 18 and on Debian's 15. A write anywhere on a
server moves its snapshot on, so a hit is asserted only on Debian's throwaway cluster, which this worker
alone uses; a miss after a change holds on any server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote
from uuid import uuid4

import psycopg
import pytest
from _pytest.fixtures import SubRequest

from schemareg.introspect.base import Introspection
from schemareg.introspect.postgres import PostgresInspector
from schemareg.normalize import StatementCache
from tests.support.postgres import PostgresServer

SCHEMA = """
CREATE TABLE public.account (id serial PRIMARY KEY, name text NOT NULL, since timestamptz DEFAULT '2024-01-01 12:00:00+00');
CREATE TABLE public.knex_migrations (id serial PRIMARY KEY, name text, batch int, migration_time timestamptz);
"""

# Each a change to the catalog; the comment says what an inspection must show after it (or that its
# schema is the same and only its state moved: grants are not modelled by default).
CHANGES = [
    "ALTER TABLE public.account ALTER COLUMN name TYPE varchar(80)",  # a column's type
    "ALTER TABLE public.account ADD COLUMN note text",  # a new column
    "COMMENT ON COLUMN public.account.name IS 'who'",  # a comment
    "CREATE INDEX account_name_idx ON public.account (name)",  # an index
    "ALTER TABLE public.account DROP CONSTRAINT account_pkey",  # a key dropped
    "ALTER TABLE public.account ADD CONSTRAINT name_set CHECK (name <> '')",  # a constraint
    "ALTER SEQUENCE public.account_id_seq INCREMENT BY 5",  # a sequence's options
    "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",  # a routine
    "GRANT SELECT ON public.account TO {role}",  # a grant: the same schema, a new state
    "INSERT INTO public.knex_migrations (name, batch) VALUES ('0001_init.js', 1)",  # bookkeeping rows
]


@pytest.fixture(params=["suite", "debian"])
def server(request: SubRequest) -> PostgresServer:
    found: PostgresServer = request.getfixturevalue("pg" if request.param == "suite" else "pg_debian")
    return found


@pytest.fixture
def role(server: PostgresServer) -> Iterator[str]:
    name = f"state_{uuid4().hex[:12]}"  # roles are the server's, shared by every test on it
    with psycopg.connect(server.admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name}")  # type: ignore[arg-type]
    yield name
    with psycopg.connect(server.admin_url, autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {name}")  # type: ignore[arg-type]


@pytest.fixture
def database(server: PostgresServer, role: str) -> Iterator[str]:
    url = server.database("state")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA)  # type: ignore[arg-type]
    yield url
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {role}")  # type: ignore[arg-type]


@pytest.fixture
def private(request: SubRequest) -> bool:
    """Whether the server is this worker's alone (so that its snapshot moves only with this test)."""
    return "debian" in request.node.callspec.id


@pytest.fixture
def cache(tmp_path: Path) -> StatementCache:
    return StatementCache(tmp_path / "statements.sqlite3")


def inspect(url: str, cache: StatementCache) -> Introspection:
    return PostgresInspector(url, cache=cache).inspect()


def truth(url: str) -> Introspection:
    return PostgresInspector(url, cache=False).inspect()


def text(found: Introspection) -> str:
    return "\n".join(found.schema.rendered().values())


def assert_same(found: Introspection, expected: Introspection) -> None:
    assert found.schema.rendered() == expected.schema.rendered()
    assert found.fingerprint == expected.fingerprint
    assert found.ddl == expected.ddl
    assert (found.database_version, found.migrations) == (expected.database_version, expected.migrations)


def test_the_same_state_is_one_query(database: str, cache: StatementCache, private: bool) -> None:
    first = inspect(database, cache)
    again = inspect(database, cache)
    assert_same(again, first)
    if private:  # a shared server's snapshot moves with other tests' writes: there the answer is checked only
        assert first.queries > 1 and again.queries == 1
        cache.clear_memory()  # a new process: from the cache file
        assert inspect(database, cache).queries == 1


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_is_seen(
    database: str, cache: StatementCache, change: str, role: str, private: bool
) -> None:
    before = inspect(database, cache)
    assert inspect(database, cache).queries == 1 or not private
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(change.format(role=role))  # type: ignore[arg-type]
    after = inspect(database, cache)
    assert after.queries > 1  # read again
    assert_same(after, truth(database))
    if not change.startswith("GRANT"):
        assert (after.fingerprint, after.migrations) != (before.fingerprint, before.migrations)


def test_a_change_rolled_back_is_a_new_state_and_one_in_progress_is_not(
    database: str, cache: StatementCache, private: bool
) -> None:
    before = inspect(database, cache)
    with psycopg.connect(database) as conn:
        conn.execute("ALTER TABLE public.account ADD COLUMN later int")
        if private:  # (on a shared server the state may have moved on: a read would wait for the lock)
            during = inspect(database, cache)  # not committed: invisible, so the state is the one before
            assert during.queries == 1
            assert_same(during, before)
        conn.commit()
    after = inspect(database, cache)
    assert after.queries > 1 and "later" in text(after)
    with psycopg.connect(database) as conn:
        conn.execute("ALTER TABLE public.account DROP COLUMN later")
        conn.rollback()
    assert inspect(database, cache).queries > 1  # the same schema, but its state moved on
    assert_same(inspect(database, cache), truth(database))


def test_another_database_in_the_same_state_is_not_mistaken(
    server: PostgresServer, database: str, cache: StatementCache
) -> None:
    other = server.database("state")
    with psycopg.connect(other, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.other (id int)")
    inspect(database, cache)
    found = inspect(other, cache)  # nothing changed on the server between the two: the same snapshot
    assert found.queries > 1
    assert_same(found, truth(other))


def test_the_session_settings_and_the_role_are_part_of_the_state(
    database: str, cache: StatementCache
) -> None:
    """A timestamptz default is printed in the session's time zone, so a session in another zone is
    another state (the key has every setting)."""
    inspect(database, cache)
    zoned = database + ("&" if "?" in database else "?") + "options=" + quote("-c TimeZone=Asia/Tokyo")
    found = inspect(zoned, cache)
    assert found.queries > 1
    assert_same(found, truth(zoned))


def test_the_compiler_loads_during_the_read_of_a_database_not_seen_before(
    database: str, cache: StatementCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first inspection will compile its script, so the compiler loads while the server answers; a
    database read before, in another state, most likely has the same catalog (its schema cached) and
    loads none, and still gives what an inspection without a cache gives."""
    import schemareg.introspect.postgres as postgres

    asked: list[bool] = []
    real = postgres.compiler_loading

    def recorded(wanted: bool = True):  # type: ignore[no-untyped-def]
        asked.append(wanted)
        return real(wanted)

    monkeypatch.setattr(postgres, "compiler_loading", recorded)
    inspect(database, cache)
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("ALTER TABLE public.account ADD COLUMN note text")
    found = inspect(database, cache)
    assert asked == [True, False]
    assert_same(found, truth(database))
    assert asked[-1] is True  # no cache: nothing was seen
