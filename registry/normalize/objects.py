"""Statements about objects of any kind: CREATE SCHEMA and EXTENSION, DROP, and ALTER ... RENAME TO."""

from __future__ import annotations

import re

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind
from schemareg.names import join_key, key_part, split_key
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.extension_comments import INITDB_EXTENSIONS
from schemareg.normalize.heads import applies_to
from schemareg.normalize.opaque import KIND_WORDS, opaque
from schemareg.normalize.patterns import split_top_level
from schemareg.normalize.routines import by_pattern, routine_signature
from schemareg.normalize.text import IDENT, QNAME, WS, split_dotted, until_closing_bracket

_RENAME = lazy_compile(
    rf"\s*ALTER\s+(?P<kind>MATERIALIZED\s+VIEW|SEQUENCE|VIEW|TYPE|DOMAIN|FUNCTION|PROCEDURE|AGGREGATE|TRIGGER|POLICY)"
    rf"\s+(?P<exists>IF\s+EXISTS\s+)?(?P<name>{QNAME})\s*(?P<args>\(.*?\))?"
    rf"(?:\s+ON\s+(?P<table>{QNAME}))?\s+RENAME\s+TO\s+(?P<new>{IDENT})\s*$",
    re.IGNORECASE | re.DOTALL,
)


def create_schema(context: Context, tree: exp.Create, text: str) -> list[ops.AnyOp]:
    target = tree.this
    node = target.args.get("db") or target.this if isinstance(target, exp.Table) else target
    name = context.fold(node)
    if name == "public" and context.dialect == "postgres":
        # initdb's, in every database (introspection and pg_dump leave it out): creating it again is a
        # no-op with IF NOT EXISTS, and schema.sql writing it would not replay.
        return [ops.Ignored(reason="the public schema")]
    return [
        ops.CreateDefinition(
            definition=Definition(
                kind=Kind.SCHEMA, schema="", name=name, sql=f"CREATE SCHEMA {context.quote(name)}"
            ),
            if_not_exists=bool(tree.args.get("exists")),
        )
    ]


@applies_to("CREATE EXTENSION")
def read_extension(context: Context, text: str) -> list[ops.AnyOp] | None:
    """CREATE EXTENSION, read by pattern (PostgreSQL)."""
    found = by_pattern(context, text, context.patterns.extension)
    if found and any(
        isinstance(op, ops.CreateDefinition) and op.definition.name in INITDB_EXTENSIONS for op in found
    ):
        return [ops.Ignored(reason="initdb extension")]
    return found


def rename(context: Context, tree: exp.Alter, text: str) -> list[ops.AnyOp]:
    """ALTER <kind> ... RENAME TO of an object that is not a table."""
    kind = str(tree.args.get("kind") or "").upper()
    actions = tree.args.get("actions") or []
    if kind == "INDEX" and not actions:
        return [opaque(context, text)]
    if len(actions) == 1 and isinstance(actions[0], exp.AlterRename):
        mapped = KIND_WORDS.get(kind)
        if mapped is not None:
            _, new = context.table_name(actions[0].this)
            exists = bool(tree.args.get("exists"))
            return [
                ops.RenameObject(
                    kind=mapped, name=context.qualified_name(tree.this), new=new, if_exists=exists
                )
            ]
    return [opaque(context, text)]


def drop(context: Context, tree: exp.Drop, text: str) -> list[ops.AnyOp]:
    kind_word = str(tree.args.get("kind") or "").upper()
    if tree.args.get("materialized"):
        kind_word = "MATERIALIZED VIEW"
    kind = KIND_WORDS.get(kind_word)
    if kind is None:
        return [opaque(context, text)]
    if_exists = bool(tree.args.get("exists"))
    result: list[ops.AnyOp] = []
    for target in tree.args.get("tables") or []:
        if kind in (Kind.FUNCTION, Kind.PROCEDURE):
            if isinstance(target, exp.UserDefinedFunction):
                schema, name = context.table_name(target.this)
                signature = f"({routine_signature(context, target)})"
            else:
                schema, name = context.table_name(target)
                signature = "(*)"
            result.append(
                ops.DropObject(kind=kind, name=context.qualify(schema, name) + signature, if_exists=if_exists)
            )
            continue
        result.append(ops.DropObject(kind=kind, name=context.qualified_name(target), if_exists=if_exists))
    return result or [opaque(context, text)]


_DROP = lazy_compile(
    r"\s*DROP\s+(?P<kind>MATERIALIZED\s+VIEW|FOREIGN\s+TABLE|EVENT\s+TRIGGER|FOREIGN\s+DATA\s+WRAPPER|"
    r"TEXT\s+SEARCH\s+\w+|OPERATOR\s+CLASS|OPERATOR\s+FAMILY|ACCESS\s+METHOD|USER\s+MAPPING|\w+)\s+"
    r"(?:CONCURRENTLY\s+)?(?P<exists>IF\s+EXISTS\s+)?(?P<targets>.+?)(?:\s+(?:CASCADE|RESTRICT))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_MEMBER_ON = lazy_compile(rf"(?P<member>{IDENT})\s+ON\s+(?P<table>{QNAME})$", re.IGNORECASE | re.DOTALL)
_ROUTINE_TARGET = lazy_compile(rf"(?P<name>{QNAME})\s*(?:\((?P<args>.*)\))?$", re.DOTALL)
_OPERATOR_TARGET = lazy_compile(
    rf"(?:(?P<schema>{IDENT})\s*\.\s*)?(?P<operator>[-+*/<>=~!@#%^&|`?]+)\s*\((?P<left>[^,]+),(?P<right>[^)]+)\)$"
)
_CAST_TARGET = lazy_compile(r"\(\s*(?P<source>.+?)\s+AS\s+(?P<target>.+?)\s*\)$", re.IGNORECASE | re.DOTALL)
# What DROP takes apart itself; other kinds (ROLE, DATABASE, ...) are not schema or are left to the parser.
_DROP_KINDS = {**KIND_WORDS, "CAST": Kind.OTHER, "ROUTINE": Kind.FUNCTION}
_NOT_DROPPED_HERE = {"ROLE", "USER", "DATABASE", "TABLESPACE", "OWNED", "GROUP"}


@applies_to("DROP")
def drop_pattern(context: Context, text: str) -> list[ops.AnyOp] | None:
    """DROP of any kind of object, as PostgreSQL applies it: each target named as the object's identity
    (a trigger or policy by its table, a routine by its argument types, an operator by its operand types,
    a cast by its types); `IF EXISTS` of an object that is not there does nothing."""
    if context.dialect != "postgres":
        return None
    m = _DROP.match(text)
    if m is None:
        return None
    word = WS.sub(" ", m.group("kind").upper())
    if word in _NOT_DROPPED_HERE:
        return None
    kind = _DROP_KINDS.get(word, Kind.OTHER)
    if_exists = m.group("exists") is not None
    targets = split_top_level(m.group("targets").strip())
    result: list[ops.AnyOp] = []
    for target in targets:
        name = _drop_target(context, word, kind, target)
        if name is None:
            return None
        result.append(ops.DropObject(kind=kind, name=name, if_exists=if_exists or kind is Kind.OTHER))
    return result or None


def _drop_target(context: Context, word: str, kind: Kind, target: str) -> str | None:
    """The identity (qualified name) of one target of a DROP, or None when it reads as no known form."""
    if kind in (Kind.TRIGGER, Kind.POLICY, Kind.RULE):
        on = _MEMBER_ON.match(target)
        if on is None:
            return None
        return join_key(
            *split_key(context.read_qualified_name(on.group("table"))), context.unquote(on.group("member"))
        )
    if kind in (Kind.FUNCTION, Kind.PROCEDURE, Kind.AGGREGATE):
        routine = _ROUTINE_TARGET.match(target)
        if routine is None:
            return None
        schema, name = context.read_name(routine.group("name"))
        args = routine.group("args")
        signature = "*" if args is None else context.signature_from_text(args)
        return context.qualify(schema, name) + f"({signature})"
    if word == "OPERATOR":
        operator = _OPERATOR_TARGET.match(target)
        if operator is None:
            return None
        schema = (
            context.unquote(operator.group("schema")) if operator.group("schema") else context.default_schema
        )
        sides = [context.routines.type_name(operator.group(g)) for g in ("left", "right")]
        sides = ["NONE" if side.upper() == "NONE" else side for side in sides]
        return context.qualify(schema, operator.group("operator")) + f"({sides[0]}, {sides[1]})"
    if word == "CAST":
        cast = _CAST_TARGET.match(target)
        if cast is None:
            return None
        source, to = (context.routines.type_name(cast.group(g)) for g in ("source", "target"))
        return f"({source} AS {to})"
    if not re.fullmatch(QNAME, target):
        return None
    if kind in (Kind.SCHEMA, Kind.EXTENSION, Kind.EVENT_TRIGGER, Kind.PUBLICATION):
        return key_part(context.unquote(split_dotted(target)[-1]))
    return context.read_qualified_name(target)


@applies_to(
    "ALTER MATERIALIZED VIEW",
    "ALTER SEQUENCE",
    "ALTER VIEW",
    "ALTER TYPE",
    "ALTER DOMAIN",
    "ALTER FUNCTION",
    "ALTER PROCEDURE",
    "ALTER AGGREGATE",
    "ALTER TRIGGER",
    "ALTER POLICY",
)
def rename_pattern(context: Context, text: str) -> list[ops.AnyOp] | None:
    """ALTER SEQUENCE / VIEW / TYPE / DOMAIN / FUNCTION (args) / TRIGGER ... ON t / POLICY ... ON t RENAME TO."""
    m = _RENAME.match(text)
    if m is None:
        return None
    kind = KIND_WORDS[WS.sub(" ", m.group("kind").upper())]
    new = context.unquote(m.group("new"))
    exists = m.group("exists") is not None
    if kind in (Kind.TRIGGER, Kind.POLICY):
        if m.group("table") is None:
            return None
        table = context.read_qualified_name(m.group("table"))
        member = context.unquote(m.group("name"))
        return [
            ops.RenameObject(
                kind=kind,
                name=join_key(*split_key(table), member),
                new=join_key(split_key(table)[-1], new),
                if_exists=exists,
            )
        ]
    schema, name = context.read_name(m.group("name"))
    if kind in (Kind.FUNCTION, Kind.PROCEDURE, Kind.AGGREGATE):
        if m.group("args") is None:  # the one overload there is, found when applied
            whole = context.qualify(schema, f"{name}(*)")
            return [ops.RenameObject(kind=kind, name=whole, new=f"{new}(*)", if_exists=exists)]
        signature = context.signature_from_text(until_closing_bracket(m.group("args")[1:]))
        name, new = f"{name}({signature})", f"{new}({signature})"
    elif m.group("args") is not None or m.group("table") is not None:
        return None
    return [ops.RenameObject(kind=kind, name=context.qualify(schema, name), new=new, if_exists=exists)]
