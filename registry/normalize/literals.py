"""Typed literals as PostgreSQL prints them back: an interval in its output style (`'1 DAY'` is `'1 day'`,
`'2 hours 30 minutes'` is `'02:30:00'`), a bytea in hex (`''` is `'\\x'`, `'ab'` is `'\\x6162'`), a timestamp
in full (`'2020-01-01'` is `'2020-01-01 00:00:00'`); and the classes of column type whose defaults the
server stores differently.

A value these do not read for certain is left as written (None): a wrong canonical form would be worse
than the spelling the user chose.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from schemareg.lazy_re import lazy_compile

NUMERIC_TYPES = {"INT", "BIGINT", "SMALLINT", "DECIMAL", "DOUBLE PRECISION", "REAL", "FLOAT", "NUMERIC"}
# The canonical spellings of a blank-padded character type (`char(n)`, `character`, `bpchar`), arrays too;
# lower-case `char` is the one-byte "char" type, not this one.
BLANK_PADDED = lazy_compile(r"(?:CHAR|BPCHAR)(?:\(\d+\))?((?:\[\])*)")


def base_type(type_text: str) -> str:
    """A type without its modifiers: `BIT(3)`'s is BIT, as is `"bit"`'s (the bit string of any length)."""
    base = type_text.split("(", 1)[0].strip().upper()
    return "BIT" if base == '"BIT"' else base


# The classes of column type whose defaults PostgreSQL stores differently, each with a type standing for it
# (an ALTER TABLE ... SET DEFAULT names no type: its default is computed for each, the applier picks one).
TYPE_CLASSES = {
    "numeric": "NUMERIC",
    "timestamp": "TIMESTAMP",
    "bpchar": "CHAR(1)",
    "bpchar[]": "CHAR(1)[]",
    "interval": "INTERVAL",
    "bytea": "BYTEA",
    "boolean": "BOOLEAN",
    "timestamptz": "TIMESTAMPTZ",
    "date": "DATE",
    "": "",
}


OWN_TYPE = "="  # the key of a default for a column of one exact (base) type, not a class of types


NULL_CAST = "null"  # the key of SET DEFAULT NULL[::type]: the type it is cast to ("" for none)
# Types whose length or precision PostgreSQL applies to a bare NULL default by a coercion, which it then
# stores (`NULL::character varying` on a varchar(10) column), each as its canonical cast spells it.
_TYPMOD_NULLS = {"VARCHAR": "VARCHAR", "CHAR": "BPCHAR", "DECIMAL": "DECIMAL", "TIMESTAMP": "TIMESTAMP"}
_TYPMOD_NULLS |= {"TIMESTAMPTZ": "TIMESTAMPTZ", "TIME": "TIME", "TIMETZ": "TIMETZ"}


def null_default(column_type: str, cast: str | None) -> str | None:
    """What PostgreSQL stores for `DEFAULT NULL` (`cast` None) or `DEFAULT NULL::<cast>` on a column of
    this type: nothing when the constant is a null of the column's type as it is (no length or
    precision), else the null cast, as it prints it. A type of the user's is not known here (a domain
    stores a null of its base type), nor are arrays, intervals and bit strings followed: no default for
    those, as ever."""
    base = base_type(column_type)
    if not column_type or not base.isupper() or "." in base or column_type.endswith("]"):
        return None
    if base.startswith(("INTERVAL", "BIT")):
        # Not followed: PostgreSQL keeps some of these nulls and not others (an interval's fields and
        # precision on its own null, a bit(n) one spelt `NULL::"bit"`), and arrays of any modified type.
        return None
    modified = "(" in column_type
    if cast is None:
        spelled = _TYPMOD_NULLS.get(base)
        return f"CAST(NULL AS {spelled})" if modified and spelled else None
    if cast in (column_type, base) and not modified:
        return None
    return f"CAST(NULL AS {cast})"


def default_for(column_type: str, default: str, by_type: dict[str, str]) -> str | None:
    """The default a SET DEFAULT stores on a column of this type: for its own type, its class, or any."""
    if NULL_CAST in by_type:
        return null_default(column_type, by_type[NULL_CAST] or None)
    own = by_type.get(OWN_TYPE + base_type(column_type))
    found = own if own is not None else by_type.get(type_class_of(column_type), default)
    element = modified_element(column_type)
    if element is not None and found is not None and _BARE_STRING.fullmatch(found):
        return f"CAST({found} AS {element}[])"
    return found


def modified_element(column_type: str) -> str | None:
    """The element type, without its length or precision, of an array whose elements have one (not char(n),
    a class of its own): a string default on it is stored cast to that array type (`'{}'` on a
    varchar(255)[] column is `'{}'::character varying[]`, on a numeric(5,2)[] `'{}'::numeric[]`), the
    coercion to the modifier being PostgreSQL's own."""
    if not column_type.endswith("[]") or BLANK_PADDED.fullmatch(column_type):
        return None
    element = column_type[: -len("[]")]
    unmodified = _MODIFIERS.sub("", element)
    return unmodified if unmodified != element and not unmodified.endswith("[]") else None


_BARE_STRING = lazy_compile(r"'(?:[^']|'')*'")
_MODIFIERS = lazy_compile(r"\(\d+(?:,\s*\d+)?\)")
_STRING_CAST = lazy_compile(r"CAST\(('(?:[^']|'')*') AS (.+)\)")


def retyped_default(default: str | None, old_type: str, new_type: str) -> str | None:
    """A default after ALTER COLUMN ... TYPE: PostgreSQL keeps the constant it stored, of the old type
    (`''` on a varchar(15) becomes `''::character varying` on text), so a string the old type made its own
    (written bare) now names that type; one of the same base type stays bare, and one that names the new
    type is its own again."""
    if default is None:
        return default
    old_base, new_base = _MODIFIERS.sub("", old_type), _MODIFIERS.sub("", new_type)
    cast = _STRING_CAST.fullmatch(default)
    if cast is not None and cast.group(2) == new_base:
        return cast.group(1)  # back to the type it names: its own, written bare
    if not _BARE_STRING.fullmatch(default) or old_base == new_base or not old_base:
        return default
    return f"CAST({default} AS {old_base})"


def type_class_of(column_type: str) -> str:
    base = base_type(column_type)
    if base in NUMERIC_TYPES:
        return "numeric"
    if base == "TIMESTAMP":
        return "timestamp"
    blank_padded = BLANK_PADDED.fullmatch(column_type)
    if blank_padded:
        return "bpchar[]" if blank_padded.group(1) else "bpchar"
    if column_type in ("INTERVAL", "BYTEA", "BOOLEAN", "TIMESTAMPTZ", "DATE"):
        return column_type.lower()
    return ""


_BOOLEANS = {"t": True, "true": True, "y": True, "yes": True, "on": True, "1": True}
_BOOLEANS |= {"f": False, "false": False, "n": False, "no": False, "off": False, "0": False}


def boolean_value(text: str) -> bool | None:
    """The value of a boolean literal (`'yes'`, `'f'`, `'on'`), which PostgreSQL prints `true` or `false`."""
    return _BOOLEANS.get(text.strip().lower())


_UNITS = {
    **dict.fromkeys(("millennium", "millennia", "millenniums", "mil", "mils"), ("months", 12000)),
    **dict.fromkeys(("century", "centuries", "c", "cent"), ("months", 1200)),
    **dict.fromkeys(("decade", "decades", "dec", "decs"), ("months", 120)),
    **dict.fromkeys(("year", "years", "y", "yr", "yrs"), ("months", 12)),
    **dict.fromkeys(("month", "months", "mon", "mons"), ("months", 1)),
    **dict.fromkeys(("week", "weeks", "w"), ("days", 7)),
    **dict.fromkeys(("day", "days", "d"), ("days", 1)),
    **dict.fromkeys(("hour", "hours", "h", "hr", "hrs"), ("micros", 3_600_000_000)),
    **dict.fromkeys(("minute", "minutes", "m", "min", "mins"), ("micros", 60_000_000)),
    **dict.fromkeys(("second", "seconds", "s", "sec", "secs"), ("micros", 1_000_000)),
    **dict.fromkeys(("millisecond", "milliseconds", "ms", "msec", "msecs"), ("micros", 1000)),
    **dict.fromkeys(("microsecond", "microseconds", "us", "usec", "usecs"), ("micros", 1)),
}
_PART = lazy_compile(
    r"\s*(?:(?P<clock>[-+]?\d+:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)|(?P<number>[-+]?(?:\d+\.?\d*|\.\d+))\s*(?P<unit>[a-z]+)?)",
)


def interval_text(text: str) -> str | None:
    """`1 DAY`, `@ 2 hours ago`, `1 year 2 mons 03:04:05` as PostgreSQL's output style prints them."""
    value = text.strip().lower()
    value = value[1:] if value.startswith("@") else value
    ago = value.endswith(" ago")
    value = value[:-4] if ago else value
    months = days = micros = 0
    pos, seen = 0, False
    while pos < len(value.rstrip()):
        m = _PART.match(value, pos)
        if m is None or m.end() == pos:
            return None
        pos, seen = m.end(), True
        if m.group("clock"):
            clock = m.group("clock")
            sign = -1 if clock.startswith("-") else 1
            pieces = clock.lstrip("+-").split(":")
            hours, minutes = int(pieces[0]), int(pieces[1])
            seconds = Decimal(pieces[2]) if len(pieces) > 2 else Decimal(0)
            micros += sign * int((hours * 3600 + minutes * 60) * 1_000_000 + seconds * 1_000_000)
            continue
        try:
            number = Decimal(m.group("number"))
        except InvalidOperation:
            return None
        field, scale = _UNITS.get(m.group("unit") or "second", (None, 0))
        if field is None:
            return None
        amount = number * scale
        if amount != amount.to_integral_value():
            if field != "micros":
                return None  # fractions of months and days spill over by rules not worth guessing
            amount = amount.to_integral_value()
        if field == "months":
            months += int(amount)
        elif field == "days":
            days += int(amount)
        else:
            micros += int(amount)
    if not seen:
        return None
    if ago:
        months, days, micros = -months, -days, -micros
    return _interval_output(months, days, micros)


def _interval_output(months: int, days: int, micros: int) -> str:
    """PostgreSQL's `postgres` IntervalStyle: `1 year 2 mons -3 days +04:05:06`, a field after a negative
    one signed, plurals on every amount but 1."""
    parts: list[str] = []
    before = False  # a negative field came before
    years = int(months / 12)
    for amount, unit in ((years, "year"), (months - years * 12, "mon"), (days, "day")):
        if amount:
            plus = "+" if before and amount > 0 else ""
            parts.append(f"{plus}{amount} {unit}{'' if amount == 1 else 's'}")
            before = before or amount < 0
    if micros or not parts:
        sign = "-" if micros < 0 else ("+" if before else "")
        seconds, fraction = divmod(abs(micros), 1_000_000)
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        clock = f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}"
        if fraction:
            clock += f".{fraction:06d}".rstrip("0")
        parts.append(clock)
    return " ".join(parts)


_TIMESTAMP = lazy_compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T](?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?P<f>\.\d+)?)?)?"
    r"\s*(?P<zone>[+-]\d{1,2}(?::?\d{2})?|Z|UTC)?"
)


def timestamp_text(text: str) -> str | None:
    """An ISO timestamp without time zone as PostgreSQL prints it: `2020-01-01 00:00:00` from `2020-1-1`,
    a zone dropped (the type ignores it), a fraction to microseconds without trailing zeros."""
    if text.strip().lower() == "epoch":  # a special value PostgreSQL stores as the moment it names
        return "1970-01-01 00:00:00"
    m = _TIMESTAMP.fullmatch(text.strip())
    if m is None:
        return None
    fraction = m.group("f") or ""
    if len(fraction) > 7:
        return None  # rounding the seventh digit: left as written
    fraction = fraction.rstrip("0").rstrip(".")
    return (
        f"{int(m.group('y')):04d}-{int(m.group('m')):02d}-{int(m.group('d')):02d} "
        f"{int(m.group('hh') or 0):02d}:{int(m.group('mi') or 0):02d}:{int(m.group('ss') or 0):02d}{fraction}"
    )


_TIME = lazy_compile(r"(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?P<f>\.\d+)?)?")


def time_text(text: str) -> str | None:
    """A time of day as PostgreSQL prints a `time` constant: `12:00:00` from `12:00`, a fraction to
    microseconds without trailing zeros (an hour past 24, a zone, AM/PM: left as written)."""
    m = _TIME.fullmatch(text.strip())
    if m is None or int(m.group("hh")) > 24 or int(m.group("mi")) > 59 or int(m.group("ss") or 0) > 59:
        return None
    fraction = m.group("f") or ""
    if len(fraction) > 7:
        return None
    fraction = fraction.rstrip("0").rstrip(".")
    return f"{int(m.group('hh')):02d}:{int(m.group('mi')):02d}:{int(m.group('ss') or 0):02d}{fraction}"


def timestamptz_text(text: str) -> str | None:
    """An ISO timestamp with time zone as PostgreSQL prints it in UTC, the zone pg_dump and introspection
    use: `2020-01-01 00:00:00+00` from `2020-01-01` (a value without a zone is read in UTC too) or from
    `2020-01-01 02:00+02`."""
    if text.strip().lower() == "epoch":  # a special value PostgreSQL stores as the moment it names
        return "1970-01-01 00:00:00+00"
    m = _TIMESTAMP.fullmatch(text.strip())
    local = timestamp_text(text)
    if m is None or local is None:
        return None
    zone = m.group("zone")
    if zone in (None, "Z", "UTC"):
        return f"{local}+00"
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    seconds, _, fraction = local.partition(".")
    try:
        moment = datetime.strptime(seconds, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    offset = sign * timedelta(hours=hours, minutes=minutes)
    # Out of Python's years 1 to 9999 in UTC (PostgreSQL prints `0001-12-31 23:00:00+00 BC` and
    # `10000-01-01 01:00:00+00`): reckoned 400 years away, where the Gregorian calendar repeats.
    shift = 400 if moment.year == 1 else -400 if moment.year == 9999 else 0
    moment = moment.replace(year=moment.year + shift) - offset
    year = moment.year - shift
    era = " BC" if year < 1 else ""
    return f"{_iso(moment, year if year > 0 else 1 - year)}{'.' + fraction if fraction else ''}+00{era}"


def _iso(moment: datetime, year: int | None = None) -> str:
    """A moment as PostgreSQL prints it (in `year`, if given), the year in four digits at least: `%Y`
    gives `1` for year 1, which PostgreSQL would read as 2001."""
    return f"{moment.year if year is None else year:04d}-{moment:%m-%d %H:%M:%S}"


def date_text(text: str) -> str | None:
    """An ISO date as PostgreSQL prints it: `2020-01-02` from `2020-1-2` or `2020-1-2 03:04:05` (a date
    keeps no time and no zone)."""
    if text.strip().lower() == "epoch":  # a special value PostgreSQL stores as the moment it names
        return "1970-01-01"
    m = _TIMESTAMP.fullmatch(text.strip())
    return f"{int(m.group('y')):04d}-{int(m.group('m')):02d}-{int(m.group('d')):02d}" if m else None


_UUID = lazy_compile(r"\{?[0-9a-fA-F]{4}(?:-?[0-9a-fA-F]{4}){7}\}?")


def uuid_text(text: str) -> str | None:
    """A uuid as PostgreSQL prints it, lower case in its five groups, from any spelling it reads
    (`'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'`, braces, hyphens after any four digits or none)."""
    stripped = text.strip()
    if _UUID.fullmatch(stripped) is None or stripped.startswith("{") != stripped.endswith("}"):
        return None
    digits = stripped.strip("{}").replace("-", "").lower()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def bound_literal(m: re.Match[str], kind: str) -> str:
    """A date or time partition bound (day, time, zone groups) as PostgreSQL stores it for the key's type."""
    day, time, zone = m.group(1), m.group(2) or "00:00:00", m.group(3)
    if len(time) == 5:
        time += ":00"
    if kind == "DATE":
        return f"'{day}'"
    if kind == "TIMESTAMP":
        return f"'{day} {time}'"
    return f"'{utc_timestamp(day, time, zone)}'"


def utc_timestamp(day: str, time: str, zone: str | None) -> str:
    """A timestamp with time zone as PostgreSQL prints it in UTC (the zone pg_dump and introspection use):
    `2022-04-01 01:00:00+01` is `2022-04-01 00:00:00+00`; no zone is UTC."""
    if zone in (None, "Z"):
        zone = "+00:00"
    sign, digits = zone[0], zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
    whole, _, fraction = time.partition(".")
    try:
        moment = datetime.fromisoformat(f"{day}T{whole}") - offset
    except (ValueError, OverflowError):  # out of range (`24:00:00`, a 30th of February): left as written
        return f"{day} {time}{zone}"
    fraction = fraction[:6].rstrip("0")
    return _iso(moment) + (f".{fraction}" if fraction else "") + "+00"


_OCTAL = lazy_compile(r"\\([0-3][0-7]{2})|\\\\|\\")


def bytea_hex(text: str) -> str | None:
    """A bytea literal's value (hex `\\x...` or the escape format) as PostgreSQL prints it: `\\x` and hex."""
    if text.startswith("\\x"):
        digits = re.sub(r"\s+", "", text[2:])
        if not re.fullmatch(r"(?:[0-9A-Fa-f]{2})*", digits):
            return None
        return "\\x" + digits.lower()
    out = bytearray()
    pos = 0
    for m in _OCTAL.finditer(text):
        out += text[pos : m.start()].encode()
        if m.group(1):
            out.append(int(m.group(1), 8))
        elif m.group(0) == "\\\\":
            out.append(0x5C)
        else:
            return None  # a lone backslash: PostgreSQL refuses it
        pos = m.end()
    out += text[pos:].encode()
    return "\\x" + out.hex()
