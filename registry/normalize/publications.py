"""Publications (logical replication) as pg_dump writes them: the publication with the options that are
not the defaults, then one `ALTER PUBLICATION p ADD TABLE ONLY t` per table it publishes, in name order,
all of it the publication's own text.

    CREATE PUBLICATION p [FOR TABLE [ONLY] t [*], ... | FOR ALL TABLES] [WITH (publish = '...', ...)]
    ALTER PUBLICATION p ADD | DROP | SET TABLE [ONLY] t [*], ...;  ALTER PUBLICATION p SET (...)
    ALTER PUBLICATION p RENAME TO q

A table added without ONLY brings its inheritance children (not a partitioned table's partitions, which
it publishes by itself), as PostgreSQL records them; a dropped table leaves the publications, a renamed
one is published under its new name. What is not read here (column lists, row filters, TABLES IN SCHEMA)
is kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from schemareg.creation import parents_in
from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, ObjectKey, SchemaObject, Table
from schemareg.names import key_part
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.heads import applies_to
from schemareg.normalize.patterns import split_top_level
from schemareg.normalize.storage import parameters_from_text
from schemareg.normalize.text import QNAME
from schemareg.render import quote, quote_qualified

__all__ = [
    "alter_publication",
    "apply_alter_publication",
    "drop_published",
    "read_publication",
    "rename_published",
    "renamed_publication",
]

_NAME = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_CREATE = lazy_compile(
    rf"\s*CREATE\s+PUBLICATION\s+(?P<name>{_NAME})(?:\s+FOR\s+(?:(?P<all>ALL\s+TABLES)|(?P<tables>.+?)))?"
    r"(?:\s+WITH\s*\((?P<options>[^()]*)\))?\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ALTER = lazy_compile(
    rf"\s*ALTER\s+PUBLICATION\s+(?P<name>{_NAME})\s+(?:(?P<action>ADD|DROP|SET)\s+(?P<tables>TABLE\s+.+?)"
    rf"|SET\s*\((?P<options>[^()]*)\)|RENAME\s+TO\s+(?P<new>{_NAME}))\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_MEMBER = lazy_compile(rf"(?:TABLE\s+)?(?P<only>ONLY\s+)?(?P<table>{QNAME})(?P<star>\s*\*)?", re.IGNORECASE)
_PUBLISH = ("insert", "update", "delete", "truncate")
_DEFAULTS = {"publish": ", ".join(_PUBLISH), "publish_via_partition_root": "false"}
# The canonical text, read back: the CREATE, then one line per table.
_ADD_LINE = ";\nALTER PUBLICATION "
_WITH = lazy_compile(r" WITH \(.*\)$")


@applies_to("CREATE PUBLICATION")
def read_publication(context: Context, text: str) -> list[ops.AnyOp] | None:
    m = _CREATE.match(text)
    if m is None or context.dialect != "postgres":
        return None
    options = _options(m.group("options") or "")
    tables = _members(context, m.group("tables")) if m.group("tables") else []
    if options is None or tables is None:
        return None
    name = key_part(context.unquote(m.group("name")))
    head = f"CREATE PUBLICATION {quote(name)}" + (" FOR ALL TABLES" if m.group("all") else "") + options
    found: list[ops.AnyOp] = [
        ops.CreateDefinition(definition=Definition(kind=Kind.PUBLICATION, schema="", name=name, sql=head))
    ]
    if tables:
        found.append(ops.AlterPublication(name=name, action="ADD", tables=tables))
    return found


@applies_to("ALTER PUBLICATION")
def alter_publication(context: Context, text: str) -> list[ops.AnyOp] | None:
    m = _ALTER.match(text)
    if m is None or context.dialect != "postgres":
        return None
    name = key_part(context.unquote(m.group("name")))
    if m.group("new") is not None:
        new = key_part(context.unquote(m.group("new")))
        return [ops.RenameObject(kind=Kind.PUBLICATION, name=name, new=new)]
    if m.group("options") is not None:
        options = _options(m.group("options"))
        return (
            None if options is None else [ops.AlterPublication(name=name, action="OPTIONS", options=options)]
        )
    tables = _members(context, m.group("tables"))
    if tables is None:
        return None
    return [ops.AlterPublication(name=name, action=m.group("action").upper(), tables=tables)]


def _options(text: str) -> str | None:
    """` WITH (...)` of the options not at their defaults, as pg_dump writes them; None for one not known."""
    said = dict(_DEFAULTS)
    for key, value in parameters_from_text(text).items():  # read as a table's storage parameters are
        if key not in _DEFAULTS:
            return None
        if key == "publish":
            actions = {action.strip().lower() for action in value.split(",") if action.strip()}
            if not actions <= set(_PUBLISH):
                return None
            value = ", ".join(action for action in _PUBLISH if action in actions)
        else:
            value = {"on": "true", "off": "false", "1": "true", "0": "false"}.get(
                value.lower(), value.lower()
            )
            if value not in ("true", "false"):
                return None
        said[key] = value
    changed = [
        f"{key} = '{value}'" if key == "publish" else f"{key} = {value}"
        for key, value in said.items()
        if value != _DEFAULTS[key]
    ]
    return f" WITH ({', '.join(changed)})" if changed else ""


def _members(context: Context, text: str) -> list[tuple[str, bool]] | None:
    """The tables of `TABLE [ONLY] t [*], ...`, each qualified and whether ONLY; None for another form."""
    found = []
    for part in split_top_level(text.strip()):
        m = _MEMBER.fullmatch(part.strip())
        if m is None:
            return None  # a column list, a row filter, TABLES IN SCHEMA
        found.append((context.read_qualified_name(m.group("table")), m.group("only") is not None))
    return found


def _parts(definition: Definition) -> tuple[str, list[str]]:
    head, *lines = definition.sql.split(_ADD_LINE)
    prefix = f"{quote(definition.name)} ADD TABLE ONLY "
    return head, [line[len(prefix) :] for line in lines if line.startswith(prefix)]


def _text(name: str, head: str, members: list[str]) -> str:
    return head + "".join(
        f"{_ADD_LINE}{quote(name)} ADD TABLE ONLY {member}" for member in sorted(set(members))
    )


def apply_alter_publication(objects: dict[ObjectKey, SchemaObject], op: ops.AlterPublication) -> bool:
    """The publication's tables or options changed; False (kept as written) for a publication the script
    did not make, or a table it does not have."""
    found = objects.get(ObjectKey(Kind.PUBLICATION, op.name))
    if not isinstance(found, Definition) or found.opaque:
        return False
    head, members = _parts(found)
    if op.action == "OPTIONS":
        base = _WITH.sub("", head)
        found.sql = _text(found.name, base + op.options, members)
        return True
    named = []
    for table, only in op.tables:
        if not isinstance(objects.get(ObjectKey(Kind.TABLE, table)), Table):
            return False
        named += [table] if only else _with_children(objects, table)
    texts = [quote_qualified(table) for table in named]
    if op.action == "ADD":
        members += texts
    elif op.action == "DROP":
        members = [member for member in members if member not in texts]
    else:  # SET
        members = texts
    found.sql = _text(found.name, head, members)
    return True


def _with_children(objects: dict[ObjectKey, SchemaObject], table: str) -> list[str]:
    """A table and its inheritance children, theirs too (a partition is published by its root)."""
    found, pending = [table], [table]
    while pending:
        parent = pending.pop()
        for key, obj in objects.items():
            if (
                isinstance(obj, Table)
                and obj.partition_of is None
                and key.name not in found
                and parent in parents_in(obj.options or "", "")
            ):
                found.append(key.name)
                pending.append(key.name)
    return found


def drop_published(objects: dict[ObjectKey, SchemaObject], table: str) -> None:
    """A dropped table leaves every publication."""
    _each_member(objects, lambda member: None if member == quote_qualified(table) else member)


def rename_published(objects: dict[ObjectKey, SchemaObject], old: str, new: str) -> None:
    """A renamed table is published under its new name (PostgreSQL keeps it by its OID)."""
    old_sql, new_sql = quote_qualified(old), quote_qualified(new)
    _each_member(objects, lambda member: new_sql if member == old_sql else member)


def _each_member(objects: dict[ObjectKey, SchemaObject], change: Callable[[str], str | None]) -> None:
    for key, obj in objects.items():
        if (
            key.kind is Kind.PUBLICATION
            and isinstance(obj, Definition)
            and not obj.opaque
            and _ADD_LINE in obj.sql
        ):
            head, members = _parts(obj)
            kept = [m for m in (change(member) for member in members) if m is not None]
            obj.sql = _text(obj.name, head, kept)


def renamed_publication(definition: Definition, old: str) -> str:
    """A renamed publication's text: its CREATE and each of its tables' lines name the new name."""
    head, members = _parts(Definition(kind=Kind.PUBLICATION, schema="", name=old, sql=definition.sql))
    head = head.replace(f"CREATE PUBLICATION {quote(old)}", f"CREATE PUBLICATION {quote(definition.name)}", 1)
    return _text(definition.name, head, members)
