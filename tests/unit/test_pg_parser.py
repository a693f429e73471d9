"""The normaliser's PostgreSQL parser keeps a call of PostgreSQL's own functions as called (the names of
AS_WRITTEN), however it is spelt, and nothing else changes."""

from __future__ import annotations

import pytest

from schemareg.normalize import normalize
from schemareg.normalize.pg_parser import _HINTS, AS_WRITTEN, calls_one, parse_one


def test_every_name_is_found_by_its_hint() -> None:
    assert [name for name in AS_WRITTEN if not any(hint in name for hint in _HINTS)] == []
    assert all(calls_one(f"select {name} (a)") for name in AS_WRITTEN)


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        ("substr(a, 1, 2)", "SUBSTR(a, 1, 2)"),
        ("SUBSTR (a, 2)", "SUBSTR(a, 2)"),
        ("pg_catalog.btrim(a)", "pg_catalog.btrim(a)"),
        ("strpos(a, 'substr(')", "STRPOS(a, 'substr(')"),
        ("substring(a from 2)", "SUBSTRING(a FROM 2)"),
        ("trim(a)", "TRIM(a)"),
    ],
)
def test_a_call_prints_as_written(written: str, printed: str) -> None:
    assert parse_one(f"SELECT {written}", "postgres").sql("postgres") == f"SELECT {printed}"


def test_other_dialects_read_as_sqlglot_does() -> None:
    text = normalize("CREATE VIEW v AS SELECT substr(a, 1, 2) AS s FROM t;", "mysql", cache=False)
    assert "SUBSTRING(" in next(iter(text.rendered().values()))
