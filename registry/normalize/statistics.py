"""Extended statistics objects (CREATE STATISTICS), as PostgreSQL prints them (`pg_get_statisticsobjdef`):
the object qualified, its kinds in PostgreSQL's order (ndistinct, dependencies, mcv) and said only when
not all of them (nor for one expression, whose statistics have no kinds), the plain columns in the
table's column order (PostgreSQL keeps them by number, sorted) and then the expressions as written, each
in brackets unless it is a function call, and the table qualified.

`ALTER STATISTICS ... SET STATISTICS n` is kept on the object, said after it as pg_dump says it; RENAME
TO renames it, `COMMENT ON STATISTICS` is its comment, DROP STATISTICS drops it. A statistics object
without a name (PostgreSQL 16) takes the one PostgreSQL gives it: `<table>_<columns>_stat`, `expr` for
an expression, in the table's schema. A form not read here is kept as written.
"""

from __future__ import annotations

import re

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, ObjectKey, Schema, SchemaObject, Table
from schemareg.names import join_key, make_object_name, name_parts
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.heads import applies_to
from schemareg.normalize.patterns import split_top_level
from schemareg.normalize.rules import TABLE_RULES
from schemareg.normalize.text import IDENT, QNAME, balanced, is_function_call
from schemareg.normalize.view_stars import output_names
from schemareg.normalize.views import edit_query
from schemareg.render import quote, quote_qualified

__all__ = [
    "alter_statistics",
    "order_statistics_columns",
    "read_statistics",
    "renamed",
    "set_target",
    "table_renamed",
]

_CREATE = lazy_compile(
    rf"\s*CREATE\s+STATISTICS\s+(?P<exists>IF\s+NOT\s+EXISTS\s+)?(?:(?!ON\s)(?P<name>{QNAME})\s*)?"
    rf"(?:\((?P<kinds>[\w\s,]*)\)\s*)?ON\s+(?P<on>.+)\s+FROM\s+(?P<table>{QNAME})\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ALTER = lazy_compile(
    rf"\s*ALTER\s+STATISTICS\s+(?P<exists>IF\s+EXISTS\s+)?(?P<name>{QNAME})\s+"
    rf"(?:SET\s+STATISTICS\s+(?P<target>-?\d+|DEFAULT)|RENAME\s+TO\s+(?P<new>{IDENT}))\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_PLAIN = lazy_compile(IDENT)
# A name as canonical text spells it (quote_qualified), and what that text holds, read back: the list
# between ON and FROM, the table, and a target said after.
_NAME = r'(?:"(?:[^"]|"")*"|[^\s.";]+)(?:\.(?:"(?:[^"]|"")*"|[^\s.";]+))?'
_CANONICAL = lazy_compile(
    rf"(?P<head>CREATE STATISTICS {_NAME}(?: \([a-z, ]+\))? ON )(?P<on>.+) FROM (?P<table>{_NAME})"
    rf"(?P<target>;\nALTER STATISTICS {_NAME} SET STATISTICS -?\d+)?$",
    re.DOTALL,
)
_KINDS = ("ndistinct", "dependencies", "mcv")


@applies_to("CREATE STATISTICS")
def read_statistics(context: Context, text: str) -> list[ops.AnyOp] | None:
    """CREATE STATISTICS in PostgreSQL's words (None, kept as written, for a form not read here)."""
    m = _CREATE.match(text)
    if m is None or context.dialect != "postgres":
        return None
    kinds = {word.strip().lower() for word in (m.group("kinds") or "").split(",") if word.strip()}
    if not kinds <= set(_KINDS):
        return None
    table_schema, table = context.read_name(m.group("table"))
    items: list[tuple[str, str | None]] = []  # (text, column name or None for an expression)
    for part in split_top_level(m.group("on")):
        item = _item(context, part.strip())
        if item is None:
            return None
        items.append(item)
    if m.group("name"):
        schema, name = context.read_name(m.group("name"))
    else:  # PostgreSQL 16: named after the table and what it is on, in the table's schema
        addition = "_".join(column or "expr" for _, column in items)
        schema, name = table_schema, make_object_name(table, addition, "stat")
    said = [kind for kind in _KINDS if kind in kinds]
    kinds_text = f" ({', '.join(said)})" if said and len(said) < len(_KINDS) and len(items) > 1 else ""
    on = ", ".join(text for text, _ in items)
    table_key = context.qualify(table_schema, table)
    sql = (
        f"CREATE STATISTICS {quote_qualified(join_key(schema, name))}{kinds_text} ON {on}"
        f" FROM {quote_qualified(table_key)}"
    )
    definition = Definition(kind=Kind.STATISTICS, schema=schema, name=name, sql=sql, depends_on=(table_key,))
    return [ops.CreateDefinition(definition=definition, if_not_exists=m.group("exists") is not None)]


def _item(context: Context, text: str) -> tuple[str, str | None] | None:
    """One entry of the ON list: a column (bare, or alone in brackets, which PostgreSQL takes as the
    column) or an expression in canonical text, bracketed unless it is a function call."""
    while text.startswith("(") and balanced(text, 1) == len(text) - 1:
        text = text[1:-1].strip()
    if _PLAIN.fullmatch(text):
        column = context.unquote(text)
        return quote(column), column
    try:
        node = context.parse(f"SELECT {text}")
    except Exception:
        return None
    if not isinstance(node, exp.Select) or len(node.expressions) != 1:
        return None
    value = node.expressions[0]
    while isinstance(value, exp.Paren):
        value = value.this
    if isinstance(value, exp.Column) and not value.table:
        column = context.fold(value.this)
        return quote(column), column
    key = context.expression(value, TABLE_RULES)
    return (key if is_function_call(key) else f"({key})"), None


@applies_to("ALTER STATISTICS")
def alter_statistics(context: Context, text: str) -> list[ops.AnyOp] | None:
    """ALTER STATISTICS ... SET STATISTICS n (DEFAULT or -1: the default) and ... RENAME TO."""
    m = _ALTER.match(text)
    if m is None or context.dialect != "postgres":
        return None
    name = context.read_qualified_name(m.group("name"))
    exists = m.group("exists") is not None
    if m.group("new") is not None:
        new = context.unquote(m.group("new"))
        return [ops.RenameObject(kind=Kind.STATISTICS, name=name, new=new, if_exists=exists)]
    target = m.group("target").upper()
    value = None if target == "DEFAULT" or int(target) < 0 else int(target)
    return [ops.SetStatisticsTarget(name=name, target=value, if_exists=exists)]


def set_target(objects: dict[ObjectKey, SchemaObject], op: ops.SetStatisticsTarget) -> bool:
    """The statistics target said after the object's CREATE, or none for the default."""
    found = objects.get(ObjectKey(Kind.STATISTICS, op.name))
    if not isinstance(found, Definition):
        return op.if_exists
    m = _CANONICAL.match(found.sql)
    if m is None:
        return False
    sql = found.sql[: m.start("target")] if m.group("target") else found.sql
    if op.target is not None:
        sql += f";\nALTER STATISTICS {quote_qualified(op.name)} SET STATISTICS {op.target}"
    found.sql = sql
    return True


def renamed(sql: str, old: str, new: str) -> str:
    """A renamed statistics object's text: its CREATE and the target said after it name the new name."""
    old_q, new_q = quote_qualified(old), quote_qualified(new)
    for head in ("CREATE STATISTICS ", ";\nALTER STATISTICS "):
        sql = sql.replace(f"{head}{old_q} ", f"{head}{new_q} ", 1)
    return sql


def table_renamed(definition: Definition, old: str, new: str) -> None:
    """A statistics object on table `old` (a key), renamed `new`: PostgreSQL keeps the table by its OID."""
    m = _CANONICAL.match(definition.sql)
    if m is None or definition.depends_on != (old,):
        return
    sql = definition.sql
    definition.sql = sql[: m.start("table")] + quote_qualified(new) + sql[m.end("table") :]
    definition.depends_on = (new,)


def order_statistics_columns(schema: Schema) -> None:
    """The plain columns of each statistics object in its table's column order, before the expressions,
    as PostgreSQL keeps them (by column number, sorted) and prints them."""
    for obj in schema.objects.values():
        if not isinstance(obj, Definition) or obj.kind is not Kind.STATISTICS or obj.opaque:
            continue
        m = _CANONICAL.match(obj.sql)
        columns = _columns_of(schema, obj.depends_on[0]) if obj.depends_on else None
        if m is None or columns is None:
            continue
        position = {column: at for at, column in enumerate(columns)}
        items = [part.strip() for part in split_top_level(m.group("on"))]
        plain = [item for item in items if _PLAIN.fullmatch(item)]
        if not all(name_parts(item)[0] in position for item in plain):
            continue
        plain.sort(key=lambda item: position[name_parts(item)[0]])
        on = ", ".join([*plain, *(item for item in items if not _PLAIN.fullmatch(item))])
        obj.sql = obj.sql[: m.start("on")] + on + obj.sql[m.end("on") :]


def _columns_of(schema: Schema, relation: str) -> list[str] | None:
    """The columns of a table or a materialized view (its query's output names), in their order."""
    table = schema.objects.get(ObjectKey(Kind.TABLE, relation))
    if isinstance(table, Table):
        return [column.name for column in table.columns]
    view = schema.objects.get(ObjectKey(Kind.MATERIALIZED_VIEW, relation))
    if not isinstance(view, Definition) or view.opaque:
        return None
    found: list[str] = []

    def read(query: exp.Expression) -> bool:
        found.extend(output_names(query) or ())
        return False  # nothing edited

    edit_query(view.sql, schema.dialect, read)
    return found or None
