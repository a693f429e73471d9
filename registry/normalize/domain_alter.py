"""ALTER DOMAIN ... SET / DROP DEFAULT, SET / DROP NOT NULL, ADD / DROP / RENAME / VALIDATE CONSTRAINT,
folded into the domain's canonical CREATE DOMAIN text.

A migration history builds a domain the way it builds a table: created bare, then its default, its NOT
NULL and its checks added one statement at a time. PostgreSQL keeps one pg_type row and its pg_constraint
rows whichever way they came; kept as text beside the domain, the same domain built two ways would read as
two schemas. The canonical text is the pattern reader's (patterns.PatternReader.domain): `CREATE DOMAIN
name AS type [COLLATE c] [DEFAULT v] [NOT NULL] [CONSTRAINT n CHECK (...)]...`, the checks in name order
as pg_dump and the catalog list them. RENAME TO is objects.rename_pattern's and SET SCHEMA schema_moves'.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind, ObjectKey
from schemareg.names import make_object_name, split_key
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.heads import applies_to
from schemareg.normalize.text import IDENT, QNAME, balanced
from schemareg.render import default_clause, quote

_HEAD = lazy_compile(
    rf"\s*ALTER\s+DOMAIN\s+(?P<name>{QNAME})\s+(?P<rest>.*?)\s*;?\s*$", re.IGNORECASE | re.DOTALL
)
_ACTION = lazy_compile(
    r"(?:SET\s+DEFAULT\s+(?P<default>\S.*)"
    r"|(?P<drop_default>DROP\s+DEFAULT)"
    r"|(?P<not_null>SET|DROP)\s+NOT\s+NULL"
    rf"|ADD\s+(?:CONSTRAINT\s+(?P<check_name>{IDENT})\s+)?(?P<check>CHECK\s*\()"
    rf"|DROP\s+CONSTRAINT\s+(?P<exists>IF\s+EXISTS\s+)?(?P<drop>{IDENT})(?:\s+(?:CASCADE|RESTRICT))?"
    rf"|RENAME\s+CONSTRAINT\s+(?P<old>{IDENT})\s+TO\s+(?P<new>{IDENT})"
    rf"|VALIDATE\s+CONSTRAINT\s+(?P<validate>{IDENT}))",
    re.IGNORECASE | re.DOTALL,
)
_NOT_VALID = lazy_compile(r"\s*(?:NOT\s+VALID\s*)?", re.IGNORECASE)
# Where a clause of the canonical text begins (at depth 0, outside quotes: see _parts).
_CLAUSE = lazy_compile(
    r' (?:COLLATE |DEFAULT |NOT NULL(?= CONSTRAINT |$)|CONSTRAINT (?:"(?:[^"]|"")*"|\S+) CHECK \()'
)


@applies_to("ALTER DOMAIN")
def alter_domain(context: Context, text: str) -> list[ops.AnyOp] | None:
    """The op of an ALTER DOMAIN that changes the domain's default, NOT NULL or constraints (PostgreSQL)."""
    if context.dialect != "postgres":
        return None
    head = _HEAD.match(text)
    if head is None:
        return None
    rest = head.group("rest")
    m = _ACTION.fullmatch(rest) or _ACTION.match(rest)
    if m is None:
        return None
    domain = context.read_qualified_name(head.group("name"))
    routines = context.patterns.routines
    action: tuple[str, ...]
    if m.group("check") is not None:
        close = balanced(rest, m.end())
        if _NOT_VALID.fullmatch(rest, close + 1) is None:
            return None
        name = context.unquote(m.group("check_name")) if m.group("check_name") else ""
        action = ("check", name, routines.expression(rest[m.end() : close]))
    elif m.end() != len(rest):
        return None
    elif m.group("default") is not None:
        action = ("default", default_clause(routines.expression(m.group("default"))))
    elif m.group("drop_default") is not None:
        action = ("default", "")
    elif m.group("not_null") is not None:
        action = ("not_null", "1" if m.group("not_null").upper() == "SET" else "")
    elif m.group("drop") is not None:
        action = ("drop", context.unquote(m.group("drop")), "1" if m.group("exists") else "")
    elif m.group("old") is not None:
        action = ("rename", context.unquote(m.group("old")), context.unquote(m.group("new")))
    else:
        action = ("validate", context.unquote(m.group("validate")))
    return [ops.AlterDomain(domain=domain, action=action)]


def apply_alter_domain(objects: dict[ObjectKey, Any], op: ops.AlterDomain) -> bool:
    """Change the domain's canonical text; False when there is no such domain, or the action names a
    constraint it does not have (the statement is then kept as written)."""
    domain = objects.get(ObjectKey(Kind.DOMAIN, op.domain))
    if not isinstance(domain, Definition) or domain.opaque:
        return False
    parts = _parts(domain.sql)
    if parts is None:
        return False
    head, clauses, checks = parts
    what = op.action[0]
    named = {name for name, _ in checks}
    if what == "default":
        clauses["DEFAULT"] = op.action[1] or None
    elif what == "not_null":
        clauses["NOT NULL"] = "NOT NULL" if op.action[1] else None
    elif what == "check":
        name = op.action[1]
        if not name:  # PostgreSQL's name: `<domain>_check`, numbered past the domain's others
            base = make_object_name(split_key(op.domain)[-1], None, "check")
            name, n = base, 0
            while name in named:
                n += 1
                name = f"{base}{n}"
        if name in named:
            return False
        checks.append((name, f"CHECK ({op.action[2]})"))
    elif what == "drop":
        if op.action[1] not in named:
            return bool(op.action[2])
        checks = [c for c in checks if c[0] != op.action[1]]
    elif what == "rename":
        if op.action[1] not in named or op.action[2] in named:
            return False
        checks = [(op.action[2] if name == op.action[1] else name, check) for name, check in checks]
    elif op.action[1] not in named:  # VALIDATE: a domain's check is kept without NOT VALID anyway
        return False
    sql = head + "".join(f" {clauses[k]}" for k in ("COLLATE", "DEFAULT", "NOT NULL") if clauses.get(k))
    domain.sql = sql + "".join(
        f" CONSTRAINT {quote(name, 'postgres')} {check}" for name, check in sorted(checks)
    )
    return True


def _parts(sql: str) -> tuple[str, dict[str, str | None], list[tuple[str, str]]] | None:
    """A domain's canonical text taken apart: its head (through the type), its COLLATE, DEFAULT and NOT
    NULL clauses, and its checks as (name, `CHECK (...)`). Clauses begin only at depth 0 outside quotes,
    so a default's or a check's own words are not read as clauses; None when the text is not the canonical
    one."""
    starts: list[int] = []
    depth, quote_char = 0, ""
    for at, char in enumerate(sql):
        if quote_char:
            if char == quote_char:
                quote_char = ""
        elif char in "'\"":
            quote_char = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == " " and depth == 0 and _CLAUSE.match(sql, at) and sql[max(0, at - 3) : at] != " IS":
            starts.append(at)
    if not sql.startswith("CREATE DOMAIN "):
        return None
    bounds = [*starts, len(sql)]
    head = sql[: bounds[0]]
    clauses: dict[str, str | None] = {}
    checks: list[tuple[str, str]] = []
    for start, end in itertools.pairwise(bounds):
        clause = sql[start + 1 : end]
        if clause.startswith("CONSTRAINT "):
            name_text, _, check = clause[len("CONSTRAINT ") :].partition(" CHECK ")
            name = name_text[1:-1].replace('""', '"') if name_text.startswith('"') else name_text
            checks.append((name, f"CHECK {check}"))
        else:
            key = "NOT NULL" if clause == "NOT NULL" else clause.split(" ", 1)[0]
            clauses[key] = clause
    return head, clauses, checks
