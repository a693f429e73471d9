"""PostgreSQL's type grammar where sqlglot's parse path refuses or misreads it, read as PostgreSQL reads it.

sqlglot reads a multi-word type name only without a length or precision: `bit varying(5)`, `national
character varying(10)`, `interval day to second(3)` fail the whole statement (the table became opaque).
Before parsing, such a spelling is replaced by a stand-in sqlglot reads as a named type, a quoted name
holding PostgreSQL's own spelling behind a marker, and `type_spelling` turns the stand-in back into that
spelling wherever the type is printed: a column, an array of it, a cast. The SQL-standard synonyms that
sqlglot would read into another type are spelled as PostgreSQL stores them (`float(p)` is `real` up to 24
binary digits, `double precision` above; `varbit` is `bit varying`).
"""

from __future__ import annotations

import re

from sqlglot import exp

from schemareg.lazy_re import lazy_compile

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
    try:
        bare = exp.DataType.build(name, dialect="postgres")
    except Exception:
        return None
    if modifiers:
        bare.set("expressions", [m.copy() for m in modifiers])
    return bare


_LEAKED = lazy_compile(rf'"{MARKER}([^"]*)"')


def restore_spellings(text: str) -> str:
    """Printed text with every stand-in that reached it (a cast's type, say) turned back into its spelling."""
    return _LEAKED.sub(r"\1", text) if MARKER in text else text
