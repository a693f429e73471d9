import psycopg
def test_pg(pg_database):
    with psycopg.connect(pg_database) as c:
        assert c.execute("select 1").fetchone() == (1,)
