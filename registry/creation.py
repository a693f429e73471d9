"""The order in which schema.sql creates a schema's objects so that it replays: by kind
(`CREATION_ORDER`); routines whose heads or SQL-standard bodies read tables, views or other routines after
those; composite and range types after the types they are made of, a range after its subtype_diff, a
domain after the domain (or the table) it is over; views, and tables made from a query or a view that are
kept as written (`CREATE TABLE ... AS`, normalize/table_as.py; `LIKE` a view, normalize/table_like.py),
by what they read; a table after the tables it inherits from (`INHERITS (...)`, and the parent of a
partition kept as written), whatever their names, so that a parent sorting after its child exists first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from schemareg.lazy_re import lazy_compile
from schemareg.model import CREATION_ORDER, Definition, Kind, ObjectKey, Schema, SchemaObject, Table
from schemareg.names import join_key, name_parts, qualified_names, split_key, split_signature

__all__ = ["ROUTINES", "creation_order", "parents_in"]

_MADE_BY_QUERY = lazy_compile(
    r"CREATE (?:UNLOGGED )?TABLE (?:IF NOT EXISTS )?\S+(?: \([^)]*\))? AS ", re.IGNORECASE
)


_LIKE = lazy_compile(r"[(,]\s*LIKE\s", re.IGNORECASE)


def _made_by_query(obj: SchemaObject) -> bool:
    """A table kept as its CREATE TABLE ... AS, or as its CREATE TABLE (LIKE <a view>): it reads what its
    query reads, as a view does, or the view it copies."""
    return (
        isinstance(obj, Definition)
        and obj.kind is Kind.TABLE
        and bool(_MADE_BY_QUERY.match(obj.sql) or _LIKE.search(obj.sql))
    )


_WORD = lazy_compile(r"[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)?")


def creation_order(schema: Schema) -> list[ObjectKey]:
    """Objects in an order that replays: by kind (CREATION_ORDER), and views by what they read."""
    rank = {kind: i for i, kind in enumerate(CREATION_ORDER)}
    keys = _tables_after_parents(
        schema, sorted(schema.objects, key=lambda k: (rank.get(k.kind, len(rank)), k.name))
    )
    first_view = rank[Kind.VIEW]
    views = [
        k for k in keys if k.kind in (Kind.VIEW, Kind.MATERIALIZED_VIEW) or _made_by_query(schema.objects[k])
    ]
    before = [k for k in keys if rank.get(k.kind, len(rank)) < first_view and k not in views]
    after = _others_in_order(
        schema, [k for k in keys if rank.get(k.kind, len(rank)) > rank[Kind.MATERIALIZED_VIEW]]
    )
    # A routine whose arguments or result name a table's row type can exist only after that table.
    tables = {k.name for k in keys if k.kind is Kind.TABLE}
    view_names = {k.name for k in views}
    names = {k: _signature_names(schema.objects[k]) for k in before if k.kind in ROUTINES}
    # A SQL-standard body (RETURN ..., BEGIN ATOMIC) is parsed when the routine is made: what it reads
    # must exist before it, the routines it calls included.
    bodies = {k: _standard_body_names(schema.objects[k]) for k in names}
    for key, found in bodies.items():
        names[key] |= found
    # A composite or range type names the types and domains of its attributes, which must exist before
    # it, and a range type its subtype_diff function; a domain is over a type or another domain.
    types = {k.name for k in before if k.kind in (Kind.TYPE, Kind.DOMAIN)}
    named = types | {split_signature(k.name)[0] for k in names}
    for key in before:
        if key.kind is Kind.TYPE:
            obj = schema.objects[key]
            body = obj.sql.partition(" AS ")[2] if isinstance(obj, Definition) else ""
            bodies[key] = qualified_names(body) & named - {key.name}
        elif key.kind is Kind.DOMAIN and (base := _domain_base(schema.objects[key])) in types:
            bodies[key] = {base}  # after the type or the domain it is over
    after_views = [k for k, found in names.items() if found & view_names]
    after_tables = [k for k, found in names.items() if found & tables and k not in after_views]
    # A domain over a table's row type, likewise (PostgREST's fixtures have one), and then a routine whose
    # head or a domain whose base names such a domain.
    later = tables
    while True:
        more = [k for k in before if k.kind is Kind.DOMAIN and _domain_base(schema.objects[k]) in later]
        more += [k for k, found in names.items() if found & later and k not in after_views]
        more = [k for k in more if k not in after_tables]
        if not more:
            break
        after_tables += more
        later = {k.name for k in more}
    if after_tables or after_views:
        before = [k for k in before if k not in after_tables and k not in after_views]
        tables_end = max((i for i, k in enumerate(before) if k.kind is Kind.TABLE), default=len(before) - 1)
        before[tables_end + 1 : tables_end + 1] = after_tables
    ordered = _routines_in_dependency_order(before + after_views, bodies)
    made = ordered[: len(before)] + _views_in_dependency_order(schema, views) + ordered[len(before) :] + after
    return _early_others_first(schema, made)


# Statements kept as written (Kind.OTHER) that make what others of them use: a foreign data wrapper before
# its servers, a server before its user mappings and foreign tables; a text search parser or template
# before its dictionaries, a dictionary before the configurations that map to it, and the mappings after
# them. Those ranked below _EARLY are made before types and tables (a foreign table names a server, a
# column or an index a text search configuration), right after schemas, extensions and collations, as
# pg_dump makes them. Any other statement that makes something comes before one that alters something.
_OTHER_HEADS = (
    ("CREATE FOREIGN DATA WRAPPER", 0),
    ("CREATE SERVER", 1),
    ("CREATE USER MAPPING", 2),
    ("CREATE TEXT SEARCH PARSER", 0),
    ("CREATE TEXT SEARCH TEMPLATE", 0),
    ("CREATE TEXT SEARCH DICTIONARY", 1),
    ("CREATE TEXT SEARCH CONFIGURATION", 2),
    ("ALTER TEXT SEARCH CONFIGURATION", 3),
    ("CREATE", 4),
)
_EARLY = 4
_FIRST_KINDS = (Kind.SCHEMA, Kind.EXTENSION, Kind.COLLATION)
_HEAD_WORDS = lazy_compile(r"\s+")


def _other_rank(obj: SchemaObject) -> int:
    if not isinstance(obj, Definition):
        return 5
    head = _HEAD_WORDS.sub(" ", obj.sql[:60]).upper()
    head = head.replace("CREATE OR REPLACE ", "CREATE ").replace("CREATE TRUSTED ", "CREATE ")
    return next((order for prefix, order in _OTHER_HEADS if head.startswith(prefix)), 5)


def _early_others_first(schema: Schema, keys: list[ObjectKey]) -> list[ObjectKey]:
    early = [k for k in keys if k.kind is Kind.OTHER and _other_rank(schema.objects[k]) < _EARLY]
    if not early:
        return keys
    moved = set(early)
    rest = [k for k in keys if k not in moved]
    at = max((i + 1 for i, k in enumerate(rest) if k.kind in _FIRST_KINDS), default=0)
    return rest[:at] + early + rest[at:]


def _others_in_order(schema: Schema, keys: list[ObjectKey]) -> list[ObjectKey]:
    """`keys` (in kind order) with the statements kept as written among them in _OTHER_HEADS' order."""
    others = [k for k in keys if k.kind is Kind.OTHER]
    if len(others) < 2:
        return keys
    ordered = iter(sorted(others, key=lambda k: _other_rank(schema.objects[k])))
    return [next(ordered) if k.kind is Kind.OTHER else k for k in keys]


ROUTINES = {Kind.FUNCTION, Kind.PROCEDURE, Kind.AGGREGATE}
_PART = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_INHERITS = lazy_compile(r"\bINHERITS\s*\((?P<list>(?:[^()\"]|\"(?:[^\"]|\"\")*\")*)\)", re.IGNORECASE)
# A partition's parent, and (in a table kept as written, the statements said of it after) ALTER TABLE
# ... INHERIT p.
_PARTITION_OF = lazy_compile(
    rf"\b(?:PARTITION\s+OF|INHERIT)\s+(?P<name>{_PART}(?:\s*\.\s*{_PART})?)", re.IGNORECASE
)
_PARENT = lazy_compile(rf"{_PART}(?:\s*\.\s*{_PART})?")


def parents_in(text: str, schema: str) -> list[str]:
    """The tables a table's text inherits from, in order, as keys: those of its `INHERITS (...)`, the
    parent of its `PARTITION OF` or of an `INHERIT p`; a name without a schema is in `schema`."""
    found = [p.group(0) for m in _INHERITS.finditer(text) for p in _PARENT.finditer(m.group("list"))]
    found += [m.group("name") for m in _PARTITION_OF.finditer(text)]
    keys = []
    for name in found:
        parts = name_parts(name)
        key = join_key(*parts) if len(parts) > 1 or not schema else join_key(schema, parts[0])
        if key not in keys:
            keys.append(key)
    return keys


def _tables_after_parents(schema: Schema, keys: list[ObjectKey]) -> list[ObjectKey]:
    """`keys` with each table after the tables it inherits from (a chain of them in turn), the others,
    and the tables that inherit nothing, where they were."""
    tables = [k for k in keys if k.kind is Kind.TABLE]
    known = {k.name: k for k in tables}
    deps: dict[ObjectKey, list[ObjectKey]] = {}
    for key in tables:
        obj = schema.objects[key]
        text = obj.options or "" if isinstance(obj, Table) else obj.sql if isinstance(obj, Definition) else ""
        if "INHERIT" in text.upper() or (isinstance(obj, Definition) and "PARTITION" in text.upper()):
            found = [known[p] for p in parents_in(text, obj.schema) if p in known and p != key.name]
            if found:
                deps[key] = found
    if not deps:
        return keys
    next_table = iter(_after_dependencies(tables, deps))
    return [next(next_table) if k.kind is Kind.TABLE else k for k in keys]


_DOMAIN_BASE = lazy_compile(r"CREATE DOMAIN \S+ AS (\S+)")


def _domain_base(obj: SchemaObject) -> str:
    """The qualified name a domain's base type is spelt with (lower-cased; '' for a built-in type)."""
    found = _DOMAIN_BASE.match(obj.sql) if isinstance(obj, Definition) else None
    return found.group(1).lower().rstrip(";") if found and "." in found.group(1) else ""


_BODY_START = lazy_compile(r"\s(?:AS|BEGIN\s+ATOMIC|RETURN)\s", re.IGNORECASE)


def _signature_names(obj: SchemaObject) -> set[str]:
    """The qualified names in a routine's head (arguments and result), spelt as keys (quoted ones too)."""
    if not isinstance(obj, Definition):
        return set()
    return qualified_names(_BODY_START.split(obj.sql, maxsplit=1)[0])


_DOLLAR_OR_STRING_BODY = lazy_compile(r"\sAS\s+(?:\$[A-Za-z_0-9]*\$|')", re.IGNORECASE)
_STANDARD_BODY = lazy_compile(r"\s(?:BEGIN\s+ATOMIC|RETURN)\s", re.IGNORECASE)
_NAME = lazy_compile(
    r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))?'
)


def _standard_body_names(obj: SchemaObject) -> set[str]:
    """The names a routine's SQL-standard body mentions (`schema.name` and `name`, unquoted, as keys are)."""
    if not isinstance(obj, Definition) or _DOLLAR_OR_STRING_BODY.search(obj.sql):
        return set()
    body = _STANDARD_BODY.search(obj.sql)
    if body is None:
        return set()
    found = set()
    for word in _NAME.findall(obj.sql[body.end() :]):
        parts = name_parts(word)
        found.add(join_key(*parts))
        if obj.schema and len(parts) == 1:
            found.add(join_key(obj.schema, parts[0]))
    return found


def _routines_in_dependency_order(
    keys: list[ObjectKey], bodies: dict[ObjectKey, set[str]]
) -> list[ObjectKey]:
    """`keys` with each routine whose SQL-standard body calls another routine of them after that one, each
    type after the types it is made of and each domain after the domain it is over, everything else where
    it was."""
    by_name: dict[str, list[ObjectKey]] = {}
    for key in keys:
        if key.kind in ROUTINES or key.kind in (Kind.TYPE, Kind.DOMAIN):
            by_name.setdefault(split_signature(key.name)[0], []).append(key)
    deps = {
        key: {dep for name in found for dep in by_name.get(name, ()) if dep != key}
        for key, found in bodies.items()
        if found
    }
    if not any(deps.values()):
        return keys
    return _after_dependencies(keys, {key: sorted(found) for key, found in deps.items()})


def _after_dependencies(
    keys: list[ObjectKey], deps: Mapping[ObjectKey, Iterable[ObjectKey]]
) -> list[ObjectKey]:
    """`keys` in their order, each after what it depends on among them, depth first (a cycle is broken
    where it closes)."""
    among = set(keys)
    ordered: list[ObjectKey] = []
    done: set[ObjectKey] = set()

    def visit(key: ObjectKey, visiting: frozenset[ObjectKey]) -> None:
        if key in done or key in visiting:
            return
        for dep in deps.get(key, ()):
            if dep in among:
                visit(dep, visiting | {key})
        done.add(key)
        ordered.append(key)

    for key in keys:
        visit(key, frozenset())
    return ordered


def _views_in_dependency_order(schema: Schema, views: list[ObjectKey]) -> list[ObjectKey]:
    names = {key.name: key for key in views}
    short = {split_key(key.name)[-1]: key for key in views}
    deps: dict[ObjectKey, set[ObjectKey]] = {}
    for key in views:
        obj = schema.objects[key]
        text = obj.sql if isinstance(obj, Definition) else ""
        found = set()
        for word in _WORD.findall(text.split(" AS ", 1)[-1]):
            target = names.get(word.lower()) or short.get(word.lower())
            if target is not None and target != key:
                found.add(target)
        deps[key] = found
    ordered: list[ObjectKey] = []
    done: set[ObjectKey] = set()
    visiting: set[ObjectKey] = set()

    def visit(key: ObjectKey) -> None:
        if key in done or key in visiting:
            return
        visiting.add(key)
        for dep in sorted(deps[key]):
            visit(dep)
        visiting.discard(key)
        done.add(key)
        ordered.append(key)

    for key in views:
        visit(key)
    return ordered
