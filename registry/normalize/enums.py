"""ALTER TYPE ... ADD VALUE / RENAME VALUE applied to an enum: its labels in PostgreSQL's order.

PostgreSQL stores a label by its identity, so after RENAME VALUE every default of a column of the enum
and every cast of the old label to the enum (`CAST('old' AS type)`, in checks, indexes, views, defaults)
reads the new label. A bare literal compared with an enum column (`WHERE x = 'old'`) is not followed: it
is typed only by its context.
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, ObjectKey, SchemaObject, Table
from schemareg.normalize import ops
from schemareg.normalize.text import STRING, string_value

# An enum's definition as the normaliser writes it, `CREATE TYPE s.t AS ENUM ('a', 'b')`, and its labels.
_ENUM_LABELS = lazy_compile(r"(?P<head>.*\bAS\s+ENUM\s*)\((?P<labels>.*)\)\s*$", re.IGNORECASE | re.DOTALL)
_LABEL = lazy_compile(STRING)


def enum_labels(definition: SchemaObject | None) -> list[str] | None:
    """An enum type's labels, in order; None for what is not an enum the normaliser wrote."""
    found = _ENUM_LABELS.match(definition.sql) if isinstance(definition, Definition) else None
    return None if found is None else [string_value(piece) for piece in _LABEL.findall(found.group("labels"))]


def alter_enum(objects: dict[ObjectKey, SchemaObject], op: ops.AlterEnum) -> bool:
    """Change the enum's labels in place; False when there is no such enum or label (kept opaque then)."""
    definition = objects.get(ObjectKey(Kind.TYPE, op.type))
    if not isinstance(definition, Definition):
        return False
    found = _ENUM_LABELS.match(definition.sql)
    if found is None:
        return False
    labels = [string_value(piece) for piece in _LABEL.findall(found.group("labels"))]
    if op.rename_to is not None:
        if op.label not in labels:
            return False
        labels[labels.index(op.label)] = op.rename_to
        _relabel(objects, op.type, op.label, op.rename_to)
    elif op.label in labels:
        return op.if_not_exists
    elif op.neighbour is None:
        labels.append(op.label)
    elif op.neighbour in labels:
        labels.insert(labels.index(op.neighbour) + (1 if op.after else 0), op.label)
    else:
        return False
    quoted = ", ".join("'" + label.replace("'", "''") + "'" for label in labels)
    definition.sql = f"{found.group('head')}({quoted})"
    return True


def _relabel(objects: dict[ObjectKey, SchemaObject], type_key: str, old: str, new: str) -> None:
    old_text, new_text = "'" + old.replace("'", "''") + "'", "'" + new.replace("'", "''") + "'"
    if old_text not in _all_text(objects):
        return
    schema, _, name = type_key.rpartition(".")
    names = "|".join(re.escape(n) for n in ({name, type_key, f'"{schema}".{name}'} if schema else {name}))
    cast = re.compile(rf"CAST\({re.escape(old_text)} AS (?:{names})\)")

    def relabel(text: str) -> str:
        return (
            cast.sub(lambda m: m.group(0).replace(old_text, new_text, 1), text) if old_text in text else text
        )

    for obj in objects.values():
        if isinstance(obj, Table):
            for column in obj.columns:
                if column.default == old_text and column.type == type_key:
                    column.default = new_text
                elif column.default:
                    column.default = relabel(column.default)
            for constraint in obj.constraints:
                constraint.definition = relabel(constraint.definition)
            for index in obj.indexes:
                index.definition = relabel(index.definition)
        elif isinstance(obj, Definition) and not obj.opaque:
            obj.sql = relabel(obj.sql)


def _all_text(objects: dict[ObjectKey, SchemaObject]) -> str:
    """Whether the label is quoted anywhere at all: most renames touch nothing but the enum."""
    parts = []
    for obj in objects.values():
        if isinstance(obj, Table):
            parts += [c.default or "" for c in obj.columns] + [c.definition for c in obj.constraints]
            parts += [i.definition for i in obj.indexes]
        elif isinstance(obj, Definition):
            parts.append(obj.sql)
    return "\n".join(parts)
