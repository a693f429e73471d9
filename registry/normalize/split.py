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
        if (end < n and sql[end] != ";") or (
            _COMPOUND_HEAD.match(sql, first) and (dialect != "postgres" or _ATOMIC.search(sql, first, end))
        ):
            rest, rest_meta = _split_scanning(sql, dialect, first)
            return statements + rest, meta + rest_meta, tops + [(-1, -1)] * len(rest)
        text = sql[first:end].rstrip()
        if text:
            statements.append(Statement(text, first))
            tops.append(top)
        pos = end + 1
    return statements, meta, tops


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

    def begin(at: int) -> None:
        nonlocal start, depth, compound
        start, depth = at, 0
        compound = bool(_COMPOUND_HEAD.match(sql, _leading_end(sql, at, n, dialect)))

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
            flush(m.start())
            begin(pos)
    flush(n)
    return statements, meta


def _next_word(sql: str, pos: int) -> str:
    m = _NEXT_WORD.match(sql, pos)
    return m.group(1).upper() if m else ""


_OUTSIDE_CODE = lazy_compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|(?<![\w$])\$(?P<tag>[A-Za-z_][A-Za-z_0-9]*|)\$.*?\$(?P=tag)\$"
    r"|--[^\n]*|/\*.*?\*/",
    re.DOTALL,
)
SQL_COMMANDS = frozenset(
    [
        "ALTER",
        "ANALYZE",
        "ATTACH",
        "BEGIN",
        "CALL",
        "CHECKPOINT",
        "CLOSE",
        "CLUSTER",
        "COMMENT",
        "COMMIT",
        "COPY",
        "CREATE",
        "DEALLOCATE",
        "DECLARE",
        "DELETE",
        "DETACH",
        "DISCARD",
        "DO",
        "DROP",
        "END",
        "EXECUTE",
        "EXPLAIN",
        "FETCH",
        "FLUSH",
        "GRANT",
        "IMPORT",
        "INSERT",
        "KILL",
        "LISTEN",
        "LOAD",
        "LOCK",
        "MERGE",
        "MOVE",
        "NOTIFY",
        "OPTIMIZE",
        "PRAGMA",
        "PREPARE",
        "REASSIGN",
        "REFRESH",
        "REINDEX",
        "RELEASE",
        "RENAME",
        "REPLACE",
        "RESET",
        "REVOKE",
        "ROLLBACK",
        "SAVEPOINT",
        "SECURITY",
        "SELECT",
        "SET",
        "SHOW",
        "START",
        "TABLE",
        "TRUNCATE",
        "UNLISTEN",
        "UNLOCK",
        "UPDATE",
        "USE",
        "VACUUM",
        "VALUES",
        "WITH",
    ]
)
_FIRST_WORD = lazy_compile(r"[A-Za-z_]+")


# What CREATE, ALTER and DROP can name (PostgreSQL, MySQL, SQLite), after any modifiers.
_OBJECT_KINDS = frozenset(
    [
        "ACCESS",
        "AGGREGATE",
        "CAST",
        "COLLATION",
        "CONVERSION",
        "DATABASE",
        "DOMAIN",
        "EVENT",
        "EXTENSION",
        "FOREIGN",
        "FUNCTION",
        "GROUP",
        "INDEX",
        "LANGUAGE",
        "LARGE",
        "MATERIALIZED",
        "OPERATOR",
        "POLICY",
        "PROCEDURE",
        "PUBLICATION",
        "ROLE",
        "ROUTINE",
        "RULE",
        "SCHEMA",
        "SEQUENCE",
        "SERVER",
        "STATISTICS",
        "SUBSCRIPTION",
        "TABLE",
        "TABLESPACE",
        "TEXT",
        "TRANSFORM",
        "TRIGGER",
        "TYPE",
        "USER",
        "VIEW",
        "DEFAULT",
        "SYSTEM",
        "OWNED",
        "VIRTUAL",
        "LOGFILE",
        "INSTANCE",
        "RESOURCE",
        "SPATIAL",
        "FULLTEXT",
        "PROPERTY",
        "VECTOR",
    ]
)
_KIND_MODIFIERS = frozenset(
    [
        "OR",
        "REPLACE",
        "TEMP",
        "TEMPORARY",
        "UNLOGGED",
        "GLOBAL",
        "LOCAL",
        "UNIQUE",
        "RECURSIVE",
        "TRUSTED",
        "PROCEDURAL",
        "CONSTRAINT",
        "ONLINE",
        "OFFLINE",
        "IGNORE",
        "SQL",
        "SECURITY",
        "DEFINER",
        "INVOKER",
        "ALGORITHM",
        "UNDEFINED",
        "MERGE",
        "TEMPTABLE",
        "AGGREGATE",
    ]
)
_HEAD_WORDS = lazy_compile(r"(?:\s+|/\*.*?\*/|--[^\n]*)*(?P<word>[A-Za-z_]+|\S+)", re.DOTALL)
_ALTER_TABLE = lazy_compile(
    r"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?:\"(?:[^\"]|\"\")+\"|`[^`]+`|[\w$]+)"
    r"(?:\s*\.\s*(?:\"(?:[^\"]|\"\")+\"|`[^`]+`|[\w$]+))*\s*\*?",
    re.IGNORECASE,
)
# Words an ALTER TABLE action can be made of without naming anything: such an action is unfinished.
_ACTION_KEYWORDS = frozenset(
    [
        "ADD",
        "DROP",
        "ALTER",
        "COLUMN",
        "CONSTRAINT",
        "IF",
        "NOT",
        "EXISTS",
        "RENAME",
        "TO",
        "SET",
        "DEFAULT",
        "TYPE",
    ]
)


def _object_kind_error(text: str, verb: str) -> tuple[str, int] | None:
    """`CREATE TABEL t` names no kind of object; `ALTER TABLE t ADD COLUMN` adds nothing."""
    pos = len(verb)
    while True:
        m = _HEAD_WORDS.match(text, pos)
        if m is None:
            return f"{verb} of what? the statement ends after {verb}", len(text)
        word, start = m.group("word"), m.start("word")
        upper = word.upper()
        if upper in _OBJECT_KINDS:
            break
        if upper in _KIND_MODIFIERS or "=" in word or word.startswith(("`", "'", "@", "=")):
            pos = m.end()  # OR REPLACE, TEMP, DEFINER=`root`@`%`, ALGORITHM=MERGE, ...
            continue
        return f"{verb} {word[:40]}: not a kind of object", start
    if verb != "ALTER" or upper != "TABLE":
        return None
    head = _ALTER_TABLE.match(text)
    if head is None:
        return None
    rest = text[head.end() :]
    if not rest.strip():
        return "ALTER TABLE without an action", len(text)
    for action, offset in _top_level_parts(rest):
        words = action.split()
        at = head.end() + offset + len(action) - len(action.lstrip())
        if not words:
            return "an ALTER TABLE action is missing", at
        if all(w.upper() in _ACTION_KEYWORDS for w in words):
            return f"unfinished ALTER TABLE action: {' '.join(words)[:40]}", at
    return None


def _top_level_parts(text: str) -> list[tuple[str, int]]:
    """Comma-separated parts outside brackets and quotes, with their offsets."""
    if "," not in text:
        return [(text, 0)]  # one part, whatever is quoted (the usual ALTER TABLE of one action)
    code = _OUTSIDE_CODE.sub(lambda m: "x" * len(m.group(0)), text)
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(code):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append((text[start:i], start))
            start = i + 1
    parts.append((text[start:], start))
    return parts


def _may_quote(text: str) -> bool:
    """Whether the text has anything _OUTSIDE_CODE could match: a quote, a dollar sign or a comment."""
    return "'" in text or '"' in text or "`" in text or "$" in text or "--" in text or "/*" in text


def structural_error(text: str) -> tuple[str, int] | None:
    """What makes a statement malformed whatever the parser: an unknown command, unbalanced brackets.

    Returns the message and the offset in the statement, or None. (Quotes and comments are skipped, so a
    bracket inside a string does not count.)
    """
    word = _FIRST_WORD.match(text)
    if word is None or word.group(0).upper() not in SQL_COMMANDS:
        return f"not a SQL statement: {text.split(None, 1)[0][:40]!r}", 0
    verb = word.group(0).upper()
    if verb in ("CREATE", "ALTER", "DROP"):
        malformed = _object_kind_error(text, verb)
        if malformed is not None:
            return malformed
    if "(" not in text and ")" not in text:
        return None
    # Blank out quoted text and comments, keeping offsets, then count: only an unequal count is walked.
    # Without a quote or a comment the text is its own code (most keys and column lists).
    code = _OUTSIDE_CODE.sub(lambda m: " " * len(m.group(0)), text) if _may_quote(text) else text
    if code.count("(") == code.count(")"):
        return None
    opened: list[int] = []
    for i, ch in enumerate(code):
        if ch == "(":
            opened.append(i)
        elif ch == ")":
            if not opened:
                return "unbalanced ')'", i
            opened.pop()
    return ("'(' is never closed", opened[-1]) if opened else None
