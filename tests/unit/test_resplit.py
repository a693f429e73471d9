"""Splitting a script again from the split of one seen before (resplit.py) gives what splitting it whole
gives: the same statements, offsets, meta-command count and keys, whatever the edit and wherever it is."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemareg.errors import SQLParseError
from schemareg.normalize import resplit
from schemareg.normalize.resplit import SplitMemo, _shared
from schemareg.normalize.split import split_statements

_SCRIPTS = {
    "postgres": (
        "\\restrict abc\nCREATE TABLE a (id int, b text DEFAULT 'x;y');\n-- c; omment\n"
        "CREATE INDEX a_b ON a (b);\n/* a /* nested; */ comment */ CREATE TABLE c (d int);\n"
        "CREATE FUNCTION f() RETURNS int AS $x$ select 1; $x$ LANGUAGE sql;\nSELECT E'\\';', 'it''s';\n"
        "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
        "COMMENT ON TABLE \"a;\" IS 't';;\n\\unrestrict abc\nCREATE VIEW v AS SELECT 1;\n"
        "CREATE RULE r AS ON INSERT TO a DO ALSO (INSERT INTO c VALUES (1); NOTIFY a);\nCREATE TABLE e (f int);\n"
    ),
    "mysql": (
        "CREATE TABLE a (id int, b text DEFAULT 'x\\';y');\n# c; omment\nCREATE TABLE `c;` (d int);\n"
        'CREATE PROCEDURE p() BEGIN select 1; END;\nselect "a;";\n'
    ),
    "sqlite": (
        "CREATE TABLE a (id int, [b;] text);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET id = 1;"
        " END;\nselect 'x;';\nCREATE TABLE c (d int);\n"
    ),
}
# What an edit puts in: whatever hides, ends or begins a statement, or changes what follows it.
_PIECES = [
    "",
    ";",
    ";;",
    "'",
    '"',
    "`",
    "[",
    "$$",
    "$x$ ; $x$",
    "/*",
    "*/",
    "-- c\n",
    "# c\n",
    "\\connect db\n",
    "E'",
    "e",
    "\n",
    " ",
    "x",
    "BEGIN ",
    "END;",
    "CREATE FUNCTION h() BEGIN ATOMIC SELECT 1; END;",
    "CREATE RULE q AS ON UPDATE TO a DO (",
    "(",
    ")",
    "DELIMITER //\n",
    "CREATE TABLE z (y int);",
]


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def _whole(sql: str, dialect: str) -> object:
    try:
        statements, meta = split_statements(sql, dialect)
    except SQLParseError as error:
        return str(error)
    return statements, meta, [_key(s.text) for s in statements]


def _again(memo: SplitMemo, sql: str, dialect: str) -> object:
    try:
        return memo.split(sql, dialect, b"salt", _key)
    except SQLParseError as error:
        return str(error)


@settings(max_examples=300, deadline=None)
@given(
    dialect=st.sampled_from(sorted(_SCRIPTS)),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 8), st.sampled_from(_PIECES)), min_size=1, max_size=4
    ),
)
def test_a_script_split_again_is_split_as_a_whole(dialect: str, edits: list[tuple[float, int, str]]) -> None:
    memo = SplitMemo()
    sql = _SCRIPTS[dialect]
    assert _again(memo, sql, dialect) == _whole(sql, dialect)
    for where, removed, piece in edits:  # each edit split against the scripts seen before it
        at = int(where * len(sql))
        sql = sql[:at] + piece + sql[at + removed :]
        assert _again(memo, sql, dialect) == _whole(sql, dialect)


@pytest.mark.parametrize("dialect", sorted(_SCRIPTS))
def test_one_statement_changed_is_the_only_one_keyed_again(dialect: str) -> None:
    memo, keyed = SplitMemo(), []

    def key(text: str) -> bytes:
        keyed.append(text)
        return _key(text)

    sql = "".join(f"CREATE TABLE t{n} (a int);\n" for n in range(50))
    memo.split(sql, dialect, b"salt", key)
    keyed.clear()
    changed = sql.replace("t25 (a int)", "t25 (a int, b text)")
    assert memo.split(changed, dialect, b"salt", key) == _whole(changed, dialect)
    assert keyed == ["CREATE TABLE t25 (a int, b text)"]


def test_another_salt_is_another_split() -> None:
    memo = SplitMemo()
    memo.split("select 1;", "postgres", b"one", _key)
    assert memo.split("select 1;", "postgres", b"two", lambda text: b"other") == (
        split_statements("select 1;")[0],
        0,
        [b"other"],
    )


@given(st.text("ab;", max_size=12), st.text("ab;", max_size=12))
def test_the_shared_start_and_end(old: str, new: str) -> None:
    head, tail = _shared(old, new)
    assert old[:head] == new[:head] and (head == min(len(old), len(new)) or old[head] != new[head])
    assert head + tail <= min(len(old), len(new))
    assert old[len(old) - tail :] == new[len(new) - tail :]
    room = min(len(old), len(new)) - head
    assert tail == room or old[len(old) - tail - 1] != new[len(new) - tail - 1]


def test_the_scripts_kept_are_bounded_in_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resplit, "_RECENT_CHARS", 100)
    memo = SplitMemo()
    for n in range(6):
        memo.split(f"CREATE TABLE t{n} (a text DEFAULT '{'x' * 30}');", "postgres", b"salt", _key)
    assert 1 <= len(memo._recent) <= 2
    memo.split("x" * 200, "postgres", b"salt", _key)  # too long to keep at all
    assert memo._recent == []
