"""ALTER FUNCTION / PROCEDURE / ROUTINE / AGGREGATE ... <attributes> | SET SCHEMA, applied to the routine.

The statement names one overload by its argument types (or, without them, the only routine of that name);
its attributes (volatility, STRICT, SECURITY, LEAKPROOF, PARALLEL, COST, ROWS, SET / RESET of settings)
change that routine's canonical CREATE text as PostgreSQL changes pg_proc, and SET SCHEMA moves it.
RENAME TO is objects.rename_pattern's; OWNER TO is privileges.set_owner's (or ignored, as for tables).
"""

from __future__ import annotations

import re
from typing import Any

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, ObjectKey, key_of
from schemareg.names import join_key, split_signature
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.guc import canonical_setting
from schemareg.normalize.heads import applies_to
from schemareg.normalize.renames import carry_renamed_routine
from schemareg.normalize.text import IDENT, QNAME, balanced, until_closing_bracket
from schemareg.render import quote_qualified

_HEAD = lazy_compile(
    rf"\s*ALTER\s+(?P<kind>FUNCTION|PROCEDURE|ROUTINE|AGGREGATE)\s+(?P<name>{QNAME})(?P<rest>\s*\(.*|\s+.*)$",
    re.IGNORECASE | re.DOTALL,
)
_NOT_HERE = lazy_compile(r"\s*(?:RENAME\b|OWNER\b|(?:NO\s+)?DEPENDS\b)", re.IGNORECASE)
_SETTING_VALUE = r"(?:'(?:[^']|'')*'|[^\s,']+)(?:\s*,\s*(?:'(?:[^']|'')*'|[^\s,']+))*"
_ACTION = lazy_compile(
    r"\s*(?:"
    r"(?P<volatility>IMMUTABLE|STABLE|VOLATILE)"
    r"|(?P<strict>STRICT|RETURNS\s+NULL\s+ON\s+NULL\s+INPUT)"
    r"|(?P<called>CALLED\s+ON\s+NULL\s+INPUT)"
    r"|(?P<not_leakproof>NOT\s+LEAKPROOF)|(?P<leakproof>LEAKPROOF)"
    r"|(?:EXTERNAL\s+)?SECURITY\s+(?P<security>DEFINER|INVOKER)"
    r"|PARALLEL\s+(?P<parallel>SAFE|RESTRICTED|UNSAFE)"
    r"|COST\s+(?P<cost>\d+(?:\.\d+)?)"
    r"|ROWS\s+(?P<rows>\d+(?:\.\d+)?)"
    r"|SET\s+SCHEMA\s+(?P<schema>" + IDENT + r")"
    r"|SET\s+(?P<set>\w+(?:\.\w+)?)\s*(?:=|\bTO\b)\s*(?P<value>" + _SETTING_VALUE + r")"
    r"|SET\s+(?P<current>\w+(?:\.\w+)?)\s+FROM\s+CURRENT"
    r"|RESET\s+(?P<reset>\w+(?:\.\w+)?)"
    r"|(?P<restrict>RESTRICT)"
    r")(?=\s|;|$)",
    re.IGNORECASE,
)
_GROUPS = (
    "volatility", "strict", "called", "not_leakproof", "leakproof", "security", "parallel", "cost", "rows",
    "schema", "set", "current", "reset", "restrict",
)  # fmt: skip
_KINDS = {"FUNCTION": Kind.FUNCTION, "PROCEDURE": Kind.PROCEDURE, "AGGREGATE": Kind.AGGREGATE}


@applies_to("ALTER FUNCTION", "ALTER PROCEDURE", "ALTER ROUTINE", "ALTER AGGREGATE")
def alter_routine(context: Context, text: str) -> list[ops.AnyOp] | None:
    """The op of an ALTER FUNCTION / PROCEDURE / ROUTINE / AGGREGATE that changes attributes or schema."""
    if context.dialect != "postgres":
        return None
    head = _HEAD.match(text.rstrip().rstrip(";"))
    if head is None:
        return None
    schema, name = context.read_name(head.group("name"))
    rest = head.group("rest").lstrip()
    signature = "*"
    if rest.startswith("("):
        args = until_closing_bracket(rest[1:])
        signature = context.signature_from_text(args)
        rest = rest[len(args) + 2 :]
    if _NOT_HERE.match(rest):
        return None
    actions: list[tuple[str, ...]] = []
    at = 0
    rest = rest.rstrip()
    while at < len(rest):
        m = _ACTION.match(rest, at)
        if m is None:
            return None  # a form not read here: kept as written
        actions.append(_action(context, m))
        at = m.end()
    if not actions:
        return None
    word = head.group("kind").upper()
    return [
        ops.AlterRoutine(
            kinds=[
                k.value for k in ((Kind.FUNCTION, Kind.PROCEDURE) if word == "ROUTINE" else (_KINDS[word],))
            ],
            name=context.qualify(schema, name) + f"({signature})",
            actions=actions,
        )
    ]


def _action(context: Context, m: re.Match[str]) -> tuple[str, ...]:
    group = next(g for g in _GROUPS if m.group(g) is not None)
    value = m.group(group)
    if group in ("volatility", "security", "parallel"):
        return (group, value.upper())
    if group == "set":
        setting = m.group("set").lower()
        if m.group("value").upper() == "DEFAULT":
            return ("reset", setting)
        return ("set", setting, canonical_setting(m.group(0).strip()[3:]))
    if group == "current":
        return ("set", value.lower(), f"{value.lower()} FROM CURRENT")
    if group == "reset":
        return ("reset", value.lower())
    if group == "schema":
        return ("schema", context.unquote(value))
    return (group, value)


# -- applying ---------------------------------------------------------------------------------------------

_BODY_START = lazy_compile(r" (?:AS (?:\$|')|BEGIN ATOMIC\b|RETURN\b)")
_LANGUAGE = lazy_compile(r"(?:^| )LANGUAGE \S+")


def apply_alter_routine(objects: dict[ObjectKey, Any], op: ops.AlterRoutine) -> bool:
    """Change the routine the op names; False when there is none (the statement is then kept opaque)."""
    key = _find(objects, op)
    if key is None:
        return False
    routine = objects[key]
    if not isinstance(routine, Definition):
        return False
    if routine.kind is Kind.AGGREGATE:
        moves = [a for a in op.actions if a[0] == "schema"]
        if len(moves) != len(op.actions):
            return False
    else:
        routine.sql = _with_attributes(routine.sql, op.actions)
    for action in op.actions:
        if action[0] == "schema" and action[1] != routine.schema:
            base = split_signature(routine.name)[0]
            old, new = (
                quote_qualified(join_key(schema, base), "postgres") for schema in (routine.schema, action[1])
            )
            routine.sql = routine.sql.replace(f" {old}(", f" {new}(", 1)
            del objects[key]
            routine.schema = action[1]
            moved, key = key, key_of(routine)
            objects[key] = routine
            carry_renamed_routine(objects, moved.name, key.name)  # its triggers name it where it is now
    return True


def _find(objects: dict[ObjectKey, Any], op: ops.AlterRoutine) -> ObjectKey | None:
    for kind in op.kinds:
        key = ObjectKey(Kind(kind), op.name)
        if key in objects:
            return key
    if not op.name.endswith("(*)"):
        return None
    prefix = op.name[:-2]
    found = [k for k in objects if k.kind.value in op.kinds and k.name.startswith(prefix)]
    return found[0] if len(found) == 1 else None


def _with_attributes(sql: str, actions: list[tuple[str, ...]]) -> str:
    """A routine's canonical text (routines.RoutineReader's order) with the actions applied."""
    close = balanced(sql, sql.index("(") + 1)
    head, rest = sql[: close + 1], sql[close + 1 :]
    language = _LANGUAGE.search(rest)
    if language is None:
        return sql
    prefix, after = rest[: language.end()], rest[language.end() :]
    body_at = _BODY_START.search(after)
    flags_text, body = (after[: body_at.start()], after[body_at.start() :]) if body_at else (after, "")
    state = _read_flags(flags_text)
    for action in actions:
        _apply(state, action)
    return head + prefix + _render_flags(state) + body


def _read_flags(text: str) -> dict[str, Any]:
    settings_text = ""
    if " SET " in f"{text} ":
        text, _, settings_text = f"{text} ".partition(" SET ")
        settings_text = settings_text.strip()
    words = text.split()
    state: dict[str, Any] = {
        "volatility": next((w for w in words if w in ("IMMUTABLE", "STABLE")), "VOLATILE"),
        "strict": "STRICT" in words,
        "security": "DEFINER" if "DEFINER" in words else "INVOKER",
        "leakproof": "LEAKPROOF" in words,
        "parallel": words[words.index("PARALLEL") + 1] if "PARALLEL" in words else "UNSAFE",
        "cost": words[words.index("COST") + 1] if "COST" in words else "",
        "rows": words[words.index("ROWS") + 1] if "ROWS" in words else "",
        "window": "WINDOW" in words,
        "settings": {},
    }
    for setting in settings_text.split(" SET ") if settings_text else []:
        state["settings"][re.split(r"[\s=]", setting, maxsplit=1)[0].lower()] = setting
    return state


def _apply(state: dict[str, Any], action: tuple[str, ...]) -> None:
    what = action[0]
    if what in ("volatility", "security", "parallel", "cost", "rows"):
        state[what] = action[1]
    elif what in ("strict", "called"):
        state["strict"] = what == "strict"
    elif what in ("leakproof", "not_leakproof"):
        state["leakproof"] = what == "leakproof"
    elif what == "set":
        state["settings"][action[1]] = action[2]
    elif what == "reset":
        if action[1] == "all":
            state["settings"].clear()
        else:
            state["settings"].pop(action[1], None)


def _render_flags(state: dict[str, Any]) -> str:
    clauses = []
    if state["volatility"] != "VOLATILE":
        clauses.append(state["volatility"])
    if state["strict"]:
        clauses.append("STRICT")
    if state["security"] == "DEFINER":
        clauses.append("SECURITY DEFINER")
    if state["leakproof"]:
        clauses.append("LEAKPROOF")
    if state["parallel"] != "UNSAFE":
        clauses.append(f"PARALLEL {state['parallel']}")
    if state["cost"] and state["cost"] not in ("100", "1"):
        clauses.append(f"COST {state['cost']}")
    if state["rows"] and state["rows"] != "1000":
        clauses.append(f"ROWS {state['rows']}")
    if state["window"]:
        clauses.append("WINDOW")
    clauses.extend(f"SET {s}" for s in sorted(state["settings"].values()))
    return "".join(f" {c}" for c in clauses)
