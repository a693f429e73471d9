"""What a DROP takes with it, as PostgreSQL's dependencies do: a schema the objects in it, a materialized
view its indexes (and the comments on them), a function the triggers that execute it (with CASCADE; without, the server refuses to drop what is still in use, so a
script that runs has nothing left to take)."""

from __future__ import annotations

from schemareg.model import Definition, Kind, ObjectKey, SchemaObject
from schemareg.names import key_part, split_signature
from schemareg.render import quote_qualified


def drop_dependents(objects: dict[ObjectKey, SchemaObject], dropped: ObjectKey) -> None:
    if dropped.kind is Kind.SCHEMA:
        for key, obj in list(objects.items()):
            if key_part(getattr(obj, "schema", "") or "") == dropped.name and key in objects:
                del objects[key]
                drop_dependents(objects, key)  # a function in it takes its triggers on other schemas' tables
    elif dropped.kind is Kind.MATERIALIZED_VIEW:
        for key, obj in list(objects.items()):
            if key.kind is Kind.INDEX and isinstance(obj, Definition) and obj.depends_on == (dropped.name,):
                del objects[key]
    elif dropped.kind in (Kind.FUNCTION, Kind.PROCEDURE):
        call = f"EXECUTE FUNCTION {quote_qualified(split_signature(dropped.name)[0])}("
        for key, obj in list(objects.items()):
            if key.kind is Kind.TRIGGER and isinstance(obj, Definition) and call in obj.sql:
                del objects[key]


def sole_overload(objects: dict[ObjectKey, SchemaObject], kind: Kind, name: str) -> ObjectKey | None:
    """The one routine `name` (`schema.f(*)`: written without its arguments) names, if there is one."""
    prefix = name[:-2]
    matches = [key for key in objects if key.kind is kind and key.name.startswith(prefix)]
    return matches[0] if len(matches) == 1 else None
