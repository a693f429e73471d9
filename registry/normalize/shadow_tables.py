"""A SQLite virtual table's shadow tables are its implementation, not objects of the schema.

FTS5 keeps its index in `<name>_data`, `<name>_idx`, ...; R*Tree in `<name>_node`, `<name>_parent`,
`<name>_rowid`. The module makes them when the virtual table is created, so a script that declares the
virtual table has none of them, while a live database (and a dump of it, which `.schema` writes) has them
all. They are left out on every path, so a script, its dump and the database are one schema; the SQLite
inspector also leaves out whatever `PRAGMA table_list` calls a shadow table (of modules not listed here).
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, ObjectKey, Schema, Table

_FTS3 = ("content", "segments", "segdir", "docsize", "stat")
_RTREE = ("node", "parent", "rowid")
# The shadow tables each module of SQLite's own source tree makes (its xShadowName).
SHADOW_SUFFIXES: dict[str, tuple[str, ...]] = {
    "fts5": ("data", "idx", "content", "docsize", "config"),
    "fts4": _FTS3,
    "fts3": _FTS3,
    "rtree": _RTREE,
    "rtree_i32": _RTREE,
    "geopoly": _RTREE,
}
_MODULE = lazy_compile(r"^(?:CREATE\s+VIRTUAL\s+TABLE\s+.*?\s+)?(?:VIRTUAL\s+)?USING\s+(\w+)", re.I | re.S)


def drop_shadow_tables(schema: Schema) -> None:
    """Remove the shadow tables of each virtual table of a SQLite schema."""
    if schema.dialect != "sqlite":
        return
    shadows = []
    for key, obj in schema.objects.items():
        module = _module(obj)
        if key.kind is Kind.TABLE and module is not None:
            shadows += [ObjectKey(Kind.TABLE, f"{key.name}_{suffix}") for suffix in SHADOW_SUFFIXES[module]]
    for shadow in shadows:
        if shadow in schema.objects and _module(schema.objects[shadow]) is None:
            del schema.objects[shadow]


def _module(obj: object) -> str | None:
    if isinstance(obj, Table):
        text = obj.options or ""
    elif isinstance(obj, Definition):
        text = obj.sql
    else:
        return None
    found = _MODULE.match(text)
    module = found.group(1).lower() if found else None
    return module if module in SHADOW_SUFFIXES else None
