"""Temporary tables last as long as the session that made them: a script's `CREATE TEMP TABLE` (scratch
space of a migration) is gone when the script has run, so the schema it leaves has no such table, nor
the sequences of its serial columns. While the script runs they are there, so that what it says of them
(an index, a DROP) applies to them rather than being kept as a statement about a table never made."""

from __future__ import annotations

from schemareg.model import Definition, Kind, Schema, Sequence, Table
from schemareg.names import key_head

__all__ = ["drop_temporary"]


def _temporary(obj: object) -> bool:
    if isinstance(obj, Table):
        return "TEMPORARY" in (obj.options or "").split()
    return (
        isinstance(obj, Definition) and obj.kind is Kind.TABLE and obj.sql.upper().startswith("CREATE TEMP")
    )


def drop_temporary(schema: Schema) -> None:
    """Remove the temporary tables and the sequences they own."""
    gone = {key.name for key, obj in schema.objects.items() if key.kind is Kind.TABLE and _temporary(obj)}
    if not gone:
        return
    for key, obj in list(schema.objects.items()):
        owner = key_head(obj.owned_by)[0] if isinstance(obj, Sequence) and obj.owned_by else None
        if (key.kind is Kind.TABLE and key.name in gone) or owner in gone:
            del schema.objects[key]
