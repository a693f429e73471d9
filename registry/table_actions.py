"""A table's other ALTER TABLE actions (kept as canonical text on the table): each sets one thing, so a
later one of the same thing replaces the earlier, and one that sets the default state (DISABLE ROW LEVEL
SECURITY, REPLICA IDENTITY DEFAULT, SET STATISTICS -1, SET WITHOUT CLUSTER, ENABLE TRIGGER t) leaves
nothing: PostgreSQL keeps the state, not the statements, and introspection writes only what is not the
default. They are kept in one order, whatever order the script set them in (`ordered`), so the same
state gives one fingerprint; schema.sql writes CLUSTER ON after the table's indexes (`after_indexes`).
A column's attribute options (`ALTER COLUMN c SET (n_distinct = -0.02)`) are one setting each: SET adds
or changes them, RESET takes them away, as pg_attribute.attoptions keeps them.
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import Table

__all__ = ["add_alteration", "after_indexes", "ordered"]

_ROW_SECURITY = lazy_compile(r"(ENABLE|DISABLE) ROW LEVEL SECURITY")
_FORCE = lazy_compile(r"(NO )?FORCE ROW LEVEL SECURITY")
_REPLICA = lazy_compile(r"REPLICA IDENTITY (.+)")
_STATISTICS = lazy_compile(r"ALTER (?:COLUMN )?(.+) SET STATISTICS (-?\d+)")
_STORAGE = lazy_compile(r"ALTER (?:COLUMN )?(.+) SET STORAGE (\w+)")
_CLUSTER = lazy_compile(r"CLUSTER ON (.+)|SET WITHOUT CLUSTER")
_FIRING = lazy_compile(r"(ENABLE|DISABLE|ENABLE REPLICA|ENABLE ALWAYS) (TRIGGER|RULE) (.+)")
_ATTRIBUTE_OPTIONS = lazy_compile(
    r"ALTER (?:COLUMN )?(?P<column>.+) (?P<how>SET|RESET) ?\((?P<list>[^()]*)\)"
)


def _setting(action: str) -> tuple[str, bool]:
    """(what the action sets, whether it sets it to its default)."""
    if m := _ROW_SECURITY.fullmatch(action):
        return "row level security", m.group(1) == "DISABLE"
    if m := _FORCE.fullmatch(action):
        return "force row level security", m.group(1) is not None
    if m := _REPLICA.fullmatch(action):
        return "replica identity", m.group(1) == "DEFAULT"
    if m := _STATISTICS.fullmatch(action):
        return f"statistics {m.group(1)}", m.group(2) == "-1"
    if m := _STORAGE.fullmatch(action):
        return f"storage {m.group(1)}", False
    if m := _CLUSTER.fullmatch(action):
        return "cluster", m.group(1) is None
    if m := _FIRING.fullmatch(action):
        return f"{m.group(2).lower()} {m.group(3)}", m.group(1) == "ENABLE"
    if m := _ATTRIBUTE_OPTIONS.fullmatch(action):
        return f"options {m.group('column')}", not m.group("list").strip()
    return action, False


def add_alteration(table: Table, action: str) -> None:
    """`action` said of `table` after what is there: it replaces what set the same thing."""
    options = _ATTRIBUTE_OPTIONS.fullmatch(action)
    if options is not None:
        action = _attribute_options(table, options)
    key, default = _setting(action)
    table.alterations = [a for a in table.alterations if _setting(a)[0] != key]
    if not default:
        table.alterations.append(action)


def _attribute_options(table: Table, m: re.Match[str]) -> str:
    """The column's attribute options once this SET or RESET is applied to those it has, as one action;
    `SET ()` when none are left, the default, which is then not kept. Read as a table's storage parameters
    are (the same `name = value` list, pg_attribute.attoptions as pg_class.reloptions)."""
    from schemareg.normalize.storage import parameters_from_text

    column = m.group("column")
    current: dict[str, str] = {}
    for kept in table.alterations:
        found = _ATTRIBUTE_OPTIONS.fullmatch(kept)
        if found is not None and found.group("column") == column:
            current = parameters_from_text(found.group("list"))
    if m.group("how") == "SET":
        current.update(parameters_from_text(m.group("list")))
    else:
        for name in m.group("list").split(","):
            current.pop(name.strip().lower(), None)
    listed = ", ".join(f"{name} = {value}" for name, value in sorted(current.items()))
    return f"ALTER COLUMN {column} SET ({listed})" if listed else f"ALTER COLUMN {column} SET ()"


def ordered(table: Table) -> list[str]:
    """The table's actions in their one order (by what they set), but those written after its indexes."""
    return sorted((a for a in table.alterations if not after_indexes(a)), key=lambda a: (_setting(a)[0], a))


def after_indexes(action: str) -> bool:
    return _CLUSTER.fullmatch(action) is not None and not action.startswith("SET ")
