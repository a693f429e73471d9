"""ALTER TABLE / VIEW / MATERIALIZED VIEW / SEQUENCE / TYPE / DOMAIN ... SET SCHEMA, and ALTER SCHEMA ...
RENAME TO: objects that change schema, and what names them.

PostgreSQL keeps objects by OID: a table moved to another schema takes its indexes, constraints, triggers,
policies, rules and the sequences its columns own with it, and the foreign keys, views and defaults that
name any of them name them where they are now; a renamed schema moves everything in it at once. The model
keys objects by qualified name, so each moved object is re-keyed, its canonical text given its new name,
and what names it rewritten (renames.py, as for a rename). Routines move as routine_alter moves them.
"""

from __future__ import annotations

import re
from typing import Any

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, ObjectKey, Sequence, Table, key_of
from schemareg.names import join_key, key_head, sibling_key, split_key, split_signature
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.heads import applies_to
from schemareg.normalize.renames import (
    carry_renamed_routine,
    carry_renamed_sequence,
    carry_renamed_table,
    carry_renamed_type,
)
from schemareg.normalize.text import IDENT, QNAME, WS
from schemareg.render import quote, quote_qualified

_SET_SCHEMA = lazy_compile(
    r"\s*ALTER\s+(?P<kind>TABLE|VIEW|MATERIALIZED\s+VIEW|SEQUENCE|TYPE|DOMAIN)\s+(?P<exists>IF\s+EXISTS\s+)?"
    rf"(?P<name>{QNAME})\s+SET\s+SCHEMA\s+(?P<schema>{IDENT})\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_RENAME_SCHEMA = lazy_compile(
    rf"\s*ALTER\s+SCHEMA\s+(?P<old>{IDENT})\s+RENAME\s+TO\s+(?P<new>{IDENT})\s*;?\s*$", re.IGNORECASE
)
# ALTER TABLE may name any relation (PostgreSQL lets it move a view or a sequence); the others their kind.
_KINDS = {
    "TABLE": (Kind.TABLE, Kind.VIEW, Kind.MATERIALIZED_VIEW, Kind.SEQUENCE),
    "VIEW": (Kind.VIEW,),
    "MATERIALIZED VIEW": (Kind.MATERIALIZED_VIEW,),
    "SEQUENCE": (Kind.SEQUENCE,),
    "TYPE": (Kind.TYPE,),
    "DOMAIN": (Kind.DOMAIN,),
}
_MEMBERS = (Kind.TRIGGER, Kind.POLICY, Kind.RULE)  # keyed by their table: they move with it
_ROUTINES = (Kind.FUNCTION, Kind.PROCEDURE)
# What a renamed schema may hold for it to be moved here; anything else keeps the statement as written.
_MOVABLE = (*_KINDS["TABLE"], Kind.TYPE, Kind.DOMAIN, *_ROUTINES, *_MEMBERS)
_HEAD = lazy_compile(r"CREATE(?: OR REPLACE)? (?:MATERIALIZED VIEW|VIEW|TYPE|DOMAIN) ")


@applies_to(
    "ALTER TABLE", "ALTER VIEW", "ALTER MATERIALIZED VIEW", "ALTER SEQUENCE", "ALTER TYPE", "ALTER DOMAIN"
)
def set_schema(context: Context, text: str) -> list[ops.AnyOp] | None:
    """ALTER <relation or type> [IF EXISTS] name SET SCHEMA s (PostgreSQL)."""
    m = _SET_SCHEMA.match(text) if context.dialect == "postgres" else None
    if m is None:
        return None
    return [
        ops.MoveObject(
            kind=_KINDS[WS.sub(" ", m.group("kind").upper())][0],
            name=context.read_qualified_name(m.group("name")),
            schema=context.unquote(m.group("schema")),
            if_exists=m.group("exists") is not None,
        )
    ]


@applies_to("ALTER SCHEMA")
def rename_schema(context: Context, text: str) -> list[ops.AnyOp] | None:
    """ALTER SCHEMA old RENAME TO new (PostgreSQL)."""
    m = _RENAME_SCHEMA.match(text) if context.dialect == "postgres" else None
    if m is None:
        return None
    return [ops.RenameSchema(old=context.unquote(m.group("old")), new=context.unquote(m.group("new")))]


def apply_move(objects: dict[ObjectKey, Any], index_owner: dict[str, str], op: ops.MoveObject) -> bool:
    """Move the object the op names; False when there is none (the statement is then kept as written)."""
    kinds = _KINDS["TABLE"] if op.kind is Kind.TABLE else (op.kind,)
    key = next((ObjectKey(k, op.name) for k in kinds if ObjectKey(k, op.name) in objects), None)
    if key is None:
        return op.if_exists
    obj = objects[key]
    if isinstance(obj, Definition) and obj.opaque:
        return False
    if split_key(op.name)[0] != op.schema:
        _move(objects, index_owner, key, op.schema)
    return True


def apply_rename_schema(
    objects: dict[ObjectKey, Any], index_owner: dict[str, str], op: ops.RenameSchema
) -> bool:
    """Rename the schema and move everything in it; False when it is not there, or holds an object of a
    kind not moved here (the statement is then kept as written)."""
    schema = objects.get(ObjectKey(Kind.SCHEMA, op.old))
    if not isinstance(schema, Definition) or op.old == op.new:
        return False
    inside = [key for key, obj in objects.items() if key.kind is not Kind.SCHEMA and obj.schema == op.old]
    if any(key.kind not in _MOVABLE or getattr(objects[key], "opaque", False) for key in inside):
        return False
    del objects[ObjectKey(Kind.SCHEMA, op.old)]
    schema.name, schema.sql = op.new, f"CREATE SCHEMA {quote(op.new, 'postgres')}"
    objects[ObjectKey(Kind.SCHEMA, op.new)] = schema
    # Tables first: their members and owned sequences go with them.
    for key in sorted(inside, key=lambda k: k.kind is not Kind.TABLE):
        if key in objects and key.kind not in _MEMBERS:
            _move(objects, index_owner, key, op.new)
    return True


def _move(objects: dict[ObjectKey, Any], index_owner: dict[str, str], key: ObjectKey, schema: str) -> None:
    obj = objects.pop(key)
    old_schema, obj.schema = obj.schema, schema
    new_key = key_of(obj)
    objects[new_key] = obj
    if isinstance(obj, Table):
        carry_renamed_table(objects, key.name, new_key.name, "postgres")
        for member_key, member in list(objects.items()):
            if member_key.kind in _MEMBERS and key_head(member_key.name)[0] == new_key.name:
                member.schema = schema
        for index, owner in list(index_owner.items()):
            if owner == key.name:
                del index_owner[index]
                index_owner[sibling_key(new_key.name, key_head(index)[1])] = new_key.name
        for other_key, other in list(objects.items()):
            owner = key_head(other.owned_by)[0] if isinstance(other, Sequence) and other.owned_by else ""
            if owner == new_key.name and other.schema != schema:
                _move(objects, index_owner, other_key, schema)
    elif isinstance(obj, Sequence):
        carry_renamed_sequence(objects, key.name, new_key.name, "postgres")
    elif key.kind in _ROUTINES:
        base = split_signature(obj.name)[0]
        old_sql, new_sql = (quote_qualified(join_key(s, base), "postgres") for s in (old_schema, schema))
        obj.sql = obj.sql.replace(f" {old_sql}(", f" {new_sql}(", 1)
        carry_renamed_routine(objects, key.name, new_key.name)
    else:
        old_sql, new_sql = (quote_qualified(join_key(s, obj.name), "postgres") for s in (old_schema, schema))
        head = _HEAD.match(obj.sql)
        if head is not None and obj.sql.startswith(old_sql, head.end()):
            obj.sql = obj.sql[: head.end()] + new_sql + obj.sql[head.end() + len(old_sql) :]
        if key.kind in (Kind.TYPE, Kind.DOMAIN):
            carry_renamed_type(objects, key.name, new_key.name, "postgres")
        else:  # a view: the views that read it, its INSTEAD OF triggers and rules
            carry_renamed_table(objects, key.name, new_key.name, "postgres")
