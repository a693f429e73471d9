"""ALTER TYPE ... ADD VALUE / RENAME VALUE applied to an enum: its labels in PostgreSQL's order."""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, ObjectKey, SchemaObject
from schemareg.normalize import ops
from schemareg.normalize.text import STRING, string_value

# An enum's definition as the normaliser writes it, `CREATE TYPE s.t AS ENUM ('a', 'b')`, and its labels.
_ENUM_LABELS = lazy_compile(r"(?P<head>.*\bAS\s+ENUM\s*)\((?P<labels>.*)\)\s*$", re.IGNORECASE | re.DOTALL)
_LABEL = lazy_compile(STRING)


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
