"""A warm normalisation is the cold one: what the statement cache keeps between runs (ops by statement
text, the last scripts' splits, objects' canonical text by content) never changes a result. Every rule
fixture is normalised through one cache, each after all the others, as written and edited, and compared
with its normalisation without a cache."""

from __future__ import annotations

import msgspec
import pytest

from schemareg.errors import SQLParseError
from schemareg.normalize import normalize
from schemareg.normalize.cache import Renders, StatementCache
from tests.unit.test_normalize_rules import CASES, Case


def _outcome(sql: str, case: Case, cache: StatementCache | bool) -> object:
    try:
        schema = normalize(sql, case.dialect, cache=cache, options=case.options)
    except SQLParseError as error:
        return str(error)
    stats = msgspec.structs.replace(schema.stats, cached=0)
    return schema.fingerprint, schema.rendered(), schema.issues, stats, list(schema.objects)


def _versions(sql: str) -> list[str]:
    """The script, then edited at its start, in its middle and at its end, then as written again."""
    middle = sql.find(";", len(sql) // 2) + 1 or len(sql)
    return [
        sql,
        "CREATE TABLE warm_first (a int);\n" + sql,
        sql[:middle] + "\nCREATE TABLE warm_middle (a int, b text DEFAULT 'x;y');\n" + sql[middle:],
        sql + "\nCREATE INDEX warm_last ON warm_first (a);\n",
        sql.replace("int", "bigint", 1),
        sql,
    ]


def test_every_fixture_warm_is_cold() -> None:
    cache = StatementCache(None)
    differ = []
    for case in CASES:
        for sql in _versions(case.sql):
            if _outcome(sql, case, cache) != _outcome(sql, case, False):
                differ.append(f"{case.rule}: {case.title}")
    assert differ == []


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_an_object_changed_in_place_is_rendered_anew(dialect: str) -> None:
    cache = StatementCache(None)
    before = normalize("CREATE TABLE t (a int);\nCREATE TABLE u (b int);", dialect, cache=cache)
    after = normalize("CREATE TABLE t (a int);\nCREATE TABLE u (b text);", dialect, cache=cache)
    cold = normalize("CREATE TABLE t (a int);\nCREATE TABLE u (b text);", dialect, cache=False)
    assert after.rendered() == cold.rendered() != before.rendered()
    assert after.fingerprint == cold.fingerprint


def test_canonical_text_kept_is_bounded_in_bytes() -> None:
    renders = Renders(100)
    for n in range(10):
        renders.put(("postgres", 0, bytes([n]) * 20), "x" * 20)
        assert renders.size <= 100
    assert 1 <= len(renders) <= 2 and renders.get(("postgres", 0, bytes([9]) * 20)) == "x" * 20
