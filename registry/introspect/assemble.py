"""The inspector's script normalised without compiling every statement: `normalize` of the DDL the
inspector writes, with the same result, where the statements `pg_direct` gives ops for take them from
probes (compiled once per shape, then cached) instead of being compiled one by one.

The rest is `schemareg.normalize.normalize` step for step: the whole script is looked up first (a database
seen before costs one lookup), the other statements are compiled or found in the statement cache, the ops
are applied in script order by the same `Applier` and finished the same way, and the schema is cached under
the script's key. A statement whose probes do not give the ops expected is compiled from its text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from schemareg.errors import SQLParseError
from schemareg.introspect.pg_direct import Direct
from schemareg.model import Definition, Issue, Schema

# The normaliser's own keys, cache and bookkeeping: this module is its loop with one more source of ops.
from schemareg.normalize import (
    _keep_orphan,
    _origins,
    _salt_base,
    default_cache,
    normalize,
)
from schemareg.normalize import ops as o
from schemareg.normalize.cache import StatementCache, collector_paused, encode_schema, statement_key
from schemareg.normalize.options import DEFAULT_OPTIONS
from schemareg.normalize.split import Statement, line_column, split_statements, structural_error

if TYPE_CHECKING:
    from schemareg.normalize.apply import Applier
    from schemareg.normalize.compile import Compiler

__all__ = ["normalize_pieces"]

_compiler: list[Compiler] = []


def _the_compiler() -> Compiler:
    """The compiler `normalize` would use (one per process, made on first use: it loads sqlglot)."""
    if not _compiler:
        from schemareg.normalize.compile import Compiler

        _compiler.append(Compiler("postgres", DEFAULT_OPTIONS))
    return _compiler[0]


def _compile(text: str) -> bytes:
    return o.encode_ops(_the_compiler().compile(text))


def normalize_pieces(
    ddl: str,
    make_pieces: Callable[[], Sequence[tuple[str, Direct | None]]],
    *,
    source: str | None = None,
    cache: StatementCache | bool | None = True,
) -> Schema:
    """`normalize(ddl, "postgres", source=source, cache=cache)`, where `ddl` is the pieces' statements
    one a line (`Script.render()`), each with its `Direct` if it has one (`make_pieces` is called only
    if the script is not in the cache)."""
    store: StatementCache | None
    store = default_cache() if cache is True else (None if cache is False or cache is None else cache)
    salt = f"{_salt_base()}\0postgres\0{DEFAULT_OPTIONS.salt}".encode()
    script_key = statement_key(salt + b"\0script", ddl)
    if store is not None and store.get_script(script_key) is not None:
        return normalize(ddl, "postgres", source=source, cache=store)
    with collector_paused():  # thousands of ops and model objects, none in a cycle
        return _assemble(ddl, make_pieces, store, salt, script_key, source)


def _assemble(
    ddl: str,
    make_pieces: Callable[[], Sequence[tuple[str, Direct | None]]],
    store: StatementCache | None,
    salt: bytes,
    script_key: bytes,
    source: str | None,
) -> Schema:
    statements, meta = split_statements(ddl, "postgres")
    pieces = make_pieces()
    if len(statements) != len(pieces) or any(
        direct is not None and statement.text != text[:-1]
        for statement, (text, direct) in zip(statements, pieces, strict=False)
    ):
        return normalize(ddl, "postgres", source=source, cache=store)  # not the script the pieces make
    probes = {p for _, direct in pieces if direct is not None for p in direct.probes}
    keys = {text: statement_key(salt, text) for text in probes}
    for statement, (_, direct) in zip(statements, pieces, strict=True):
        if direct is None:
            keys[statement.text] = statement_key(salt, statement.text)
    cached = store.get_many(keys.values()) if store is not None else {}
    fresh: dict[bytes, bytes] = {}

    def probe(text: str) -> list[o.AnyOp] | None:
        key = keys[text]
        blob = cached.get(key) or fresh.get(key)
        if blob is None:
            if structural_error(text) is not None:
                return None
            blob = fresh[key] = _compile(text)
        return o.decode_ops(blob)

    from schemareg.normalize.apply import Applier, finish
    from schemareg.normalize.shadow_tables import drop_shadow_tables

    schema = Schema(dialect="postgres")
    stats = schema.stats
    stats.statements, stats.ignored = len(statements), meta
    applier = Applier(schema)
    for statement, (_, direct) in zip(statements, pieces, strict=True):
        found = _direct_ops(direct, probe) if direct is not None else None
        if found is not None:
            assert direct is not None
            stats.cached += all(keys[p] in cached for p in direct.probes)
        else:
            key = keys.get(statement.text) or keys.setdefault(
                statement.text, statement_key(salt, statement.text)
            )
            blob = cached.get(key) or fresh.get(key)
            if blob is None:
                malformed = structural_error(statement.text)
                if malformed is not None:
                    message, offset = malformed
                    line, column = line_column(ddl, statement.offset + offset)
                    raise SQLParseError(message, line=line, column=column, source=source)
                blob = fresh[key] = _compile(statement.text)
            else:
                stats.cached += 1
            found = o.decode_ops(blob)
        _apply(applier, found, statement, ddl, schema)
    if store is not None and fresh:
        store.put_many(fresh)
    applier.finish_privileges()
    finish(schema, store.typed if store is not None else None)
    drop_shadow_tables(schema)
    stats.objects = len(schema.objects)
    stats.opaque = sum(1 for obj in schema.objects.values() if isinstance(obj, Definition) and obj.opaque)
    if store is not None:
        schema.rendered()
        store.put_script(script_key, encode_schema(schema))
        _origins.note(schema, store, script_key)
    return schema


def _direct_ops(direct: Direct, probe: Callable[[str], list[o.AnyOp] | None]) -> list[o.AnyOp] | None:
    found = []
    for text in direct.probes:
        ops = probe(text)
        if ops is None:
            return None
        found.append(ops)
    return direct.build(found)


def _apply(applier: Applier, ops: list[o.AnyOp], statement: Statement, ddl: str, schema: Schema) -> None:
    """One statement's ops, applied as `normalize` applies them."""
    stats = schema.stats
    for op in ops:
        if isinstance(op, o.Ignored):
            stats.ignored += 1
            continue
        if isinstance(op, o.Opaque) and op.message is not None:
            stats.errors += 1
            start_line, start_column = line_column(ddl, statement.offset)
            line = start_line + op.line - 1
            column = op.column + (start_column - 1 if op.line <= 1 else 0)
            schema.issues.append(
                Issue(line=line, column=column, message=op.message, statement=op.definition.sql[:200])
            )
        if not applier.apply(op):
            if isinstance(op, o.DropObject):
                # The database refuses it (or, IF EXISTS, does nothing): said, and nothing kept.
                line, column = line_column(ddl, statement.offset)
                message = f"{op.kind.value} {op.name} does not exist here: its DROP is ignored"
                schema.issues.append(
                    Issue(line=line, column=column, message=message, statement=statement.text[:200])
                )
                continue
            _keep_orphan(applier, _the_compiler(), statement.text, schema)
            break
