"""CREATE TYPE ... AS RANGE, read by pattern, as PostgreSQL stores a range type.

PostgreSQL keeps a range's subtype as a type (`float8` is `double precision`), names the multirange type it
makes with it (`span_multirange`, `daterange`'s `datemultirange`: the first `range` of the name becomes
`multirange`, else `_multirange` is added, in the range's schema), drops a subtype operator class that is a
default one and a collation that is the subtype's own, and names each function with its schema unless it
is pg_catalog's. Introspection describes a range type the same way (introspect/pg_script.py), so the file
and the database it built agree.
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind
from schemareg.names import collation, join_key
from schemareg.normalize import ops
from schemareg.normalize.catalog_functions import CATALOG_FUNCTIONS
from schemareg.normalize.context import Context
from schemareg.normalize.heads import applies_to
from schemareg.normalize.opclass_defaults import CATALOG_CLASSES
from schemareg.normalize.opclasses import default_names
from schemareg.normalize.patterns import split_top_level
from schemareg.normalize.text import QNAME, split_dotted
from schemareg.render import quote_qualified

_RANGE = lazy_compile(
    rf"\s*CREATE\s+TYPE\s+(?P<name>{QNAME})\s+AS\s+RANGE\s*\((?P<options>.*)\)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_OPTION = lazy_compile(r"\s*(?P<key>\w+)\s*=\s*(?P<value>.+?)\s*", re.DOTALL)
_ORDER = ("SUBTYPE", "MULTIRANGE_TYPE_NAME", "SUBTYPE_OPCLASS", "COLLATION", "CANONICAL", "SUBTYPE_DIFF")


@applies_to("CREATE TYPE")
def read_range(context: Context, text: str) -> list[ops.AnyOp] | None:
    found = _RANGE.match(text) if context.dialect == "postgres" else None
    if found is None:
        return None
    schema, name = context.read_name(found.group("name"))
    options: dict[str, str] = {}
    for part in split_top_level(found.group("options")):
        option = _OPTION.fullmatch(part)
        if option is None or option.group("key").upper() not in _ORDER:
            return None  # not a range's options: left to the tree rule, which keeps it as written
        options[option.group("key").upper()] = option.group("value")
    if "SUBTYPE" not in options:
        return None
    options["SUBTYPE"] = context.routines.type_name(options["SUBTYPE"])
    given = options.get("MULTIRANGE_TYPE_NAME")
    if given is not None:
        options["MULTIRANGE_TYPE_NAME"] = quote_qualified(context.read_qualified_name(given), "postgres")
    else:
        options["MULTIRANGE_TYPE_NAME"] = quote_qualified(join_key(schema, multirange_name(name)), "postgres")
    opclass = options.pop("SUBTYPE_OPCLASS", None)
    if opclass is not None and not _is_default_class(context, opclass):
        options["SUBTYPE_OPCLASS"] = in_catalog(context, opclass, CATALOG_CLASSES)
    collated = options.pop("COLLATION", None)
    if collated is not None and collation(collated).strip('"').lower() != "default":
        bare = collation(collated)
        options["COLLATION"] = bare if "." in bare else f"pg_catalog.{bare}"
    for key in ("CANONICAL", "SUBTYPE_DIFF"):
        if key in options:
            options[key] = in_catalog(context, options[key], CATALOG_FUNCTIONS)
    listed = ", ".join(f"{key} = {options[key]}" for key in _ORDER if key in options)
    sql = f"CREATE TYPE {quote_qualified(join_key(schema, name), 'postgres')} AS RANGE ({listed})"
    return [ops.CreateDefinition(definition=Definition(kind=Kind.TYPE, schema=schema, name=name, sql=sql))]


def multirange_name(range_name: str) -> str:
    """PostgreSQL's name for a range type's multirange type (makeMultirangeTypeName)."""
    at = range_name.find("range")
    if at >= 0:
        return f"{range_name[:at]}multirange{range_name[at + 5 :]}"
    return f"{range_name}_multirange"


def _is_default_class(context: Context, text: str) -> bool:
    """Whether a btree class is marked default (for any type): introspection names only the others."""
    parts = split_dotted(text)
    schema, name = ("", context.unquote(parts[0])) if len(parts) == 1 else context.read_name(text)
    return name in default_names("btree") and schema in ("", "pg_catalog", context.default_schema)


def in_catalog(context: Context, text: str, catalog: frozenset[str]) -> str:
    """A class's or function's name as introspection prints it (regproc, regclass...): pg_catalog's bare,
    any other qualified; a bare name is pg_catalog's when `catalog` has it."""
    parts = split_dotted(text)
    if len(parts) > 1:
        schema, name = context.read_name(text)
    else:
        name = context.unquote(parts[0])
        schema = "pg_catalog" if name in catalog else context.default_schema
    return name if schema == "pg_catalog" else quote_qualified(join_key(schema, name), "postgres")
