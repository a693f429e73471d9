"""Schemas known by the git blob of their canonical text: a snapshot's schema.sql, normalised once.

A snapshot stores its schema's canonical text as schema.sql, and the next snapshot reads that schema back
to diff against. git has hashed the file already, so the blob id names the text without reading or hashing
its megabytes again; the key also holds what a text's key holds (the normaliser's version, code, sqlglot,
dialect and options), so another normaliser never reuses the entry.

    remember_blob(blob_id, schema)            after writing the blob
    schema_of_blob(blob_id, dialect, like=)   the schema, or None: normalise the text as before
"""

from __future__ import annotations

from schemareg.model import Schema
from schemareg.normalize import _origins, _salt_base, default_cache
from schemareg.normalize.cache import decode_schema, encode_schema, statement_key
from schemareg.normalize.options import DEFAULT_OPTIONS, NormalizeOptions

__all__ = ["remember_blob", "schema_of_blob"]


def _key(blob_id: str, dialect: str, options: NormalizeOptions) -> bytes:
    salt = f"{_salt_base()}\0{dialect}\0{options.salt}".encode()
    return statement_key(salt + b"\0blob", blob_id)


def remember_blob(blob_id: str, schema: Schema, *, options: NormalizeOptions = DEFAULT_OPTIONS) -> None:
    """Record that the text of git blob `blob_id` (the canonical text of `schema`) normalises to `schema`:
    pointing at the script stored already when `schema` came from the cache, a copy otherwise."""
    cache, key = default_cache(), _key(blob_id, schema.dialect, options)
    origin = _origins.key_of(schema, cache)
    if origin is not None:
        cache.put_alias(key, origin)
    else:
        cache.put_script(key, encode_schema(schema))


def schema_of_blob(
    blob_id: str,
    dialect: str,
    *,
    options: NormalizeOptions = DEFAULT_OPTIONS,
    like: Schema | None = None,
) -> Schema | None:
    """The schema the text of git blob `blob_id` normalises to, if remembered (None: normalise the text).
    `like`: a schema it is compared with next, whose objects of the same canonical text are shared instead
    of decoded again (`decode_schema`)."""
    found = default_cache().get_script(_key(blob_id, dialect.lower(), options))
    return None if found is None else decode_schema(found, like=like)
