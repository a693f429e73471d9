"""CREATE INDEX: key expressions, operator classes, ordering, INCLUDE, storage parameters and predicates,
as PostgreSQL prints an index definition."""

from __future__ import annotations

import re

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Index
from schemareg.names import make_object_name
from schemareg.normalize import ops
from schemareg.normalize.context import Context, Unsupported
from schemareg.normalize.heads import applies_to
from schemareg.normalize.index_names import bare_key, key_name, name_addition
from schemareg.normalize.rules import TABLE_RULES
from schemareg.normalize.text import QNAME, is_function_call

# `UNIQUE (...) NULLS [NOT] DISTINCT` (PostgreSQL 15), which sqlglot does not read in CREATE INDEX.
NULLS_DISTINCT = lazy_compile(r"\)\s*NULLS\s+(NOT\s+)?DISTINCT\b", re.IGNORECASE)
_ALTER_INDEX_ATTACH = lazy_compile(
    rf"\s*ALTER\s+INDEX\s+(?:IF\s+EXISTS\s+)?(?P<parent>{QNAME})\s+ATTACH\s+PARTITION\s+(?P<child>{QNAME})\s*$",
    re.IGNORECASE,
)


def create_index(context: Context, tree: exp.Create, text: str) -> list[ops.AnyOp]:
    index = tree.this
    if not isinstance(index, exp.Index):
        raise Unsupported
    table_node = index.args.get("table")
    if table_node is None:
        raise Unsupported
    schema, table_name = context.table_name(table_node)
    params = index.args.get("params") or exp.IndexParameters()
    context.own_columns(params, context.qualify(schema, table_name))
    keys: list[str] = []
    plain: list[str] = []
    names: list[str | None] = []  # each key's name in the index's own name (PostgreSQL's)
    for ordered in params.args.get("columns") or []:
        names.append(key_name(bare_key(ordered), context.fold, context.generate)[0])
        keys.append(_key(context, ordered, plain))
    using = params.args.get("using")
    method = (using.name if isinstance(using, exp.Expression) else str(using or "btree")).lower()
    if context.dialect == "postgres":
        definition = f"USING {method} ({', '.join(keys)})"
    else:
        definition = f"({', '.join(keys)})"
    include = params.args.get("include")
    if include:
        included = [context.key_name(i) for i in include]
        names += included
        definition += f" INCLUDE ({', '.join(context.quote(i) for i in included)})"
    nulls = NULLS_DISTINCT.search(text)
    if nulls is not None and nulls.group(1) and tree.args.get("unique"):
        definition += " NULLS NOT DISTINCT"  # NULLS DISTINCT is the default
    storage = params.args.get("with_storage")
    if isinstance(storage, list) and storage:
        definition += f" WITH ({storage_options(', '.join(context.generate(item) for item in storage))})"
    where = params.args.get("where")
    if where is not None:
        definition += f" WHERE {context.expression(where.this, TABLE_RULES)}"
    all_columns = len(plain) == len(keys)
    chosen = name_addition(names) if index.this is None else ""
    name = make_object_name(table_name, chosen, "idx") if chosen else context.fold(index.this)
    return [
        ops.CreateIndex(
            table=context.qualify(schema, table_name),
            index=Index(
                name=name,
                definition=definition,
                unique=bool(tree.args.get("unique")),
                columns=tuple(plain) if all_columns else (),
            ),
            if_not_exists=bool(tree.args.get("exists")),
            chosen=chosen,
        )
    ]


def _key(context: Context, ordered: exp.Expression, plain: list[str]) -> str:
    """One index key as PostgreSQL prints it; a plain column's name is added to `plain`."""
    node = ordered.this if isinstance(ordered, exp.Ordered) else ordered
    opclass = ""
    if isinstance(node, exp.Opclass):
        opclass = " " + context.generate(node.expression).lower()
        node = node.this
    while isinstance(node, exp.Paren):
        node = node.this
    key = context.expression(node, TABLE_RULES)
    if isinstance(node, exp.Column):
        plain.append(context.fold(node.this))
    elif not is_function_call(key):
        key = f"({key})"  # an expression key, as PostgreSQL prints it (and requires)
    if not isinstance(ordered, exp.Ordered):
        return key + opclass
    desc = bool(ordered.args.get("desc"))
    nulls_first = bool(ordered.args.get("nulls_first"))
    key += opclass + (" DESC" if desc else "")
    if nulls_first != desc and context.dialect == "postgres":
        key += " NULLS FIRST" if nulls_first else " NULLS LAST"
    return key


@applies_to("ALTER INDEX")
def attach_index_partition(context: Context, text: str) -> list[ops.AnyOp] | None:
    """ALTER INDEX ... ATTACH PARTITION: a child index, attached to its parent's, is no object of its own;
    attached to a partitioned table's key, it puts that key on its partition (partition_keys.py)."""
    found = _ALTER_INDEX_ATTACH.match(text)
    if found is None:
        return None
    parent, child = (context.read_qualified_name(found.group(g)) for g in ("parent", "child"))
    return [ops.AttachIndex(parent=parent, child=child)]


def storage_options(text: str) -> str:
    """`fillfactor='70', Autovacuum_Enabled = false` as `autovacuum_enabled = false, fillfactor = 70`;
    `security_barrier` alone as `security_barrier = true`."""
    settings = []
    for part in text.split(","):
        key, _, value = part.partition("=")
        value = value.strip()
        if len(value) > 1 and value[0] == value[-1] == "'" and re.fullmatch(r"'[\w.+-]*'", value):
            value = value[1:-1]
        # A boolean named alone is on: PostgreSQL stores `WITH (security_barrier)` as `security_barrier=true`.
        settings.append(f"{key.strip().lower()} = {value.lower() if value else 'true'}")
    return ", ".join(sorted(settings))
