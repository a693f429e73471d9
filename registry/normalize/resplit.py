"""Splitting a script again after a small change, from the split of a script seen just before.

The splitter reads a statement from a place just after the previous one's semicolon, and what it reads
from there depends on the text from there on only. So against a script split before (kept with the place
each statement's reading began, and each statement's cache key), a new script is read only where it
differs: the statements that end well inside the text both share at their start are the old ones, and once
the reading reaches a place inside the text both share at their end where the old reading also began a
statement, the rest is the old rest, moved by the difference in length. One table changed in a script of
800 statements is one statement split and keyed again, not 800.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import msgspec

from schemareg.normalize.split import _HAS_DELIMITER, Statement, Tops, split_traced

_RECENT = 4  # scripts kept, the most recent first
# And at most this many characters of them (each is kept twice over: the script and its statements' texts),
# so that a few huge scripts do not pin hundreds of megabytes.
_RECENT_CHARS = 8 * 1024 * 1024
# A statement's reading looks at most this far past its semicolon (the pattern's lookahead at it).
_MARGIN = 2


class _Split(msgspec.Struct):
    sql: str
    statements: list[Statement]
    meta: int
    tops: Tops
    keys: list[bytes]


class SplitMemo:
    """The splits of the last few scripts, by salt (the keys are the statement cache's, which the salt
    decides), in memory. Splitting is pure, so a reused split is the split."""

    def __init__(self) -> None:
        self._recent: list[tuple[bytes, _Split]] = []
        self._lock = threading.Lock()

    def split(
        self, sql: str, dialect: str, salt: bytes, key_of: Callable[[str], bytes]
    ) -> tuple[list[Statement], int, list[bytes]]:
        """The statements of `sql` (as split_statements), how many meta commands, and each one's key."""
        with self._lock:
            olds = [split for known, split in self._recent if known == salt]
        found = _resplit(sql, dialect, olds, key_of) if olds else None
        if found is None:
            statements, meta, tops = split_traced(sql, dialect)
            found = _Split(sql, statements, meta, tops, [key_of(st.text) for st in statements])
        with self._lock:
            kept, chars = [], 0
            for entry in [(salt, found), *(e for e in self._recent if e[1] is not found)][:_RECENT]:
                chars += len(entry[1].sql)
                if chars > _RECENT_CHARS:
                    break
                kept.append(entry)
            self._recent = kept
        return found.statements, found.meta, found.keys


def _resplit(sql: str, dialect: str, olds: list[_Split], key_of: Callable[[str], bytes]) -> _Split | None:
    if dialect == "mysql" and _HAS_DELIMITER.search(sql):
        return None  # DELIMITER lines change how everything after them reads: split whole
    (head, tail), old = max(((_shared(old.sql, sql), old) for old in olds), key=lambda item: sum(item[0]))
    if head == len(sql) == len(old.sql):
        return old
    # Kept: the old statements read before the last place where a reading began well inside the shared
    # start (a reading looks a character past its semicolon); the reading goes on from that place.
    count = 0
    while count < len(old.tops) and 0 <= old.tops[count][0] <= head - _MARGIN:
        count += 1
    count = max(count - 1, 0)
    pos, meta = old.tops[count] if old.tops and 0 <= old.tops[count][0] <= head - _MARGIN else (0, 0)
    shift = len(sql) - len(old.sql)
    # Resumed only from a place inside the shared end, a character past its start (lookbehinds): from
    # there on the text is the same, so the reading is.
    shared_end = len(old.sql) - tail + _MARGIN
    starts = {top: i for i, (top, _) in enumerate(old.tops) if top >= shared_end}
    resumed: list[int] = []

    def resume(at: int, meta_now: int) -> tuple[list[Statement], int, Tops] | None:
        i = starts.get(at - shift)
        if i is None:
            return None
        resumed.append(i)
        base = old.tops[i][1]
        moved = [Statement(st.text, st.offset + shift) for st in old.statements[i:]]
        tops = [
            (top + shift, before - base + meta_now) if top >= 0 else (top, before)
            for top, before in old.tops[i:]
        ]
        return moved, old.meta - base, tops

    statements, total, tops = split_traced(
        sql, dialect, pos, meta, resume=resume, resume_from=len(sql) - tail + _MARGIN
    )
    keys = old.keys[:count]
    if resumed:
        reused = len(old.statements) - resumed[0]
        keys += [key_of(st.text) for st in statements[: len(statements) - reused]]
        keys += old.keys[resumed[0] :]
    else:
        keys += [key_of(st.text) for st in statements]
    return _Split(sql, old.statements[:count] + statements, total, old.tops[:count] + tops, keys)


def _shared(old: str, new: str) -> tuple[int, int]:
    """How long a start and (after it) an end the two texts share, found by halving: a slice comparison is
    a memory comparison, so a few of them cost less than reading the texts character by character."""
    most = min(len(old), len(new))
    head, top = 0, most
    while head < top:
        mid = (head + top + 1) // 2
        if old[head:mid] == new[head:mid]:
            head = mid
        else:
            top = mid - 1
    tail, top = 0, most - head
    lo, ln = len(old), len(new)
    while tail < top:
        mid = (tail + top + 1) // 2
        if old[lo - mid : lo - tail] == new[ln - mid : ln - tail]:
            tail = mid
        else:
            top = mid - 1
    return head, tail
