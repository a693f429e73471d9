"""The inspector's script normalised without compiling every statement: `normalize` of the DDL the
inspector writes, with the same result, where the statements `pg_direct` gives ops for take them from
probes (compiled once per shape, then cached) instead of being compiled one by one.

The rest is `schemareg.normalize.normalize` step for step: the whole script is looked up first (a database
seen before costs one lookup), the other statements are compiled or found in the statement cache, the ops
are applied in script order by the same `Applier` and finished the same way, and the schema is cached under
the script's key. A statement whose probes do not give the ops expected is compiled from its text.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator, Sequence

from schemareg.introspect.pg_direct import Direct
from schemareg.model import Schema

# The normaliser's own keys, cache and bookkeeping: this module is its loop with one more source of ops.
from schemareg.normalize import (
    _salt_base,
    apply_statement,
    compiler_for,
    compiler_loaded,
    default_cache,
    finish_schema,
    normalize,
    statement_ops,
)
from schemareg.normalize import ops as o
from schemareg.normalize.cache import StatementCache, collector_paused, statement_key
from schemareg.normalize.options import DEFAULT_OPTIONS
from schemareg.normalize.split import split_statements
from schemareg.normalize.structure import structural_error

__all__ = ["cached_schema", "compiler_loading", "normalize_pieces", "resolve_cache"]


def _compile_ops(text: str) -> list[o.AnyOp]:
    """A statement's ops, by the compiler `normalize` uses (made on first use: it loads sqlglot)."""
    return compiler_for("postgres").compile(text)


def _load_compiler() -> None:
    try:
        from schemareg.normalize.apply import Applier  # noqa: F401  (sqlglot and the normaliser's rules)

        compiler_for("postgres")
    except Exception:  # the assembly loads it again, and reports what fails
        pass


@contextlib.contextmanager
def compiler_loading(wanted: bool = True) -> Iterator[None]:
    """Load the compiler (sqlglot and the normaliser's rules: about 0.1 s of CPU) in a thread while the
    body waits on the server, when `wanted` and this process has not loaded it yet.

    The catalog read spends its time waiting for the server's answers, so on a machine with a core to
    spare the import costs no wall time. While both run the interpreter switches threads every 0.2 ms
    rather than every 5: each answer wakes the reader, which would otherwise wait for the importing
    thread's turn to end, once per query. The thread is joined on the way out, whatever the body did."""
    if not wanted or compiler_loaded("postgres"):
        yield
        return
    loader = threading.Thread(target=_load_compiler, name="schemareg-compiler", daemon=True)
    with _SHORT_TURNS:
        loader.start()
        try:
            yield
        finally:
            loader.join()


class _ShortTurns:
    """The interpreter's switch interval at 0.2 ms while any inspection loads the compiler, and what it
    was once none does (inspections in threads of one server overlap)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._saved = 0.0

    def __enter__(self) -> None:
        with self._lock:
            if self._holders == 0:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(min(self._saved, 0.0002))
            self._holders += 1

    def __exit__(self, *_: object) -> None:
        with self._lock:
            self._holders -= 1
            if self._holders == 0:
                sys.setswitchinterval(self._saved)


_SHORT_TURNS = _ShortTurns()


def resolve_cache(cache: StatementCache | bool | None) -> StatementCache | None:
    """The store a `cache` argument names: the default one for True, none for False or None."""
    return default_cache() if cache is True else (None if cache is False or cache is None else cache)


def _script_key(ddl: str) -> tuple[bytes, bytes]:
    salt = f"{_salt_base()}\0postgres\0{DEFAULT_OPTIONS.salt}".encode()
    return salt, statement_key(salt + b"\0script", ddl)


def cached_schema(ddl: str, store: StatementCache, *, source: str | None = None) -> Schema | None:
    """`normalize(ddl, "postgres")` if the script's schema is in `store`, else None (nothing compiled)."""
    if store.get_script(_script_key(ddl)[1]) is None:
        return None
    return normalize(ddl, "postgres", source=source, cache=store)


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
    store = resolve_cache(cache)
    salt, script_key = _script_key(ddl)
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
            blob = fresh[key] = o.encode_ops(_compile_ops(text))
        return o.decode_ops(blob)

    from schemareg.normalize.apply import Applier

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
            found = statement_ops(statement, key, ddl, cached, fresh, _compile_ops, stats, source)
        apply_statement(applier, found, ddl, statement.offset, statement.text)
    if store is not None and fresh:
        store.put_many(fresh)
    return finish_schema(schema, applier, store, script_key)


def _direct_ops(direct: Direct, probe: Callable[[str], list[o.AnyOp] | None]) -> list[o.AnyOp] | None:
    found = []
    for text in direct.probes:
        ops = probe(text)
        if ops is None:
            return None
        found.append(ops)
    return direct.build(found)
