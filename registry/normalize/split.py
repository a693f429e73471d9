"""Split a SQL script into statements without parsing it: quotes, dollar quotes, comments, compound bodies.

This is the cheap first pass of normalisation: the statement texts it returns key the statement cache, so a
warm run never tokenizes a statement it has seen before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import msgspec

from schemareg.errors import SQLParseError
from schemareg.lazy_re import lazy_compile


class Statement(msgspec.Struct, frozen=True):
    text: str  # without surrounding whitespace and comments, without the final delimiter
    offset: int  # where it starts in the script (line and column only when a message needs them)


_PARTS = r"""
      (?P<meta>\\[^\n]*)
    | (?P<delimiter>^[ \t]*(?i:DELIMITER)[ \t]+\S+[ \t]*$)
    | (?P<line_comment>--[^\n]*)
    | (?P<hash_comment>\#[^\n]*)
    | (?P<block_comment>/\*)
    | (?P<dollar>(?<![\w$])\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$)
    | (?P<quote>(?<![A-Za-z0-9_$])[EeBbXxNn]'|'|"|`|\[)
    | (?P<semi>;)
"""
# Outside compound statements only the characters that can hide or end a statement matter.
_SCAN = lazy_compile(_PARTS, re.VERBOSE | re.MULTILINE)
# Inside CREATE TRIGGER/FUNCTION/PROCEDURE bodies, BEGIN ... END nesting decides where it ends.
_SCAN_WORDS = lazy_compile(
    _PARTS + r"| (?P<word>(?<![A-Za-z0-9_$])(?i:BEGIN|CASE|END)(?![A-Za-z0-9_$]))", re.VERBOSE | re.MULTILINE
)
_COMPOUND_HEAD = lazy_compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:TEMP(?:ORARY)?\s+)?"
    r"(?:TRIGGER|PROCEDURE|FUNCTION|EVENT)\b",
    re.IGNORECASE,
)
# Blanks and comments before a statement; a PostgreSQL comment with another inside is not skipped here
# (comments nest there), so the careful scanner reads it.
_LEADING_COMMENTS = {
    "postgres": re.compile(r"(?:\s+|--[^\n]*|/\*(?:[^*/]|\*(?!/)|/(?!\*))*\*/)*"),
    "other": re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/)*", re.DOTALL),
}
_NEXT_WORD = lazy_compile(r"\s*([A-Za-z_]+)")
_CLOSERS = {"IF", "LOOP", "WHILE", "REPEAT"}


def _leading_end(sql: str, pos: int, end: int, dialect: str) -> int:
    """Where the statement starting at `pos` begins after blanks and comments (nested ones included)."""
    pattern = _LEADING_COMMENTS["postgres" if dialect == "postgres" else "other"]
    while True:
        m = pattern.match(sql, pos, end)
        pos = m.end() if m else pos
        if dialect != "postgres" or not sql.startswith("/*", pos) or pos + 2 > end:
            return pos
        pos = min(_skip_block_comment(sql, pos + 2, nested=True), end)


def line_column(sql: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset in a script."""
    return sql.count("\n", 0, offset) + 1, offset - (sql.rfind("\n", 0, offset) + 1) + 1


def _unterminated(sql: str, pos: int, what: str) -> SQLParseError:
    line, column = line_column(sql, pos)
    return SQLParseError(f"unterminated {what}", line=line, column=column)


def _skip_block_comment(sql: str, pos: int, *, nested: bool) -> int:
    # PostgreSQL block comments nest; MySQL's and SQLite's end at the first */.
    depth, i = 1, pos
    while depth:
        close = sql.find("*/", i)
        if close < 0:
            raise _unterminated(sql, pos - 2, "comment")
        opening = sql.find("/*", i, close) if nested else -1
        if opening >= 0:
            depth, i = depth + 1, opening + 2
        else:
            depth, i = depth - 1, close + 2
    return i


def _skip_quoted(sql: str, pos: int, close: str, backslash: bool) -> int:
    """Return the index just after the closing quote; raise on an unterminated literal."""
    i = pos
    while True:
        j = sql.find(close, i)
        if j < 0:
            raise _unterminated(sql, pos - 1, "quoted text")
        if backslash:
            k = j - 1
            while k >= pos and sql[k] == "\\":
                k -= 1
            if (j - 1 - k) % 2:
                i = j + 1
                continue
        if close != "]" and sql.startswith(close, j + 1):  # a doubled quote escapes itself
            i = j + 2
            continue
        return j + 1


def _statement_pattern(dialect: str) -> re.Pattern[str]:
    """One regex match per statement: runs of plain text, quoted text, comments and dollar quotes."""
    if dialect == "mysql":
        strings = r"""'(?:[^'\\]|\\.|'')*+'|"(?:[^"\\]|\\.|"")*+"|`(?:[^`]|``)*+`|\#[^\n]*"""
        specials = "'\"`#"
    elif dialect == "sqlite":
        strings = r"""'(?:[^']|'')*+'|"(?:[^"]|"")*+"|`(?:[^`]|``)*+`|\[[^\]]*+\]"""
        specials = "'\"`["
    else:
        # E'...' takes backslash escapes (E'O\'Brien'); PostgreSQL's comments nest, so a comment with
        # another one inside is left to the careful scanner (the match stops at the inner opening).
        strings = (
            r"""(?<![A-Za-z0-9_$])[Ee]'(?:[^'\\]|\\.|'')*+'|'(?:[^']|'')*+'|"(?:[^"]|"")*+"|"""
            r"""(?<![\w$])\$(?P<tag>[A-Za-z_][A-Za-z_0-9]*|)\$.*?\$(?P=tag)\$"""
        )
        specials = "'\"$Ee"
    plain = "[^;\\-/" + re.escape(specials) + "]+"
    if dialect == "postgres":
        # An E or e that opens no E'' string is plain text: taken here, not after every other alternative.
        plain += "|[Ee](?!')"
    comment = r"/\*(?:[^*/]|\*(?!/)|/(?!\*))*+\*/" if dialect == "postgres" else r"/\*(?:[^*]|\*(?!/))*+\*/"
    # A lone special character, but never the opening of a comment, dollar quote or E'' string that the
    # alternatives above could not close: the match stops there, and the caller hands the rest of the
    # script to the careful scanner, which reads it or reports where it is unterminated.
    unclosed = (
        r"(?!(?<![\w$])\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$)(?!(?<![A-Za-z0-9_$])[Ee]')"
        if dialect == "postgres"
        else ""
    )
    lone = rf"(?!/\*){unclosed}[^;'\"`{'[' if dialect == 'sqlite' else ''}]"
    # Possessive loops: a quoted part ends where the careful scanner ends it, never at a shorter reading.
    return re.compile(rf"(?:{plain}|{strings}|--[^\n]*|{comment}|{lone})*+", re.DOTALL)


_PATTERNS = {d: _statement_pattern(d) for d in ("postgres", "mysql", "sqlite")}
# What can hide a semicolon or end a statement's match early in any dialect: quotes, comments, dollar quotes,
# escapes. A statement without any of them ends at its first semicolon, found without the pattern.
_HIDING = lazy_compile(r"['\"$`\[#\-/\\]")
_META_LINE = lazy_compile(r"\\[^\n]*\n?")
_HAS_DELIMITER = lazy_compile(r"^[ \t]*DELIMITER[ \t]", re.IGNORECASE | re.MULTILINE)
_ATOMIC = lazy_compile(r"\bBEGIN\s+ATOMIC\b", re.IGNORECASE)


def split_statements(sql: str, dialect: str = "postgres") -> tuple[list[Statement], int]:
    """Return the statements of a script and how many psql meta-commands were left out.

    Each statement is one match of a dialect regex, so the cost is one C-level scan of the script; compound
    bodies (BEGIN ... END with inner semicolons) and MySQL DELIMITER blocks take the careful scanner.
    """
    statements, meta, _ = split_traced(sql, dialect)
    return statements, meta


# Where the reading of each statement began (just after the previous one's semicolon) and how many meta
# commands came before that place; (-1, -1) for a statement the careful scanner read.
Tops = list[tuple[int, int]]
# Given such a place, the rest of the script's split, if it is known already (resplit.py).
Resume = Callable[[int, int], tuple[list[Statement], int, Tops] | None]


def split_traced(
    sql: str,
    dialect: str = "postgres",
    pos: int = 0,
    meta: int = 0,
    *,
    resume: Resume | None = None,
    resume_from: int = 0,
) -> tuple[list[Statement], int, Tops]:
    """split_statements from `pos` (a place where a statement's reading begins, `meta` meta commands
    before it), with the place each statement's reading began. What is read from a place depends on the
    text from just before it on only, so at a place at or past `resume_from`, `resume(place, meta)` may
    hand over the rest (its statements, meta commands and places). A MySQL script with DELIMITER lines is
    read whole by the careful scanner, whatever `pos`."""
    if dialect == "mysql" and _HAS_DELIMITER.search(sql):
        scanned, count = _split_scanning(sql, dialect)
        return scanned, count, [(-1, -1)] * len(scanned)
    pattern = _PATTERNS.get(dialect, _PATTERNS["postgres"])
    statements: list[Statement] = []
    tops: Tops = []
    n = len(sql)
    while pos <= n:
        if resume is not None and pos >= resume_from:
            known = resume(pos, meta)
            if known is not None:
                return statements + known[0], meta + known[1], tops + known[2]
        top = (pos, meta)
        first = _leading_end(sql, pos, n, dialect)
        while sql.startswith("\\", first):  # psql meta-command lines (\restrict KEY, \connect db)
            meta += 1
            m = _META_LINE.match(sql, first)
            first = _leading_end(sql, m.end() if m else n, n, dialect)
        if first >= n:
            break
        semi = sql.find(";", first)
        if semi >= 0 and _HIDING.search(sql, first, semi) is None:
            end = semi  # nothing before the next semicolon can hide it: where the pattern would stop
        else:
            m = pattern.match(sql, first)
            end = m.end() if m else n
        far = False
        if dialect == "postgres" and end < n and _RULE_HEAD.match(sql, first):
            end, far = _closing_end(sql, first, end, pattern)
        if (end < n and sql[end] != ";") or (
            _COMPOUND_HEAD.match(sql, first) and (dialect != "postgres" or _ATOMIC.search(sql, first, end))
        ):
            rest, rest_meta = _split_scanning(sql, dialect, first)
            return statements + rest, meta + rest_meta, tops + [(-1, -1)] * len(rest)
        text = sql[first:end].rstrip()
        if text:
            statements.append(Statement(text, first))
            tops.append((-1, -1) if far else top)  # read past its end: not a place to resume from
        pos = end + 1
    return statements, meta, tops


# The one statement whose brackets can hold semicolons: a rule's actions, `DO ALSO (INSERT ...; UPDATE ...)`.
# (psql reads on past a semicolon inside brackets in any statement; in any other it is an error anyway,
# which reads more clearly where the statement ends at its first semicolon.)
_RULE_HEAD = lazy_compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?RULE\b", re.IGNORECASE)
# PostgreSQL's brackets, outside quoted text and comments (a nested comment takes the careful scanner).
_BRACKETS = lazy_compile(
    r"""(?<![A-Za-z0-9_$])[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|"(?:[^"]|"")*"|"""
    r"""(?<![\w$])\$(?P<tag>[A-Za-z_][A-Za-z_0-9]*|)\$.*?\$(?P=tag)\$|--[^\n]*|/\*.*?\*/|(?P<bracket>[()])""",
    re.DOTALL,
)
# How far past its first semicolon a statement with a bracket open there is read for the one that closes it.
_BRACKET_LOOKAHEAD = 1 << 16


def _open_brackets(sql: str, start: int, end: int, depth: int = 0) -> int:
    """The brackets open at `end` of those opened since `start` (`depth` open before), as psql counts them:
    a `)` with none open is ignored."""
    for m in _BRACKETS.finditer(sql, start, end):
        bracket = m.group("bracket")
        if bracket == "(":
            depth += 1
        elif bracket == ")" and depth:
            depth -= 1
    return depth


def _closing_end(sql: str, first: int, end: int, pattern: re.Pattern[str]) -> tuple[int, bool]:
    """Where a PostgreSQL statement ends whose first semicolon (`end`) is inside brackets: at the first one
    outside them, as psql reads it (a rule's `DO ALSO (INSERT ...; UPDATE ...)`). If they do not close
    (within _BRACKET_LOOKAHEAD), at `end`, and the statement's own error says which bracket is open; the
    second value says whether the reading looked past the end it returns."""
    depth = _open_brackets(sql, first, end)
    n, at = len(sql), end
    while depth and at < n and at - end < _BRACKET_LOOKAHEAD:
        m = pattern.match(sql, at + 1)
        following = m.end() if m else n
        if following < n and sql[following] != ";":
            return end, True  # something the pattern cannot read: the careful scanner's to find
        depth, at = _open_brackets(sql, at + 1, following, depth), following
    return (at, False) if not depth else (end, True)


def _split_scanning(sql: str, dialect: str = "postgres", start: int = 0) -> tuple[list[Statement], int]:
    """The careful scanner: one event at a time, with BEGIN ... END nesting and DELIMITER lines.

    It reads the script from `start`, a statement's beginning (the fast path hands it the rest).
    """
    statements: list[Statement] = []
    meta = 0
    delimiter = ";"
    depth = 0
    compound = False
    pos = start
    n = len(sql)

    # In a rule (_RULE_HEAD): the first semicolon inside brackets (psql reads on to one outside them),
    # the brackets open there, and where they were counted up to.
    pending: int | None = None
    brackets, counted, rule = 0, start, False

    def begin(at: int) -> None:
        nonlocal start, depth, compound, pending, brackets, counted, rule
        start, depth, pending, brackets, counted = at, 0, None, 0, at
        head = _leading_end(sql, at, n, dialect)
        compound = bool(_COMPOUND_HEAD.match(sql, head))
        rule = dialect == "postgres" and bool(_RULE_HEAD.match(sql, head))

    def flush(end: int) -> None:
        first = _leading_end(sql, start, end, dialect)
        text = sql[first:end].rstrip()
        if text:
            statements.append(Statement(text, first))

    begin(start)
    while pos < n:
        if delimiter != ";":
            d = sql.find(delimiter, pos)
            m = (_SCAN_WORDS if compound else _SCAN).search(sql, pos, d if d >= 0 else n)
            if m is None:
                if d < 0:
                    break
                flush(d)
                pos = d + len(delimiter)
                begin(pos)
                continue
        else:
            m = (_SCAN_WORDS if compound else _SCAN).search(sql, pos)
            if m is None:
                break
        kind = m.lastgroup
        pos = m.end()
        if kind == "meta":
            if _leading_end(sql, start, m.start(), dialect) < m.start():
                pos = m.start() + 1
                continue  # a backslash inside a statement is not a psql command
            meta += 1
            begin(pos)
        elif kind == "delimiter":
            if dialect != "mysql":
                continue
            flush(m.start())
            delimiter = m.group(0).split()[1]
            begin(pos)
        elif kind == "hash_comment":
            if dialect != "mysql":
                pos = m.start() + 1  # '#' is an operator outside MySQL
        elif kind == "block_comment":
            pos = _skip_block_comment(sql, pos, nested=dialect == "postgres")
        elif kind == "dollar":
            if dialect != "postgres":
                pos = m.start() + 1
                continue
            end = sql.find(m.group(0), pos)
            if end < 0:
                raise _unterminated(sql, m.start(), "dollar-quoted text")
            pos = end + len(m.group(0))
        elif kind == "quote":
            opener = m.group(0)
            if opener == "[" or opener == "`":
                if opener == "`" and dialect == "postgres":
                    continue  # not a quote in PostgreSQL
                if opener == "[" and dialect != "sqlite":
                    continue
                close = "]" if opener == "[" else "`"
            else:
                close = opener[-1]
            backslash = (opener[0] in "Ee" and dialect == "postgres") or (
                dialect == "mysql" and close in "'\""
            )
            pos = _skip_quoted(sql, pos, close, backslash)
        elif kind == "word":
            word = m.group(0).upper()
            if word == "END":
                if depth and _next_word(sql, pos) not in _CLOSERS:
                    depth -= 1
            elif dialect != "postgres" or (word == "CASE" and depth) or _next_word(sql, pos) == "ATOMIC":
                depth += 1  # in PostgreSQL only a BEGIN ATOMIC body nests
        elif kind == "semi" and delimiter == ";" and depth == 0:
            if rule:
                brackets, counted = _open_brackets(sql, counted, m.start(), brackets), m.start()
                if brackets and (pending is None or m.start() - pending < _BRACKET_LOOKAHEAD):
                    pending = m.start() if pending is None else pending
                    continue
                if brackets and pending is not None:  # they do not close: the statement ends at the first
                    flush(pending)
                    pos = pending + 1
                    begin(pos)
                    continue
            flush(m.start())
            begin(pos)
    if pending is not None and _open_brackets(sql, counted, n, brackets):
        flush(pending)
        return _with_rest(statements, meta, sql, dialect, pending + 1)
    flush(n)
    return statements, meta


def _with_rest(
    statements: list[Statement], meta: int, sql: str, dialect: str, start: int
) -> tuple[list[Statement], int]:
    """`statements` and `meta` with those the careful scanner reads from `start` on."""
    rest, rest_meta = _split_scanning(sql, dialect, start)
    return statements + rest, meta + rest_meta


def _next_word(sql: str, pos: int) -> str:
    m = _NEXT_WORD.match(sql, pos)
    return m.group(1).upper() if m else ""
