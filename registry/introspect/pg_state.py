"""A warm inspection without the catalog queries: what an inspection read, remembered under the state of
the server it read it in, so that an unchanged database costs one small query and two cache lookups.

    state_key(dsn, row) -> key         recall(store, key) -> Known | None         remember(store, key, ...)

The key is what the server says in the inspection's own transaction (`queries/state.sql`): its MVCC
snapshot, which database of which server (and which run of it), the version and every setting. A snapshot
decides what every read in it sees: all transactions below its `xmax` (one past the latest to end) but
those it lists as in progress, and none from `xmax` on. Every change to a catalog is made by a
transaction with an id, and when that transaction ends, committed or rolled back, `xmax` passes its id (or
the id leaves the list): so every snapshot taken after any DDL ends differs from every snapshot before it,
and reads under equal snapshots of one database see the same rows. (A change still in progress is
invisible to both alike.) Ids are reused only by another run of a server (a restore to an earlier point,
a promoted standby), which has another start time. The settings decide how the server prints what the
queries ask for (the time zone a timestamptz default is printed in, the date style); the role, what it
may see. The snapshot is the whole server's: a transaction anywhere on it (data too) moves it on, so a
busy server is read again each time, as before; a quiet one (CI after its migrations, a drift check
against a database nobody writes to) costs a query.

What is remembered is the inspector's script (compressed), the server's version and the migration
bookkeeping; the schema is the normaliser's cached schema of that script, so a hit needs both entries.
The key is salted with the inspector's own code (its queries and the script writer), and the normaliser's.
"""

from __future__ import annotations

import functools
import hashlib
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from schemareg.introspect.migrations import MigrationInfo
from schemareg.normalize import _salt_base
from schemareg.normalize.cache import StatementCache, statement_key
from schemareg.normalize.options import DEFAULT_OPTIONS

__all__ = ["Known", "database_key", "recall", "remember", "seen", "state_key"]


class Known(msgspec.Struct, frozen=True, array_like=True):
    """What an inspection read under one state of the server."""

    ddl: str
    database_version: str
    migrations: MigrationInfo | None


class _Stored(msgspec.Struct, frozen=True, array_like=True):
    ddl: bytes  # zlib: a 1,000-table script is 0.9 MB of text, 44 kB compressed
    database_version: str
    migrations: MigrationInfo | None


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(_Stored)


@functools.cache
def _code_digest() -> str:
    """A digest of the code that turns catalog rows into the script: its queries and its writer."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted([*package.glob("*.py"), *(package / "queries").glob("*.sql")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def state_key(dsn: str, row: Mapping[str, Any]) -> bytes:
    """The key of an inspection through `dsn` in the state `row` (`queries/state.sql`) describes."""
    salt = f"{_salt_base()}\0{_code_digest()}\0{DEFAULT_OPTIONS.salt}\0catalog state".encode()
    return statement_key(salt, "\0".join([dsn, *(f"{name}={row[name]}" for name in sorted(row))]))


def database_key(dsn: str, row: Mapping[str, Any]) -> bytes:
    """The key of the database `row` describes, in any state: its key without the snapshot."""
    return state_key(dsn, {name: value for name, value in row.items() if name != "snapshot"})


def seen(store: StatementCache, database: bytes) -> bool:
    """Whether an inspection of this database was remembered before, in whatever state."""
    return store.get_script(database) is not None


def recall(store: StatementCache, key: bytes) -> Known | None:
    blob = store.get_script(key)
    if blob is None:
        return None
    try:
        stored = _DECODER.decode(blob)
        ddl = zlib.decompress(stored.ddl).decode()
    except (msgspec.DecodeError, zlib.error, UnicodeDecodeError):
        return None  # another version's record: a cache only costs a miss
    return Known(ddl=ddl, database_version=stored.database_version, migrations=stored.migrations)


def remember(store: StatementCache, key: bytes, known: Known, database: bytes | None = None) -> None:
    """Keep what an inspection read under `key`, and mark its `database` as `seen`."""
    if database is not None:
        store.put_script(database, b"")
    stored = _Stored(
        ddl=zlib.compress(known.ddl.encode(), 1),
        database_version=known.database_version,
        migrations=known.migrations,
    )
    store.put_script(key, _ENCODER.encode(stored))
