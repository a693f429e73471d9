"""An array constant as PostgreSQL prints it (array_out): `'{a, b}'` on a text[] column is stored
`'{a,b}'`, `'{ 1, 02 }'` on an int[] one `'{1,2}'`. Read as array_in reads it: elements between commas,
unquoted ones trimmed of blanks (`NULL` is a null), quoted ones with backslash escapes; printed with an
element quoted only where it must be (empty, `NULL`, blanks, or one of `{},"\\`). Only for elements whose
text is their value (text, varchar) or an integer: any other element type is left as written."""

from __future__ import annotations

__all__ = ["array_text"]

_TEXT = frozenset({"TEXT", "VARCHAR", "CHARACTER VARYING", "NAME"})
_INTEGER = frozenset({"SMALLINT", "INT", "INTEGER", "BIGINT"})
_BLANKS = " \t\n\r\v\f"
_SPECIAL = frozenset('{},"\\') | frozenset(_BLANKS)

Element = str | None | list["Element"]


class _Refused(ValueError):
    pass


def _parse(text: str, at: int) -> tuple[list[Element], int]:
    """The array opened at text[at] (a `{`), and the index after its `}`."""
    items: list[Element] = []
    at += 1
    while True:
        while at < len(text) and text[at] in _BLANKS:
            at += 1
        if at >= len(text):
            raise _Refused
        if text[at] == "}" and not items:
            return items, at + 1
        if text[at] == "{":
            nested, at = _parse(text, at)
            items.append(nested)
        elif text[at] == '"':
            value, at = _quoted(text, at + 1)
            items.append(value)
        else:
            start, chars = at, []
            while at < len(text) and text[at] not in ",}":
                if text[at] in '{"':
                    raise _Refused
                if text[at] == "\\":
                    at += 1
                    if at >= len(text):
                        raise _Refused
                chars.append(text[at])
                at += 1
            if "\\" in text[start:at]:
                raise _Refused  # an escaped blank at an end is kept: not followed here
            value = "".join(chars).strip(_BLANKS)
            items.append(None if value.upper() == "NULL" else value)
        while at < len(text) and text[at] in _BLANKS:
            at += 1
        if at >= len(text):
            raise _Refused
        if text[at] == "}":
            return items, at + 1
        if text[at] != ",":
            raise _Refused
        at += 1


def _quoted(text: str, at: int) -> tuple[str, int]:
    chars = []
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 1
            if at >= len(text):
                break
            chars.append(text[at])
        elif char == '"':
            return "".join(chars), at + 1
        else:
            chars.append(char)
        at += 1
    raise _Refused


def _out(items: list[Element], element: str) -> str:
    parts = []
    for item in items:
        if isinstance(item, list):
            parts.append(_out(item, element))
        elif item is None:
            parts.append("NULL")
        elif element in _INTEGER:
            parts.append(str(int(item)))
        elif item == "" or item.upper() == "NULL" or any(c in _SPECIAL for c in item):
            escaped = item.replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'"{escaped}"')
        else:
            parts.append(item)
    return "{" + ",".join(parts) + "}"


def array_text(text: str, element: str) -> str | None:
    """`text`, an array constant of `element` (a base type), as PostgreSQL prints it; None when it is not
    one this reads (dimensions given, another element type, a malformed constant)."""
    if element not in _TEXT and element not in _INTEGER:
        return None
    stripped = text.strip(_BLANKS)
    if not stripped.startswith("{"):
        return None
    try:
        items, end = _parse(stripped, 0)
        if end != len(stripped):
            return None
        return _out(items, element)
    except (_Refused, ValueError):
        return None
