"""What a DROP takes with it, as PostgreSQL's dependencies do: a schema the objects in it, a table or view
the foreign keys that reference it and the views that read it (and theirs in turn), a sequence the
defaults that call it, a materialized view its indexes (and the comments on them), a function the
triggers that execute it, a type or domain the columns of that type and the defaults and checks that name
it, a primary key or unique constraint the foreign keys that reference its columns (with CASCADE; without,
the server refuses to drop what is still in use, so a script that runs has nothing left to take)."""

from __future__ import annotations

import re

from schemareg.model import Constraint, ConstraintKind, Definition, Kind, ObjectKey, SchemaObject, Table
from schemareg.names import join_key, key_part, split_signature
from schemareg.normalize.publications import drop_published
from schemareg.render import quote, quote_qualified


def drop_dependents(objects: dict[ObjectKey, SchemaObject], dropped: ObjectKey) -> None:
    if dropped.kind is Kind.SCHEMA:
        for key, obj in list(objects.items()):
            if key_part(getattr(obj, "schema", "") or "") == dropped.name and key in objects:
                del objects[key]
                drop_dependents(objects, key)  # a function in it takes its triggers on other schemas' tables
    if dropped.kind in (Kind.TABLE, Kind.MATERIALIZED_VIEW):
        # Its partitions, its statistics objects (and a materialized view's indexes, objects of their own)
        # go with it.
        for key, obj in list(objects.items()):
            if isinstance(obj, Table) and obj.partition_of == dropped.name and key in objects:
                del objects[key]
                drop_dependents(objects, key)
        for key, obj in list(objects.items()):
            if (
                key.kind in (Kind.INDEX, Kind.STATISTICS)
                and isinstance(obj, Definition)
                and obj.depends_on == (dropped.name,)
            ):
                del objects[key]
    elif dropped.kind in (Kind.FUNCTION, Kind.PROCEDURE):
        call = f"EXECUTE FUNCTION {quote_qualified(split_signature(dropped.name)[0])}("
        for key, obj in list(objects.items()):
            if key.kind is Kind.TRIGGER and isinstance(obj, Definition) and call in obj.sql:
                del objects[key]
    elif dropped.kind in (Kind.TYPE, Kind.DOMAIN):
        _drop_type_users(objects, dropped.name)
    elif dropped.kind is Kind.SEQUENCE:
        called = re.compile(rf"'{re.escape(quote_qualified(dropped.name))}'|'{re.escape(dropped.name)}'")
        for obj in objects.values():
            for column in obj.columns if isinstance(obj, Table) else ():
                if (
                    column.default is not None
                    and "NEXTVAL" in column.default.upper()
                    and called.search(column.default)
                ):
                    column.default = None
    if dropped.kind in (Kind.TABLE, Kind.VIEW, Kind.MATERIALIZED_VIEW):
        for obj in objects.values():
            if isinstance(obj, Table):
                obj.constraints = [
                    c
                    for c in obj.constraints
                    if not (c.kind is ConstraintKind.FOREIGN_KEY and c.references == dropped.name)
                ]
        drop_readers(objects, dropped.name)
        drop_published(objects, dropped.name)


def drop_readers(objects: dict[ObjectKey, SchemaObject], relation: str) -> None:
    """The views and materialized views that read `relation`, and those that read them."""
    for key, obj in list(objects.items()):
        if (
            key in objects
            and key.kind in (Kind.VIEW, Kind.MATERIALIZED_VIEW)
            and isinstance(obj, Definition)
            and relation in obj.depends_on
        ):
            del objects[key]
            drop_dependents(objects, key)


def drop_key_dependents(
    objects: dict[ObjectKey, SchemaObject], table: Table, key: Constraint, dialect: str
) -> None:
    """A primary key's or unique constraint's foreign keys: those referencing its table's columns."""
    if key.kind not in (ConstraintKind.PRIMARY_KEY, ConstraintKind.UNIQUE):
        return
    name = join_key(table.schema, table.name) if table.schema else table.name
    referenced = (
        f"REFERENCES {quote_qualified(name, dialect)} ({', '.join(quote(c, dialect) for c in key.columns)})"
    )
    for obj in objects.values():
        if isinstance(obj, Table):
            obj.constraints = [
                c
                for c in obj.constraints
                if not (
                    c.kind is ConstraintKind.FOREIGN_KEY
                    and c.references == name
                    and referenced in c.definition
                )
            ]


def _drop_type_users(objects: dict[ObjectKey, SchemaObject], type_name: str) -> None:
    """DROP TYPE / DOMAIN ... CASCADE: the columns of the type (or arrays of it) go, with the keys and
    indexes on them; a default or check that names it (a cast to it) goes."""
    spelt = quote_qualified(type_name)
    named = re.compile(rf"(?<![\w.\"]){re.escape(spelt)}(?![\w\"])")
    for obj in objects.values():
        if not isinstance(obj, Table):
            continue
        gone = {c.name for c in obj.columns if c.type in (spelt, f"{spelt}[]")}
        if gone:
            obj.columns = [c for c in obj.columns if c.name not in gone]
            obj.indexes = [i for i in obj.indexes if not gone & set(i.columns)]
        for column in obj.columns:
            if column.default is not None and named.search(column.default):
                column.default = None
        obj.constraints = [
            c
            for c in obj.constraints
            if not gone & set(c.columns)
            and not (c.kind is ConstraintKind.CHECK and named.search(c.definition))
        ]


def sole_overload(objects: dict[ObjectKey, SchemaObject], kind: Kind, name: str) -> ObjectKey | None:
    """The one routine `name` (`schema.f(*)`: written without its arguments) names, if there is one."""
    prefix = name[:-2]
    matches = [key for key in objects if key.kind is kind and key.name.startswith(prefix)]
    return matches[0] if len(matches) == 1 else None
