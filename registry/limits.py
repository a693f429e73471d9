"""Bounds on the work one request may cause: the limits, their defaults, and the cheap checks that
enforce them before anything expensive runs.

Each limit is a server setting (`SCHEMAREG_<NAME>`, or `[server] <name>` in schemareg.toml); going past
one raises `LimitExceeded`, which names the setting, so a client knows which knob refused it.
"""

from __future__ import annotations

import io
import itertools
import re
import signal
import zlib
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, BinaryIO

from schemareg.errors import InputError
from schemareg.lazy_re import lazy_compile

if TYPE_CHECKING:
    from schemareg.model import Schema
    from schemareg.normalize.options import NormalizeOptions

__all__ = [
    "DEFAULT_LIMITS",
    "LimitExceeded",
    "Limits",
    "check_ddl",
    "check_json_depth",
    "inflate",
    "normalize_within",
    "over_budget",
]


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits of one server. Sizes in bytes, times in seconds."""

    max_body_bytes: int = 5 * 1024 * 1024  # a request body as sent (413)
    max_inflated_bytes: int = 64 * 1024 * 1024  # a compressed body once inflated (413)
    max_statements: int = 25_000  # statements in one DDL body (413)
    max_nesting_depth: int = 200  # parentheses nested in one DDL body (422)
    max_json_depth: int = 64  # arrays and objects nested in one JSON body (422)
    normalize_cpu_seconds: float = 20.0  # CPU time to normalise one posted body (422)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in fields(cls))


DEFAULT_LIMITS = Limits()


class LimitExceeded(InputError):
    """A request asked for more work than a limit allows; `setting` names the limit."""

    def __init__(self, setting: str, message: str, *, status: int = 413) -> None:
        self.setting = setting
        self.status = status
        super().__init__(f"{message} (limit: {setting}, SCHEMAREG_{setting.upper()})")


# -- DDL -----------------------------------------------------------------------------------------------

# What can hide a parenthesis or a semicolon: quoted text, quoted names, comments, dollar-quoted bodies.
_HIDDEN = lazy_compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|--[^\n]*|/\*.*?\*/|(?<![\w$])\$([A-Za-z_]\w*)?\$.*?\$\1\$",
    re.DOTALL,
)
_DEPTH = {ord("("): 1, ord(")"): -1}
_NOT_PARENTHESES = bytes(c for c in range(256) if c not in _DEPTH)
_DEPTH_STEP = tuple(_DEPTH.get(c, 0) for c in range(256))


def check_ddl(ddl: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a DDL body with too many statements or parentheses nested too deep, in linear time.

    Both counts are upper bounds of what the parser sees (a semicolon inside a compound body counts), so
    a body under the limits is never refused by the parser's own recursion.
    """
    visible = _HIDDEN.sub(" ", ddl)
    statements = visible.count(";") + 1
    if statements > limits.max_statements:
        raise LimitExceeded(
            "max_statements",
            f"the body has about {statements:,} statements, more than {limits.max_statements:,}",
        )
    brackets = visible.encode("utf-8", "surrogatepass").translate(None, _NOT_PARENTHESES)
    if brackets:
        depth = _max_depth(brackets, _DEPTH_STEP)
        if depth > limits.max_nesting_depth:
            raise LimitExceeded(
                "max_nesting_depth",
                f"parentheses nest {depth:,} deep, more than {limits.max_nesting_depth:,}",
                status=422,
            )


# -- JSON ----------------------------------------------------------------------------------------------

_JSON_STRING = lazy_compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_DEPTH = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_NOT_BRACKETS = bytes(c for c in range(256) if c not in _JSON_DEPTH)
_JSON_STEP = tuple(_JSON_DEPTH.get(c, 0) for c in range(256))


def _max_depth(brackets: bytes, step: tuple[int, ...]) -> int:
    """The deepest nesting of a string of openers and closers, iterated in C (no bytecode per byte)."""
    return max(itertools.accumulate(map(step.__getitem__, brackets)))


def check_json_depth(body: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse JSON nested deeper than the limit before any decoder recurses into it."""
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    if not brackets:
        return
    depth = _max_depth(brackets, _JSON_STEP)
    if depth > limits.max_json_depth:
        raise LimitExceeded(
            "max_json_depth",
            f"the JSON nests {depth:,} deep, more than {limits.max_json_depth:,}",
            status=422,
        )


# -- compressed bodies ---------------------------------------------------------------------------------

_CHUNK = 256 * 1024


def inflate(data: bytes, limits: Limits = DEFAULT_LIMITS, *, what: str = "gzip") -> bytes:
    """Inflate a gzip (or zlib) body, refusing to produce more than `max_inflated_bytes`.

    Works in bounded steps, so a bomb costs at most the limit in memory and stops as soon as it passes it.
    """
    out = io.BytesIO()
    inflate_to(data, out, limits, what=what)
    return out.getvalue()


def inflate_to(data: bytes, out: BinaryIO, limits: Limits = DEFAULT_LIMITS, *, what: str = "gzip") -> int:
    """Inflate into a file, in steps of a few hundred KB, refusing more than `max_inflated_bytes`; the
    inflated body is never whole in memory. Returns its size."""
    wbits = 16 + zlib.MAX_WBITS if what == "gzip" else zlib.MAX_WBITS
    size = 0
    pending = data
    try:
        while pending:
            inflater = zlib.decompressobj(wbits)
            while True:
                chunk = inflater.decompress(pending, _CHUNK)
                size += len(chunk)
                if size > limits.max_inflated_bytes:
                    raise LimitExceeded(
                        "max_inflated_bytes",
                        f"the {what} body inflates to more than {limits.max_inflated_bytes:,} bytes",
                    )
                out.write(chunk)
                pending = inflater.unconsumed_tail
                if inflater.eof or not (pending or chunk):
                    break
            if not inflater.eof:
                raise InputError(f"the {what} request body is truncated")
            pending = inflater.unused_data  # gzip allows several members one after another
    except zlib.error:
        raise InputError(f"the {what} request body is corrupt") from None
    return size


# -- CPU time ------------------------------------------------------------------------------------------


class _OverBudget(BaseException):
    """Raised by the CPU timer inside a normalisation; a BaseException so no `except Exception` eats it."""


def _over_budget(signum: int, frame: object) -> None:
    raise _OverBudget


def normalize_within(
    ddl: str, dialect: str, options: NormalizeOptions, limits: Limits = DEFAULT_LIMITS
) -> Schema:
    """Normalise a posted body within the limits: the cheap checks first, then the normaliser under a
    CPU-time timer (`normalize_cpu_seconds`). Meant for a worker process of its own: the timer is the
    process's, and a cancelled normalisation may leave the process's caches half-filled."""
    from schemareg.normalize import normalize

    check_ddl(ddl, limits)
    previous = signal.signal(signal.SIGPROF, _over_budget)
    signal.setitimer(signal.ITIMER_PROF, limits.normalize_cpu_seconds)
    try:
        return normalize(ddl, dialect, options=options)
    except (_OverBudget, RecursionError):
        raise over_budget(limits) from None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def over_budget(limits: Limits) -> LimitExceeded:
    return LimitExceeded(
        "normalize_cpu_seconds",
        f"normalising the body needs more than {limits.normalize_cpu_seconds:g} s of CPU time",
        status=422,
    )
