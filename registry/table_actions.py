"""A table's other ALTER TABLE actions (kept as canonical text on the table): each sets one thing, so a
later one of the same thing replaces the earlier, and one that sets the default state (DISABLE ROW LEVEL
SECURITY, REPLICA IDENTITY DEFAULT, SET STATISTICS -1, SET WITHOUT CLUSTER, ENABLE TRIGGER t) leaves
nothing: PostgreSQL keeps the state, not the statements, and introspection writes only what is not the
default. They are kept in one order, whatever order the script set them in (`ordered`), so the same
state gives one fingerprint; schema.sql writes CLUSTER ON after the table's indexes (`after_indexes`).
"""

from __future__ import annotations

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
    return action, False


def add_alteration(table: Table, action: str) -> None:
    """`action` said of `table` after what is there: it replaces what set the same thing."""
    key, default = _setting(action)
    table.alterations = [a for a in table.alterations if _setting(a)[0] != key]
    if not default:
        table.alterations.append(action)


def ordered(table: Table) -> list[str]:
    """The table's actions in their one order (by what they set), but those written after its indexes."""
    return sorted((a for a in table.alterations if not after_indexes(a)), key=lambda a: (_setting(a)[0], a))


def after_indexes(action: str) -> bool:
    return _CLUSTER.fullmatch(action) is not None and not action.startswith("SET ")
