"""A jsonb constant as PostgreSQL prints it: jsonb keeps a value, not its text, so `'{"b":1,"a":[1,2]}'`
is stored and printed `'{"a": [1, 2], "b": 1}'`: an object's keys in jsonb's order (the shorter first, then
by their bytes; a repeated key's last value kept), `": "` and `", "` between, numbers as numeric prints them
(`1e2` is `100`, `1.50` keeps its scale), strings with JSON's escapes for `"`, `\\` and control characters
only. A text that is not JSON is left as written (PostgreSQL refuses it)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def jsonb_text(text: str) -> str | None:
    try:
        value = json.loads(text, parse_float=Decimal, parse_int=Decimal, object_pairs_hook=dict)
    except (ValueError, RecursionError):
        return None
    return _printed(value)


def _printed(value: Any) -> str:
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        return "{" + ", ".join(f"{_string(key)}: {_printed(value[key])}" for key in keys) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_printed(item) for item in value) + "]"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Decimal):
        return format(abs(value) if value.is_zero() else value, "f")
    return "null" if value is None else ("true" if value else "false")


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
