"""Identifier spelling shared by the normaliser, the renderer and the store: when a name must be quoted,
and how an object's name becomes a file name in a snapshot tree."""

from __future__ import annotations

import functools
import re

from schemareg.lazy_re import lazy_compile

# quote_ident's rule: lower-case ASCII letters, digits and underscores, not a digit first (`$` is allowed
# unquoted, but PostgreSQL and pg_dump quote it, so the canonical text does too).
_SAFE_IDENTIFIER = lazy_compile(r"[a-z_][a-z0-9_]*")

# Words that must stay quoted when used as identifiers, so that canonical output replays: every keyword
# PostgreSQL's quote_ident quotes (the reserved ones, and those only allowed as a column or only as a type
# or function name: `COMMENT ON TYPE values.t` is a syntax error), plus a few that MySQL and SQLite reserve.
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
        # column-name keywords: allowed as a column name, not as a type, function or schema name
        "between",
        "bigint",
        "bit",
        "boolean",
        "char",
        "character",
        "coalesce",
        "dec",
        "decimal",
        "exists",
        "extract",
        "float",
        "greatest",
        "grouping",
        "inout",
        "int",
        "integer",
        "interval",
        "least",
        "national",
        "nchar",
        "none",
        "normalize",
        "nullif",
        "numeric",
        "out",
        "overlay",
        "position",
        "precision",
        "real",
        "row",
        "setof",
        "smallint",
        "substring",
        "time",
        "timestamp",
        "treat",
        "trim",
        "values",
        "varchar",
        "xmlattributes",
        "xmlconcat",
        "xmlelement",
        "xmlexists",
        "xmlforest",
        "xmlnamespaces",
        "xmlparse",
        "xmlpi",
        "xmlroot",
        "xmlserialize",
        "xmltable",
        "json",
        "json_array",
        "json_arrayagg",
        "json_exists",
        "json_object",
        "json_objectagg",
        "json_query",
        "json_scalar",
        "json_serialize",
        "json_table",
        "json_value",
        "merge_action",
    ]
)


# In a file name: the escape character itself, the path separator, and the control characters (git's
# trees refuse NUL; the others break terminals and scripts that list the tree).
_FILENAME_ESCAPES = lazy_compile(r"[%/\x00-\x1f\x7f]")
_FILENAME_ESCAPED = lazy_compile(r"%([0-9A-Fa-f]{2})")


def escape_filename(name: str) -> str:
    """An object's name as the stem of its file: injective, so two objects never share a file."""
    return _FILENAME_ESCAPES.sub(lambda match: f"%{ord(match.group()):02X}", name)


def unescape_filename(stem: str) -> str:
    """The name back from a file stem. Trees written before '%' was escaped hold a bare '%' where the name
    had one; a '%' that is not followed by two hex digits is read as itself, so they read back too."""
    return _FILENAME_ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), stem)


def legacy_filename(name: str) -> str:
    """The stem that trees written before '%' was escaped hold for this name (only '/' was escaped)."""
    return name.replace("/", "%2F")


@functools.lru_cache(maxsize=65536)
def needs_quotes(name: str) -> bool:
    return not _SAFE_IDENTIFIER.fullmatch(name) or name in RESERVED


_PART = r'"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*'
_QUALIFIED = lazy_compile(rf"(?:{_PART})\.(?:{_PART})")


def qualified_names(text: str) -> set[str]:
    """The `schema.name` pairs a text mentions, spelt as object keys are (quotes off, bare parts folded)."""
    return {join_key(*name_parts(m)) for m in _QUALIFIED.findall(text)}


def name_parts(text: str) -> list[str]:
    """The parts of a name as SQL writes it (`"Big".mood`), quotes off and bare parts folded."""
    return [p[1:-1].replace('""', '"') if p.startswith('"') else p.lower() for p in re.findall(_PART, text)]


# -- object keys -----------------------------------------------------------------------------------------
# An object's key names it as `schema.name` (a trigger `schema.table.trigger`, a column `schema.table.col`):
# each part bare, except a part that holds a dot or begins with a double quote, which is written quoted
# (`"a.dot".t`), so that a key splits back into its parts whatever the names. Every other key reads as it
# always did. A routine's key ends with its signature (`schema.f(integer)`): split_signature first.


def key_part(name: str) -> str:
    """One part of a key: the name itself, or quoted when it could not be read back bare."""
    return '"' + name.replace('"', '""') + '"' if "." in name or name[:1] == '"' else name


def join_key(*parts: str) -> str:
    """A key from its parts (names as they are, not quoted); an empty schema (MySQL) is left out."""
    if len(parts) == 2:  # schema.name, most keys: no generator, no call per part
        schema, name = parts
        if "." not in schema and "." not in name and schema[:1] != '"' and name[:1] != '"':
            return f"{schema}.{name}" if schema else name
    return ".".join(key_part(part) for part in parts if part)


def split_key(key: str) -> list[str]:
    """The parts of a key, as join_key was given them."""
    if '"' not in key:
        return key.split(".")
    parts: list[str] = []
    at = 0
    while True:
        if key.startswith('"', at):
            end = at + 1
            while True:
                end = key.find('"', end)
                if end < 0 or not key.startswith('"', end + 1):
                    break
                end += 2
            if end < 0:  # not a key of ours: read as it was written
                parts.append(key[at:])
                return parts
            parts.append(key[at + 1 : end].replace('""', '"'))
            at = end + 1
        else:
            dot = key.find(".", at)
            parts.append(key[at:] if dot < 0 else key[at:dot])
            at = len(key) if dot < 0 else dot
        if at >= len(key):
            return parts
        at += 1  # the dot after a part


def sibling_key(table: str, name: str) -> str:
    """The key of an object that lives in its table's schema (an index): `schema.name`."""
    return join_key(*split_key(table)[:-1], name)


def key_head(key: str) -> tuple[str, str]:
    """(the key of all parts but the last, the last part): `schema.table.column` -> (`schema.table`,
    `column`), as str.rpartition('.') gave for names without dots."""
    parts = split_key(key)
    return join_key(*parts[:-1]), parts[-1]


def split_qualified(key: str) -> tuple[str, str]:
    """(schema, name) of a `schema.name` key, the schema empty when it has none."""
    parts = split_key(key)
    return (parts[-2] if len(parts) > 1 else ""), parts[-1]


def _group_end(text: str, start: int) -> int:
    """The index just past the bracket group opening at `start` (quoted names skipped), or -1."""
    depth, quoted = 0, False
    for index in range(start, len(text)):
        char = text[index]
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
    return -1


def split_signature(name: str) -> tuple[str, str]:
    """A routine's model name `f(argument types)` as (`f`, `(argument types)`). The name itself may hold
    brackets (`"f(x"(integer)` is stored as `f(x(integer)`): the signature is the one bracket group that
    ends the text, and no group that begins earlier does."""
    for start in (i for i, char in enumerate(name) if char == "("):
        if _group_end(name, start) == len(name):
            return name[:start], name[start:]
    return name, ""


def signature_at(text: str) -> int:
    """Where the argument list of a routine named in SQL text begins (`"f(x"(integer)`: after the quoted
    name), or -1."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "(" and not quoted:
            return index
    return -1


MAX_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1


def truncate_identifier(name: str) -> str:
    """A name as PostgreSQL keeps it: at most 63 bytes, cut at a character boundary (it says so in a
    NOTICE, and `CREATE INDEX a_70_byte_name` makes an index of the first 63 bytes)."""
    if len(name) <= MAX_IDENTIFIER_BYTES // 4 or len(name.encode()) <= MAX_IDENTIFIER_BYTES:
        return name
    return name.encode()[:MAX_IDENTIFIER_BYTES].decode(errors="ignore")


def make_object_name(name1: str, name2: str | None, label: str) -> str:
    """PostgreSQL's makeObjectName: truncate the parts so that the whole fits in 63 bytes (counted in
    bytes, each part then cut back to a character boundary, as pg_mbcliplen does)."""
    first, second = name1.encode(), (name2 or "").encode()
    first_bytes, second_bytes = len(first), len(second)
    avail = MAX_IDENTIFIER_BYTES - (len(label.encode()) + 1) - (1 if name2 else 0)
    while first_bytes + second_bytes > avail:
        if first_bytes > second_bytes:
            first_bytes -= 1
        else:
            second_bytes -= 1
    out = first[:first_bytes].decode(errors="ignore")
    if name2:
        out += "_" + second[:second_bytes].decode(errors="ignore")
    return f"{out}_{label}"


# The tables and views of pg_catalog (PostgreSQL 15 and 18: `SELECT relname FROM pg_class WHERE relnamespace =
# 'pg_catalog'::regnamespace AND relkind IN ('r', 'v', 'm', 'p', 'f')`). The search path holds pg_catalog
# first unless it names it, so a bare `pg_attribute` in a view is pg_catalog's, never the default schema's;
# tests/integration/test_outside_classes.py holds this list to the servers'..
PG_CATALOG_RELATIONS = frozenset(
    """
pg_aggregate pg_aios pg_am pg_amop pg_amproc pg_attrdef pg_attribute pg_auth_members pg_authid
pg_available_extension_versions pg_available_extensions pg_backend_memory_contexts pg_cast pg_class
pg_collation pg_config pg_constraint pg_conversion pg_cursors pg_database pg_db_role_setting
pg_default_acl pg_depend pg_description pg_enum pg_event_trigger pg_extension pg_file_settings
pg_foreign_data_wrapper pg_foreign_server pg_foreign_table pg_group pg_hba_file_rules
pg_ident_file_mappings pg_index pg_indexes pg_inherits pg_init_privs pg_language pg_largeobject
pg_largeobject_metadata pg_locks pg_matviews pg_namespace pg_opclass pg_operator pg_opfamily
pg_parameter_acl pg_partitioned_table pg_policies pg_policy pg_prepared_statements pg_prepared_xacts
pg_proc pg_publication pg_publication_namespace pg_publication_rel pg_publication_tables pg_range
pg_replication_origin pg_replication_origin_status pg_replication_slots pg_rewrite pg_roles pg_rules
pg_seclabel pg_seclabels pg_sequence pg_sequences pg_settings pg_shadow pg_shdepend pg_shdescription
pg_shmem_allocations pg_shmem_allocations_numa pg_shseclabel pg_stat_activity pg_stat_all_indexes
pg_stat_all_tables pg_stat_archiver pg_stat_bgwriter pg_stat_checkpointer pg_stat_database
pg_stat_database_conflicts pg_stat_gssapi pg_stat_io pg_stat_progress_analyze
pg_stat_progress_basebackup pg_stat_progress_cluster pg_stat_progress_copy
pg_stat_progress_create_index pg_stat_progress_vacuum pg_stat_recovery_prefetch pg_stat_replication
pg_stat_replication_slots pg_stat_slru pg_stat_ssl pg_stat_subscription pg_stat_subscription_stats
pg_stat_sys_indexes pg_stat_sys_tables pg_stat_user_functions pg_stat_user_indexes
pg_stat_user_tables pg_stat_wal pg_stat_wal_receiver pg_stat_xact_all_tables pg_stat_xact_sys_tables
pg_stat_xact_user_functions pg_stat_xact_user_tables pg_statio_all_indexes pg_statio_all_sequences
pg_statio_all_tables pg_statio_sys_indexes pg_statio_sys_sequences pg_statio_sys_tables
pg_statio_user_indexes pg_statio_user_sequences pg_statio_user_tables pg_statistic pg_statistic_ext
pg_statistic_ext_data pg_stats pg_stats_ext pg_stats_ext_exprs pg_subscription pg_subscription_rel
pg_tables pg_tablespace pg_timezone_abbrevs pg_timezone_names pg_transform pg_trigger pg_ts_config
pg_ts_config_map pg_ts_dict pg_ts_parser pg_ts_template pg_type pg_user pg_user_mapping
pg_user_mappings pg_views pg_wait_events
""".split()  # noqa: SIM905
)

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
        "gtsvector",
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


# The types of pg_catalog whose array type PostgreSQL names `_<type>` (`_int4` is int4[], `_text` text[]):
# every base, range and pseudo-type with an array, as PostgreSQL 15 and 18 list them
# (`SELECT e.typname FROM pg_type a JOIN pg_type e ON e.typarray = a.oid WHERE a.typnamespace =
# 'pg_catalog'::regnamespace AND a.typname = '_' || e.typname`), without the row types of the system
# catalogs and views (`_pg_class`). The search path always holds pg_catalog, first unless a script moves it,
# so a bare `_int4` is this array and never a type of the default schema.
PG_CATALOG_ARRAYS = frozenset(
    """
    aclitem bit bool box bpchar bytea char cid cidr circle cstring date datemultirange daterange float4
    float8 gtsvector inet int2 int2vector int4 int4multirange int4range int8 int8multirange int8range
    interval json jsonb jsonpath line lseg macaddr macaddr8 money name numeric nummultirange numrange oid
    oidvector path pg_lsn pg_snapshot point polygon record refcursor regclass regcollation regconfig
    regdictionary regnamespace regoper regoperator regproc regprocedure regrole regtype text tid time
    timestamp timestamptz timetz tsmultirange tsquery tsrange tstzmultirange tstzrange tsvector
    txid_snapshot uuid varbit varchar xid xid8 xml
    """.split()  # noqa: SIM905 (78 names read better as words than as 78 lines)
)


# -- free text that reaches git objects and configuration ----------------------------------------------

# git refuses NUL in commits and tags (`git fsck --strict`: nulInCommit), and UTF-8 cannot carry lone
# surrogates. Everything else is kept as written: TOML and JSON writers escape what they must.
_REFUSED_TEXT = lazy_compile("[\\x00\\ud800-\\udfff]")
TEXT_PATTERN = "^[^\\x00\\uD800-\\uDFFF]*$"  # the same rule, for OpenAPI
MAX_TEXT_LENGTH = 10_000  # a message or a description


def check_text(what: str, text: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    """Refuse a message, description or other free text that git or UTF-8 cannot store (InputError)."""
    from schemareg.errors import InputError

    found = _REFUSED_TEXT.search(text)
    if found is not None:
        character = "a NUL character" if found.group() == "\x00" else "a lone surrogate"
        raise InputError(f"the {what} contains {character} (at {found.start()}), which git cannot store")
    if len(text) > max_length:
        raise InputError(f"the {what} is {len(text):,} characters long, more than {max_length:,}")
    return text


def collation(text: str) -> str:
    """A collation's name as PostgreSQL prints it: one of pg_catalog bare (`pg_catalog."C"` is `"C"`), quoted
    only where it must be (a column's, a domain's, a range's)."""
    text = text.strip()
    if text.lower().startswith("pg_catalog."):
        text = text[len("pg_catalog.") :]
    if text.startswith('"') and text.endswith('"'):
        inner = text[1:-1]
        return text if needs_quotes(inner) else inner
    return text if not needs_quotes(text.lower()) or text.lower() != text else text.lower()
