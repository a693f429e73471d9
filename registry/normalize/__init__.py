"""The normaliser: DDL text in any supported dialect -> the canonical model, its DDL and its fingerprint.

    normalize(sql, dialect) -> Schema

Three steps: split the script into statements (cheap), compile each statement to ops (sqlglot; cached by
statement text), apply the ops in order (cheap). See docs/normalisation.md for the rules.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib.util
import os
import sys
import threading
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from schemareg.errors import InputError, SQLParseError
from schemareg.model import Definition, Issue, Kind, Schema, Stats
from schemareg.normalize import ops as o
from schemareg.normalize.absorb import absorb
from schemareg.normalize.cache import (
    StatementCache,
    collector_paused,
    decode_schema,
    default_cache_dir,
    encode_schema,
    statement_key,
)
from schemareg.normalize.options import DEFAULT_OPTIONS, NormalizeOptions, options_from_mapping
from schemareg.normalize.search_path import statement_schemas
from schemareg.normalize.split import Statement, line_column, split_statements
from schemareg.normalize.structure import structural_error

if TYPE_CHECKING:
    # Imported where a statement is compiled: a script found in the cache never loads sqlglot.
    from schemareg.normalize.apply import Applier
    from schemareg.normalize.compile import Compiler

__all__ = [
    "DIALECTS",
    "NORMALIZER",
    "NormalizeOptions",
    "StatementCache",
    "normalize",
    "normalizer_info",
    "options_from_mapping",
    "sqlglot_version",
]

DIALECTS = ("postgres", "mysql", "sqlite")
# Bump the first number whenever the canonical output changes, so cached ops and history re-normalise.
NORMALIZER_VERSION = "20"
NORMALIZER = "schemareg-normalize"

_YOUNG_EVERY = 256  # statements between two collections of the youngest generation while compiling
_default_cache: StatementCache | None = None
_default_lock = threading.Lock()
_compilers: dict[tuple[str, NormalizeOptions] | tuple[str, NormalizeOptions, str], Compiler] = {}


@functools.cache
def _code_digest() -> str:
    """A digest of the code that compiles statements: cached ops from other code are never reused."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    # render.py too: a cached script keeps its canonical text.
    others = [package.parent / name for name in ("model.py", "names.py", "render.py")]
    for path in sorted([*package.glob("*.py"), *others]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def sqlglot_version() -> str:
    """The installed sqlglot's version, from the `_version.py` its build writes into the package, loaded
    alone: a warm run never imports sqlglot, and importlib.metadata (with email, zipfile and csv inside it)
    was a fifth of a snapshot's start-up. The package's metadata when that file is not there."""
    loaded = sys.modules.get("sqlglot")
    if loaded is not None and isinstance(getattr(loaded, "__version__", None), str):
        return str(loaded.__version__)
    spec = importlib.util.find_spec("sqlglot")
    if spec is not None and spec.origin:
        path = Path(spec.origin).with_name("_version.py")
        found = importlib.util.spec_from_file_location("sqlglot._version", path)
        if found is not None and found.loader is not None and path.is_file():
            module = importlib.util.module_from_spec(found)
            found.loader.exec_module(module)
            if isinstance(getattr(module, "__version__", None), str):
                return str(module.__version__)
    from importlib.metadata import version

    return version("sqlglot")


def normalizer_info() -> dict[str, str]:
    return {"name": NORMALIZER, "version": f"{NORMALIZER_VERSION}+sqlglot.{sqlglot_version()}"}


@functools.cache
def _salt_base() -> str:
    """What cached ops and scripts are keyed by besides the text: our version and code, and which sqlglot
    is installed (known from its files, so that a warm run need not import it or read package metadata)."""
    spec = importlib.util.find_spec("sqlglot")
    origin = spec.origin if spec is not None else None
    stamp = os.stat(origin) if origin else None
    installed = f"{origin}:{stamp.st_size}:{stamp.st_mtime_ns}" if stamp else "none"
    return f"{NORMALIZER_VERSION}\0{_code_digest()}\0{installed}"


def default_cache() -> StatementCache:
    global _default_cache
    with _default_lock:
        if _default_cache is None:
            _default_cache = StatementCache(default_cache_dir() / "statements.sqlite3")
        return _default_cache


def set_default_cache(cache: StatementCache | None) -> None:
    """Replace the process-wide cache (None: a fresh one at the default path on next use)."""
    global _default_cache
    with _default_lock:
        _default_cache = cache


def normalize(
    sql: str,
    dialect: str = "postgres",
    *,
    source: str | None = None,
    cache: StatementCache | bool | None = True,
    options: NormalizeOptions = DEFAULT_OPTIONS,
) -> Schema:
    """Normalise a DDL script. Statements the parser cannot read are kept as opaque objects.

    Raises SQLParseError (with line and column) for input that is malformed whatever the parser: not SQL at
    all, an unknown command, unbalanced brackets or an unterminated quote. Nothing is returned then.
    """
    dialect = dialect.lower()
    if dialect not in DIALECTS:
        raise InputError(f"unknown dialect {dialect!r}: choose one of {', '.join(DIALECTS)}")
    if "\0" in sql:
        raise SQLParseError("binary data, not SQL text", line=1, column=sql.index("\0") + 1, source=source)
    store: StatementCache | None
    if cache is True:
        store = default_cache()
    elif cache is False or cache is None:
        store = None
    else:
        store = cache
    salt = f"{_salt_base()}\0{dialect}\0{options.salt}".encode()
    script_key = statement_key(salt + b"\0script", sql)
    if store is not None:
        known = store.get_script(script_key)
        if known is not None:
            schema = decode_schema(known)
            schema.stats.cached = schema.stats.statements
            _origins.note(schema, store, script_key)
            return schema
    from schemareg.normalize.apply import Applier

    try:
        if store is not None:
            statements, meta, keys = store.splits.split(
                sql, dialect, salt, functools.partial(statement_key, salt)
            )
        else:
            statements, meta = split_statements(sql, dialect)
            keys = [statement_key(salt, st.text) for st in statements]
    except SQLParseError as error:
        raise error.named(source) from None  # the splitter sees text only
    schemas = statement_schemas(statements) if dialect == "postgres" else None
    if schemas is not None:  # a search path moves bare names: such statements compile (and key) apart
        keys = [
            statement_key(salt + b"\0in\0" + s.encode(), st.text) if s else k
            for st, k, s in zip(statements, keys, schemas, strict=True)
        ]
    cached = store.get_many(keys) if store is not None else {}
    compiler = compiler_for(dialect, options)
    fresh: dict[bytes, bytes] = {}
    schema = Schema(dialect=dialect)
    stats = schema.stats
    stats.statements = len(statements)
    stats.ignored = meta
    applier = Applier(schema)
    compile_ops = functools.partial(compiler.compile, probes={})  # the script's statements share probes
    elsewhere: dict[str, Callable[[str], list[o.AnyOp]]] = {}
    # The collector would walk the whole heap (sqlglot's and ours) again and again as the ops and the model
    # grow; what needs it is the parse trees (cyclic: each node knows its parent), which die young, so the
    # youngest generation alone is collected, every so many statements.
    with collector_paused():
        for number, (statement, key) in enumerate(zip(statements, keys, strict=True), 1):
            compiles: Callable[[str], list[o.AnyOp]] = compile_ops
            if schemas is not None and (moved := schemas[number - 1]):
                compiles = elsewhere.get(moved) or elsewhere.setdefault(
                    moved, functools.partial(compiler_for(dialect, options, moved).compile, probes={})
                )
            ops = statement_ops(statement, key, sql, cached, fresh, compiles, stats, source)
            apply_statement(applier, ops, sql, statement.offset, statement.text, options)
            if number % _YOUNG_EVERY == 0:
                gc.collect(0)
        gc.collect(0)
    if store is not None and fresh:
        store.put_many(fresh)
    return finish_schema(schema, applier, store, script_key)


def statement_ops(
    statement: Statement,
    key: bytes,
    sql: str,
    cached: Mapping[bytes, bytes],
    fresh: dict[bytes, bytes],
    compile_ops: Callable[[str], list[o.AnyOp]],
    stats: Stats,
    source: str | None,
) -> list[o.AnyOp]:
    """One statement's ops: from the cache (`cached`, or `fresh` from this script), else compiled once its
    text passes the structural check (a malformed statement is an error with its place in `sql`), and
    kept in `fresh` for the cache."""
    blob = cached.get(key) or fresh.get(key)
    if blob is not None:
        stats.cached += 1
        return o.decode_ops(blob)
    # Only statements that pass are cached, so a cached one needs no check.
    malformed = structural_error(statement.text)
    if malformed is not None:
        message, offset = malformed
        line, column = line_column(sql, statement.offset + offset)
        raise SQLParseError(message, line=line, column=column, source=source)
    blob = fresh[key] = o.encode_ops(compile_ops(statement.text))
    return o.decode_ops(blob)


def compiler_for(dialect: str, options: NormalizeOptions = DEFAULT_OPTIONS, schema: str = "") -> Compiler:
    """The process's compiler for a dialect and options (made on first use: it loads sqlglot); `schema`,
    where a script's search path puts bare names (search_path.py), '' for the dialect's default."""
    from schemareg.normalize.compile import Compiler

    key = (dialect, options) if not schema else (dialect, options, schema)
    return _compilers.get(key) or _compilers.setdefault(key, Compiler(dialect, options, schema))


def compiler_loaded(dialect: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> bool:
    """Whether this process has made the compiler `compiler_for` returns already."""
    return (dialect, options) in _compilers


def apply_statement(
    applier: Applier,
    ops: list[o.AnyOp],
    sql: str,
    offset: int,
    text: str,
    options: NormalizeOptions = DEFAULT_OPTIONS,
) -> None:
    """One statement's ops applied in order, as the database would run it: what the parser could not read is
    kept and reported where it is, a DROP of what does not exist is said and ignored, and a statement about
    an object the script never made is kept whole, opaque. (`sql` is the script, `offset` the statement's.)"""
    from schemareg.normalize.apply import made_already

    schema = applier.schema
    if made_already(applier.objects, ops):
        schema.stats.ignored += 1
        return
    for op in ops:
        if isinstance(op, o.Ignored):
            schema.stats.ignored += 1
            if op.message is not None:  # ignored, but the user should know (a DO block not applied)
                line, column = _position(sql, offset, op.line, op.column)
                schema.issues.append(
                    Issue(
                        line=line, column=column, message=op.message, statement=text[:200], outcome="ignored"
                    )
                )
            continue
        if isinstance(op, o.Opaque) and op.message is not None:
            # A well-formed statement the parser cannot read: kept, and reported where it is.
            schema.stats.errors += 1
            line, column = _position(sql, offset, op.line, op.column)
            schema.issues.append(
                Issue(line=line, column=column, message=op.message, statement=op.definition.sql[:200])
            )
        applied = applier.apply(op)
        for about, note in applier.notes:  # said while applying (a CREATE TABLE ... AS kept as written)
            line, column = line_column(sql, offset)
            issue = Issue(line=line, column=column, message=note, statement=text[:200])
            schema.issues.append(issue)
            applier.noted.append((about, issue))
        applier.notes.clear()
        if not applied:
            if absorb(
                applier.objects, applier.index_owner, op, lambda: _opaque_text(schema.dialect, options, text)
            ):
                break  # said of a table kept opaque: kept with it (normalize/absorb.py)
            if isinstance(op, o.DropObject):
                # The database refuses it (or, IF EXISTS, does nothing): said, and nothing kept.
                line, column = line_column(sql, offset)
                message = f"{op.kind.value} {op.name} does not exist here: its DROP is ignored"
                schema.issues.append(Issue(line=line, column=column, message=message, statement=text[:200]))
                continue
            _keep_orphan(applier, compiler_for(schema.dialect, options), text, schema)
            break


def finish_schema(
    schema: Schema, applier: Applier, store: StatementCache | None, script_key: bytes
) -> Schema:
    """The schema once every statement is applied: privileges, PostgreSQL's implicit casts, no shadow
    tables and no temporary ones, its counts; cached under the script's key (rendered with it: a script
    seen again is not rendered again either)."""
    from schemareg.normalize.apply import finish
    from schemareg.normalize.shadow_tables import drop_shadow_tables
    from schemareg.normalize.temporary import drop_temporary

    applier.finish_privileges()
    drop_temporary(schema)
    if applier.noted:  # a warning about an object dropped since is no longer one
        present = {id(obj) for obj in schema.objects.values()}
        stale = {id(issue) for about, issue in applier.noted if id(about) not in present}
        schema.issues = [issue for issue in schema.issues if id(issue) not in stale]
    finish(schema, store.typed if store is not None else None)
    drop_shadow_tables(schema)
    stats = schema.stats
    stats.objects = len(schema.objects)
    stats.opaque = sum(1 for obj in schema.objects.values() if isinstance(obj, Definition) and obj.opaque)
    if store is not None:
        store.put_script(script_key, encode_schema(schema, store.renders))
        _origins.note(schema, store, script_key)
    return schema


def _position(sql: str, offset: int, line: int, column: int) -> tuple[int, int]:
    """Where a place given relative to its statement (line 1 is the statement's first) is in the script."""
    start_line, start_column = line_column(sql, offset)
    return start_line + max(line, 1) - 1, column + (start_column - 1 if line <= 1 else 0)


def remember(sql: str, schema: Schema, *, options: NormalizeOptions = DEFAULT_OPTIONS) -> None:
    """Record that `sql` normalises to `schema` (its canonical text, for instance, which normalises to the
    schema it was rendered from), so that normalising `sql` later costs one cache lookup."""
    salt = f"{_salt_base()}\0{schema.dialect}\0{options.salt}".encode()
    key, cache = statement_key(salt + b"\0script", sql), default_cache()
    origin = _origins.key_of(schema, cache)
    if origin is not None:  # normalised through this cache: the new key names the stored schema
        cache.put_alias(key, origin)
    else:
        cache.put_script(key, encode_schema(schema))


class _Origins:
    """The script key each schema `normalize` returned was cached under, by identity and held weakly, so
    that `remember` can point at the schema stored already instead of encoding and writing megabytes
    again. An entry goes when its schema does, so an id is never another object's."""

    def __init__(self) -> None:
        self._items: dict[int, tuple[weakref.ref[Schema], StatementCache, bytes]] = {}
        self._lock = threading.RLock()  # a schema freed by the collector while the lock is held

    def __len__(self) -> int:
        return len(self._items)

    def note(self, schema: Schema, cache: StatementCache, key: bytes) -> None:
        ident = id(schema)

        def gone(_: object) -> None:
            with self._lock:
                entry = self._items.get(ident)
                if entry is not None and entry[0]() is None:
                    del self._items[ident]

        with self._lock:
            self._items[ident] = (weakref.ref(schema, gone), cache, key)

    def key_of(self, schema: Schema, cache: StatementCache) -> bytes | None:
        with self._lock:
            found = self._items.get(id(schema))
        if found is None or found[0]() is not schema or found[1] is not cache:
            return None
        return found[2]


_origins = _Origins()


def _opaque_text(dialect: str, options: NormalizeOptions, text: str) -> str:
    """A statement's text as the normaliser keeps an opaque one."""
    op = compiler_for(dialect, options).opaque(text)
    assert isinstance(op, o.Opaque)
    return op.definition.sql


def _keep_orphan(applier: Applier, compiler: Compiler, text: str, schema: Schema) -> None:
    """A statement about an object the script never created is kept, opaque, rather than dropped."""
    from schemareg.normalize.text import statement_name

    op = compiler.opaque(text)
    assert isinstance(op, o.Opaque)
    definition = op.definition
    if definition.kind is not Kind.OTHER or not definition.name:
        definition = Definition(
            kind=Kind.OTHER, schema="", name=statement_name(definition.sql), sql=definition.sql, opaque=True
        )
    applier.apply(o.Opaque(definition=definition))


def normalize_file(
    path: Path,
    dialect: str,
    *,
    cache: StatementCache | bool | None = True,
    options: NormalizeOptions = DEFAULT_OPTIONS,
) -> Schema:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SQLParseError("not UTF-8 text", line=1, column=error.start + 1, source=str(path)) from error
    return normalize(text, dialect, source=str(path), cache=cache, options=options)
