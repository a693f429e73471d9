"""The statement cache: compiled ops keyed by a hash of the statement text and the normaliser's version,
and whole normalised scripts keyed the same way by the script's text.

A small in-memory layer over an SQLite file (WAL mode, so concurrent processes share it safely), bounded in
entries (the statements' memory layer in bytes too); the oldest-used entries go first. The cache is only
ever an optimisation: if its file cannot be opened or written, normalisation carries on without it.

A script seen before (a daily drift check of an unchanged database, a file normalised again, the previous
snapshot's canonical text) costs one lookup: its schema comes back with its canonical text per object, so
nothing is compiled, applied or rendered again.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import msgspec

from schemareg.model import Definition, Issue, ObjectKey, Schema, SchemaObject, Sequence, Stats, Table
from schemareg.normalize.resplit import SplitMemo
from schemareg.render import render_object

DEFAULT_MAX_ENTRIES = 200_000
DEFAULT_MAX_SCRIPTS = 64  # whole scripts kept: each is a whole schema, up to a few MB for 4,000 tables
_MEMORY_ENTRIES = 50_000
_MEMORY_SCRIPTS = 4
# The in-memory layer is bounded by bytes too: a few huge statements must not pin tens of megabytes.
DEFAULT_MAX_MEMORY_BYTES = 16 * 1024 * 1024
# A script row whose value starts with this names the key of another script instead (an encoded schema
# starts with a msgpack array header, never a zero byte).
_ALIAS = b"\0alias\0"


def default_cache_dir() -> Path:
    """`SCHEMAREG_CACHE_DIR`, else `$XDG_CACHE_HOME/schemareg` or `~/.cache/schemareg`; absolute (a
    relative one broke the embedded server, whose initdb runs in another directory)."""
    configured = os.environ.get("SCHEMAREG_CACHE_DIR")
    if configured:
        return Path(configured).expanduser().absolute()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return (Path(base) / "schemareg").absolute()


def statement_key(salt: bytes, text: str) -> bytes:
    """The key of `text` under `salt` (what else decides its result: the normaliser's version and code,
    the installed sqlglot, the dialect, the options). blake2b takes a key of at most 64 bytes, so the key
    is a digest of the whole salt: its first 64 bytes stopped inside sqlglot's path, so the dialect and the
    options were left out, and a script read as MySQL after PostgreSQL came back PostgreSQL's."""
    return hashlib.blake2b(text.encode(), digest_size=16, key=_salt_key(salt)).digest()


@functools.lru_cache(maxsize=64)
def _salt_key(salt: bytes) -> bytes:
    return hashlib.blake2b(salt, digest_size=32).digest()


class StatementCache:
    """Maps statement keys to encoded ops. `path=None` keeps it in memory only."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_scripts: int = DEFAULT_MAX_SCRIPTS,
        max_memory_bytes: int = DEFAULT_MAX_MEMORY_BYTES,
    ) -> None:
        self.path = path
        self.max_entries = max_entries
        self.max_scripts = max_scripts
        self.max_memory_bytes = max_memory_bytes
        self.memory_bytes = 0
        self._memory: dict[bytes, bytes] = {}
        self._scripts: dict[bytes, bytes] = {}
        self._lock = threading.Lock()
        # Stored expressions typed with their columns' types (table_casts.py), by text and those types:
        # in memory only, as cheap to recompute as to read back.
        self.typed: dict[tuple[object, ...], str] = {}
        # The last few scripts' splits and statement keys (resplit.py): a script changed in one place is
        # split and keyed again there only.
        self.splits = SplitMemo()
        # Canonical text by an object's encoding (encode_schema), in memory only.
        self.renders = Renders(max_memory_bytes)
        self._db: sqlite3.Connection | None = None
        self._db_failed = False

    def _connect(self) -> sqlite3.Connection | None:
        if self.path is None or self._db_failed:
            return None
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=10, check_same_thread=False, isolation_level=None)
                # Switching to WAL takes an exclusive lock that the busy timeout does not wait for: retry
                # while another process is setting the file up.
                _retry(lambda: db.execute("PRAGMA journal_mode=WAL"))
                db.execute("PRAGMA synchronous=NORMAL")
                _retry(
                    lambda: db.execute(
                        "CREATE TABLE IF NOT EXISTS entries (key BLOB PRIMARY KEY, ops BLOB NOT NULL,"
                        " used INTEGER NOT NULL) WITHOUT ROWID"
                    )
                )
                _retry(lambda: db.execute("CREATE INDEX IF NOT EXISTS entries_used ON entries (used)"))
                _retry(lambda: _create_script_tables(db))
                self._db = db
            except (sqlite3.Error, OSError):
                self._db_failed = True
                return None
        return self._db

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, bytes]:
        found: dict[bytes, bytes] = {}
        missing: list[bytes] = []
        with self._lock:
            for key in keys:
                value = self._memory.get(key)
                if value is None:
                    missing.append(key)
                else:
                    found[key] = value
            db = self._connect() if missing else None
            if db is not None:
                try:
                    for chunk in _chunks(missing, 500):
                        marks = ",".join("?" * len(chunk))
                        rows = db.execute(
                            f"SELECT key, ops FROM entries WHERE key IN ({marks})", chunk
                        ).fetchall()
                        for key, value in rows:
                            found[key] = value
                            self._remember(key, value)
                        if rows:
                            now = _today()
                            db.execute(
                                f"UPDATE entries SET used = ? WHERE used < ? AND key IN ({marks})",
                                [now, now, *chunk],
                            )
                except sqlite3.Error:
                    pass
        return found

    def put_many(self, items: dict[bytes, bytes]) -> None:
        if not items:
            return
        with self._lock:
            for key, value in items.items():
                self._remember(key, value)
            db = self._connect()
            if db is None:
                return
            now = _today()
            rows = [(k, v, now) for k, v in items.items()]

            def write() -> None:
                with _transaction(db):
                    db.executemany("INSERT OR REPLACE INTO entries (key, ops, used) VALUES (?, ?, ?)", rows)
                    (count,) = db.execute("SELECT count(*) FROM entries").fetchone()
                    if count > self.max_entries:
                        db.execute(
                            "DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY used LIMIT ?)",
                            (count - self.max_entries,),
                        )

            with contextlib.suppress(sqlite3.Error):
                _retry(write)

    def get_script(self, key: bytes) -> bytes | None:
        """The encoded schema of a whole script (`encode_schema`), if it was normalised before."""
        with self._lock:
            found = self._scripts.get(key)
            if found is not None:
                return found
            db = self._connect()
            if db is None:
                return None
            try:
                row = db.execute("SELECT schema FROM scripts WHERE key = ?", (key,)).fetchone()
                if row is None:
                    return None
                value, used = bytes(row[0]), [key]
                if value.startswith(_ALIAS):  # another script's schema (put_alias): one step, never more
                    target = value[len(_ALIAS) :]
                    row = db.execute("SELECT schema FROM scripts WHERE key = ?", (target,)).fetchone()
                    if row is None or bytes(row[0]).startswith(_ALIAS):
                        return None
                    value, used = bytes(row[0]), [key, target]
                marks = ",".join("?" * len(used))
                db.execute(f"UPDATE script_uses SET used = ? WHERE key IN ({marks})", (time.time(), *used))
            except sqlite3.Error:
                return None
            self._remember_script(key, value)
            return value

    def put_script(self, key: bytes, value: bytes) -> None:
        with self._lock:
            self._remember_script(key, value)
            db = self._connect()
            if db is None:
                return

            self._write_script(db, key, value)

    def put_alias(self, key: bytes, target: bytes) -> None:
        """Let the script of `key` give the schema stored for `target`, without a second copy of it (the
        canonical text of a snapshot normalises to the schema of the text that was posted)."""
        with self._lock:
            known = self._scripts.get(target)
            if known is not None:
                self._remember_script(key, known)
            db = self._connect()
            if db is not None:
                self._write_script(db, key, _ALIAS + target)

    def _write_script(self, db: sqlite3.Connection, key: bytes, value: bytes) -> None:
        def write() -> None:
            with _transaction(db):
                db.execute("INSERT OR REPLACE INTO scripts (key, schema) VALUES (?, ?)", (key, value))
                db.execute("INSERT OR REPLACE INTO script_uses (key, used) VALUES (?, ?)", (key, time.time()))
                old = [
                    row[0]
                    for row in db.execute(
                        "SELECT key FROM script_uses ORDER BY used DESC LIMIT -1 OFFSET ?",
                        (self.max_scripts,),
                    )
                ]
                for chunk in _chunks(old, 500):
                    marks = ",".join("?" * len(chunk))
                    db.execute(f"DELETE FROM scripts WHERE key IN ({marks})", chunk)
                    db.execute(f"DELETE FROM script_uses WHERE key IN ({marks})", chunk)

        with contextlib.suppress(sqlite3.Error):
            _retry(write)

    def _remember_script(self, key: bytes, value: bytes) -> None:
        if len(self._scripts) >= _MEMORY_SCRIPTS:
            self._scripts.pop(next(iter(self._scripts)))
        self._scripts[key] = value

    def _remember(self, key: bytes, value: bytes) -> None:
        size = len(key) + len(value)
        if size > self.max_memory_bytes // 4:
            return  # the file keeps it; memory is for the many small statements
        if len(self._memory) >= _MEMORY_ENTRIES or self.memory_bytes + size > self.max_memory_bytes:
            self._memory.clear()
            self.memory_bytes = 0
        old = self._memory.get(key)
        if old is not None:
            self.memory_bytes -= len(key) + len(old)
        self._memory[key] = value
        self.memory_bytes += size

    def clear_memory(self) -> None:
        with self._lock:
            self._memory.clear()
            self._scripts.clear()
            self.memory_bytes = 0
            self.splits = SplitMemo()
            self.renders = Renders(self.max_memory_bytes)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def _create_script_tables(db: sqlite3.Connection) -> None:
    """Whole scripts (a few MB each) in a table of their own, and when each was last used in another: a
    row is rewritten whole when any column of it changes, so touching the use time of a script beside its
    value rewrote megabytes on every hit, and finding the oldest read every value to reach the time."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(scripts)")}
    if "used" in columns:  # the layout before: its entries are dropped (a cache only costs a miss)
        db.execute("DROP TABLE IF EXISTS scripts")
    db.execute("CREATE TABLE IF NOT EXISTS scripts (key BLOB PRIMARY KEY, schema BLOB NOT NULL)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS script_uses (key BLOB PRIMARY KEY, used REAL NOT NULL) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX IF NOT EXISTS script_uses_used ON script_uses (used)")


def _retry(action: Callable[[], object], attempts: int = 50) -> None:
    """Run an SQLite action, waiting out another process's lock (up to about 5 s)."""
    for attempt in range(attempts):
        try:
            action()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.1)


def _today() -> int:
    return int(time.time() // 86400)


def _chunks(items: list[bytes], size: int) -> Iterable[list[bytes]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection):  # type: ignore[no-untyped-def]
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# -- whole schemas -----------------------------------------------------------------------------------------

_TYPES: tuple[type[SchemaObject], ...] = (Table, Sequence, Definition)
_DECODERS = [msgspec.msgpack.Decoder(kind) for kind in _TYPES]


class _Encoded(msgspec.Struct, array_like=True):
    dialect: str
    keys: list[ObjectKey]
    objects: list[tuple[int, msgspec.Raw]]  # (index in _TYPES, the object), in the schema's order
    stats: Stats
    issues: list[Issue]
    rendered: list[str] | None  # canonical text per key, in `keys` order sorted, when it was computed


_ENCODED = msgspec.msgpack.Decoder(_Encoded)
_ENCODER = msgspec.msgpack.Encoder()


class Renders:
    """Canonical text by dialect, type and encoded object, bounded in bytes like the statements' memory
    layer (emptied when full: a schema renders again what it needs)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: dict[tuple[str, int, bytes], str] = {}

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple[str, int, bytes]) -> str | None:
        return self._items.get(key)

    def put(self, key: tuple[str, int, bytes], text: str) -> None:
        size = len(key[2]) + len(text)
        if self.size + size > self.max_bytes:
            self._items.clear()
            self.size = 0
        self._items[key] = text
        self.size += size


def encode_schema(schema: Schema, renders: Renders | None = None) -> bytes:
    """A schema as bytes for the cache, with its canonical text per object once it is computed. With
    `renders` (canonical text by dialect, type and encoded object), a schema not rendered yet is rendered
    first, each object through `renders`: an object is its encoding (equal bytes decode to an equal object,
    and canonical text is a function of the object), so an object seen before is not rendered again."""
    keys = list(schema.objects)
    objects = [(_TYPES.index(type(obj)), _ENCODER.encode(obj)) for obj in schema.objects.values()]
    if renders is not None and schema.cached_rendering() is None:
        _render_by_content(schema, keys, objects, renders)
    rendered = schema.cached_rendering()
    return _ENCODER.encode(
        _Encoded(
            dialect=schema.dialect,
            keys=keys,
            objects=[(kind, msgspec.Raw(blob)) for kind, blob in objects],
            stats=schema.stats,
            issues=schema.issues,
            rendered=None if rendered is None else [rendered[key] for key in sorted(keys)],
        )
    )


def _render_by_content(
    schema: Schema,
    keys: list[ObjectKey],
    objects: list[tuple[int, bytes]],
    renders: Renders,
) -> None:
    dialect, texts = schema.dialect, {}
    for key, (kind, blob) in zip(keys, objects, strict=True):
        found = renders.get((dialect, kind, blob))
        if found is None:
            found = render_object(schema.objects[key], dialect)
            renders.put((dialect, kind, blob), found)
        texts[key] = found
    schema.use_rendering({key: texts[key] for key in sorted(texts)})


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic collector around work that builds many thousands of objects with no cycles
    among them (decoding a schema, laying out and writing its snapshot): each collection on the way would
    walk the whole growing heap again (about half the decode of 4,000 tables). Reference counting still
    frees what is dropped; the collector runs again after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode_schema(blob: bytes, *, like: Schema | None = None) -> Schema:
    """The schema `encode_schema` encoded. `like`: another schema with its canonical text (the one a
    snapshot diffs this one against): an object whose canonical text is the same in both is `like`'s own
    object, not decoded again (equal canonical text is an equal object, as the differ and the fingerprint
    hold), so reading a parent of 4,000 tables with one change decodes one object. Objects are never
    changed once normalised, so sharing them is safe."""
    with collector_paused():
        encoded = _ENCODED.decode(blob)
        rendered = (
            None
            if encoded.rendered is None
            else dict(zip(sorted(encoded.keys), encoded.rendered, strict=True))
        )
        known = like.cached_rendering() if like is not None and rendered is not None else None
        objects: dict[ObjectKey, SchemaObject] = {}
        for key, (kind, raw) in zip(encoded.keys, encoded.objects, strict=True):
            if known is not None and rendered is not None and known.get(key) == rendered[key]:
                assert like is not None
                objects[key] = like.objects[key]
            else:
                objects[key] = _DECODERS[kind].decode(raw)
    schema = Schema(dialect=encoded.dialect, objects=objects, stats=encoded.stats, issues=encoded.issues)
    if rendered is not None:
        schema.use_rendering(rendered)
    return schema
