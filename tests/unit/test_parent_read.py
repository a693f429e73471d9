"""A snapshot reads its parent back by the schema.sql blob id, and decodes only the objects whose canonical
text differs from the new schema's: the README diff and the parent's schema must come out as a full read
would give them, whatever changed (objects added, removed, modified, renamed; tables, sequences, views)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from schemareg.changelog import render_markdown
from schemareg.diff import diff_schemas
from schemareg.model import Schema
from schemareg.normalize import normalize
from schemareg.normalize.cache import StatementCache, decode_schema, encode_schema
from schemareg.normalize.stored import remember_blob, schema_of_blob
from schemareg.service import Registry
from schemareg.store import blob_id


def ddl(statements: dict[str, str]) -> str:
    return "\n".join(statements.values())


def generated(chance: random.Random, size: int) -> dict[str, str]:
    statements = {}
    for n in range(size):
        columns = ", ".join(
            f"c{c} {chance.choice(['int', 'text', 'bigint'])}" for c in range(chance.randint(1, 4))
        )
        statements[f"t{n}"] = f"CREATE TABLE public.t{n} (id int PRIMARY KEY, {columns});"
        if chance.random() < 0.3:
            statements[f"s{n}"] = f"CREATE SEQUENCE public.s{n} INCREMENT {chance.randint(1, 3)};"
        if chance.random() < 0.3:
            statements[f"v{n}"] = f"CREATE VIEW public.v{n} AS SELECT id FROM public.t{n};"
    return statements


def changed(chance: random.Random, statements: dict[str, str]) -> dict[str, str]:
    after = dict(statements)
    for _ in range(chance.randint(1, 4)):
        name = chance.choice(sorted(after))
        what = chance.choice(["drop", "modify", "add", "rename"])
        if what == "drop":
            del after[name]
        elif what == "modify" and name.startswith("t"):
            after[name] = after[name].replace(");", ", extra text NOT NULL);")
        elif what == "rename" and name.startswith("t"):
            after[name + "_renamed"] = after.pop(name).replace(f"public.{name} ", f"public.{name}_renamed ")
        else:
            after[f"n{chance.randrange(10**6)}"] = f"CREATE TABLE public.n{chance.randrange(10**6)} (id int);"
    return after


@pytest.mark.parametrize("seed", range(12))
def test_decoding_beside_the_next_schema_gives_the_full_schema(seed: int) -> None:
    chance = random.Random(seed)
    before_sql = generated(chance, 30)
    before = normalize(ddl(before_sql), cache=False)
    after = normalize(ddl(changed(chance, before_sql)), cache=False)
    before.rendered(), after.rendered()  # as the cache keeps them
    encoded = encode_schema(before)
    full, shared = decode_schema(encoded), decode_schema(encoded, like=after)
    assert shared.objects == full.objects and list(shared.objects) == list(full.objects)
    assert shared.rendered() == full.rendered() and shared.fingerprint == before.fingerprint
    assert diff_schemas(shared, after) == diff_schemas(before, after)
    # What the two have in common is not decoded twice: the same objects.
    same = [key for key, text in after.rendered().items() if full.rendered().get(key) == text]
    assert same and all(shared.objects[key] is after.objects[key] for key in same)


def test_a_schema_without_its_canonical_text_is_decoded_whole() -> None:
    schema = normalize("CREATE TABLE a (id int);", cache=False)
    bare = Schema(dialect="postgres", objects=dict(schema.objects))
    decoded = decode_schema(encode_schema(schema), like=bare)
    assert decoded.objects == schema.objects
    assert all(decoded.objects[key] is not bare.objects[key] for key in decoded.objects)


def test_a_blob_is_remembered_per_dialect_and_normaliser(tmp_path: Path) -> None:
    from schemareg.normalize import set_default_cache

    set_default_cache(StatementCache(tmp_path / "c.sqlite3"))
    try:
        schema = normalize("CREATE TABLE a (id int);", cache=False)
        remember_blob("ab" * 20, schema)
        found = schema_of_blob("ab" * 20, "postgres")
        assert found is not None and found.fingerprint == schema.fingerprint
        assert schema_of_blob("ab" * 20, "mysql") is None
        assert schema_of_blob("cd" * 20, "postgres") is None
    finally:
        set_default_cache(None)


@pytest.mark.parametrize("seed", range(3))
def test_snapshots_read_their_parent_by_blob_and_say_what_a_full_read_says(tmp_path: Path, seed: int) -> None:
    chance = random.Random(seed)
    Registry(tmp_path / "data").init_project("shop", "postgres", "")
    history = [generated(chance, 25)]
    for _ in range(3):
        history.append(changed(chance, history[-1]))
    heads = []
    for step in history:  # each snapshot as a process of its own: the parent is not in memory
        registry = Registry(tmp_path / "data")
        heads.append(registry.snapshot("shop", "production", ddl(step)).sha)
        registry.close()
    registry = Registry(tmp_path / "data")
    repo = registry._read.repo("shop")
    options = registry.project("shop").normalize
    for n, (sha, step) in enumerate(zip(heads, history, strict=True)):
        tree = repo.commit(sha).tree
        schema_sql = repo.read_file(tree, "schema.sql")
        assert schema_sql is not None
        known = schema_of_blob(blob_id(schema_sql), "postgres", options=options)
        full = normalize(ddl(step), cache=False)
        assert known is not None and known.fingerprint == full.fingerprint
        if n:
            title = registry._read.info("shop", sha).version
            before = normalize(ddl(history[n - 1]), cache=False)
            diff = diff_schemas(before, full, from_label=heads[n - 1][:12], to_label=title)
            assert repo.read_file(tree, "README.md") == render_markdown(diff, title).encode()
    registry.close()
