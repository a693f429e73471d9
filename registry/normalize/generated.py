"""PostgreSQL 18's virtual generated columns: `GENERATED ALWAYS AS (expr) VIRTUAL`, which sqlglot refuses.

VIRTUAL is the default, so the clause means the same without the word, which sqlglot reads (as
`GENERATED ALWAYS AS (expr)`, modelled as a virtual generated column by the table compiler).
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.normalize.text import SKIPPED

# Skipped: quoted text, quoted names, dollar-quoted bodies; matched: VIRTUAL after a closing parenthesis.
_VIRTUAL = lazy_compile(
    SKIPPED
    + r"""
    | (?<=\))(?P<virtual>\s+VIRTUAL\b)""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


def drop_virtual(text: str) -> str:
    """The statement without the VIRTUAL of its generated columns (the default it names)."""
    return _VIRTUAL.sub(lambda m: "" if m.group("virtual") else m.group(0), text)
