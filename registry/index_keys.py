"""Keys that one CREATE TABLE makes into one index (PostgreSQL's transformIndexConstraints).

PostgreSQL's CREATE TABLE keeps one of the PRIMARY KEY, UNIQUE and EXCLUDE constraints that would build the
same index: the primary key, else the first of them. It takes the name of a later one when the first was
not named (`id int PRIMARY KEY, CONSTRAINT foo UNIQUE (id)` is a primary key named foo). ALTER TABLE ...
ADD keeps every one. So `CREATE TABLE t (id int PRIMARY KEY UNIQUE)` has one constraint, and
`ALTER TABLE t ADD UNIQUE (id)` after it makes a second: the normaliser folds the first (tables.py), and a
script that replays a table with two such keys adds the second one by ALTER TABLE (render.py).

"The same index" is PostgreSQL's test: the same columns or expressions in the same order, INCLUDE, WHERE,
operators, method, NULLS NOT DISTINCT and deferrability; storage parameters and tablespace do not count.
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import Constraint, ConstraintKind

__all__ = ["first_of_each_index", "index_signature"]

_KEYS = (ConstraintKind.PRIMARY_KEY, ConstraintKind.UNIQUE, ConstraintKind.EXCLUDE)
_KEYWORD = lazy_compile(r"^(?:PRIMARY\s+KEY|UNIQUE)\s*", re.IGNORECASE)
_STORAGE = lazy_compile(
    r"\s+(?:WITH\s*\((?:[^()']|'(?:[^']|'')*')*\)|USING\s+INDEX\s+TABLESPACE\s+\S+)", re.IGNORECASE
)


def index_signature(constraint: Constraint) -> str | None:
    """What decides the index a key builds, None for a constraint that builds none."""
    if constraint.kind not in _KEYS:
        return None
    text = _STORAGE.sub("", constraint.definition)
    return _KEYWORD.sub("", text) if constraint.kind is not ConstraintKind.EXCLUDE else text


def first_of_each_index(constraints: list[Constraint]) -> tuple[list[Constraint], list[Constraint]]:
    """`constraints` split into those one CREATE TABLE can say (the primary key first among equals, then
    the first of each index) and the rest, in order, which only ALTER TABLE ... ADD keeps."""
    seen: set[str] = set()
    ordered = sorted(constraints, key=lambda c: c.kind is not ConstraintKind.PRIMARY_KEY)
    later: list[int] = []
    for constraint in ordered:
        signature = index_signature(constraint)
        if signature is None:
            continue
        if signature in seen:
            later.append(id(constraint))
        seen.add(signature)
    return (
        [c for c in constraints if id(c) not in later],
        [c for c in constraints if id(c) in later],
    )
