"""The typed change set: subjects, attribute flags, the keyed split and the policy applied after it."""

from __future__ import annotations

import random

import pytest

from schemareg.diff import COLUMN_ATTRIBUTES, TABLE_ATTRIBUTES, Changed, ChangeType, Subject, diff_schemas
from schemareg.diff.keyed import pair_renames, split
from schemareg.model import Column, Kind, ObjectKey, Schema, Table, key_of


def test_every_object_kind_is_a_subject() -> None:
    assert {kind.value for kind in Kind} <= {subject.value for subject in Subject}
    assert all(Subject.of(kind) == kind for kind in Kind)


def test_changed_flags_list_attributes_in_report_order_and_round_trip() -> None:
    assert COLUMN_ATTRIBUTES == (
        "type",
        "nullable",
        "default",
        "identity",
        "generated",
        "collation",
        "comment",
    )
    assert TABLE_ATTRIBUTES[-1] == "comment"
    both = Changed.COMMENT | Changed.TYPE
    assert both.attributes == ("type", "comment")
    assert Changed.of(both.attributes) == both
    assert Changed.of(()) == Changed(0)
    with pytest.raises(KeyError):
        Changed.of(["colour"])


def test_split_is_sorted_whatever_the_input_order() -> None:
    before = {name: len(name) for name in ("b", "a", "dd", "c")}
    after = {name: len(name) + (name == "dd") for name in ("e", "dd", "a", "f")}
    result = split(before, after)
    assert (result.added, result.removed, result.modified) == (["e", "f"], ["b", "c"], ["dd"])
    shuffled = dict(random.Random(3).sample(sorted(after.items()), len(after)))
    assert split(before, shuffled) == result
    assert split(before, before).empty


def test_pair_renames_takes_the_first_unpaired_look_alike() -> None:
    pairs = pair_renames(["a", "b"], ["x", "y", "z"], lambda old, new: new != "x")
    assert pairs == [("a", "y"), ("b", "z")]


def _table(*columns: Column, name: str = "t") -> Table:
    return Table(schema="public", name=name, columns=list(columns))


def _schema(*tables: Table) -> Schema:
    return Schema(dialect="postgres", objects={key_of(table): table for table in tables})


def test_a_change_carries_its_subject_and_flags_typed() -> None:
    before = _schema(_table(Column(name="id", type="integer")))
    after = _schema(_table(Column(name="id", type="bigint", nullable=False, comment="key")))
    (change,) = diff_schemas(before, after).changes
    assert change.kind is Subject.COLUMN and change.object_kind is Kind.TABLE
    assert change.changed == Changed.TYPE | Changed.NULLABLE | Changed.COMMENT
    assert change.what == ("type", "nullable", "comment")


def test_touched_objects_name_both_sides_of_a_possible_rename() -> None:
    columns = (Column(name="id", type="integer"), Column(name="v", type="text"))
    diff = diff_schemas(_schema(_table(*columns, name="old")), _schema(_table(*columns, name="new")))
    (change,) = diff.changes
    assert change.change is ChangeType.POSSIBLE_RENAME
    assert diff.touched() == [ObjectKey(Kind.TABLE, "public.new"), ObjectKey(Kind.TABLE, "public.old")]
