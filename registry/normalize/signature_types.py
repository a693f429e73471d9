"""A type as a routine's signature holds it: PostgreSQL keeps a routine's argument and result types by oid
alone, with no modifiers, and prints them so (`format_type(oid, NULL)`): `f(a varchar(10), b numeric(10,2))
RETURNS timestamp(3)` is `f(a character varying, b numeric) RETURNS timestamp without time zone`, an
interval's fields are dropped as its precision is (`interval day` is `interval`), and an array keeps no
dimensions. `float(p)` is no modifier but another type (`real` up to 24 binary digits), and two types print
otherwise without a modifier: `bpchar` is `character`, `"bit"` is `bit`.
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile

# Quoted names and strings are kept as they are; a parenthesised modifier list is dropped.
_MODIFIERS = lazy_compile(r"""(?P<keep>"(?:[^"]|"")*"|'(?:[^']|'')*')|\s*\([^()]*\)""")
_FLOAT = lazy_compile(r"(?<![\w$\"])float\s*\(\s*(?P<precision>\d+)\s*\)", re.IGNORECASE)
_INTERVAL_FIELDS = lazy_compile(
    r"(?<![\w$\"])(?P<interval>interval)\s+(?:(?:year|month|day|hour|minute)(?:\s+to\s+(?:month|hour|minute|second))?"
    r"|second)\b",
    re.IGNORECASE,
)
_DIMENSIONS = lazy_compile(r"(?:\s*\[\s*\d*\s*\])+")
# The canonical spellings of the two types whose signature spelling is another (arrays too).
_SIGNATURE_NAMES = lazy_compile(r'^(?:BPCHAR|"bit")(?=\[|$)')


def unmodified(text: str) -> str:
    """The type's text without the modifiers and dimensions a signature does not keep (before reading)."""
    text = _FLOAT.sub(lambda m: "real" if int(m.group("precision")) <= 24 else "double precision", text)
    text = _INTERVAL_FIELDS.sub(lambda m: m.group("interval"), text)
    text = _MODIFIERS.sub(lambda m: m.group("keep") or "", text)
    return _DIMENSIONS.sub("[]", text)


def signature_spelling(canonical: str) -> str:
    """A canonical type as a signature prints it: `BPCHAR` is `CHAR`, `"bit"` is `BIT`."""
    return _SIGNATURE_NAMES.sub(lambda m: "CHAR" if m.group(0) == "BPCHAR" else "BIT", canonical)
