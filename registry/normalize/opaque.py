"""Statements we do not model: kept as opaque objects, named by the kind and object their head names."""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind
from schemareg.names import join_key, signature_at
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.text import (
    IDENT,
    QNAME,
    WS,
    fold_words,
    split_dotted,
    squash,
    statement_name,
    until_closing_bracket,
)

# SQLite takes a string as a name where it expects one (`CREATE TABLE 'docs_fts_data'(...)`, as it writes
# a virtual table's shadow tables).
_STRING_NAME = r"'(?:[^']|'')+'(?=\s|\(|$)"
CREATE_HEAD = lazy_compile(
    r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED|GLOBAL|LOCAL|RECURSIVE|TRUSTED|PROCEDURAL|"
    r"CONSTRAINT|DEFAULT|UNIQUE|DEFINER\s*=\s*\S+|ALGORITHM\s*=\s*\w+|SQL\s+SECURITY\s+\w+)\s+)*"
    r"(?P<kind>MATERIALIZED\s+VIEW|EVENT\s+TRIGGER|FOREIGN\s+TABLE|FOREIGN\s+DATA\s+WRAPPER|TEXT\s+SEARCH\s+\w+|"
    r"VIRTUAL\s+TABLE|ACCESS\s+METHOD|OPERATOR\s+CLASS|OPERATOR\s+FAMILY|\w+)\s+"
    rf"(?:IF\s+NOT\s+EXISTS\s+)?(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>{QNAME}|{_STRING_NAME}|\S+)",
    re.IGNORECASE,
)
_OPERATOR_NAME = lazy_compile(rf"(?:(?P<schema>{IDENT})\s*\.\s*)?(?P<operator>[-+*/<>=~!@#%^&|`?]+)")
_OPERATOR_ARGUMENT = lazy_compile(r"\b(?P<side>LEFTARG|RIGHTARG)\s*=\s*(?P<type>[^,)]+)", re.IGNORECASE)
_CAST_TYPES = lazy_compile(r"\(\s*(?P<source>.+?)\s+AS\s+(?P<target>.+?)\s*\)", re.IGNORECASE | re.DOTALL)
_ON_TABLE = lazy_compile(rf"\bON\s+(?:ONLY\s+)?(?P<table>{QNAME})", re.IGNORECASE)
_RULE_TABLE = lazy_compile(
    rf"\bAS ON (?:SELECT|INSERT|UPDATE|DELETE) TO (?:ONLY )?(?P<table>{QNAME})", re.IGNORECASE
)

# The object kinds a statement's head can name, as the words PostgreSQL spells them.
KIND_WORDS: dict[str, Kind] = {
    "SCHEMA": Kind.SCHEMA,
    "EXTENSION": Kind.EXTENSION,
    "TYPE": Kind.TYPE,
    "DOMAIN": Kind.DOMAIN,
    "SEQUENCE": Kind.SEQUENCE,
    "TABLE": Kind.TABLE,
    "FOREIGN TABLE": Kind.TABLE,
    "VIRTUAL TABLE": Kind.TABLE,
    "VIEW": Kind.VIEW,
    "MATERIALIZED VIEW": Kind.MATERIALIZED_VIEW,
    "FUNCTION": Kind.FUNCTION,
    "PROCEDURE": Kind.PROCEDURE,
    "AGGREGATE": Kind.AGGREGATE,
    "TRIGGER": Kind.TRIGGER,
    "EVENT TRIGGER": Kind.EVENT_TRIGGER,
    "POLICY": Kind.POLICY,
    "INDEX": Kind.INDEX,
    "RULE": Kind.RULE,
    "OPERATOR": Kind.OPERATOR,
    "COLLATION": Kind.COLLATION,
    "PUBLICATION": Kind.PUBLICATION,
    "STATISTICS": Kind.STATISTICS,
}


def opaque(
    context: Context,
    text: str,
    *,
    kind: Kind | None = None,
    name: str | None = None,
    message: str | None = None,
) -> ops.Opaque:
    """Keep a statement we do not understand, named by what its head says, whitespace-normalised."""
    squashed = squash(text)
    if context.dialect == "postgres":
        squashed = fold_words(squashed)
    schema = context.default_schema
    head = CREATE_HEAD.match(text)
    if kind is None and head:
        word = WS.sub(" ", head.group("kind").upper())
        kind = KIND_WORDS.get(word, Kind.OTHER)
        raw = head.group("name")
        if kind in (Kind.FUNCTION, Kind.PROCEDURE, Kind.AGGREGATE):
            named = text[head.start("name") :]
            at = signature_at(named)
            base, args = (named[:at], named[at + 1 :]) if at >= 0 else (named, "")
            schema, routine = context.read_name(base.strip())
            name = f"{routine}({context.signature_from_text(until_closing_bracket(args))})"
        elif kind is Kind.RULE and (to := _RULE_TABLE.search(squashed)) is not None:
            # `AS ON DELETE TO t`: the rule's table, qualified in its text as PostgreSQL prints it
            schema, table = context.read_name(to.group("table"))
            name = join_key(table, context.unquote(raw))
            qualified = context.quote_qualified(context.qualify(schema, table))
            squashed = squashed[: to.start("table")] + qualified + squashed[to.end("table") :]
        elif kind in (Kind.TRIGGER, Kind.POLICY, Kind.RULE):
            on = _ON_TABLE.search(text, head.end())
            table_schema, table = context.read_name(on.group("table")) if on else (schema, "")
            schema = table_schema
            name = join_key(table, context.unquote(raw))
        elif kind in (Kind.SCHEMA, Kind.EXTENSION, Kind.EVENT_TRIGGER, Kind.PUBLICATION):
            schema, name = "", context.unquote(split_dotted(raw)[-1]) if re.match(QNAME, raw) else raw
        elif kind is Kind.OPERATOR and word == "OPERATOR":
            schema, name = _operator_identity(context, text, head.start("name"))
        elif word == "CAST":
            schema, name = "", _cast_identity(context, text, head.start("name"))
        elif kind is Kind.INDEX:
            on = _ON_TABLE.search(text, head.end())
            schema = context.read_name(on.group("table"))[0] if on else schema
            name = context.unquote(split_dotted(raw)[-1])
        elif re.match(QNAME, raw):
            schema, name = context.read_name(raw)
        elif raw.startswith("'") and context.dialect == "sqlite":
            name = context.unquote('"' + raw[1:-1].replace("''", "'").replace('"', '""') + '"')
        else:
            name = raw
    if kind is None:
        kind = Kind.OTHER
    if kind in _QUALIFIED_KINDS and head and re.fullmatch(IDENT, head.group("name")):
        squashed = _qualified_head(context, squashed, schema)
    if name is None:
        schema, name = "", statement_name(squashed)
    if name.startswith(f"{schema}.") and schema:
        name = name[len(schema) + 1 :]
    return ops.Opaque(
        definition=Definition(kind=kind, schema=schema, name=name, sql=squashed, opaque=True),
        message=message,
    )


# Kinds whose CREATE names the object with its schema: kept as written under a search path, the bare name
# is written qualified, so that schema.sql (which sets none) makes it where the script did.
_QUALIFIED_KINDS = frozenset(
    {Kind.TABLE, Kind.VIEW, Kind.MATERIALIZED_VIEW, Kind.SEQUENCE, Kind.TYPE, Kind.DOMAIN, Kind.COLLATION}
)


def _qualified_head(context: Context, squashed: str, schema: str) -> str:
    """A kept statement's bare object name qualified by `schema`, where that is not the default one."""
    if not schema or schema == "public" or context.dialect != "postgres":
        return squashed
    head = CREATE_HEAD.match(squashed)
    if head is None or not re.fullmatch(IDENT, head.group("name")):
        return squashed
    at = head.start("name")
    return f"{squashed[:at]}{context.quote(schema)}.{squashed[at:]}"


def _operator_identity(context: Context, text: str, start: int) -> tuple[str, str]:
    """An operator is its name and argument types, as PostgreSQL identifies it: `~<<(integer, integer)`."""
    m = _OPERATOR_NAME.match(text, start)
    if m is None:
        return context.default_schema, squash(text[start:])
    schema = context.unquote(m.group("schema")) if m.group("schema") else context.default_schema
    sides = {"LEFTARG": "NONE", "RIGHTARG": "NONE"}
    for argument in _OPERATOR_ARGUMENT.finditer(text, m.end()):
        sides[argument.group("side").upper()] = context.routines.type_name(argument.group("type"))
    return schema, f"{m.group('operator')}({sides['LEFTARG']}, {sides['RIGHTARG']})"


def _cast_identity(context: Context, text: str, start: int) -> str:
    """A cast is its source and target types: `(bigint AS text)`."""
    m = _CAST_TYPES.match(text, start)
    if m is None:
        return squash(text[start:])
    source, target = (context.routines.type_name(m.group(g)) for g in ("source", "target"))
    return f"({source} AS {target})"
