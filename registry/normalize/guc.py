"""A routine's `SET name = value` as pg_get_functiondef prints it: `SET name TO 'value'`.

pg_proc.proconfig keeps `name=value` with the value flattened as SET flattens it (a bare word folded to
lower case, a quoted one as written, list items joined by ", "); the deparser quotes that as one literal,
or each item for the settings whose items are quoted names (search_path and the like).
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.render import literal

# The settings PostgreSQL marks GUC_LIST_QUOTE: their items are printed one literal each.
_LIST_QUOTE = frozenset(
    {
        "search_path",
        "temp_tablespaces",
        "session_preload_libraries",
        "shared_preload_libraries",
        "local_preload_libraries",
        "unix_socket_directories",
    }
)
_ITEM = lazy_compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|[^,'"\s]+""")
_SETTING = lazy_compile(
    r"(?P<name>\w+(?:\.\w+)?)\s*(?:=|\bTO\b)\s*(?P<value>.+?)\s*$", re.IGNORECASE | re.DOTALL
)


def _item(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1].replace(text[0] * 2, text[0])
    return text.lower()


def canonical_setting(text: str) -> str:
    """`name = value`, `name TO value` -> `name TO 'value'`; other forms (FROM CURRENT) as written."""
    m = _SETTING.match(text.strip())
    if m is None:
        return re.sub(r"\s+", " ", text.strip())
    name = m.group("name").lower()
    items = [_item(item) for item in _ITEM.findall(m.group("value"))]
    if name in _LIST_QUOTE:
        return f"{name} TO {', '.join(literal(item) for item in items)}"
    return f"{name} TO {literal(', '.join(items))}"
