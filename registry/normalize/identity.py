"""Identity columns' sequence options, which sqlglot reads only in part.

`GENERATED ... AS IDENTITY (START WITH 3 INCREMENT BY 4 CACHE 5 NO MINVALUE SEQUENCE NAME s)`: sqlglot
refuses CACHE, NO MINVALUE / NO MAXVALUE, SEQUENCE NAME and AS, and the table that said any of them was
kept opaque whole (its partitions lost their columns). The options are cut from the text sqlglot reads and
read from the statement as written, one per identity column in the order written, by the sequence
options reader (sequences.py), as ALTER COLUMN ... ADD GENERATED AS IDENTITY is.
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.normalize.text import SKIPPED, balanced, cut_spans

# Skipped: quoted text, quoted names, dollar-quoted bodies; matched: `AS IDENTITY (`.
_IDENTITY = lazy_compile(
    SKIPPED
    + r"""
    | (?P<identity>\bAS\s+IDENTITY\b)(?P<open>\s*\()?""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


def _identities(text: str) -> list[tuple[int, int, str]]:
    """Each `AS IDENTITY`: where its options' parentheses start and end (equal when it has none), and the
    options' text."""
    found = []
    for m in _IDENTITY.finditer(text):
        if m.group("identity") is None:
            continue
        if m.group("open") is None:
            found.append((m.end(), m.end(), ""))
            continue
        close = balanced(text, m.end())
        found.append((m.end() - len(m.group("open")), close + 1, text[m.end() : close]))
    return found


def identity_options(text: str) -> list[str]:
    """The options of each identity column of the statement, in the order written ('' where none)."""
    return [options for _, _, options in _identities(text)]


def drop_identity_options(text: str) -> str:
    """The statement with each identity column's options cut, for sqlglot to read."""
    return cut_spans(text, [(start, end) for start, end, _ in _identities(text)])
