"""Diff cost follows the change: 1,000-table vs 50-table schemas, both with the same 5 tables changed.

Run: `.venv/bin/python -m bench.diff_speed`. Prints both timings and their ratio against the floor (3x).
"""

from __future__ import annotations

import statistics
import sys
import time

import msgspec

import schemareg.normalize  # noqa: F401  (render and normalize import each other: normalize goes first)
from schemareg.diff import diff_schemas
from schemareg.model import Column, Constraint, ConstraintKind, Index, Schema, Table, key_of

CHANGED = 5
CEILING = 3.0


def _table(number: int) -> Table:
    columns = [Column(name="id", type="bigint", nullable=False)]
    columns += [
        Column(
            name=f"c{position}", type="character varying(100)" if position % 2 else "integer", default=None
        )
        for position in range(1, 12)
    ]
    columns.append(
        Column(name="created_at", type="timestamp with time zone", nullable=False, default="now()")
    )
    return Table(
        schema="public",
        name=f"table_{number:04d}",
        columns=columns,
        constraints=[
            Constraint(
                name=f"table_{number:04d}_pkey",
                kind=ConstraintKind.PRIMARY_KEY,
                definition="PRIMARY KEY (id)",
                columns=("id",),
            ),
            Constraint(
                name=f"table_{number:04d}_c2_check", kind=ConstraintKind.CHECK, definition="CHECK (c2 > 0)"
            ),
        ],
        indexes=[Index(name=f"table_{number:04d}_c1_idx", definition="USING btree (c1)", columns=("c1",))],
    )


def _changed(table: Table) -> Table:
    columns = [*table.columns[:3], msgspec.structs.replace(table.columns[3], type="text"), *table.columns[4:]]
    columns.append(Column(name="note", type="text"))
    return msgspec.structs.replace(table, columns=columns, indexes=[], comment="changed")


def build(tables: int, *, rendered: bool = True) -> tuple[Schema, Schema]:
    """Two schemas of `tables` tables; the first CHANGED tables differ. No object is shared between them.

    With `rendered`, both carry their canonical text, as every schema from the normaliser (whose
    fingerprint renders it) or from a stored snapshot does.
    """
    before = [_table(number) for number in range(tables)]
    after = [_changed(_table(number)) if number < CHANGED else _table(number) for number in range(tables)]
    schemas = (
        Schema(dialect="postgres", objects={key_of(table): table for table in before}),
        Schema(dialect="postgres", objects={key_of(table): table for table in after}),
    )
    if rendered:
        for schema in schemas:
            schema.rendered()
    return schemas


def measure(tables: int, repeat: int = 200, *, rendered: bool = True) -> float:
    """Median seconds of one diff."""
    before, after = build(tables, rendered=rendered)
    assert len(diff_schemas(before, after).changes) > 0
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        diff_schemas(before, after)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    small = measure(50)
    large = measure(1000)
    ratio = large / small
    print(f"diff 50 tables,    {CHANGED} changed: {small * 1e3:8.3f} ms (median of 200)")
    print(f"diff 1,000 tables, {CHANGED} changed: {large * 1e3:8.3f} ms (median of 200)")
    verdict = "ok" if ratio <= CEILING else "TOO SLOW"
    print(f"ratio 1,000 / 50: {ratio:.2f}x (ceiling {CEILING:.0f}x) {verdict}")
    # For information: models without their canonical text fall back to comparing structs.
    bare = measure(1000, rendered=False) / measure(50, rendered=False)
    print(f"without cached canonical text (model comparison): ratio {bare:.2f}x")
    return 0 if ratio <= CEILING else 1


if __name__ == "__main__":
    sys.exit(main())
