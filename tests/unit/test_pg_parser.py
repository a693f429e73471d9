"""The normaliser's PostgreSQL parser keeps a call of PostgreSQL's own functions as called (the names of
AS_WRITTEN), however it is spelt, and nothing else changes."""

from __future__ import annotations

import pytest

from schemareg.model import Table
from schemareg.normalize import normalize
from schemareg.normalize.foreign_functions import FOREIGN_FUNCTIONS
from schemareg.normalize.pg_parser import AS_WRITTEN, calls_one, parse_one


def test_every_name_is_found() -> None:
    names = AS_WRITTEN | FOREIGN_FUNCTIONS
    assert all(calls_one(f"select {name} (a)") and calls_one(f'select "{name}"(a)') for name in names)
    assert all(calls_one(f"select pg_catalog.{name}(a)") for name in AS_WRITTEN)
    assert not calls_one("create table t (a varchar(10), b numeric(3, 1))")


def test_every_function_of_another_database_is_listed() -> None:
    """Each name sqlglot's PostgreSQL parser reads as a function of its own that is not pg_catalog's (nor a
    reserved word or a type) is in foreign_functions.py: a call of it can only be the user's function."""
    from schemareg.names import PG_CATALOG_TYPES, RESERVED
    from schemareg.normalize.catalog_functions import CATALOG_FUNCTIONS
    from schemareg.normalize.dialects import sqlglot_dialect

    known = {
        name.lower() for name in sqlglot_dialect("postgres").parser_class.FUNCTIONS if name.isidentifier()
    }
    assert (
        sorted(known - CATALOG_FUNCTIONS - RESERVED - PG_CATALOG_TYPES - {"filter"} - FOREIGN_FUNCTIONS) == []
    )


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        ("group_concat(a)", "public.GROUP_CONCAT(a)"),
        ("nvl(a, b)", "public.NVL(a, b)"),
        ("instr(a, 'x')", "public.INSTR(a, 'x')"),
        ("day(t)", "public.DAY(t)"),
        ("add_months(d, 2)", "public.ADD_MONTHS(d, 2)"),
        ("public.datediff(a, b)", "public.DATEDIFF(a, b)"),
        ("\"position\"(a, '@')", "\"position\"(a, '@')"),
        ("position('@' IN a)", "POSITION('@' IN a)"),
    ],
)
def test_a_function_of_another_database_is_the_users(written: str, printed: str) -> None:
    """sqlglot read these as another database's functions and printed a translation (`group_concat(a)`
    was `STRING_AGG(a, ',')`, another function); `"position"(a, b)` was `POSITION(a IN b)`, the other way
    round."""
    schema = normalize(
        f"CREATE TABLE t (a text, b text, d date, t timestamptz); CREATE VIEW v AS SELECT {written} AS x FROM t;",
        cache=False,
    )
    view = next(text for text in schema.rendered().values() if "VIEW" in text)
    assert f"SELECT {printed} AS x FROM" in view


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


def _type_words() -> list[str]:
    """Every plain word sqlglot's PostgreSQL dialect reads as a type (its own tables, not a sample)."""
    from schemareg.normalize.dialects import sqlglot_dialect

    dialect = sqlglot_dialect("postgres")
    types = dialect.parser_class.TYPE_TOKENS
    keywords = dialect.tokenizer_class.KEYWORDS
    return sorted(word.lower() for word, kind in keywords.items() if kind in types and word.isidentifier())


@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])  # MySQL has no types of the user's
def test_a_name_that_spells_a_type_qualifies_like_any_other(dialect: str) -> None:
    """A schema named as a type (quoted, or bare as PostgreSQL prints `text`) is a schema before a dot, in a
    column's type, a cast and a view's query; the marks leave no trace."""
    words = _type_words()
    assert {"smallint", "text", "date", "timestamp", "json", "uuid"} <= set(words)
    for word in words:
        bare = [] if _q(word) != word else [word]  # a word PostgreSQL reserves is written quoted only
        for schema in [f'"{word}"', *bare]:
            sql = (
                f"CREATE TABLE {schema}.t (m {schema}.mood, n {schema}.mood DEFAULT CAST('a' AS {schema}.mood));\n"
                f"CREATE VIEW {schema}.v AS SELECT m FROM {schema}.t WHERE m = CAST('a' AS {schema}.mood);\n"
            )
            found = normalize(sql, dialect, cache=False)
            assert found.stats.opaque == 0 and not found.issues, (schema, found.issues)
            (table,) = [obj for obj in found.objects.values() if isinstance(obj, Table)]
            text = "\n".join(found.rendered().values())
            assert "\x02" not in text, text
            assert [c.type.lower() for c in table.columns] == [f"{_q(word)}.mood"] * 2, text


def _q(word: str) -> str:
    from schemareg.names import needs_quotes

    return f'"{word}"' if needs_quotes(word) else word
