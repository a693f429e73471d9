"""The PostgreSQL side of backups that needs no server: version numbers and the fingerprint's input."""

from __future__ import annotations

import pytest

from schemareg.backup.pg import major_of, without_internal_column_options


@pytest.mark.parametrize(
    ("text", "major"),
    [("pg_dump (PostgreSQL) 18.6", 18), ("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)", 15),
     ("PostgreSQL 16.4", 16), ("17devel", 17), ("", 0)],
)  # fmt: skip
def test_major_versions(text: str, major: int) -> None:
    assert major_of(text) == major


def test_server_bookkeeping_column_options_are_not_schema() -> None:
    script = (
        "CREATE TABLE public.t (id integer, v text);\n"
        "ALTER TABLE ONLY public.t ALTER COLUMN id SET (pg_attver=48563832);\n"
        "ALTER TABLE ONLY public.t ALTER COLUMN v SET (n_distinct=100, pg_attver=48563832);\n"
    )
    assert without_internal_column_options(script) == (
        "CREATE TABLE public.t (id integer, v text);\n\n"
        "ALTER TABLE ONLY public.t ALTER COLUMN v SET (n_distinct=100);\n"
    )
