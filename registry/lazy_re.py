"""Regular expressions compiled on first use.

The normaliser reads statements with some 180 patterns, most of them of one statement family each; compiled
at import, they cost a process about 35 ms of CPU whatever its script holds (a schema without functions
never uses the routine patterns). `lazy_compile` has the same signature and result type as `re.compile`,
and compiles when the pattern is first used: each attribute (a bound method such as `match`, or `pattern`,
`groups`) is then kept on the object, so every later use is a plain attribute read of the compiled
pattern's own.

A lazy pattern is not an `re.Pattern` instance: pass it to no `re` function (`re.sub(PATTERN, ...)`), call
its methods (`PATTERN.sub(...)`).
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, cast

__all__ = ["lazy_compile"]


class _Lazy:
    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only for what is not kept yet
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            pattern, flags = self._source
            compiled = self._compiled = re.compile(pattern, flags)  # type: ignore[call-overload]
        value = getattr(compiled, name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r}, {self._source[1]!r})"


def lazy_compile(pattern: AnyStr, flags: int | re.RegexFlag = 0) -> re.Pattern[AnyStr]:
    """`re.compile(pattern, flags)`, compiled when first used."""
    return cast("re.Pattern[AnyStr]", _Lazy(pattern, int(flags)))
