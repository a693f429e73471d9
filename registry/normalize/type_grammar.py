"""PostgreSQL's type grammar where sqlglot's parse path refuses or misreads it, read as PostgreSQL reads it.

sqlglot reads a multi-word type name only without a length or precision: `bit varying(5)`, `national
character varying(10)`, `interval day to second(3)` fail the whole statement (the table became opaque).
Before parsing, such a spelling is replaced by a stand-in sqlglot reads as a named type, a quoted name
holding PostgreSQL's own spelling behind a marker, and `type_spelling` turns the stand-in back into that
spelling wherever the type is printed: a column, an array of it, a cast. The SQL-standard synonyms that
sqlglot would read into another type are spelled as PostgreSQL stores them (`float(p)` is `real` up to 24
binary digits, `double precision` above; `varbit` is `bit varying`).

PostgreSQL's catalog has names of its own for types: `_int4` is the array `int4[]` (pg_catalog's array types
are named `_<element>`), `pg_catalog.char` the one-byte `"char"` that the keyword `char` is not, and
`INTERVAL '1' DAY` is the SQL standard's spelling of the type `interval day`. Each is read as the type it
is, not as a type of the user's.
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.errors import SqlglotError

from schemareg.lazy_re import lazy_compile
from schemareg.names import PG_CATALOG_ARRAYS
from schemareg.normalize.dialects import sqlglot_dialect
from schemareg.normalize.literals import interval_text

# A stand-in name starts with this; no name PostgreSQL accepts holds it (identifiers exclude control codes
# in practice, and the stand-in exists only between preparing a statement and printing its parts).
MARKER = "\x01"
_LENGTH = r"(?:\s*\(\s*(?P<length>\d+)\s*\))?"
# What ends a column's type in a column definition (after it: a constraint, the next column, the end).
_TYPE_END = r"(?=\s*(?:,|\)|NOT\b|NULL\b|DEFAULT\b|CHECK\b|REFERENCES\b|UNIQUE\b|PRIMARY\b|COLLATE\b|CONSTRAINT\b|;|$))"
# Skipped: quoted text, dollar-quoted bodies and quoted names (a quoted type name before ARRAY is read as
# `"t"[]`, which sqlglot does not do); matched: the spellings sqlglot refuses.
_REFUSED = lazy_compile(
    r"""[Ee]'(?:[^'\\]|\\.|'')*+' | '(?:[^']|'')*+' | (?<![\w$])\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$
    | (?P<quoted>"(?:[^"]|"")*+")(?P<array>\s+ARRAY\b(?:\s*\[\s*\d*\s*\])?"""
    + _TYPE_END
    + r""")?
    | (?<![\w$."])(?P<identifier>oid|cstring|reg(?:class|collation|config|dictionary|namespace|oper|operator
        |proc|procedure|role|type))(?=\s*\[\s*\d*\s*\])
    | (?<![\w$."])(?P<type>
        bit \s+ varying
      | (?:national \s+ (?:character|char) | nchar) (?P<varying>\s+ varying)?
      | interval (?P<fields>\s+ (?:(?:year|month|day|hour|minute) \s+ to \s+)? second) (?=\s*\()
      )\b"""
    + _LENGTH,
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_WORDS = lazy_compile(r"\s+")


def _stand_in(match: re.Match[str]) -> str:
    if match.group("array") is not None:
        return match.group("quoted") + "[]"
    if match.group("identifier") is not None:
        # sqlglot reads PostgreSQL's object identifier types only bare: `oid[]` and `regclass[]` fail.
        return f'"{MARKER}{match.group("identifier").upper()}"'
    if match.group("type") is None:
        return match.group(0)
    words = _WORDS.sub(" ", match.group("type")).lower()
    length = match.group("length")
    if words.startswith(("national", "nchar")):
        # National character types are the plain ones in PostgreSQL; sqlglot reads these words.
        base = "varchar" if match.group("varying") else "char"
        return f"{base}({length})" if length else base
    if words.startswith("interval"):
        words = "interval" + _WORDS.sub(" ", match.group("fields")).lower()
    spelling = (f"{words}({length})" if length else words).upper()
    return f'"{MARKER}{spelling}"'


def prepare_types(text: str) -> str:
    """The statement with each type spelling sqlglot refuses replaced by a stand-in it reads."""
    return _REFUSED.sub(_stand_in, text)


def might_refuse(lowered: str) -> bool:
    """Whether a statement (lower-cased) may hold such a spelling: substring tests, much cheaper than a
    case-insensitive scan, before the careful one."""
    return (
        ("varying" in lowered and "bit" in lowered)
        or "national" in lowered
        or "nchar" in lowered
        or "second" in lowered
        or ("[" in lowered and ("oid" in lowered or "reg" in lowered or "cstring" in lowered))
        or ("array" in lowered and '"' in lowered)
    )


def respell(node: exp.DataType) -> None:
    """Turn a synonym sqlglot keeps into the type PostgreSQL stores: `float(p)` into `real` (p <= 24) or
    `double precision`, `numeric(p)` into `numeric(p, 0)`, `varbit(n)` into a stand-in for `bit varying(n)`."""
    if node.this == exp.DataType.Type.DECIMAL and len(node.expressions) == 1:
        node.append("expressions", exp.DataTypeParam(this=exp.Literal.number(0)))
        return
    if node.this in (exp.DataType.Type.FLOAT, exp.DataType.Type.DOUBLE) and len(node.expressions) == 1:
        precision = node.expressions[0]
        size = precision.this if isinstance(precision, exp.DataTypeParam) else precision
        if isinstance(size, exp.Literal) and size.is_int:
            small = int(size.this) <= 24
            node.set("this", exp.DataType.Type.FLOAT if small else exp.DataType.Type.DOUBLE)
            node.set("expressions", [])
        return
    kind = node.args.get("kind")
    if (
        node.this == exp.DataType.Type.USERDEFINED
        and isinstance(kind, exp.Identifier)
        and not kind.quoted
        and kind.name.lower() == "varbit"
    ):
        modifiers = ", ".join(part.sql() for part in node.expressions)
        spelling = f"BIT VARYING({modifiers})" if modifiers else "BIT VARYING"
        node.set("kind", exp.to_identifier(MARKER + spelling, quoted=True))
        node.set("expressions", [])


# The extension types sqlglot reads as its own: to PostgreSQL each is a type of the schema its extension was
# created in, printed qualified (`public.hstore`, `public.vector(3)`) as any type of the user's is.
_EXTENSION_TYPES = {
    exp.DataType.Type.HSTORE: "hstore",
    exp.DataType.Type.VECTOR: "vector",
    exp.DataType.Type.GEOMETRY: "geometry",
    exp.DataType.Type.GEOGRAPHY: "geography",
}


def name_extension_types(node: exp.Expression) -> bool:
    """Turn every extension type sqlglot reads as its own into the named type it is; whether any was."""
    named = False
    for found in node.find_all(exp.DataType):
        name = _EXTENSION_TYPES.get(found.this)  # type: ignore[call-overload]
        if name is not None:
            found.set("this", exp.DataType.Type.USERDEFINED)
            found.set("kind", exp.to_identifier(name))
            named = True
    return named


# An interval's type modifiers written on a generic name (`_interval(2)`, `pg_catalog.interval(8, 3)`) are not
# the grammar's precision but intervaltypmodin's: the fields as a bit mask, then the precision.
_INTERVAL_FIELDS = {
    4: "YEAR",
    2: "MONTH",
    8: "DAY",
    1024: "HOUR",
    2048: "MINUTE",
    4096: "SECOND",
    6: "YEAR TO MONTH",
    1032: "DAY TO HOUR",
    3080: "DAY TO MINUTE",
    7176: "DAY TO SECOND",
    3072: "HOUR TO MINUTE",
    7168: "HOUR TO SECOND",
    6144: "MINUTE TO SECOND",
    32767: "",
}


def _generic_interval(modifiers: list[exp.Expression]) -> exp.DataType | None:
    """The interval type that modifiers on the catalog's name mean, as a stand-in of PostgreSQL's spelling;
    None for modifiers that PostgreSQL refuses or prints as no spelling it reads back."""
    values = [m.this if isinstance(m, exp.DataTypeParam) else m for m in modifiers]
    if not all(isinstance(v, exp.Literal) and v.is_int for v in values) or len(values) > 2:
        return None
    fields = _INTERVAL_FIELDS.get(int(values[0].this))
    if fields is None:
        return None  # PostgreSQL refuses it
    if len(values) == 2 and fields and not fields.endswith("SECOND"):
        return None  # `interval day(3)`, as PostgreSQL prints it, is no spelling its grammar reads
    precision = f"({int(values[1].this)})" if len(values) == 2 else ""
    spelling = f"INTERVAL {fields}{precision}" if fields else f"INTERVAL{precision}"
    return exp.DataType(
        this=exp.DataType.Type.USERDEFINED, kind=exp.to_identifier(MARKER + spelling, quoted=True)
    )


def generic_type(name: str, modifiers: list[exp.Expression]) -> exp.DataType | None:
    """pg_catalog's type `name` named as a type of the catalog (`pg_catalog.char`, the element of `_char`),
    not by the SQL keyword of the same spelling, with its modifiers; None when sqlglot does not know the
    name. The catalog's `char` is the one-byte `"char"`, its `bit` a bit string of any length and its
    `bpchar` one without a length, where the keywords `char` and `bit` hold one; `interval`'s modifiers
    are its fields and precision (_INTERVAL_FIELDS)."""
    if name == "interval" and modifiers:
        return _generic_interval(modifiers)
    if name == "char" or (name == "bit" and not modifiers):
        return exp.DataType(this=exp.DataType.Type.USERDEFINED, kind=exp.to_identifier(name, quoted=True))
    keyword = "char" if name == "bpchar" and modifiers else name  # `bpchar(3)` is `character(3)`
    try:
        bare = exp.DataType.build(keyword, dialect=sqlglot_dialect("postgres"))
    except SqlglotError:
        return None
    if modifiers:
        bare.set("expressions", [m.copy() for m in modifiers])
    return bare


def _array_element(name: str, modifiers: list[exp.Expression]) -> exp.DataType:
    """The element type of pg_catalog's array `_<name>`, with the modifiers written on the array
    (`_varchar(10)` is `varchar(10)[]`), as generic_type reads it; a type of pg_catalog that sqlglot
    does not know (`pg_lsn`) by its name."""
    element = generic_type(name, modifiers)
    if element is None:
        kind: exp.Expression = exp.to_identifier(name)
        if name == "interval":  # modifiers of no SQL spelling: the generic name reads them
            kind = exp.Dot(this=exp.to_identifier("pg_catalog"), expression=kind)
        element = exp.DataType(this=exp.DataType.Type.USERDEFINED, kind=kind)
        if modifiers:
            element.set("expressions", [m.copy() for m in modifiers])
    return element


def name_catalog_arrays(node: exp.Expression) -> None:
    """Turn every `_int4`, `_text`, ... (PostgreSQL's own names of pg_catalog's array types, found before any
    schema of the search path) into the array of its element, `INT[]`, as PostgreSQL prints it, instead of a
    type of the default schema (`public._int4`) that does not exist. A `_mood` stays a name: an array type is
    named `_<element>` in the element's schema, unless a type of that name was there first, so whether it is
    `mood[]` takes the script's types to know (and the name replays as it is)."""
    for found in list(node.find_all(exp.DataType)):
        kind = found.args.get("kind")
        if found.this != exp.DataType.Type.USERDEFINED:
            continue
        if isinstance(kind, exp.Dot) and isinstance(kind.this, exp.Identifier):
            if _folded(kind.this) != "pg_catalog":
                continue
            kind = kind.expression
        if not isinstance(kind, exp.Identifier):
            continue
        name = _folded(kind)
        if not name.startswith("_") or name[1:] not in PG_CATALOG_ARRAYS:
            continue
        element = _array_element(name[1:], found.expressions)
        found.set("this", exp.DataType.Type.ARRAY)
        found.set("kind", None)
        found.set("expressions", [element])
        found.set("nested", True)


def _folded(name: exp.Identifier) -> str:
    return str(name.this) if name.quoted else str(name.this).lower()


# A routine's argument or result type written as pg_catalog's array name, with its modifiers.
_CATALOG_ARRAY = lazy_compile(
    r'(?:pg_catalog\s*\.\s*)?(?P<name>_\w+|"_\w+")(?P<modifiers>\s*\([^()]*\))?',
    re.IGNORECASE,
)


def catalog_array_text(text: str) -> str:
    """A type written as text (a routine's argument) with pg_catalog's array name `_int4(...)` spelled as
    the array it is, `int4(...)[]` (see name_catalog_arrays); any other type as it is."""
    found = _CATALOG_ARRAY.fullmatch(text.strip())
    if found is None:
        return text
    name = found.group("name")
    name = name[1:-1] if name.startswith('"') else name.lower()
    if not name.startswith("_") or name[1:] not in PG_CATALOG_ARRAYS:
        return text
    element = name[1:]
    modifiers = found.group("modifiers") or ""
    if element in ("char", "bit") and not (element == "bit" and modifiers):
        element = f'"{element}"'
    return f"{element}{modifiers.strip()}[]"


_FIELDS = ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND")
_WHOLE_NUMBER = lazy_compile(r"\s*[+-]?\d+\s*")


def _qualifier(unit: exp.Expression) -> str | None:
    """The interval qualifier sqlglot read after a constant (`DAY`, `DAY TO SECOND`, `SECOND(3)`) as
    PostgreSQL spells it, or None for any other unit."""
    if isinstance(unit, exp.IntervalSpan):
        first, last = _qualifier(unit.this), _qualifier(unit.expression)
        return f"{first} TO {last}" if first and last and "(" not in first else None
    if isinstance(unit, exp.Var) and str(unit.this).upper() in _FIELDS:
        return str(unit.this).upper()
    precision = unit.this if isinstance(unit, exp.Second) else None
    if isinstance(precision, exp.Literal) and precision.is_int:
        return f"SECOND({int(precision.this)})"
    return None


def interval_qualified(node: exp.Interval) -> exp.Cast | None:
    """`INTERVAL '1' DAY` as PostgreSQL stores it, `'1 day'::interval day`: the SQL standard's qualifier
    after the constant is the type's fields (`interval day`, which also says how the constant reads), not
    the constant's unit as in sqlglot's tree, where `INTERVAL '1 DAY'` looks the same. Only a constant
    sqlglot read as written tells the two apart: one it split from `'1 DAY'` is new, without the position
    of a token (meta). A whole number in one field is printed as PostgreSQL prints it; any other constant
    is kept as written, which PostgreSQL reads exactly so under the same type. None when the unit came from
    the constant or is no qualifier PostgreSQL knows."""
    literal, unit = node.this, node.args.get("unit")
    if not (isinstance(literal, exp.Literal) and literal.is_string and "start" in literal.meta):
        return None
    fields = _qualifier(unit) if unit is not None else None
    if fields is None:
        return None
    text = str(literal.this)
    if _WHOLE_NUMBER.fullmatch(text) and fields in _FIELDS:
        text = interval_text(f"{text.strip()} {fields}") or text
    to = exp.DataType(
        this=exp.DataType.Type.USERDEFINED, kind=exp.to_identifier(f"{MARKER}INTERVAL {fields}", quoted=True)
    )
    return exp.Cast(this=exp.Literal.string(text), to=to)


def type_spelling(node: exp.DataType) -> str | None:
    """PostgreSQL's spelling of a type that is a stand-in, or None for any other type."""
    respell(node)
    kind = node.args.get("kind")
    if (
        node.this == exp.DataType.Type.USERDEFINED
        and isinstance(kind, exp.Identifier)
        and kind.name.startswith(MARKER)
    ):
        return kind.name[len(MARKER) :]
    return None


def catalog_type(name: str, modifiers: list[exp.Expression]) -> exp.DataType | None:
    """A type named with its schema `pg_catalog` as the type named bare (which is how PostgreSQL prints
    it), or None when the bare name is not a type sqlglot knows."""
    if MARKER in name or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        return None
    return generic_type(name, modifiers)


_LEAKED = lazy_compile(rf'"{MARKER}([^"]*)"')


def restore_spellings(text: str) -> str:
    """Printed text with every stand-in that reached it (a cast's type, say) turned back into its spelling."""
    return _LEAKED.sub(r"\1", text) if MARKER in text else text
