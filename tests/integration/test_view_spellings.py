"""Spellings of a view that PostgreSQL stores as one query, with PostgreSQL as the judge: the sqlglot
engine's schema is the postgres engine's (pg_get_viewdef read back; no phantom change), and the canonical
schema.sql builds the views the file built (the same column names).

- `LEFT OUTER JOIN`, `RIGHT OUTER JOIN`, `FULL OUTER JOIN`: OUTER is a noise word, printed `LEFT JOIN`;
"""

from __future__ import annotations

import pytest

from tests.integration.test_fidelity import assert_agree
from tests.integration.test_roundtrip import judged_by_postgres
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.integration

BOTH = ("pg", "pg_debian")

CASES: dict[str, tuple[tuple[str, ...], str]] = {
    "outer joins": (
        BOTH,
        """
        CREATE TABLE a (id int, n int);
        CREATE TABLE b (id int, m int);
        CREATE TABLE c (id int);
        CREATE VIEW v AS SELECT a.id, b.m FROM a LEFT OUTER JOIN b ON a.id = b.id;
        CREATE VIEW w AS SELECT c.id FROM a right outer join c ON c.id = a.id;
        CREATE VIEW x AS SELECT a.n, b.m FROM a FULL OUTER JOIN b ON b.id = a.id WHERE a.n > 1;
        CREATE VIEW y AS SELECT a.n FROM a INNER JOIN b ON b.id = a.id;
        CREATE VIEW z AS SELECT s.n FROM (SELECT a.n FROM a LEFT OUTER JOIN c ON c.id = a.id) s;
        """,
    ),
}


@pytest.mark.parametrize(
    ("server", "case"), [(server, case) for case, (servers, _) in sorted(CASES.items()) for server in servers]
)
def test_view_spelling_agrees_and_replays(request: pytest.FixtureRequest, server: str, case: str) -> None:
    pg: PostgresServer = request.getfixturevalue(server)
    sql = CASES[case][1]
    assert_agree(sql, pg)
    assert judged_by_postgres(pg, sql, "sqlglot") == []
