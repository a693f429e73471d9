"""Case is not meaning: upper- or lower-casing every unquoted word of a PostgreSQL script (quoted names,
string literals, dollar-quoted bodies and comments untouched) must not change its fingerprint.

PostgreSQL folds unquoted names and reads keywords in any case, so each variant is the same schema to the
server. The inputs are every PostgreSQL case of the rule fixtures and the corpus's PostgreSQL schemas:
the variants are generated here, by a scanner of this test's own, not written for the normaliser.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from schemareg.errors import SQLParseError
from schemareg.normalize import NormalizeOptions, normalize
from tests.unit.test_normalize_rules import CASES

CORPUS = Path(
    os.environ.get("SCHEMAREG_CORPUS") or Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
)

# What a case change must leave alone, and the words it changes.
_TOKENS = re.compile(
    r"""(?P<kept>(?<![\w$])[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$"""
    r"""|--[^\n]*|/\*.*?\*/|(?<![\w$])\d[\w.]*)|(?P<word>(?<![\w$])[A-Za-z_][A-Za-z0-9_$]*)""",
    re.DOTALL,
)


def recased(sql: str, how: Callable[[str], str]) -> str:
    return _TOKENS.sub(lambda m: m.group(0) if m.group("kept") is not None else how(m.group(0)), sql)


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return [
        CORPUS / "danbooru" / "structure.sql",
        CORPUS / "chinook" / "Chinook_PostgreSql_schema_only.sql",
        *sorted((CORPUS / "pagila").glob("pagila-schema*.sql")),
        *sorted((CORPUS / "pgschema" / "dump").glob("*/raw.sql")),
        *sorted((CORPUS / "temporal" / "postgresql").glob("*/*/schema.sql")),
    ]


def _inputs() -> list[object]:
    params: list[object] = [
        pytest.param(case.sql, id=f"fixture:{case.title}")
        for case in CASES
        if case.dialect == "postgres" and case.options == NormalizeOptions()
    ]
    params += [
        pytest.param(path.read_text(encoding="utf-8"), id=f"corpus:{path.parent.name}/{path.stem}")
        for path in _corpus_files()
    ]
    return params


def _rendered(sql: str) -> dict[str, str] | None:
    try:
        schema = normalize(sql, "postgres", cache=False)
    except SQLParseError:
        return None
    return {f"{key.kind.value} {key.name}": text for key, text in schema.rendered().items()}


@pytest.mark.parametrize("how", [str.upper, str.lower], ids=["upper", "lower"])
@pytest.mark.parametrize("sql", _inputs())
def test_the_case_of_unquoted_words_does_not_change_the_schema(sql: str, how: Callable[[str], str]) -> None:
    plain = _rendered(sql)  # None: refused, and then refused in any case too
    variant = _rendered(recased(sql, how))
    assert variant == plain


def test_the_variants_change_words_only() -> None:
    sql = "CREATE TABLE Tab (\"Quoted\" text DEFAULT 'It''s' /* Note */, b bytea DEFAULT E'\\\\X', n numeric DEFAULT 1E5);"
    assert recased(sql, str.upper) == (
        "CREATE TABLE TAB (\"Quoted\" TEXT DEFAULT 'It''s' /* Note */, B BYTEA DEFAULT E'\\\\X', N NUMERIC DEFAULT 1E5);"
    )
