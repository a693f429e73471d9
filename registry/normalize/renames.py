"""What a renamed object carries with it: PostgreSQL keeps objects by their OIDs, so after
`ALTER TABLE t RENAME TO t2` the sequences it owns, its triggers, policies and rules, the foreign keys
that reference it and the views that read it all name `t2`; the model keys them by names, so each is
re-keyed and its canonical text re-written here. Likewise a renamed sequence's `nextval` defaults and a
renamed function's triggers."""

from __future__ import annotations

import re

from sqlglot import exp

from schemareg.model import Definition, Kind, ObjectKey, SchemaObject, Sequence, Table, key_of
from schemareg.names import join_key, key_head, needs_quotes, split_key, split_signature
from schemareg.normalize.publications import rename_published, renamed_publication
from schemareg.normalize.statistics import renamed as renamed_statistics
from schemareg.normalize.statistics import table_renamed as statistics_table_renamed
from schemareg.normalize.views import edit_query
from schemareg.render import literal, quote, quote_qualified

_ON_TABLE = {Kind.TRIGGER: " ON ", Kind.POLICY: " ON ", Kind.RULE: " TO "}  # a rule is keyed by its table too
_VIEWS = (Kind.VIEW, Kind.MATERIALIZED_VIEW)


def carry_renamed(
    objects: dict[ObjectKey, SchemaObject],
    index_owner: dict[str, str],
    obj: SchemaObject,
    old: str,
    dialect: str,
) -> None:
    """What names `obj`, renamed from key `old`, names it anew: a table's dependents (and the owner of its
    indexes in `index_owner`), a sequence's `nextval` defaults, a routine's triggers."""
    new = key_of(obj).name
    if isinstance(obj, Table):
        carry_renamed_table(objects, old, new, dialect)
        for index, owner in list(index_owner.items()):
            if owner == old:
                index_owner[index] = new
    elif isinstance(obj, Sequence):
        carry_renamed_sequence(objects, old, new, dialect)
    elif isinstance(obj, Definition) and obj.kind in (Kind.FUNCTION, Kind.PROCEDURE):
        carry_renamed_routine(objects, old, new)
    elif isinstance(obj, Definition) and obj.kind in (Kind.TYPE, Kind.DOMAIN):
        carry_renamed_type(objects, old, new, dialect)


def carry_renamed_type(objects: dict[ObjectKey, SchemaObject], old: str, new: str, dialect: str) -> None:
    """Point the columns of type `old` (or arrays of it) and the casts to it in defaults, checks,
    indexes and views at `new`: a column keeps its type's OID (Prisma changes an enum so: a new type,
    the columns moved to it, the old one renamed away and the new one renamed back)."""
    old_sql, new_sql = quote_qualified(old, dialect), quote_qualified(new, dialect)
    cast = re.compile(rf" AS {re.escape(old_sql)}(?=[)\[])")

    def recast(text: str) -> str:
        return cast.sub(lambda _: f" AS {new_sql}", text) if old_sql in text else text

    for obj in objects.values():
        if isinstance(obj, Table):
            for column in obj.columns:
                for spelled in (old, old_sql):  # the type, or an array of it
                    if column.type in (spelled, f"{spelled}[]"):
                        column.type = new_sql + column.type[len(spelled) :]
                        break
                column.default = recast(column.default) if column.default else column.default
            for constraint in obj.constraints:
                constraint.definition = recast(constraint.definition)
            for index in obj.indexes:
                index.definition = recast(index.definition)
        elif (
            isinstance(obj, Definition) and not obj.opaque and obj.kind in (Kind.VIEW, Kind.MATERIALIZED_VIEW)
        ):
            obj.sql = recast(obj.sql)


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
                    constraint.definition = re.sub(  # the columns may be left to the key's
                        rf" REFERENCES {re.escape(old_sql)}(?= |$)",
                        lambda _: f" REFERENCES {new_sql}",
                        constraint.definition,
                        count=1,
                    )
        elif isinstance(obj, Definition) and obj.kind in _ON_TABLE and key_head(key.name)[0] == old:
            word = _ON_TABLE[obj.kind]
            obj.sql = re.sub(rf"{word}{re.escape(old_sql)}(?= |$)", word + new_sql, obj.sql, count=1)
            obj.name = join_key(*split_key(new)[1:], key_head(key.name)[1])
            del objects[key]
            objects[ObjectKey(obj.kind, join_key(*split_key(new), key_head(key.name)[1]))] = obj
        elif isinstance(obj, Definition) and obj.kind is Kind.STATISTICS and not obj.opaque:
            statistics_table_renamed(obj, old, new)
        elif isinstance(obj, Definition) and obj.kind in _VIEWS and not obj.opaque and old in obj.depends_on:
            obj.sql = _view_renamed(obj.sql, old, new, dialect)
            obj.depends_on = tuple(sorted(new if name == old else name for name in obj.depends_on))
    rename_published(objects, old, new)


def carry_renamed_sequence(objects: dict[ObjectKey, SchemaObject], old: str, new: str, dialect: str) -> None:
    """Point every `nextval('old'::regclass)` default at sequence `new` (a regclass is an OID: PostgreSQL
    prints the sequence's name as it is now)."""
    old_text, new_text = (literal(quote_qualified(name, dialect)) for name in (old, new))
    for obj in objects.values():
        if isinstance(obj, Table):
            for column in obj.columns:
                if column.default and old_text in column.default and "NEXTVAL(" in column.default:
                    column.default = column.default.replace(
                        f"CAST({old_text} AS REGCLASS)", f"CAST({new_text} AS REGCLASS)"
                    )


def carry_renamed_routine(objects: dict[ObjectKey, SchemaObject], old: str, new: str) -> None:
    """Point the triggers (and event triggers) that execute function `old` (a key with its signature)
    at `new`: a trigger keeps its function's OID, and PostgreSQL prints its name as it is now."""
    old_call, new_call = (f"EXECUTE FUNCTION {quote_qualified(split_signature(k)[0])}(" for k in (old, new))
    for obj in objects.values():
        if (
            isinstance(obj, Definition)
            and obj.kind in (Kind.TRIGGER, Kind.EVENT_TRIGGER)
            and old_call in obj.sql
        ):
            obj.sql = obj.sql.replace(old_call, new_call, 1)


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
            if len(new) > 1 and new[:-1] != old[:-1]:  # moved to another schema (schema_moves.py)
                table.set("db", exp.to_identifier(new[-2], quoted=needs_quotes(new[-2])))
            changed = True
    return changed


def renamed_sql(definition: Definition, old_name: str, dialect: str) -> str:
    """The canonical text of a renamed view, type, routine, trigger, policy or statistics object: its head
    names the new name."""
    if definition.kind is Kind.PUBLICATION:
        return renamed_publication(definition, old_name)
    if definition.kind is Kind.STATISTICS:
        return renamed_statistics(
            definition.sql, join_key(definition.schema, old_name), key_of(definition).name
        )
    if definition.kind in (Kind.TRIGGER, Kind.POLICY, Kind.INDEX):  # named in their table's schema
        old, new = (quote(key_head(n)[1], dialect) for n in (old_name, definition.name))
        return re.sub(
            rf"^((?:CREATE|CREATE OR REPLACE)(?: CONSTRAINT| UNIQUE)? (?:TRIGGER|POLICY|INDEX) ){re.escape(old)}(?=\s)",
            lambda m: m.group(1) + new,
            definition.sql,
            count=1,
        )
    old_base, new_base = split_signature(old_name)[0], split_signature(definition.name)[0]
    schema = definition.schema
    old_q, new_q = (quote_qualified(join_key(schema, base), dialect) for base in (old_base, new_base))
    head = re.match(r"CREATE(?: OR REPLACE)? (?:MATERIALIZED VIEW|\w+) ", definition.sql)
    if head is None or not definition.sql.startswith(old_q, head.end()):
        return definition.sql
    return definition.sql[: head.end()] + new_q + definition.sql[head.end() + len(old_q) :]
