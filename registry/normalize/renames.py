"""What a renamed table carries with it: PostgreSQL keeps objects by their OIDs, so after
`ALTER TABLE t RENAME TO t2` the sequences it owns, its triggers, policies and rules, the foreign keys
that reference it and the views that read it all name `t2`; the model keys them by names, so each is
re-keyed and its canonical text re-written here."""

from __future__ import annotations

import re

from sqlglot import exp

from schemareg.model import Definition, Kind, ObjectKey, SchemaObject, Sequence, Table
from schemareg.names import join_key, key_head, needs_quotes, split_key
from schemareg.normalize.views import edit_query
from schemareg.render import quote_qualified

_ON_TABLE = {Kind.TRIGGER: " ON ", Kind.POLICY: " ON "}
_VIEWS = (Kind.VIEW, Kind.MATERIALIZED_VIEW)


def carry_renamed_table(objects: dict[ObjectKey, SchemaObject], old: str, new: str, dialect: str) -> None:
    """Point everything that named table `old` (a key) at `new`."""
    old_sql, new_sql = quote_qualified(old, dialect), quote_qualified(new, dialect)
    for key, obj in list(objects.items()):
        if isinstance(obj, Sequence) and obj.owned_by and key_head(obj.owned_by)[0] == old:
            obj.owned_by = join_key(*split_key(new), key_head(obj.owned_by)[1])
        elif isinstance(obj, Table):
            for constraint in obj.constraints:
                if constraint.references == old:
                    constraint.references = new
                    constraint.definition = constraint.definition.replace(
                        f" REFERENCES {old_sql} (", f" REFERENCES {new_sql} (", 1
                    )
        elif isinstance(obj, Definition) and obj.kind is Kind.RULE:
            # keyed by what the rule's head reads first, not always its table: its text says which
            obj.sql = re.sub(rf" TO {re.escape(old_sql)}(?= |$)", f" TO {new_sql}", obj.sql, count=1)
        elif isinstance(obj, Definition) and obj.kind in _ON_TABLE and key_head(key.name)[0] == old:
            word = _ON_TABLE[obj.kind]
            obj.sql = re.sub(rf"{word}{re.escape(old_sql)}(?= |$)", word + new_sql, obj.sql, count=1)
            obj.name = join_key(*split_key(new)[1:], key_head(key.name)[1])
            del objects[key]
            objects[ObjectKey(obj.kind, join_key(*split_key(new), key_head(key.name)[1]))] = obj
        elif isinstance(obj, Definition) and obj.kind in _VIEWS and not obj.opaque and old in obj.depends_on:
            obj.sql = _view_renamed(obj.sql, old, new, dialect)
            obj.depends_on = tuple(sorted(new if name == old else name for name in obj.depends_on))


def _view_renamed(sql: str, old: str, new: str, dialect: str) -> str:
    """A view's canonical text reading `new` where it read `old`; as it was where it cannot be read."""
    return edit_query(sql, dialect, lambda query: _rename_tables(query, split_key(old), split_key(new)))


def _rename_tables(query: exp.Expression, old: list[str], new: list[str]) -> bool:
    ctes = {cte.alias_or_name for cte in query.find_all(exp.CTE)}
    changed = False
    for table in query.find_all(exp.Table):
        parts = [p for p in (table.db, table.name) if p]
        if parts == old or (len(parts) == 1 and parts == old[-1:] and parts[0] not in ctes):
            table.set("this", exp.to_identifier(new[-1], quoted=needs_quotes(new[-1])))
            changed = True
    return changed
