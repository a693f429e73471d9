"""Write registry/normalize/opclass_defaults.py: each index method's default operator class for each type,
as PostgreSQL chooses it (GetDefaultOpClass in indexcmds.c), in core and with each extension that adds
default operator classes.

    python scripts/opclass_defaults.py [DSN] > registry/normalize/opclass_defaults.py
    ruff format registry/normalize/opclass_defaults.py

Without a DSN it asks the embedded PostgreSQL (schemareg.devserver). Each extension is created in a
scratch database of its own, so that what it adds is its own.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import psycopg

from schemareg import devserver

EXTENSIONS = (
    "bloom", "btree_gin", "btree_gist", "citext", "cube", "hstore", "intarray", "isn", "ltree", "seg", "vector",
)  # fmt: skip
# Extensions with operator classes but no default of their own: their classes' names are what the
# normaliser needs (an index names `gin_trgm_ops`, which is in the extension's schema).
OTHER_EXTENSIONS = ("pg_trgm",)
POLYMORPHIC = ("anyarray", "anyenum", "anyrange", "anymultirange", "record")

_OPCLASSES = """
SELECT am.amname, c.opcname, c.opcintype, c.opcintype::regtype::text, c.opcdefault
FROM pg_opclass c JOIN pg_am am ON am.oid = c.opcmethod
"""
# Base, range and multirange types (no pseudo-types, no internal ones such as pg_node_tree).
_TYPES = """
SELECT t.oid, format_type(t.oid, NULL), t.typtype, t.typcategory, t.typispreferred,
       t.typsubscript = 'array_subscript_handler'::regproc
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname IN ('pg_catalog', 'public') AND t.typtype IN ('b', 'r', 'm') AND t.typisdefined
  AND (t.typcategory <> 'Z' OR t.typname = 'char')
"""
_CATALOG_CLASSES = (
    "SELECT DISTINCT opcname FROM pg_opclass WHERE opcnamespace = 'pg_catalog'::regnamespace ORDER BY 1"
)
_PUBLIC_CLASSES = (
    "SELECT DISTINCT opcname FROM pg_opclass WHERE opcnamespace = 'public'::regnamespace ORDER BY 1"
)
_CASTS = "SELECT castsource, casttarget FROM pg_cast WHERE castmethod = 'b' AND castcontext = 'i'"

Defaults = dict[tuple[str, str], str]  # (method, type) -> operator class


def defaults(connection: psycopg.Connection) -> Defaults:
    """GetDefaultOpClass for every method and type: an exact match, else the one binary-coercible match
    of the type's preferred category, else the one binary-coercible match. An array whose class is
    anyarray's is left to POLYMORPHIC, which holds for every array."""
    connection.execute("SET search_path = pg_catalog")
    opclasses = connection.execute(_OPCLASSES).fetchall()
    types = connection.execute(_TYPES).fetchall()
    casts = set(connection.execute(_CASTS).fetchall())
    by_oid = {row[0]: row for row in types}
    found: Defaults = {}
    for oid, spelling, typtype, category, _preferred, is_array in types:
        for method in sorted({row[0] for row in opclasses}):
            exact, preferred, compatible = [], [], []
            for am, opcname, intype, intype_name, default in opclasses:
                if am != method or not default:
                    continue
                if intype == oid:
                    exact.append(opcname)
                elif (
                    (oid, intype) in casts
                    or (intype_name == "anyarray" and is_array)
                    or (intype_name == "anyrange" and typtype == "r")
                    or (intype_name == "anymultirange" and typtype == "m")
                ):
                    target = by_oid.get(intype)
                    if target is not None and target[3] == category and target[4]:
                        preferred.append((opcname, intype_name))
                    else:
                        compatible.append((opcname, intype_name))
            chosen = [(c, "") for c in exact] or preferred or compatible
            if len(chosen) == 1 and chosen[0][1] != "anyarray":  # every array's: POLYMORPHIC
                found[(method, spelling.removeprefix("public."))] = chosen[0][0]  # an extension's, bare
    return found


def polymorphic(connection: psycopg.Connection) -> Defaults:
    rows = connection.execute(_OPCLASSES).fetchall()
    return {
        (am, intype): opcname for am, opcname, _, intype, default in rows if default and intype in POLYMORPHIC
    }


def type_names(connection: psycopg.Connection) -> dict[str, str]:
    """typname -> format_type, where they differ (`int4` -> `integer`), for the types CORE names."""
    rows = connection.execute(
        _TYPES.replace("format_type(t.oid, NULL)", "t.typname, format_type(t.oid, NULL)")
    )
    return {row[1]: row[2] for row in rows if row[1] != row[2] and row[2].isascii()}


def scratch(admin: str, extension: str | None) -> Iterator[tuple[Defaults, Defaults, list[str]]]:
    with (
        devserver.scratch_database(admin, "schemareg_opclasses") as database,
        psycopg.connect(database.url, autocommit=True) as connection,
    ):
        if extension is not None:
            connection.execute(f"CREATE EXTENSION {extension} SCHEMA public CASCADE")  # type: ignore[arg-type]
        own = [row[0] for row in connection.execute(_PUBLIC_CLASSES)]
        yield defaults(connection), polymorphic(connection), own


def main(argv: list[str]) -> None:
    server = None
    if len(argv) > 1:
        admin = argv[1]
    else:
        server = devserver.embedded_server()
        admin = server.acquire()
    try:
        with psycopg.connect(admin) as connection:
            version = str(connection.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            available = {row[0] for row in connection.execute("SELECT name FROM pg_available_extensions")}
        ((core, generic, _),) = scratch(admin, None)
        with psycopg.connect(admin) as connection:
            names = type_names(connection)
            catalog = [row[0] for row in connection.execute(_CATALOG_CLASSES)]
        added: dict[str, Defaults] = {}
        classes: dict[str, list[str]] = {}
        for extension in EXTENSIONS + OTHER_EXTENSIONS:
            if extension in available:
                ((found, _, own),) = scratch(admin, extension)
                added[extension] = {key: value for key, value in found.items() if core.get(key) != value}
                classes[extension] = own
    finally:
        if server is not None:
            server.release()
    write(core, generic, names, catalog, added, classes, version.split()[0])


def _table(name: str, found: Defaults, indent: str = "") -> list[str]:
    lines = [f"{indent}{name}{{"] if name else []
    for method in sorted({m for m, _ in found}):
        lines.append(f"{indent}    {method!r}: {{")
        lines += [f"{indent}        {t!r}: {c!r}," for (m, t), c in sorted(found.items()) if m == method]
        lines.append(f"{indent}    }},")
    return lines


def _names(names: list[str], indent: str) -> str:
    """A frozenset of names read from one string, wrapped: a long list in a few lines."""
    rows, row = [], ""
    for name in names:
        if len(indent) + 4 + len(row) + len(name) + 1 > 110:
            rows.append(row.rstrip())
            row = ""
        row += name + " "
    rows.append(row.rstrip())
    inner = "\n".join(f"{indent}    {r}" for r in rows if r)
    return f'frozenset(\n{indent}    """\n{inner}\n{indent}    """.split()  # noqa: SIM905 (names read better as words)\n{indent})'


def write(
    core: Defaults,
    generic: Defaults,
    names: dict[str, str],
    catalog: list[str],
    added: dict[str, Defaults],
    classes: dict[str, list[str]],
    version: str,
) -> None:
    lines = [
        '"""Each index method\'s default operator class by type, which PostgreSQL omits from an index key;',
        f"generated from PostgreSQL {version} by scripts/opclass_defaults.py (do not edit by hand).",
        "",
        "CORE: method -> type (as format_type spells it) -> operator class. POLYMORPHIC: method -> anyarray,",
        "anyenum, anyrange, anymultirange or record -> the class every such type takes where CORE names none.",
        "EXTENSIONS: extension -> method -> type -> operator class; a type the extension defines is named",
        'bare, and lives in the extension\'s schema, as its classes do."""',
        "",
        "from __future__ import annotations",
        "",
        "CORE: dict[str, dict[str, str]] = {",
        *_table("", core),
        "}",
        "",
        "POLYMORPHIC: dict[str, dict[str, str]] = {",
        *_table("", generic),
        "}",
        "",
        "# typname -> format_type where they differ: the resolver's name of a type (typing.py) is its typname.",
        "TYPE_NAMES: dict[str, str] = {",
        *[f"    {t!r}: {f!r}," for t, f in sorted(names.items()) if any(f == n for _, n in core)],
        "}",
        "",
        "# Every operator class of pg_catalog, default or not, by name.",
        f"CATALOG_CLASSES = {_names(catalog, '')}",
        "",
        "EXTENSIONS: dict[str, dict[str, dict[str, str]]] = {",
    ]
    for extension, found in added.items():
        if found:
            lines += _table(f"{extension!r}: ", found, "    ")
            lines.append("    },")
    lines.append("}")
    lines += [
        "",
        "# Every operator class each extension makes (in its schema), default or not.",
        "EXTENSION_CLASSES: dict[str, frozenset[str]] = {",
    ]
    for extension, own in sorted(classes.items()):
        if own:
            lines.append(f"    {extension!r}: {_names(own, '    ')},")
    lines.append("}")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv)
