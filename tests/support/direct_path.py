"""The inspector's direct path (`pg_direct` probes, `assemble`) checked against its reference, the DDL
path, on the catalog rows of a live database: the schema built from probes must be the schema the
normaliser gives for the whole script the inspector writes, object for object and byte for byte.

    both_paths(url) -> (direct, reference, compiled)    assert_same(direct, reference)
    check_every_inspection(monkeypatch)   # each inspection a test makes is compared as well
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from schemareg.introspect import assemble, postgres
from schemareg.introspect.pg_direct import Direct
from schemareg.introspect.pg_script import Script
from schemareg.introspect.postgres import PostgresInspector
from schemareg.model import Schema
from schemareg.normalize import StatementCache, normalize
from schemareg.normalize.ops import AnyOp

# The reference path's own cache: statements it compiled, never a schema the direct path made.
_REFERENCE: list[StatementCache] = []


def reference(ddl: str) -> Schema:
    if not _REFERENCE:
        _REFERENCE.append(StatementCache(Path(tempfile.mkdtemp(prefix="reference-")) / "statements.sqlite3"))
    return normalize(ddl, "postgres", cache=_REFERENCE[0])


def both_paths(url: str) -> tuple[Schema, Schema, int]:
    """(direct, reference, how many statements the direct path compiled) for the database at `url`,
    neither from a cached schema."""
    inspector = PostgresInspector(url, cache=False)
    with inspector._connect() as conn, conn.transaction():
        conn.execute("SET LOCAL search_path = ''")
        results, _ = inspector._read(conn)
    script = Script(results)
    ddl = script.render()
    compiled: list[str] = []
    real = assemble._compile_ops

    def counting(text: str) -> list[AnyOp]:
        compiled.append(text)
        return real(text)

    assemble._compile_ops = counting
    try:
        direct = assemble.normalize_pieces(ddl, script.pieces, cache=False)
    finally:
        assemble._compile_ops = real
    return direct, normalize(ddl, "postgres", cache=False), len(compiled)


def assert_same(direct: Schema, reference: Schema) -> None:
    ours, theirs = direct.rendered(), reference.rendered()
    differing = sorted(
        f"{key.kind.value} {key.name}" for key in set(ours) | set(theirs) if ours.get(key) != theirs.get(key)
    )
    assert not differing, differing[:10]
    assert direct.objects == reference.objects
    assert direct.issues == reference.issues
    assert direct.fingerprint == reference.fingerprint


def check_every_inspection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each PostgreSQL inspection made while patched also normalises its script the reference way and
    fails unless the two schemas are the same."""
    real = postgres.normalize_pieces

    def checked(
        ddl: str, make_pieces: Callable[[], Sequence[tuple[str, Direct | None]]], **options: Any
    ) -> Schema:
        direct = assemble.normalize_pieces(ddl, make_pieces, source=options.get("source"), cache=False)
        assert_same(direct, reference(ddl))
        return real(ddl, make_pieces, **options)

    monkeypatch.setattr(postgres, "normalize_pieces", checked)
