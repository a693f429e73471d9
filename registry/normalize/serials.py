"""The sequence a serial column makes, named as PostgreSQL names it: `t_id_seq`, or `t_id_seq1` (then 2,
...) when that name is taken, as it is after `ALTER TABLE t RENAME TO t_old` kept `t_id_seq` for `t_old`."""

from __future__ import annotations

import msgspec

from schemareg.model import ObjectKey, SchemaObject, Sequence, Table, key_of
from schemareg.names import key_head, key_part, make_object_name, split_key
from schemareg.render import quote_qualified


def place_serial(
    objects: dict[ObjectKey, SchemaObject], renamed: dict[str, tuple[str, str]], sequence: Sequence
) -> bool:
    """Add a serial's sequence under the name PostgreSQL would choose; a new name is noted in `renamed`
    (owner column -> (old, new) qualified names) for the table's default to follow."""
    placed = _free_name(objects, sequence)
    if placed is not sequence:
        renamed[sequence.owned_by or ""] = (key_of(sequence).name, key_of(placed).name)
    objects[key_of(placed)] = placed
    return True


def _free_name(objects: dict[ObjectKey, SchemaObject], sequence: Sequence) -> Sequence:
    """The serial's sequence under the first name PostgreSQL would find free (itself when it is free)."""
    key = key_of(sequence)
    if key not in objects:
        return sequence
    table, column = key_head(sequence.owned_by or "")
    for n in range(1, 10_000):
        name = make_object_name(split_key(table)[-1], column, f"seq{n}")
        candidate = msgspec.structs.replace(sequence, name=name)
        if key_of(candidate) not in objects:
            return candidate
    return sequence


def retarget_serials(table: Table, renamed: dict[str, tuple[str, str]]) -> None:
    """Point a serial column's default at its sequence's chosen name (`renamed`: owner column -> (old,
    new) qualified sequence names), as PostgreSQL writes it into the default it makes."""
    if not renamed:
        return  # no sequence was renamed (the common case: checked once, not per column)
    owner = key_of(table).name
    for column in table.columns:
        moved = renamed.pop(f"{owner}.{key_part(column.name)}", None)  # the owned_by key
        if moved is not None and column.default:
            old, new = (f"'{quote_qualified(name)}'" for name in moved)
            column.default = column.default.replace(old, new)
