"""Identifier spelling shared by the normaliser and the renderer: when a name must be quoted."""

from __future__ import annotations

import functools
import re

_SAFE_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_$]*")

# Words that must stay quoted when used as identifiers (PostgreSQL's reserved keywords plus a few that
# MySQL and SQLite reserve), so that canonical output replays.
RESERVED = frozenset(
    [
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "authorization",
        "binary",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "collation",
        "column",
        "concurrently",
        "constraint",
        "create",
        "cross",
        "current_catalog",
        "current_date",
        "current_role",
        "current_schema",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "freeze",
        "from",
        "full",
        "grant",
        "group",
        "having",
        "ilike",
        "in",
        "initially",
        "inner",
        "intersect",
        "into",
        "is",
        "isnull",
        "join",
        "lateral",
        "leading",
        "left",
        "like",
        "limit",
        "localtime",
        "localtimestamp",
        "natural",
        "not",
        "notnull",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "outer",
        "overlaps",
        "placing",
        "primary",
        "references",
        "returning",
        "right",
        "select",
        "session_user",
        "similar",
        "some",
        "symmetric",
        "system_user",
        "table",
        "tablesample",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "verbose",
        "when",
        "where",
        "window",
        "with",
        "key",
        "index",
        "replace",
        "range",
        "rows",
    ]
)


@functools.lru_cache(maxsize=65536)
def needs_quotes(name: str) -> bool:
    return not _SAFE_IDENTIFIER.fullmatch(name) or name in RESERVED


MAX_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1


def make_object_name(name1: str, name2: str | None, label: str) -> str:
    """PostgreSQL's makeObjectName: truncate the parts so that the whole fits in 63 bytes."""
    name1_chars = len(name1)
    name2_chars = len(name2) if name2 else 0
    avail = MAX_IDENTIFIER_BYTES - (len(label) + 1) - (1 if name2 else 0)
    while name1_chars + name2_chars > avail:
        if name1_chars > name2_chars:
            name1_chars -= 1
        else:
            name2_chars -= 1
    out = name1[:name1_chars]
    if name2:
        out += "_" + name2[:name2_chars]
    return f"{out}_{label}"


# Types of pg_catalog that sqlglot does not know: never schema-qualified.
PG_CATALOG_TYPES = frozenset(
    [
        "regclass",
        "regtype",
        "regproc",
        "regprocedure",
        "regoper",
        "regoperator",
        "regconfig",
        "regdictionary",
        "regnamespace",
        "regrole",
        "regcollation",
        "oid",
        "xid",
        "xid8",
        "cid",
        "tid",
        "name",
        "tsvector",
        "tsquery",
        "txid_snapshot",
        "pg_lsn",
        "pg_snapshot",
        "aclitem",
        "refcursor",
        "void",
        "record",
        "trigger",
        "event_trigger",
        "anyelement",
        "anyarray",
        "anynonarray",
        "anyenum",
        "anyrange",
        "anymultirange",
        "cstring",
        "internal",
        "char",
        "bpchar",
        "int2vector",
        "oidvector",
        "box",
        "circle",
        "line",
        "lseg",
        "path",
        "point",
        "polygon",
        "bit",
        "varbit",
        "money",
        "inet",
        "cidr",
        "macaddr",
        "macaddr8",
        "interval",
        "xml",
        "jsonpath",
        "uuid",
        "int4multirange",
        "int8multirange",
        "nummultirange",
        "tsmultirange",
        "tstzmultirange",
        "datemultirange",
    ]
)
