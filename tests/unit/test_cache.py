"""The statement cache: a warm run compiles nothing, the file is shared by processes, and bounded."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from schemareg.normalize import normalize
from schemareg.normalize.cache import StatementCache

SQL = "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int, a_id int REFERENCES a(id));\n"


def test_warm_run_reads_every_statement_from_the_cache(tmp_path: Path) -> None:
    cache = StatementCache(tmp_path / "c.sqlite3")
    cold = normalize(SQL, cache=cache)
    warm = normalize(SQL, cache=cache)
    assert cold.stats.cached == 0
    assert warm.stats.cached == 2
    assert warm.fingerprint == cold.fingerprint


def test_a_new_process_starts_warm_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    normalize(SQL, cache=StatementCache(path))
    code = (
        "import sys; from pathlib import Path; from schemareg.normalize import normalize, StatementCache;"
        f"print(normalize({SQL!r}, cache=StatementCache(Path(sys.argv[1]))).stats.cached)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2"


def test_changing_one_statement_recompiles_only_that_one(tmp_path: Path) -> None:
    cache = StatementCache(tmp_path / "c.sqlite3")
    normalize(SQL, cache=cache)
    changed = normalize(SQL.replace("a_id int", "a_id bigint"), cache=cache)
    assert changed.stats.cached == 1


def test_the_cache_is_bounded(tmp_path: Path) -> None:
    cache = StatementCache(tmp_path / "c.sqlite3", max_entries=10, max_scripts=10)
    for i in range(30):
        normalize(f"CREATE TABLE t{i} (a int);", cache=cache)
    cache.clear_memory()
    count = sum(1 for i in range(30) if normalize(f"CREATE TABLE t{i} (a int);", cache=cache).stats.cached)
    assert count <= 11


def test_an_unwritable_cache_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = StatementCache(blocker / "sub" / "c.sqlite3")
    assert normalize(SQL, cache=cache).stats.objects == 2


def test_processes_share_one_cache_file_safely(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    code = (
        "import sys; from pathlib import Path; from schemareg.normalize import normalize, StatementCache;"
        "cache = StatementCache(Path(sys.argv[1])); n = int(sys.argv[2]);"
        "[normalize(f'CREATE TABLE p{n}_{i} (a int); CREATE TABLE shared (a int);', cache=cache) for i in range(40)]"
    )
    workers = [subprocess.Popen([sys.executable, "-c", code, str(path), str(n)]) for n in range(4)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0, 0]
    cache = StatementCache(path)
    every = [f"CREATE TABLE p{n}_{i} (a int);" for n in range(4) for i in range(40)]
    assert normalize("\n".join(every), cache=cache).stats.cached == len(every)


def test_whole_scripts_are_bounded_and_come_back_equal(tmp_path: Path) -> None:
    cache = StatementCache(tmp_path / "c.sqlite3", max_scripts=3)
    first = normalize(SQL, cache=cache)
    cache.clear_memory()
    again = normalize(SQL, cache=cache)
    assert again.objects == first.objects and again.fingerprint == first.fingerprint
    assert again.cached_rendering() is not None  # not rendered again
    assert again.stats.cached == again.stats.statements
    for i in range(10):
        normalize(f"CREATE TABLE t{i} (a int);", cache=cache)
    with sqlite3.connect(tmp_path / "c.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM scripts").fetchone() == (3,)


def test_a_remembered_canonical_text_is_not_normalised_again(tmp_path: Path) -> None:
    from schemareg.normalize import remember, set_default_cache

    cache = StatementCache(tmp_path / "c.sqlite3")
    set_default_cache(cache)
    try:
        schema = normalize(SQL, cache=cache)
        canonical = "\n".join(schema.rendered().values())
        remember(canonical, schema)
        warm = normalize(canonical, cache=cache)
        assert warm.stats.cached == warm.stats.statements
        assert normalize(canonical, cache=False).fingerprint == schema.fingerprint
    finally:
        set_default_cache(None)


def test_a_scripts_value_sits_alone_in_its_row(tmp_path: Path) -> None:
    """A whole script is megabytes (4,000 tables: 5 MB). With its use time in the same row, every hit
    read the value again to update the time, and finding the oldest to evict read every value to reach
    the times behind them: tens of milliseconds a hit. The times live in a table of their own."""
    path = tmp_path / "c.sqlite3"
    cache = StatementCache(path)
    value = bytes(range(256)) * 8192
    cache.put_script(b"k" * 16, value)
    cache.close()
    with sqlite3.connect(path) as db:
        assert [row[1] for row in db.execute("PRAGMA table_info(scripts)")] == ["key", "schema"]
        assert db.execute("SELECT count(*) FROM script_uses").fetchone() == (1,)
    assert StatementCache(path).get_script(b"k" * 16) == value


def test_scripts_of_the_earlier_layout_are_dropped_not_misread(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE scripts (key BLOB PRIMARY KEY, schema BLOB NOT NULL, used REAL NOT NULL) WITHOUT ROWID"
        )
        db.execute("INSERT INTO scripts VALUES (?, ?, 0)", (b"k" * 16, b"old"))
    cache = StatementCache(path)
    assert cache.get_script(b"k" * 16) is None
    normalize(SQL, cache=cache)
    cache.clear_memory()
    assert normalize(SQL, cache=cache).stats.cached == 2


def test_a_remembered_text_points_at_the_stored_schema_instead_of_a_copy(tmp_path: Path) -> None:
    from schemareg.normalize import remember, set_default_cache

    path = tmp_path / "c.sqlite3"
    cache = StatementCache(path)
    set_default_cache(cache)
    try:
        schema = normalize(SQL, cache=cache)
        canonical = "\n".join(schema.rendered().values())
        remember(canonical, schema)
        with sqlite3.connect(path) as db:
            sizes = sorted(length for (length,) in db.execute("SELECT length(schema) FROM scripts"))
        assert len(sizes) == 2 and sizes[0] < 64 < sizes[1]  # the text's row names the posted one's
        cache.clear_memory()
        again = normalize(canonical, cache=cache)
        assert again.stats.cached == again.stats.statements
        assert again.objects == schema.objects and again.fingerprint == schema.fingerprint
        # A schema that did not come through the cache is stored whole, as before.
        other = normalize(SQL.replace("b (", "c ("), cache=False)
        remember("\n".join(other.rendered().values()), other)
        cache.clear_memory()
        assert normalize("\n".join(other.rendered().values()), cache=cache).fingerprint == other.fingerprint
    finally:
        set_default_cache(None)


def test_an_alias_whose_schema_was_evicted_is_a_miss(tmp_path: Path) -> None:
    cache = StatementCache(tmp_path / "c.sqlite3", max_scripts=2)
    cache.put_script(b"a" * 16, b"\x96value")
    cache.put_alias(b"b" * 16, b"a" * 16)
    cache.clear_memory()
    assert cache.get_script(b"b" * 16) == b"\x96value"
    cache.put_alias(b"c" * 16, b"missing-key-xxxx")
    cache.clear_memory()
    assert cache.get_script(b"c" * 16) is None


def test_the_origin_of_a_schema_is_not_kept_alive_by_the_normaliser(tmp_path: Path) -> None:
    import gc

    from schemareg.normalize import _origins

    cache = StatementCache(tmp_path / "c.sqlite3")
    before = len(_origins)
    schema = normalize(SQL, cache=cache)
    assert _origins.key_of(schema, cache) is not None
    assert _origins.key_of(schema, StatementCache(tmp_path / "other.sqlite3")) is None
    del schema
    gc.collect()
    assert len(_origins) <= before


def test_one_cache_keeps_dialects_and_options_apart(tmp_path: Path) -> None:
    """Every part of what decides a result is in its key, however long the parts before it are."""
    from schemareg.normalize.cache import statement_key
    from schemareg.normalize.options import NormalizeOptions

    cache = StatementCache(tmp_path / "c.sqlite3")
    text = "CREATE TABLE Users (ID int, Name text);"
    results = {
        dialect: normalize(text, dialect, cache=cache)
        for dialect in ("postgres", "mysql", "sqlite", "postgres")
    }
    for dialect, schema in results.items():
        assert schema.dialect == dialect
        assert schema.fingerprint == normalize(text, dialect, cache=False).fingerprint
    owned = "CREATE TABLE t (id int);\nALTER TABLE t OWNER TO app;"
    plain = normalize(owned, cache=cache)
    kept = normalize(owned, cache=cache, options=NormalizeOptions(keep_owners=True))
    assert kept.fingerprint != plain.fingerprint
    assert (
        kept.fingerprint
        == normalize(owned, cache=False, options=NormalizeOptions(keep_owners=True)).fingerprint
    )
    long = b"x" * 200
    assert statement_key(long + b"a", text) != statement_key(long + b"b", text)


def test_a_relative_cache_dir_is_taken_from_where_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded server's initdb runs elsewhere: a relative SCHEMAREG_CACHE_DIR made it fail to start
    ("could not open file rel/postgres-18/server/initdb.pw")."""
    from schemareg.normalize.cache import default_cache_dir

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCHEMAREG_CACHE_DIR", "rel-cache")
    assert default_cache_dir() == tmp_path / "rel-cache"
    monkeypatch.setenv("SCHEMAREG_CACHE_DIR", "~/c")
    assert default_cache_dir() == Path.home() / "c"
