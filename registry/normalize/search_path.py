"""`SET search_path` in a PostgreSQL script: where the statements after it create what they name bare.

PostgreSQL creates an object named without a schema in the first schema of the search path, and pg_dump
before 10.3 (and many hand-written scripts and fixtures) wrote `SET search_path = app, pg_catalog;` and then
bare names. So the normaliser follows the path: the statements after `SET [SESSION | LOCAL] search_path
TO | = ...`, `SET SCHEMA '...'`, `SELECT pg_catalog.set_config('search_path', '...', false)` or `RESET
search_path` are compiled with that schema as their default (its first entry that is not `"$user"`,
`pg_catalog` or `pg_temp`; the dialect's default where none is, as with pg_dump's empty path, whose names
are all qualified). A bare name read there, not made there, is taken to be in that schema too: the path's
later entries are not searched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from schemareg.lazy_re import lazy_compile
from schemareg.normalize.split import Statement

_SETS = lazy_compile(
    r"\s*(?:SET\s+(?:SESSION\s+|LOCAL\s+)?(?:search_path\s*(?:=|\bTO\b)\s*(?P<path>.*?)|SCHEMA\s+(?P<schema>'(?:[^']|'')*'))"
    r"|RESET\s+(?P<reset>search_path)"
    r"|SELECT\s+(?:pg_catalog\s*\.\s*)?set_config\s*\(\s*'search_path'\s*,\s*'(?P<config>(?:[^']|'')*)'\s*,\s*\w+\s*\))"
    r"\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ENTRY = lazy_compile(
    r"""\s*(?:"(?P<quoted>(?:[^"]|"")*)"|'(?P<string>(?:[^']|'')*)'|(?P<bare>[^,\s]+))\s*"""
)
_NOT_CREATED_IN = {"$user", "pg_catalog", "pg_temp", "default"}


def path_schema(text: str) -> str | None:
    """The schema a search-path statement makes the default ('' for the dialect's own), or None when the
    statement does not set the search path."""
    found = _SETS.match(text)
    if found is None:
        return None
    if found.group("reset") is not None:
        return ""
    path = found.group("path")
    if path is None:
        path = (found.group("schema") or "").strip("'") if found.group("schema") else found.group("config")
        path = (path or "").replace("''", "'")
        if found.group("schema") is not None:
            return path
    for part in _split(path):
        entry = _ENTRY.fullmatch(part)
        if entry is None:
            continue
        if entry.group("quoted") is not None:
            name = entry.group("quoted").replace('""', '"')
        elif entry.group("string") is not None:
            name = entry.group("string").replace("''", "'")
        else:
            name = entry.group("bare").lower()
        if name and name not in _NOT_CREATED_IN:
            return name
    return ""


def _split(path: str) -> list[str]:
    """A path's entries; a quoted string may list several (`set_config`'s `'app, public'`)."""
    text = path.strip()
    if len(text) > 1 and text[0] == text[-1] == "'" and "," in text:
        text = text[1:-1]
    return [p for p in re.split(r",(?=(?:[^\"]|\"[^\"]*\")*$)", text) if p.strip()]


def statement_schemas(statements: Sequence[Statement]) -> list[str] | None:
    """The default schema each statement is compiled with ('' for the dialect's own), or None when the
    script never moves it (the usual case: nothing to key or compile differently)."""
    current, found, moved = "", [], False
    for statement in statements:
        found.append(current)
        changed = path_schema(statement.text)
        if changed is not None:
            current = "" if changed == "public" else changed  # PostgreSQL's default, the dialect's
            moved = moved or bool(current)
    return found if moved else None
