"""What a DO block's variables hold when they are read from settings, in a new session: the guards of
migrations that run one way or another by a setting (`IF is_multitenant THEN RETURN; END IF;` after
`DECLARE is_multitenant bool = COALESCE(current_setting('storage.multitenant', true), 'false')::boolean`).

A custom setting (its name has a dot) is unset in a new session, so `current_setting('x.y', true)` is
NULL and the COALESCE is its default. That is all that is settled here: a variable of any other value,
a setting of the server's own, a condition of another form is not known, and the block is refused as
before (do_blocks.py).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from schemareg.lazy_re import lazy_compile
from schemareg.normalize.literals import boolean_value

__all__ = ["Value", "settle", "value_of"]

_STRING = r"'(?P<{name}>(?:[^']|'')*)'"
_SETTING = r"current_setting\s*\(\s*'(?P<{name}>[^']*)'\s*,\s*true\s*\)"
_CAST = r"(?:\s*::\s*(?P<cast>\w+))?"
_INITIAL = lazy_compile(
    rf"\s*(?:COALESCE\s*\(\s*{_SETTING.format(name='setting')}\s*,\s*{_STRING.format(name='default')}\s*\)"
    rf"|{_SETTING.format(name='unset')}|{_STRING.format(name='constant')}|(?P<boolean>true|false)){_CAST}\s*",
    re.IGNORECASE,
)
_CONDITION = lazy_compile(
    rf"\s*(?P<not>NOT\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*"
    rf"(?:(?P<op>=|!=|<>)\s*(?:{_STRING.format(name='string')}|(?P<truth>true|false)))?\s*",
    re.IGNORECASE,
)
_BOOLEAN_TYPES = frozenset({"bool", "boolean"})


class Value(NamedTuple):
    """A variable's value as a new session has it: text or None (NULL), and whether it is a boolean."""

    text: str | None
    boolean: bool


def value_of(type_words: str, initial: str) -> Value | None:
    """A declared variable's value (`type_words` its type as written, `initial` what it is set to), or
    None when it is not known without running anything."""
    m = _INITIAL.fullmatch(initial)
    if m is None:
        return None
    boolean = (
        type_words.strip().lower() in _BOOLEAN_TYPES or (m.group("cast") or "").lower() in _BOOLEAN_TYPES
    )
    if m.group("setting") is not None:
        if "." not in m.group("setting"):
            return None  # one of the server's own settings: set, to a value not known here
        return Value(m.group("default").replace("''", "'"), boolean)
    if m.group("unset") is not None:
        return Value(None, boolean) if "." in m.group("unset") else None
    if m.group("boolean") is not None:
        return Value(m.group("boolean").lower(), True)
    return Value(m.group("constant").replace("''", "'"), boolean)


def settle(condition: str, values: dict[str, Value]) -> bool | None:
    """Whether an IF's condition holds (a NULL does not), or None when it cannot be told here."""
    m = _CONDITION.fullmatch(condition)
    if m is None:
        return None
    value = values.get(m.group("name").lower())
    if value is None:
        return None
    if m.group("op") is None:
        if not value.boolean:
            return None
        holds = None if value.text is None else boolean_value(value.text)
    elif value.text is None:
        holds = None
    else:
        other = m.group("truth") if m.group("truth") is not None else m.group("string").replace("''", "'")
        if value.boolean or m.group("truth") is not None:
            mine, theirs = boolean_value(value.text), boolean_value(other)
            if mine is None or theirs is None:
                return None
            equal = mine == theirs
        else:
            equal = value.text == other
        holds = equal if m.group("op") == "=" else not equal
    if holds is None:
        return False  # NULL, and NOT NULL, take no branch
    return holds != bool(m.group("not"))
