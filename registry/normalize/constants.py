"""Constants as PostgreSQL stores them, by their type: `INTERVAL '1 DAY'` is `'1 day'::interval`, a
timestamp, a date, a time, a jsonb value and a uuid are printed as the type's output function prints them
(literals.py, jsonb.py); a spelling not read for certain is kept as written."""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from schemareg.normalize.jsonb import jsonb_text
from schemareg.normalize.literals import (
    date_text,
    interval_text,
    time_text,
    timestamp_text,
    timestamptz_text,
    uuid_text,
)
from schemareg.normalize.triggers import looks_for
from schemareg.normalize.type_grammar import interval_qualified

# A string constant cast to one of these types, as the type prints it (None: left as written).
_TYPED_TEXT: dict[object, Callable[[str], str | None]] = {
    exp.DataType.Type.INTERVAL: interval_text,
    exp.DataType.Type.TIMESTAMP: timestamp_text,
    exp.DataType.Type.TIMESTAMPTZ: timestamptz_text,
    exp.DataType.Type.DATE: date_text,
    exp.DataType.Type.TIME: time_text,
    exp.DataType.Type.JSONB: jsonb_text,
    exp.DataType.Type.UUID: uuid_text,
}


@looks_for(exp.Interval, exp.Cast, adds=(exp.Cast, exp.Literal, exp.DataType))
def typed_constants(node: exp.Expression, dialect: str) -> exp.Expression:
    """`INTERVAL '1 DAY'`, `'90 min'::interval`, `'2020-1-1'::timestamp` and `'2020-01-01'::timestamptz`
    as PostgreSQL stores a constant: `'1 day'::interval`, `'01:30:00'::interval`,
    `'2020-01-01 00:00:00'::timestamp`, `'2020-01-01 00:00:00+00'::timestamptz` (in UTC; literals.py; a
    spelling it does not read for certain is kept)."""
    if dialect != "postgres":
        return node
    for constant in list(node.find_all(exp.Interval, exp.Cast)):
        if isinstance(constant, exp.Interval):
            literal, unit = constant.this, constant.args.get("unit")
            if not (isinstance(literal, exp.Literal) and literal.is_string):
                continue
            cast = interval_qualified(constant)  # `INTERVAL '1' DAY`: the type `interval day`
            if cast is None:
                printed = interval_text(f"{literal.this} {unit.sql(dialect) if unit is not None else ''}")
                if printed is not None:
                    cast = exp.Cast(this=exp.Literal.string(printed), to=exp.DataType.build("INTERVAL"))
            if cast is not None:
                if constant is node:
                    return cast
                constant.replace(cast)
            continue
        if not isinstance(constant, exp.Cast):
            continue
        literal, target = constant.this, constant.to
        if not (isinstance(literal, exp.Literal) and literal.is_string and target is not None):
            continue
        if target.expressions:
            continue
        printer = _TYPED_TEXT.get(target.this)
        printed = printer(literal.this) if printer is not None else None
        if printed is not None:
            literal.replace(exp.Literal.string(printed))
    return node
