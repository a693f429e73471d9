"""What makes a statement malformed whatever the parser: an unknown command, a CREATE of no kind of object,
an unfinished ALTER TABLE action, unbalanced brackets (quotes and comments skipped)."""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile

__all__ = ["SQL_COMMANDS", "run_on_statement", "structural_error"]

# Quoted text and comments (an E'' string's backslash escapes read, `E'it\'s'`, as PostgreSQL reads them).
_OUTSIDE_CODE = lazy_compile(
    r"(?<![A-Za-z0-9_$])[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|(?<![\w$])\$(?P<tag>[A-Za-z_][A-Za-z_0-9]*|)\$.*?\$(?P=tag)\$"
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


# A line that begins another schema statement: inside data, a statement whose `;` is missing runs on into it.
_RUN_ON = lazy_compile(
    r"\n[ \t]*(?P<head>(?:CREATE|ALTER|DROP)\s+(?:UNIQUE\s+|OR\s+REPLACE\s+)?"
    r"(?:TABLE|INDEX|VIEW|SEQUENCE|TYPE|DOMAIN|FUNCTION|PROCEDURE|TRIGGER|SCHEMA|EXTENSION)\b)",
    re.IGNORECASE,
)


def run_on_statement(text: str) -> tuple[str, int] | None:
    """In a statement that is not schema (an INSERT, an UPDATE), the head of a schema statement that
    begins one of its lines, outside quoted text and comments, and its offset: the `;` before it is
    missing (migration files concatenated, the last statement of one without it). PostgreSQL refuses
    such a statement; the model would lose what it runs on into."""
    if _RUN_ON.search(text) is None:
        return None
    code = _OUTSIDE_CODE.sub(lambda m: " " * len(m.group(0)), text) if _may_quote(text) else text
    found = _RUN_ON.search(code)
    return (" ".join(found.group("head").split()), found.start("head")) if found else None
