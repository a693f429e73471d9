"""COMMENT ON any object: the comment is kept on the object (or its column, constraint, trigger, policy)."""

from __future__ import annotations

import re

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.names import key_part, signature_at
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.extension_comments import DEFAULT_COMMENTS, INITDB_EXTENSIONS
from schemareg.normalize.heads import applies_to
from schemareg.normalize.opaque import opaque
from schemareg.normalize.text import DOLLAR_BODY, DOLLAR_STRING, STRING, WS, string_value

_COMMENT = lazy_compile(
    rf"\s*COMMENT\s+ON\s+(?P<kind>MATERIALIZED\s+VIEW|FOREIGN\s+TABLE|EVENT\s+TRIGGER|TEXT\s+SEARCH\s+\w+|"
    rf"ACCESS\s+METHOD|\w+)\s+(?P<target>.+?)\s+IS\s+(?P<text>{STRING}(?:\s+{STRING})*|{DOLLAR_STRING}|NULL)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ON = lazy_compile(r"\s+ON\s+", re.IGNORECASE)


@applies_to("COMMENT ON")
def comment_on(context: Context, text: str) -> list[ops.AnyOp] | None:
    """COMMENT ON read by pattern (sqlglot reads only some kinds, and not `IS NULL`)."""
    m = _COMMENT.match(text)
    if m is None:
        return None
    return set_comment(context, m.group("kind"), m.group("target"), m.group("text"))


def comment_tree(context: Context, tree: exp.Comment, text: str) -> list[ops.AnyOp]:
    return set_comment(
        context, str(tree.args.get("kind")), context.generate(tree.this), context.generate(tree.expression)
    )


def set_comment(context: Context, kind_text: str, target: str, text: str) -> list[ops.AnyOp]:
    kind = WS.sub(" ", kind_text.upper())
    dollar = DOLLAR_BODY.fullmatch(text)
    value = None if text.upper() == "NULL" else dollar.group("body") if dollar else string_value(text)
    if kind == "COLUMN":
        table, column = context.read_column(target)
        return [ops.SetComment(kind=kind, target=table, member=column, text=value)]
    if kind in ("CONSTRAINT", "TRIGGER", "POLICY", "RULE"):
        pieces = _ON.split(target, maxsplit=1)
        if len(pieces) != 2:
            return [opaque(context, f"COMMENT ON {kind} {target} IS {text}")]
        member_text, table_text = pieces
        table = context.read_qualified_name(table_text.strip().removeprefix("ONLY ").strip())
        return [ops.SetComment(kind=kind, target=table, member=context.unquote(member_text), text=value)]
    if kind in ("FUNCTION", "PROCEDURE", "AGGREGATE"):
        at = signature_at(target)
        base, args = (target[:at], target[at + 1 :]) if at >= 0 else (target, "")
        schema, name = context.read_name(base)
        if at < 0:  # without its arguments: the one overload there is, found when applied
            return [ops.SetComment(kind=kind, target=context.qualify(schema, f"{name}(*)"), text=value)]
        signature = context.signature_from_text(args.rsplit(")", 1)[0])
        return [
            ops.SetComment(kind=kind, target=context.qualify(schema, name) + f"({signature})", text=value)
        ]
    schema, name = context.read_name(target)
    if kind == "SCHEMA" and context.dialect == "postgres" and context.unquote(target) == "public":
        # initdb's schema, which introspection leaves out with its comment (`standard public schema`
        # unless changed): not part of the schema, as its CREATE is not (objects.py).
        return [ops.Ignored(reason="COMMENT")]
    if kind == "EXTENSION":
        if name in INITDB_EXTENSIONS:
            return [ops.Ignored(reason="COMMENT")]  # plpgsql: initdb's, never an object (objects.py)
        defaults = DEFAULT_COMMENTS.get(name)
        if defaults is None:
            return [ops.Ignored(reason="COMMENT")]  # an extension whose own comment is not known here
        return [ops.SetComment(kind=kind, target=name, text=None if value in defaults else value)]
    if kind == "SCHEMA":
        return [ops.SetComment(kind=kind, target=key_part(name), text=value)]
    return [ops.SetComment(kind=kind, target=context.qualify(schema, name), text=value)]
