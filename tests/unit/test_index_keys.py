"""Keys that one CREATE TABLE makes into one index (index_keys.py), as PostgreSQL's transformIndexConstraints
folds them: checked on PostgreSQL itself in tests/integration/test_replay_classes.py."""

from __future__ import annotations

from schemareg.index_keys import first_of_each_index, index_signature
from schemareg.model import Constraint, ConstraintKind

PK, UQ, EX, CK = (
    ConstraintKind.PRIMARY_KEY,
    ConstraintKind.UNIQUE,
    ConstraintKind.EXCLUDE,
    ConstraintKind.CHECK,
)


def _c(name: str, kind: ConstraintKind, definition: str) -> Constraint:
    return Constraint(name=name, kind=kind, definition=definition)


def test_the_primary_key_is_kept_before_an_equal_unique_written_first() -> None:
    unique, key = _c("t_a_key", UQ, "UNIQUE (a)"), _c("t_pkey", PK, "PRIMARY KEY (a)")
    assert first_of_each_index([unique, key]) == ([key], [unique])


def test_what_decides_the_index_counts_and_storage_does_not() -> None:
    assert index_signature(_c("a", UQ, "UNIQUE (a) WITH (fillfactor='50')")) == index_signature(
        _c("b", UQ, "UNIQUE (a)")
    )
    distinct = ["UNIQUE (a, b)", "UNIQUE (b, a)", "UNIQUE (a) INCLUDE (b)", "UNIQUE NULLS NOT DISTINCT (a)"]
    distinct += ["UNIQUE (a) DEFERRABLE"]
    signatures = {index_signature(_c(str(i), UQ, text)) for i, text in enumerate(distinct)}
    assert len(signatures) == len(distinct)
    assert index_signature(_c("c", CK, "CHECK (a > 0)")) is None


def test_keys_of_other_indexes_and_other_constraints_stay_in_order() -> None:
    found = [
        _c("c", CK, "CHECK (a > 0)"),
        _c("u1", UQ, "UNIQUE (a)"),
        _c("x", EX, "EXCLUDE USING gist (a WITH =)"),
        _c("u2", UQ, "UNIQUE (a)"),
        _c("u3", UQ, "UNIQUE (b)"),
    ]
    kept, later = first_of_each_index(found)
    assert [c.name for c in kept] == ["c", "u1", "x", "u3"]
    assert [c.name for c in later] == ["u2"]
