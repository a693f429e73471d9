"""A table's storage parameters (`WITH (fillfactor=50)` at creation, `ALTER TABLE ... SET (...)` and
`RESET (...)` later) as PostgreSQL keeps them in `pg_class.reloptions`: one canonical list, whichever
statement set them."""

from __future__ import annotations

from schemareg.lazy_re import lazy_compile
from schemareg.model import Kind, ObjectKey, SchemaObject, Sequence, Table
from schemareg.names import join_key, key_head
from schemareg.normalize import ops

# One parameter as the model keeps it in a table's options: `fillfactor='50'`, the value always quoted.
PARAMETER = lazy_compile(r"(?<![\w(])(?!ENGINE=)([A-Za-z_][\w.]*)\s*=\s*('(?:[^']|'')*'|[^\s,()]+)")
# One item of a `(name = value, ...)` list: commas inside a quoted value do not separate.
_ITEM = lazy_compile(r"(?:[^,']|'(?:[^']|'')*')+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def parameter(key: str, value: str | None) -> tuple[str, str]:
    """(name, value) as the server stores them: an unquoted name or word folded to lower case (the
    parser folds it), a quoted value kept as written without its quotes; no value is `true`."""
    key = key.strip()
    name = key[1:-1].replace('""', '"') if key.startswith('"') else key.translate(_ASCII_LOWER)
    if value is None:
        return name, "true"
    value = value.strip()
    if len(value) > 1 and value[0] == value[-1] == "'":
        return name, value[1:-1].replace("''", "'")
    return name, value.translate(_ASCII_LOWER)


def parameters_from_text(text: str) -> dict[str, str]:
    """`FILLFACTOR = '50', autovacuum_enabled` (the inside of a SET or WITH list) as {name: value}."""
    found = {}
    for part in _ITEM.findall(text):
        key, eq, value = part.partition("=")
        if key.strip():
            name, stored = parameter(key, value if eq else None)
            found[name] = stored
    return found


def render(parameters: dict[str, str]) -> list[str]:
    """Sorted, as `name='value'`: the order they were given in means nothing to the table. `oids` is
    not one (`WITH (OIDS=FALSE)`: PostgreSQL 12 and later take it and keep nothing)."""
    return [
        f"{name}='{value.replace(chr(39), chr(39) * 2)}'"
        for name, value in sorted(parameters.items())
        if name != "oids"
    ]


def with_parameters(options: str | None, set_: dict[str, str], reset: tuple[str, ...] = ()) -> str | None:
    """A table's options with parameters set and reset, the other options (UNLOGGED, ...) kept."""
    current = {m.group(1): parameter(m.group(1), m.group(2))[1] for m in PARAMETER.finditer(options or "")}
    others = PARAMETER.sub("", options or "").split()
    current.update(set_)
    for name in reset:
        current.pop(name, None)
    return " ".join([*others, *render(current)]) or None


def set_storage(table: Table | None, op: ops.SetStorage) -> bool:
    if table is None:
        return False
    table.options = with_parameters(table.options, op.parameters, op.reset)
    return True


def set_logged(objects: dict[ObjectKey, SchemaObject], table: Table | None, op: ops.SetLogged) -> bool:
    """ALTER TABLE ... SET UNLOGGED / SET LOGGED: the table's UNLOGGED option, first as CREATE UNLOGGED
    TABLE puts it, its other options kept; and the sequences it owns with it (PostgreSQL 15)."""
    if table is None:
        return False
    others = [word for word in (table.options or "").split() if word != "UNLOGGED"]
    table.options = " ".join(["UNLOGGED", *others] if op.unlogged else others) or None
    owner = join_key(table.schema, table.name) if table.schema else table.name
    for obj in objects.values():
        if isinstance(obj, Sequence) and obj.owned_by and key_head(obj.owned_by)[0] == owner:
            obj.unlogged = op.unlogged
    return True


def set_sequence_logged(objects: dict[ObjectKey, SchemaObject], op: ops.SetSequenceLogged) -> bool:
    """ALTER SEQUENCE ... SET UNLOGGED / SET LOGGED."""
    found = objects.get(ObjectKey(Kind.SEQUENCE, op.sequence))
    if not isinstance(found, Sequence):
        return op.if_exists
    found.unlogged = op.unlogged
    return True
