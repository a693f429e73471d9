"""How a column type change affects stored data: widening, narrowing or a conversion (for diff severity)."""

from __future__ import annotations

import enum

from schemareg.lazy_re import lazy_compile


class TypeChange(enum.Enum):
    SAME = "same"
    WIDENING = "widening"  # every old value fits, clients read the same kind of value
    TO_TEXT = "to_text"  # every old value converts to text, but clients read a different type
    NARROWING = "narrowing"  # same family, some old values no longer fit
    CONVERSION = "conversion"  # another family: old values may not convert at all


_TYPE = lazy_compile(r"^\s*(?P<base>[a-z_][a-z0-9_ .]*)(?:\((?P<args>[^)]*)\))?\s*(?P<rest>.*)$")

_INTEGERS = {
    "tinyint": 1,
    "int1": 1,
    "smallint": 2,
    "int2": 2,
    "mediumint": 3,
    "int": 4,
    "integer": 4,
    "int4": 4,
    "bigint": 5,
    "int8": 5,
}
# Decimal digits an integer type needs, to tell whether a numeric(p, s) still holds every value.
_INTEGER_DIGITS = {1: 3, 2: 5, 3: 8, 4: 10, 5: 19}
_FLOATS = {"real": 1, "float4": 1, "float": 2, "double": 2, "double precision": 2, "float8": 2}
_DECIMALS = {"numeric", "decimal", "dec"}
# Character limits of the text types (None: unbounded for our purpose; PostgreSQL's text has no limit).
_TEXT_UNBOUNDED: dict[str, int | None] = {
    "text": None,
    "tinytext": 255,
    "mediumtext": 16_777_215,
    "longtext": None,
    "clob": None,
    "string": None,
}
_BOUNDED_TEXT = {
    "varchar",
    "character varying",
    "char",
    "character",
    "nvarchar",
    "nchar",
    "bpchar",
    "national character varying",
}
_TIMESTAMPS = {"timestamp", "timestamp without time zone", "datetime"}
_TIMESTAMPS_TZ = {"timestamp with time zone", "timestamptz"}


class _Parsed:
    __slots__ = ("args", "array", "base", "rest")

    def __init__(self, text: str) -> None:
        lowered = text.strip().lower()
        self.array = 0
        self.args: tuple[str, ...] = ()
        while lowered.endswith("[]"):
            self.array += 1
            lowered = lowered[:-2].rstrip()
        match = _TYPE.match(lowered)
        if match is None:
            self.base, self.rest = lowered, ""
            return
        self.base = match["base"].strip()
        self.args = tuple(part.strip() for part in (match["args"] or "").split(",") if part.strip())
        self.rest = match["rest"].strip()
        for suffix in (" unsigned", " zerofill"):
            if self.base.endswith(suffix):
                self.base = self.base.removesuffix(suffix).strip()
                self.rest = f"{suffix.strip()} {self.rest}".strip()
        # "timestamp(3) with time zone": the precision sits in the middle of the name.
        if self.rest in ("with time zone", "without time zone"):
            self.base = f"{self.base} {self.rest}"
            self.rest = ""


def _int_arg(args: tuple[str, ...], index: int) -> int | None:
    if len(args) <= index:
        return None
    try:
        return int(args[index])
    except ValueError:
        return None


def _text_limit(parsed: _Parsed) -> int | None:
    """The most characters a string type holds (None: unbounded), or -1 when it is not a string type."""
    if parsed.base in _TEXT_UNBOUNDED:
        return _TEXT_UNBOUNDED[parsed.base]
    if parsed.base in _BOUNDED_TEXT:
        length = _int_arg(parsed.args, 0)
        if length is None and parsed.base in ("char", "character", "nchar"):
            return 1  # only these mean one character bare: PostgreSQL's bare `bpchar` has no limit
        return length
    return -1


def _compare_sizes(old: int | None, new: int | None) -> TypeChange:
    """None is unbounded."""
    if old == new:
        return TypeChange.SAME
    if new is None or (old is not None and new > old):
        return TypeChange.WIDENING
    return TypeChange.NARROWING


def classify_type_change(before: str, after: str) -> TypeChange:
    """Classify the change of a column's canonical type text from `before` to `after`."""
    if before == after:
        return TypeChange.SAME
    old, new = _Parsed(before), _Parsed(after)
    if old.array != new.array:
        return TypeChange.TO_TEXT if new.base in _TEXT_UNBOUNDED and not new.array else TypeChange.CONVERSION
    if old.rest != new.rest and not ({old.rest, new.rest} <= {"", "unsigned"}):
        return TypeChange.CONVERSION

    if old.base in _INTEGERS and new.base in _INTEGERS:
        old_rank, new_rank = _INTEGERS[old.base], _INTEGERS[new.base]
        if old.rest == "unsigned" and new.rest != "unsigned":
            # an unsigned value needs the next signed type up
            return TypeChange.WIDENING if new_rank > old_rank else TypeChange.NARROWING
        if new.rest == "unsigned" and old.rest != "unsigned":
            return TypeChange.NARROWING
        return _compare_sizes(old_rank, new_rank) if old_rank != new_rank else TypeChange.SAME
    if old.base in _INTEGERS and new.base in _DECIMALS:
        precision, scale = _int_arg(new.args, 0), _int_arg(new.args, 1) or 0
        if precision is None or precision - scale >= _INTEGER_DIGITS[_INTEGERS[old.base]]:
            return TypeChange.WIDENING
        return TypeChange.NARROWING
    if old.base in _INTEGERS and new.base in _FLOATS:
        # a double holds every integer up to 2**53 exactly, a real up to 2**24
        fits = _INTEGERS[old.base] <= (4 if _FLOATS[new.base] == 2 else 2)
        return TypeChange.WIDENING if fits else TypeChange.NARROWING
    if old.base in _DECIMALS and new.base in _DECIMALS:
        old_p, old_s = _int_arg(old.args, 0), _int_arg(old.args, 1) or 0
        new_p, new_s = _int_arg(new.args, 0), _int_arg(new.args, 1) or 0
        if new_p is None:
            return TypeChange.WIDENING if old_p is not None else TypeChange.SAME
        if old_p is None:
            return TypeChange.NARROWING
        if new_s >= old_s and new_p - new_s >= old_p - old_s:
            return TypeChange.WIDENING if (new_p, new_s) != (old_p, old_s) else TypeChange.SAME
        return TypeChange.NARROWING
    if old.base in _DECIMALS and new.base in _INTEGERS:
        return TypeChange.NARROWING
    if old.base in _FLOATS and new.base in _FLOATS:
        return _compare_sizes(_FLOATS[old.base], _FLOATS[new.base])
    if old.base in _FLOATS and (new.base in _INTEGERS or new.base in _DECIMALS):
        return TypeChange.NARROWING

    old_text, new_text = _text_limit(old), _text_limit(new)
    if old_text != -1 and new_text != -1:
        result = _compare_sizes(old_text, new_text)
        if result is TypeChange.SAME and old.base != new.base:
            # char(n) pads, varchar(n) does not: same capacity, but values compare differently
            return TypeChange.WIDENING
        return result
    if new_text is None:
        return TypeChange.TO_TEXT

    if {old.base, new.base} <= _TIMESTAMPS | _TIMESTAMPS_TZ:
        if (old.base in _TIMESTAMPS) != (new.base in _TIMESTAMPS):
            return TypeChange.CONVERSION  # the meaning of stored values shifts with the session time zone
        return _compare_sizes(_int_arg(old.args, 0) or 6, _int_arg(new.args, 0) or 6)
    if old.base == new.base:
        # same base with other arguments (varbinary(n), bit(n), time(p), ...): compare the first argument
        first_old, first_new = _int_arg(old.args, 0), _int_arg(new.args, 0)
        if old.args and new.args and first_old is not None and first_new is not None:
            return _compare_sizes(first_old, first_new)
        if not new.args and old.args:
            return TypeChange.WIDENING
        if not old.args and new.args:
            return TypeChange.NARROWING
    return TypeChange.CONVERSION
