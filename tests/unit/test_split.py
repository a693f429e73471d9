"""The statement splitter: where statements end, whatever hides a semicolon."""

from __future__ import annotations

import pytest

from schemareg.errors import SQLParseError
from schemareg.normalize.split import _split_scanning, line_column, split_statements


def texts(sql: str, dialect: str = "postgres") -> list[str]:
    statements, _ = split_statements(sql, dialect)
    return [s.text for s in statements]


@pytest.mark.parametrize(
    ("sql", "dialect", "expected"),
    [
        ("select 'a;b'; select 2", "postgres", ["select 'a;b'", "select 2"]),
        ("select 'it''s; fine'; select 2;", "postgres", ["select 'it''s; fine'", "select 2"]),
        ('select "a;b" from t;', "postgres", ['select "a;b" from t']),
        (
            "CREATE FUNCTION f() RETURNS int AS $x$ select 1; $x$ LANGUAGE sql; select 2;",
            "postgres",
            ["CREATE FUNCTION f() RETURNS int AS $x$ select 1; $x$ LANGUAGE sql", "select 2"],
        ),
        ("-- a; comment\nselect 1; /* b; */ select 2;", "postgres", ["select 1", "select 2"]),
        (
            "CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE y SET a = 1; END; select 1;",
            "sqlite",
            ["CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE y SET a = 1; END", "select 1"],
        ),
        (
            "DELIMITER //\nCREATE PROCEDURE p() BEGIN select 1; END//\nDELIMITER ;\nselect 'a\\';';",
            "mysql",
            ["CREATE PROCEDURE p() BEGIN select 1; END", "select 'a\\';'"],
        ),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; select 3;",
            "postgres",
            ["CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END", "select 3"],
        ),
    ],
)
def test_statements_end_only_where_they_end(sql: str, dialect: str, expected: list[str]) -> None:
    assert texts(sql, dialect) == expected
    assert split_statements(sql, dialect) == _split_scanning(sql, dialect)


def test_psql_meta_commands_are_left_out_and_counted() -> None:
    statements, meta = split_statements("\\restrict abc\nCREATE TABLE a (b int);\n\\unrestrict abc\n")
    assert [s.text for s in statements] == ["CREATE TABLE a (b int)"]
    assert meta == 2


def test_offsets_give_lines_and_columns() -> None:
    sql = "select 1;\n\n  select 2;"
    second = split_statements(sql)[0][1]
    assert line_column(sql, second.offset) == (3, 3)


@pytest.mark.parametrize("sql", ["select 'oops", "select 1; /* never closed", "select $$ body"])
def test_unterminated_text_is_refused(sql: str) -> None:
    with pytest.raises(SQLParseError):
        split_statements(sql)
