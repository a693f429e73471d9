"""The statement splitter: where statements end, whatever hides a semicolon."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemareg.errors import SQLParseError
from schemareg.normalize.split import Statement, _split_scanning, line_column, split_statements
from schemareg.normalize.structure import structural_error


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


@pytest.mark.parametrize("split", [split_statements, _split_scanning], ids=["fast", "careful"])
@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO l VALUES (NEW.id); NOTIFY x;);\nSELECT 1;",
            [
                "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO l VALUES (NEW.id); NOTIFY x;)",
                "SELECT 1",
            ],
        ),
        (  # a bracket in quoted text counts for nothing
            "create or replace rule r as on update to t do (insert into l values (')'); notify x);\nSELECT 1;",
            [
                "create or replace rule r as on update to t do (insert into l values (')'); notify x)",
                "SELECT 1",
            ],
        ),
        (  # brackets that never close: the statement ends at its first semicolon, its error says where
            "CREATE RULE r AS ON INSERT TO t DO (INSERT INTO l VALUES (1;\nCREATE TABLE u (b int);",
            ["CREATE RULE r AS ON INSERT TO t DO (INSERT INTO l VALUES (1", "CREATE TABLE u (b int)"],
        ),
        (  # in any other statement, a bracket left open ends at the semicolon as before
            "CREATE TABLE t (a int;\nCREATE TABLE u (b int);",
            ["CREATE TABLE t (a int", "CREATE TABLE u (b int)"],
        ),
    ],
)
def test_a_rules_actions_in_brackets_are_one_statement(
    split: Callable[[str, str], tuple[list[Statement], int]], sql: str, expected: list[str]
) -> None:
    statements, _ = split(sql, "postgres")
    assert [s.text for s in statements] == expected


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


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("COMMENT ON TABLE t IS E'O\\'Brien'; select 2;", ["COMMENT ON TABLE t IS E'O\\'Brien'", "select 2"]),
        ("select 1 /* a /* b */ ; */; select 2;", ["select 1 /* a /* b */ ; */", "select 2"]),
        ("select `a;b` from t;", ["select `a", "b` from t"]),  # a backtick is no quote in PostgreSQL
    ],
)
def test_escape_strings_and_nested_comments(sql: str, expected: list[str]) -> None:
    assert texts(sql) == expected
    assert split_statements(sql) == _split_scanning(sql)


_PIECES = [
    "select",
    " ",
    "\n",
    "\t",
    "x",
    "e",
    "E",
    "1",
    ";",
    "'",
    "''",
    "E'",
    "\\",
    "\\'",
    '"',
    "`",
    "[",
    "]",
    "#",
    "$$",
    "$a$",
    "$",
    "-",
    "--",
    "/",
    "*",
    "/*",
    "*/",
    "(",
    ")",
    "BEGIN",
    "END",
    "CASE",
    "ATOMIC",
    "CREATE FUNCTION f() ",
    "CREATE TRIGGER t ",
    "CREATE RULE r AS ON INSERT TO t DO ALSO ",
]


def _outcome(split: Callable[[str, str], object], sql: str, dialect: str) -> object:
    try:
        return split(sql, dialect)
    except SQLParseError as error:
        return ("refused", str(error))


@settings(max_examples=1500, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(_PIECES), max_size=40),
    dialect=st.sampled_from(["postgres", "mysql", "sqlite"]),
)
def test_fast_path_and_careful_scanner_agree(pieces: list[str], dialect: str) -> None:
    sql = "".join(pieces)
    assert _outcome(split_statements, sql, dialect) == _outcome(_split_scanning, sql, dialect)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("CREATE TABLE t (a text DEFAULT ')')", None),
        ("CREATE TABLE t (a int /* ( */)", None),
        ("CREATE TABLE t (a int -- (\n)", None),
        ('CREATE TABLE "(" (a int)', None),
        ("CREATE FUNCTION f() RETURNS int AS $$ ( $$ LANGUAGE sql", None),
        ("CREATE TABLE t ((a int)", "'(' is never closed"),
        ("CREATE TABLE t (a int))", "unbalanced ')'"),
        ("CREATE TABLE t (a text DEFAULT '(' ", "'(' is never closed"),
        ("CREATE INDEX i ON t (a", "'(' is never closed"),
        ("ALTER TABLE t ADD COLUMN a text DEFAULT 'x,y'", None),
        ("ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int", None),
        ("ALTER TABLE t ADD CONSTRAINT c CHECK (x <> ','),", "an ALTER TABLE action is missing"),
        ("ALTER TABLE t ADD COLUMN", "unfinished ALTER TABLE action: ADD COLUMN"),
        ("ALTER TABLE t ADD COLUMN a int, DROP", "unfinished ALTER TABLE action: DROP"),
    ],
)
def test_structural_errors_see_brackets_and_commas_outside_quotes_only(
    text: str, message: str | None
) -> None:
    """Brackets and commas inside quotes, quoted names, dollar quotes and comments do not count, with or
    without anything quoted elsewhere in the statement (the check skips its blanking pass when nothing is)."""
    found = structural_error(text)
    assert (found[0] if found else None) == message
