"""The traversal: two schemas in, the differences between them out, before any severity is decided.

Objects whose canonical model is equal are skipped at once, so the cost follows the size of the change,
not of the schema. Renames are paired here (a drop and an add that look alike); the policy module judges
each difference afterwards.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

from schemareg.diff.change import COLUMN_CHANGES, TABLE_CHANGES, Changed, ChangeType, Subject
from schemareg.diff.keyed import by_name, pair_renames, split
from schemareg.model import (
    Column,
    Constraint,
    Definition,
    Index,
    ObjectKey,
    Schema,
    SchemaObject,
    Table,
)
from schemareg.model import Sequence as SequenceObject
from schemareg.names import split_key, split_signature

__all__ = ["Difference", "Part", "differences"]

Part = SchemaObject | Column | Constraint | Index
P = TypeVar("P", Constraint, Index)
UNCHANGED = Changed(0)


@dataclass(frozen=True, slots=True)
class Difference:
    """One difference as the traversal found it: the change's fields, and the two values compared."""

    change: ChangeType
    subject: Subject
    object: str
    name: str | None = None
    changed: Changed = UNCHANGED
    before: str | None = None
    after: str | None = None
    old: Part | None = None  # the value before (None for an addition)
    new: Part | None = None  # the value after (None for a removal)


def differences(before: Schema, after: Schema) -> Iterator[Difference]:
    """Every difference between the two schemas, in no particular order."""
    old_objects, new_objects = before.objects, after.objects
    old_texts, new_texts = _cached_texts(before), _cached_texts(after)
    if old_texts is not None and new_texts is not None:
        # Equal canonical text is an equal object, and comparing two strings is far cheaper than
        # comparing two models field by field: the scan stays small next to the changed objects.
        keys = split(old_texts, new_texts)
    else:
        keys = split(
            old_objects,
            new_objects,
            unchanged=lambda key: (
                new_objects[key] is old_objects[key] or new_objects[key] == old_objects[key]
            ),
        )
    for key in keys.modified:
        yield from _modified_object(key, old_objects[key], new_objects[key])
    if not keys.removed and not keys.added:
        return
    renames = pair_renames(
        keys.removed,
        keys.added,
        lambda old, new: old.kind == new.kind and _objects_alike(old_objects[old], new_objects[new]),
    )
    for old_key, new_key in renames:
        yield Difference(
            change=ChangeType.POSSIBLE_RENAME,
            subject=Subject.of(old_key.kind),
            object=old_key.name,
            before=old_key.name,
            after=new_key.name,
            old=old_objects[old_key],
            new=new_objects[new_key],
        )
    paired_old = {old for old, _ in renames}
    paired_new = {new for _, new in renames}
    for key in keys.removed:
        if key not in paired_old:
            obj = old_objects[key]
            yield Difference(
                change=ChangeType.REMOVE,
                subject=Subject.of(key.kind),
                object=key.name,
                before=_ddl(obj, before.dialect),
                old=obj,
            )
    for key in keys.added:
        if key not in paired_new:
            obj = new_objects[key]
            yield Difference(
                change=ChangeType.ADD,
                subject=Subject.of(key.kind),
                object=key.name,
                after=_ddl(obj, after.dialect),
                new=obj,
            )


def _cached_texts(schema: Schema) -> dict[ObjectKey, str] | None:
    """The canonical text per object when the schema has it already (its fingerprint needed it)."""
    texts = schema.cached_rendering()
    return texts if texts is not None and len(texts) == len(schema.objects) else None


def _ddl(obj: SchemaObject, dialect: str) -> str:
    """The canonical DDL of one added or removed object: rendered only for the objects that changed."""
    import schemareg.normalize  # noqa: F401  (render and normalize import each other: normalize goes first)
    from schemareg.render import render_object

    return render_object(obj, dialect)


def _objects_alike(old: SchemaObject, new: SchemaObject) -> bool:
    if isinstance(old, Table) and isinstance(new, Table):
        return bool(old.columns) and [(c.name, c.type) for c in old.columns] == [
            (c.name, c.type) for c in new.columns
        ]
    if isinstance(old, SequenceObject) and isinstance(new, SequenceObject):
        return old.options == new.options and old.owned_by == new.owned_by
    if isinstance(old, Definition) and isinstance(new, Definition):
        old_bare, new_bare = _bare(old.name), _bare(new.name)
        return bool(old_bare) and old.sql.replace(old_bare, "\0") == new.sql.replace(new_bare, "\0")
    return False


def _persistence(sequence: SequenceObject) -> str:
    return "UNLOGGED " if sequence.unlogged else ""


def _bare(name: str) -> str:
    """The object's own name, without a function's argument list or a trigger's table."""
    return split_key(split_signature(name)[0])[-1]


def _modified_object(key: ObjectKey, old: SchemaObject, new: SchemaObject) -> Iterator[Difference]:
    if isinstance(old, Table) and isinstance(new, Table):
        yield from _table_differences(key.name, old, new)
        return
    changed = Changed(0)
    before: str | None = None
    after: str | None = None
    if isinstance(old, SequenceObject) and isinstance(new, SequenceObject):
        if (old.options, old.owned_by, old.unlogged) != (new.options, new.owned_by, new.unlogged):
            changed |= Changed.DEFINITION
            before = _join((_persistence(old) + old.options).strip(), old.owned_by)
            after = _join((_persistence(new) + new.options).strip(), new.owned_by)
    elif isinstance(old, Definition) and isinstance(new, Definition):
        if old.sql != new.sql or old.opaque != new.opaque:
            changed |= Changed.DEFINITION
            before, after = old.sql, new.sql
    else:
        changed |= Changed.DEFINITION
    if old.comment != new.comment:
        if not changed:
            before, after = old.comment, new.comment
        changed |= Changed.COMMENT
    if not changed:
        return  # only derived fields (depends_on) differ
    yield Difference(
        change=ChangeType.MODIFY,
        subject=Subject.of(key.kind),
        object=key.name,
        changed=changed,
        before=before,
        after=after,
        old=old,
        new=new,
    )


def _join(options: str, owned_by: str | None) -> str:
    return f"{options} OWNED BY {owned_by}".strip() if owned_by else options


def _changed_fields(old: object, new: object, candidates: Changed) -> Changed:
    """The flags among `candidates` whose model field (the flag's name) differs between the two."""
    bits = 0
    for flag, field in zip(candidates.flags, candidates.attributes, strict=True):
        if getattr(old, field) != getattr(new, field):
            bits |= flag.value
        elif field == "generated" and getattr(old, "virtual", False) != getattr(new, "virtual", False):
            bits |= flag.value  # stored <-> virtual: the same expression, computed another way
    return Changed(bits)


def _single(changed: Changed) -> str | None:
    """The model field of the one changed attribute, or None when several changed."""
    attributes = changed.attributes
    return attributes[0] if len(attributes) == 1 else None


# --- inside a table ---------------------------------------------------------------------------------


def _table_differences(table_name: str, old: Table, new: Table) -> Iterator[Difference]:
    changed = _changed_fields(old, new, TABLE_CHANGES)
    if changed:
        single = _single(changed)
        yield Difference(
            change=ChangeType.MODIFY,
            subject=Subject.TABLE,
            object=table_name,
            changed=changed,
            before=getattr(old, single) if single else None,
            after=getattr(new, single) if single else None,
            old=old,
            new=new,
        )
    if old.columns != new.columns:
        yield from _column_differences(table_name, old, new)
    if old.constraints != new.constraints:
        yield from _constraint_differences(table_name, old, new)
    if old.indexes != new.indexes:
        yield from _index_differences(table_name, old, new)


def _column_differences(table_name: str, old: Table, new: Table) -> Iterator[Difference]:
    old_columns, new_columns = by_name(old.columns), by_name(new.columns)
    names = split(old_columns, new_columns)
    old_positions = {column.name: position for position, column in enumerate(old.columns)}
    new_positions = {column.name: position for position, column in enumerate(new.columns)}
    # Renames pair in column order: the first look-alike in the table, not in the alphabet.
    removed = sorted((old_columns[name] for name in names.removed), key=lambda c: old_positions[c.name])
    added = sorted((new_columns[name] for name in names.added), key=lambda c: new_positions[c.name])

    old_constrained = _constraints_by_column(old)
    new_constrained = _constraints_by_column(new)

    def alike(before: Column, after: Column) -> bool:
        if (before.type, before.nullable) != (after.type, after.nullable):
            return False
        same_position = old_positions[before.name] == new_positions[after.name]
        old_roles = old_constrained.get(before.name, frozenset())
        same_constraints = bool(old_roles) and old_roles == new_constrained.get(after.name, frozenset())
        return same_position or same_constraints

    renames = pair_renames(removed, added, alike)
    renamed = {before.name: after.name for before, after in renames}
    for before, after in renames:
        yield Difference(
            change=ChangeType.POSSIBLE_RENAME,
            subject=Subject.COLUMN,
            object=table_name,
            name=before.name,
            before=before.name,
            after=after.name,
            old=before,
            new=after,
        )
        yield from _modified_column(table_name, before, after, name=after.name)
    paired_new = set(renamed.values())
    for column in removed:
        if column.name not in renamed:
            yield Difference(
                change=ChangeType.REMOVE,
                subject=Subject.COLUMN,
                object=table_name,
                name=column.name,
                before=column_text(column),
                old=column,
            )
    for column in added:
        if column.name not in paired_new:
            yield Difference(
                change=ChangeType.ADD,
                subject=Subject.COLUMN,
                object=table_name,
                name=column.name,
                after=column_text(column),
                new=column,
            )
    for name in names.modified:
        yield from _modified_column(table_name, old_columns[name], new_columns[name], name=name)
    yield from _moved_columns(table_name, old, new, renamed)


def _constraints_by_column(table: Table) -> dict[str, frozenset[str]]:
    """For rename detection: the constraint and index definitions each column takes part in."""
    roles: dict[str, set[str]] = {}
    for constraint in table.constraints:
        for column in constraint.columns:
            roles.setdefault(column, set()).add(f"{constraint.kind}:{len(constraint.columns)}")
    for index in table.indexes:
        for column in index.columns:
            roles.setdefault(column, set()).add(f"index:{index.unique}:{len(index.columns)}")
    return {column: frozenset(found) for column, found in roles.items()}


def column_text(column: Column) -> str:
    parts = [column.name, column.type]
    if column.collation:
        parts.append(f"COLLATE {column.collation}")
    if column.identity:
        parts.append(f"GENERATED {column.identity} AS IDENTITY")
    if column.generated:
        parts.append(f"GENERATED ALWAYS AS ({column.generated}) {'VIRTUAL' if column.virtual else 'STORED'}")
    if column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    if not column.nullable:
        parts.append("NOT NULL")
    return " ".join(parts)


def _modified_column(table_name: str, old: Column, new: Column, *, name: str) -> Iterator[Difference]:
    changed = _changed_fields(old, new, COLUMN_CHANGES)
    if not changed:
        return
    single = _single(changed)
    yield Difference(
        change=ChangeType.MODIFY,
        subject=Subject.COLUMN,
        object=table_name,
        name=name,
        changed=changed,
        before=_attribute_text(old, single) if single else column_text(old),
        after=_attribute_text(new, single) if single else column_text(new),
        old=old,
        new=new,
    )


def _attribute_text(column: Column, attribute: str) -> str | None:
    if attribute == "nullable":
        return "NULL" if column.nullable else "NOT NULL"
    value = getattr(column, attribute)
    return None if value is None else str(value)


def _moved_columns(
    table_name: str, old: Table, new: Table, renamed: Mapping[str, str]
) -> Iterator[Difference]:
    """Columns whose place among the columns both versions share has changed."""
    new_names = {column.name for column in new.columns}
    old_order = [renamed.get(column.name, column.name) for column in old.columns]
    old_order = [name for name in old_order if name in new_names]
    kept = set(old_order)
    new_order = [column.name for column in new.columns if column.name in kept]
    if old_order == new_order:
        return
    # The fewest columns to call moved: those outside a longest common subsequence of both orders.
    stay = _longest_increasing([old_order.index(name) for name in new_order])
    staying = {old_order[position] for position in stay}
    for position, name in enumerate(new_order):
        if name not in staying:
            yield Difference(
                change=ChangeType.MOVE,
                subject=Subject.COLUMN,
                object=table_name,
                name=name,
                before=str(old_order.index(name) + 1),
                after=str(position + 1),
            )


def _longest_increasing(values: list[int]) -> list[int]:
    """A longest strictly increasing subsequence of `values` (patience sorting, O(n log n))."""
    tails: list[int] = []
    tail_positions: list[int] = []
    previous: list[int] = [-1] * len(values)
    for position, value in enumerate(values):
        slot = bisect.bisect_left(tails, value)
        if slot == len(tails):
            tails.append(value)
            tail_positions.append(position)
        else:
            tails[slot] = value
            tail_positions[slot] = position
        previous[position] = tail_positions[slot - 1] if slot else -1
    result: list[int] = []
    position = tail_positions[-1] if tail_positions else -1
    while position != -1:
        result.append(values[position])
        position = previous[position]
    return result[::-1]


def _constraint_differences(table_name: str, old: Table, new: Table) -> Iterator[Difference]:
    yield from _part_differences(
        table_name,
        Subject.CONSTRAINT,
        by_name(old.constraints),
        by_name(new.constraints),
        alike=lambda a, b: (a.kind, a.definition) == (b.kind, b.definition),
    )


def _index_differences(table_name: str, old: Table, new: Table) -> Iterator[Difference]:
    yield from _part_differences(
        table_name,
        Subject.INDEX,
        by_name(old.indexes),
        by_name(new.indexes),
        alike=lambda a, b: (a.unique, a.definition) == (b.unique, b.definition),
    )


def _part_differences(
    table_name: str,
    subject: Subject,
    old_parts: Mapping[str, P],
    new_parts: Mapping[str, P],
    *,
    alike: Callable[[P, P], bool],
) -> Iterator[Difference]:
    """Constraints or indexes of a table: the same traversal, keyed by name."""
    names = split(old_parts, new_parts)
    renames = pair_renames(names.removed, names.added, lambda a, b: alike(old_parts[a], new_parts[b]))
    for before, after in renames:
        yield Difference(
            change=ChangeType.POSSIBLE_RENAME,
            subject=subject,
            object=table_name,
            name=before,
            before=before,
            after=after,
            old=old_parts[before],
            new=new_parts[after],
        )
    paired_old = {before for before, _ in renames}
    paired_new = {after for _, after in renames}
    for name in names.removed:
        if name not in paired_old:
            part = old_parts[name]
            yield Difference(
                change=ChangeType.REMOVE,
                subject=subject,
                object=table_name,
                name=name,
                before=part_text(part),
                old=part,
            )
    for name in names.added:
        if name not in paired_new:
            part = new_parts[name]
            yield Difference(
                change=ChangeType.ADD,
                subject=subject,
                object=table_name,
                name=name,
                after=part_text(part),
                new=part,
            )
    for name in names.modified:
        before_part, after_part = old_parts[name], new_parts[name]
        changed = _part_changed(before_part, after_part)
        if not changed:
            continue
        texts = (
            (before_part.comment, after_part.comment)
            if changed == Changed.COMMENT
            else (part_text(before_part), part_text(after_part))
        )
        yield Difference(
            change=ChangeType.MODIFY,
            subject=subject,
            object=table_name,
            name=name,
            changed=changed,
            before=texts[0],
            after=texts[1],
            old=before_part,
            new=after_part,
        )


def _part_changed(before: Constraint | Index, after: Constraint | Index) -> Changed:
    changed = Changed(0)
    if isinstance(before, Constraint) and isinstance(after, Constraint):
        if (before.kind, before.definition, before.unattached) != (
            after.kind,
            after.definition,
            after.unattached,
        ):
            changed |= Changed.DEFINITION  # a key put on the last partitions it lacked is another key
    elif isinstance(before, Index) and isinstance(after, Index):
        if before.definition != after.definition or before.columns != after.columns:
            changed |= Changed.DEFINITION
        if before.unique != after.unique:
            changed |= Changed.UNIQUE
    if before.comment != after.comment:
        changed |= Changed.COMMENT
    return changed


def part_text(part: Constraint | Index) -> str:
    if isinstance(part, Index):
        return f"{'UNIQUE ' if part.unique else ''}{part.definition}"
    if part.unattached:
        return f"{part.definition} (not on {', '.join(part.unattached)})"
    return part.definition
