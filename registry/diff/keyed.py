"""The one way two collections are compared: by key, into sorted added / removed / modified keys.

Every collection the differ walks (the objects of a schema, the columns, constraints and indexes of a
table) goes through `split`, so every output is in key order whatever the order of the inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["Split", "by_name", "pair_renames", "split"]


class _Sortable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_Sortable)
V = TypeVar("V")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Split(Generic[K]):
    added: list[K]
    removed: list[K]
    modified: list[K]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.modified)


def split(
    before: Mapping[K, V], after: Mapping[K, V], *, unchanged: Callable[[K], bool] | None = None
) -> Split[K]:
    """The keys only in `after`, only in `before`, and in both with values that differ, each sorted.

    `unchanged(key)` may answer for a key in both faster than comparing the two values.
    """
    same = unchanged or (lambda key: before[key] == after[key])
    removed: list[K] = []
    modified: list[K] = []
    for key in before:
        if key not in after:
            removed.append(key)
        elif not same(key):
            modified.append(key)
    added = [key for key in after if key not in before]
    return Split(added=sorted(added), removed=sorted(removed), modified=sorted(modified))


class _Named(Protocol):
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=_Named)


def by_name(items: Iterable[N]) -> dict[str, N]:
    return {item.name: item for item in items}


def pair_renames(
    removed: Sequence[T], added: Sequence[T], alike: Callable[[T, T], bool]
) -> list[tuple[T, T]]:
    """Pair each removed thing with the first unpaired added look-alike, in the given order."""
    pairs: list[tuple[T, T]] = []
    taken: set[int] = set()
    for old in removed:
        for position, new in enumerate(added):
            if position not in taken and alike(old, new):
                pairs.append((old, new))
                taken.add(position)
                break
    return pairs
