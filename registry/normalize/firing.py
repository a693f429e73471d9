"""When a trigger or a rule fires: `ALTER TABLE t ENABLE [REPLICA | ALWAYS] | DISABLE TRIGGER | RULE name`.

PostgreSQL keeps the state on the trigger (pg_trigger.tgenabled) or the rule (pg_rewrite.ev_enabled), not
on the table, and pg_dump writes it as an ALTER TABLE after the CREATE TRIGGER or CREATE RULE. Kept as an
action on the table, schema.sql said it where the table is made, before the trigger or rule it names
existed, and it did not replay; it also outlived a DROP TRIGGER and missed a rename. So the state is the
trigger's or the rule's own (`Definition.firing`), rendered after its CREATE, as introspection reads it.

`TRIGGER ALL` and `TRIGGER USER` set every trigger of the table there is; the internal triggers of foreign
keys that ALL also sets are not in the model (introspection leaves them out too). A trigger or rule that is
not there (PostgreSQL would refuse the statement) keeps the action on the table, as before.
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, ObjectKey, SchemaObject, Table, key_of
from schemareg.names import join_key, key_head, split_key
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.text import IDENT, WS, squash, upper_words
from schemareg.table_actions import add_alteration

__all__ = ["firing", "keep_rule_firing", "set_firing"]

_FIRING = lazy_compile(
    rf"(?P<state>ENABLE\s+REPLICA|ENABLE\s+ALWAYS|ENABLE|DISABLE)\s+(?P<kind>TRIGGER|RULE)\s+(?P<name>{IDENT})\s*;?\s*$",
    re.IGNORECASE,
)
_REPLACE_RULE = lazy_compile(r"CREATE\s+OR\s+REPLACE\s+RULE\s", re.IGNORECASE)
_EVERY = frozenset({"ALL", "USER"})  # TRIGGER ALL, TRIGGER USER: unquoted, they are keywords


def firing(context: Context, table: str, rest: str) -> list[ops.AnyOp] | None:
    """The one action `rest` of an ALTER TABLE of `table` (qualified) as a SetFiring, or None."""
    m = _FIRING.match(rest)
    if m is None:
        return None
    kind = Kind.TRIGGER if m.group("kind").upper() == "TRIGGER" else Kind.RULE
    written = m.group("name")
    every = kind is Kind.TRIGGER and written.upper() in _EVERY
    return [
        ops.SetFiring(
            table=table,
            kind=kind,
            name=None if every else context.unquote(written),
            state=WS.sub(" ", m.group("state").upper()),
            written=upper_words(squash(rest.strip().rstrip(";"))),
        )
    ]


def set_firing(objects: dict[ObjectKey, SchemaObject], op: ops.SetFiring) -> bool:
    """The state on the trigger or rule named (on each trigger of the table for ALL / USER); the action
    on the table when there is no such trigger or rule."""
    if op.name is not None:
        found = objects.get(ObjectKey(op.kind, join_key(*split_key(op.table), op.name)))
        members = [found] if isinstance(found, Definition) else []
    else:
        members = [
            obj
            for key, obj in objects.items()
            if key.kind is op.kind and isinstance(obj, Definition) and key_head(key.name)[0] == op.table
        ]
        if not members:
            return True  # no trigger of its own to set: only internal ones, which the model has not
    for member in members:
        member.firing = None if op.state == "ENABLE" else op.state
    if members:
        return True
    table = objects.get(ObjectKey(Kind.TABLE, op.table))
    if not isinstance(table, Table):
        return False
    add_alteration(table, op.written)
    return True


def keep_rule_firing(objects: dict[ObjectKey, SchemaObject], op: ops.Opaque) -> ops.Opaque:
    """`op`, a statement kept as written; CREATE OR REPLACE RULE keeps the rule's firing state
    (pg_rewrite.ev_enabled), where CREATE OR REPLACE TRIGGER sets the trigger's back to the default."""
    definition = op.definition
    if definition.kind is Kind.RULE and _REPLACE_RULE.match(definition.sql):
        old = objects.get(key_of(definition))
        if isinstance(old, Definition):
            definition.firing = old.firing
    return op
