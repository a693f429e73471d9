"""An index key's operator class where it is the default, which PostgreSQL does not print.

`CREATE INDEX ON t USING gin (tags array_ops)` is stored as `USING gin (tags)`: pg_get_indexdef (and so
pg_dump and introspection) names a key's class only where it is not the default of the index's method for
the key's type (GetDefaultOpClass). Which class is the default depends on the column's type, known only once
the script is applied; so after it, each index key and exclusion element that names a class is looked up
in opclass_defaults.py (generated from PostgreSQL's catalog) and the class dropped where it is the default:
for the type itself, a domain's base type, an array's, enum's, range's or composite's polymorphic class, or
what an extension of the schema adds. A key whose type is not known keeps its class.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import ConstraintKind, Definition, Kind, Schema, Table
from schemareg.normalize.context import Context
from schemareg.normalize.opclass_defaults import (
    CATALOG_CLASSES,
    CORE,
    EXTENSION_CLASSES,
    EXTENSIONS,
    POLYMORPHIC,
    TYPE_NAMES,
)
from schemareg.normalize.patterns import split_top_level
from schemareg.normalize.text import balanced
from schemareg.normalize.type_grammar import prepare_types
from schemareg.normalize.typing import Resolver
from schemareg.render import quote_qualified

# `key opclass [DESC] [NULLS FIRST|LAST] [WITH operator]`: every default class is named `..._ops`.
_KEY = lazy_compile(
    r"(?P<key>.+?) (?P<opclass>(?:[a-z_][a-z0-9_$]*\.)?[a-z_][a-z0-9_$]*_ops)"
    r"(?P<rest>(?: DESC)?(?: NULLS (?:FIRST|LAST))?(?: WITH \S+)?)",
    re.DOTALL,
)
_METHOD = lazy_compile(r"(?:^|^EXCLUDE )USING (\w+) ?\(")
_COLUMN = lazy_compile(r'(?P<name>"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)(?: COLLATE \S+)?')
_MODIFIERS = lazy_compile(r"\([^()]*\)")
_EXTENSION_SCHEMA = lazy_compile(r"\bWITH SCHEMA (\S+?);?$", re.MULTILINE)
_USER_TYPE = lazy_compile(r"CREATE TYPE \S+ AS (ENUM|RANGE|\()")
_DOMAIN_BASE = lazy_compile(
    r"CREATE DOMAIN \S+ AS (.+?)(?: (?:COLLATE|DEFAULT|NOT NULL|CONSTRAINT|CHECK)\b.*)?;?$"
)
_POLYMORPHIC_OF = {"ENUM": "anyenum", "RANGE": "anyrange", "(": "record"}


def drop_default_opclasses(schema: Schema) -> None:
    """Drop each index key's and exclusion element's operator class that is its type's default."""
    if schema.dialect != "postgres":
        return
    types: _Types | None = None
    for table in schema.tables():
        for index in table.indexes:
            if "_ops" in index.definition:
                types = types or _Types(schema)
                index.definition = _without_defaults(index.definition, table, types)
        for constraint in table.constraints:
            if constraint.kind is ConstraintKind.EXCLUDE and "_ops" in constraint.definition:
                types = types or _Types(schema)
                constraint.definition = _without_defaults(constraint.definition, table, types)


def _without_defaults(definition: str, table: Table, types: _Types) -> str:
    method = _METHOD.match(definition)
    if method is None:
        return definition
    start = method.end()
    end = balanced(definition, start)
    keys = []
    for key in split_top_level(definition[start:end]):
        found = _KEY.fullmatch(key.strip())
        if found is not None and types.is_default(
            method.group(1), found.group("opclass"), found.group("key"), table
        ):
            key = found.group("key") + found.group("rest")
        elif found is not None:
            key = f"{found.group('key')} {types.qualified(found.group('opclass'))}{found.group('rest')}"
        keys.append(key.strip())
    return f"{definition[:start]}{', '.join(keys)}{definition[end:]}"


class _Types:
    """The schema's own types and extensions, read on first use: what decides a key type's default class."""

    def __init__(self, schema: Schema) -> None:
        self.extensions: dict[str, str] = {}  # extension -> its schema
        self.user: dict[str, str] = {}  # `public.mood` -> its polymorphic type, or a domain's base type
        for key, obj in schema.objects.items():
            if not isinstance(obj, Definition) or obj.opaque:
                continue
            spelling = quote_qualified(key.name, schema.dialect)
            if key.kind is Kind.EXTENSION:
                within = _EXTENSION_SCHEMA.search(obj.sql)
                self.extensions[key.name] = within.group(1) if within else "public"
            elif key.kind is Kind.TYPE and (kind := _USER_TYPE.match(obj.sql)) is not None:
                self.user[spelling] = _POLYMORPHIC_OF[kind.group(1)]
            elif key.kind is Kind.DOMAIN and (base := _DOMAIN_BASE.match(obj.sql)) is not None:
                self.user[spelling] = base.group(1)
        for table in schema.tables():
            self.user.setdefault(quote_qualified(f"{table.schema}.{table.name}", schema.dialect), "record")

    def qualified(self, opclass: str) -> str:
        """A class that is not the default, named as pg_get_indexdef names it: pg_catalog's bare, an
        extension's (`gin_trgm_ops`) with the extension's schema (public where the schema does not say)."""
        written_schema, _, name = opclass.rpartition(".")
        if written_schema == "pg_catalog":
            return name
        if written_schema or name in CATALOG_CLASSES:
            return opclass
        owners = [e for e, classes in EXTENSION_CLASSES.items() if name in classes]
        within = next(
            (self.extensions[e] for e in owners if e in self.extensions), "public" if owners else ""
        )
        return quote_qualified(f"{within}.{name}", "postgres") if within else opclass

    def is_default(self, method: str, opclass: str, key: str, table: Table) -> bool:
        written_schema, _, name = opclass.rpartition(".")
        if name not in default_names(method):
            return False  # `gin_trgm_ops`, `text_pattern_ops`: no type's default (and no type to read)
        key_type = self.key_type(key, table)
        if key_type is None:
            return False
        for default, where in self.defaults(method, key_type):
            if default == name and written_schema in ("", where):
                return True
        return False

    def defaults(self, method: str, spelling: str, depth: int = 0) -> Iterator[tuple[str, str]]:
        """The default class of `method` for a type (canonical spelling), with its schema; at most one is
        PostgreSQL's, but an extension's may stand beside core's where the schema has it."""
        bare = _MODIFIERS.sub("", spelling)
        known = self.user.get(bare)
        if known is not None and depth < 10:
            if known in ("anyenum", "anyrange", "record"):
                if (polymorphic := POLYMORPHIC.get(method, {}).get(known)) is not None:
                    yield polymorphic, "pg_catalog"
                return
            yield from self.defaults(method, known, depth + 1)  # a domain: its base type's
            return
        name = format_names().get(bare)
        for extension, within in self.extensions.items():
            added = EXTENSIONS.get(extension, {}).get(method, {})
            own = bare.removeprefix(f"{within}.") if bare.startswith(f"{within}.") else None
            for candidate in (name, own):  # a core type, or the extension's own (`public.citext`)
                if candidate is not None and candidate in added:
                    yield added[candidate], within
        if name is not None and (core := CORE.get(method, {}).get(name)) is not None:
            yield core, "pg_catalog"
        elif bare.endswith("[]") and (array := POLYMORPHIC.get(method, {}).get("anyarray")) is not None:
            yield array, "pg_catalog"

    def key_type(self, key: str, table: Table) -> str | None:
        """A key's type as a column's type is spelt: a column's (collated or not), or what the resolver
        makes of an expression of the table's columns."""
        inner = key[1:-1] if key.startswith("(") and balanced(key, 1) == len(key) - 1 else key
        column = _COLUMN.fullmatch(inner)
        if column is not None:
            found = table.column(column.group("name").strip('"').replace('""', '"'))
            return found.type if found is not None else None
        return _expression_type(inner, table)


def _expression_type(text: str, table: Table) -> str | None:
    from schemareg.normalize.table_casts import column_type

    try:
        select = Context("postgres").parse(f"SELECT {text}")
    except Exception:
        return None
    if not isinstance(select, exp.Select) or len(select.expressions) != 1:
        return None
    columns = {c.name: t for c in table.columns if (t := column_type(c.type)) is not None}
    typname = Resolver(columns, table.name).type_of(select.expressions[0])
    if typname is None or typname.endswith("[]"):
        return None
    return canonical_spellings().get(TYPE_NAMES.get(typname, typname))


@cache
def default_names(method: str) -> frozenset[str]:
    """Every class that is some type's default for `method`, in core or in an extension."""
    names = set(CORE.get(method, {}).values()) | set(POLYMORPHIC.get(method, {}).values())
    for methods in EXTENSIONS.values():
        names |= set(methods.get(method, {}).values())
    return frozenset(names)


@cache
def format_names() -> dict[str, str]:
    """A column type's canonical spelling, without modifiers (`VARCHAR`, `INT[]`) -> format_type's name."""
    return {spelling: name for name, spelling in canonical_spellings().items()}


@cache
def canonical_spellings() -> dict[str, str]:
    """format_type's name of each type the tables name -> its canonical spelling as a column's type."""
    names = {n for table in (CORE, *EXTENSIONS.values()) for types in table.values() for n in types}
    names |= set(TYPE_NAMES.values())
    context = Context("postgres")
    found: dict[str, str] = {}
    for name in sorted(names):
        if any(c.isupper() for c in name):
            continue
        try:
            tree = context.parse(prepare_types(f"CREATE TABLE t (c {name})"))
            kind = tree.this.expressions[0].args["kind"]  # type: ignore[union-attr]
            spelling = _MODIFIERS.sub("", context.column_type_sql(kind))
        except Exception:
            continue
        if "." not in spelling.removesuffix("[]"):  # a type of an extension: named with its schema above
            found[name] = spelling
    return found
