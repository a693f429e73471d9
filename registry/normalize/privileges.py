"""Grants and owners, kept when a project asks for them (they are ignored by default).

`GRANT` and `REVOKE` change a set of privileges per (object, grantee), so a script that grants and later
revokes ends where the database would; the result is one canonical `GRANT` per (object, grantee).
`ALTER ... OWNER TO` keeps the last owner per object.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from schemareg.lazy_re import lazy_compile
from schemareg.model import Kind
from schemareg.names import signature_at
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.heads import applies_to
from schemareg.normalize.opaque import opaque
from schemareg.normalize.ops import Grant
from schemareg.normalize.patterns import split_top_level

_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_KINDS = (
    r"TABLE|SEQUENCE|FUNCTION|PROCEDURE|ROUTINE|SCHEMA|TYPE|DOMAIN|DATABASE|TABLESPACE|LANGUAGE|FOREIGN\s+TABLE|"
    r"FOREIGN\s+DATA\s+WRAPPER|FOREIGN\s+SERVER|LARGE\s+OBJECT|ALL\s+TABLES\s+IN\s+SCHEMA|"
    r"ALL\s+SEQUENCES\s+IN\s+SCHEMA|ALL\s+FUNCTIONS\s+IN\s+SCHEMA|ALL\s+PROCEDURES\s+IN\s+SCHEMA|"
    r"ALL\s+ROUTINES\s+IN\s+SCHEMA"
)
GRANT = lazy_compile(
    rf"\s*GRANT\s+(?P<privileges>.+?)\s+ON\s+(?:(?P<kind>{_KINDS})\s+)?(?P<objects>.+?)\s+TO\s+(?P<grantees>.+?)"
    r"(?P<option>\s+WITH\s+GRANT\s+OPTION)?(?:\s+GRANTED\s+BY\s+\S+)?\s*$",
    re.IGNORECASE | re.DOTALL,
)
REVOKE = lazy_compile(
    rf"\s*REVOKE\s+(?P<option>GRANT\s+OPTION\s+FOR\s+)?(?P<privileges>.+?)\s+ON\s+(?:(?P<kind>{_KINDS})\s+)?"
    r"(?P<objects>.+?)\s+FROM\s+(?P<grantees>.+?)(?:\s+GRANTED\s+BY\s+\S+)?(?:\s+(?:CASCADE|RESTRICT))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
OWNER = lazy_compile(
    r"\s*ALTER\s+(?P<kind>MATERIALIZED\s+VIEW|FOREIGN\s+TABLE|EVENT\s+TRIGGER|TEXT\s+SEARCH\s+\w+|\w+)\s+"
    r"(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<target>.+?)\s+OWNER\s+TO\s+(?P<owner>\S+)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_WS = lazy_compile(r"\s+")
_GRANT_HEAD = lazy_compile(r"\s*(?:GRANT|REVOKE|ALTER\s+DEFAULT\s+PRIVILEGES)\b", re.IGNORECASE)
_DEFAULT_PRIVILEGES = lazy_compile(r"\s*ALTER\s+DEFAULT\s+PRIVILEGES\b", re.IGNORECASE)
_NAMED_WITHOUT_SCHEMA = (
    "SCHEMA",
    "DATABASE",
    "LANGUAGE",
    "TABLESPACE",
    "FOREIGN DATA WRAPPER",
    "FOREIGN SERVER",
    "SERVER",
    "EVENT TRIGGER",
    "PUBLICATION",
    "EXTENSION",
)


@applies_to("GRANT", "REVOKE", "ALTER DEFAULT PRIVILEGES")
def change_privileges(context: Context, text: str) -> list[ops.AnyOp] | None:
    """GRANT / REVOKE, when the project keeps grants; role membership is ignored."""
    if not context.options.keep_grants or not _GRANT_HEAD.match(text):
        return None
    grants = read_grants(text, lambda kind, target: grant_target(context, kind, target))
    if grants is not None:
        return [ops.ChangePrivileges(grants=grants)]
    if _DEFAULT_PRIVILEGES.match(text):
        return [opaque(context, text, kind=Kind.GRANT, name=None)]
    return [ops.Ignored(reason="role membership")]


@applies_to("ALTER")
def set_owner(context: Context, text: str) -> list[ops.AnyOp] | None:
    """ALTER ... OWNER TO, when the project keeps owners."""
    if not context.options.keep_owners:
        return None
    owned = OWNER.match(text)
    if owned is None:
        return None
    kind = _WS.sub(" ", owned.group("kind").upper())
    target = grant_target(context, kind, owned.group("target"))
    return [ops.SetOwner(kind=kind, target=target, owner=context.unquote(owned.group("owner")))]


def grant_target(context: Context, kind: str, target: str) -> str:
    """An object named in GRANT or ALTER ... OWNER TO, as canonical SQL text."""
    target = target.strip()
    if kind in ("FUNCTION", "PROCEDURE", "ROUTINE", "AGGREGATE"):
        at = signature_at(target)
        base, args = (target[:at], target[at + 1 :]) if at >= 0 else (target, "")
        schema, name = context.read_name(base.strip())
        signature = context.signature_from_text(args.rsplit(")", 1)[0]) if args else ""
        return f"{context.quote_qualified(context.qualify(schema, name))}({signature})"
    if kind in _NAMED_WITHOUT_SCHEMA or kind.startswith("ALL "):
        return context.quote(context.unquote(target))
    return context.quote_qualified(context.read_qualified_name(target))


def _privileges(text: str) -> tuple[str, ...]:
    out = []
    for privilege in split_top_level(text):
        privilege = _WS.sub(" ", privilege).upper()
        if privilege in ("ALL", "ALL PRIVILEGES"):
            privilege = "ALL"
        out.append(privilege)
    return tuple(sorted(set(out)))


def _grantee(text: str) -> str:
    text = text.strip().removeprefix("GROUP ").strip()
    if text.startswith('"'):
        return text
    return "PUBLIC" if text.upper() == "PUBLIC" else text.lower()


def read_grants(text: str, qualify: Callable[[str, str], str]) -> list[Grant] | None:
    """Parse GRANT / REVOKE on objects; None when the statement is another form (roles, defaults)."""
    match = GRANT.match(text)
    revoke = False
    if match is None:
        match = REVOKE.match(text)
        revoke = True
    if match is None:
        return None
    kind = _WS.sub(" ", (match.group("kind") or "TABLE").upper())
    privileges = _privileges(match.group("privileges"))
    grant_option = bool(match.group("option"))
    out = []
    for target in split_top_level(match.group("objects")):
        canonical = qualify(kind, target)
        for grantee in split_top_level(match.group("grantees")):
            out.append(
                Grant(
                    kind=kind,
                    target=canonical,
                    grantee=_grantee(grantee),
                    privileges=privileges,
                    grant_option=grant_option,
                    revoke=revoke,
                )
            )
    return out


class PrivilegeSet:
    """Privileges per (kind, object, grantee), with grant options, as GRANT and REVOKE leave them."""

    def __init__(self) -> None:
        self.held: dict[tuple[str, str, str], dict[str, bool]] = {}

    def apply(self, grant: Grant) -> None:
        key = (grant.kind, grant.target, grant.grantee)
        held = self.held.setdefault(key, {})
        for privilege in grant.privileges:
            if grant.revoke:
                if privilege == "ALL":
                    if grant.grant_option:
                        held.update(dict.fromkeys(held, False))
                    else:
                        held.clear()
                elif grant.grant_option:
                    if privilege in held:
                        held[privilege] = False
                else:
                    held.pop(privilege, None)
            else:
                held[privilege] = held.get(privilege, False) or grant.grant_option
        if not held:
            del self.held[key]

    def statements(self) -> dict[str, str]:
        """Canonical GRANT statements by object name `KIND target TO grantee`."""
        out = {}
        for (kind, target, grantee), held in sorted(self.held.items()):
            with_option = sorted(p for p, option in held.items() if option)
            plain = sorted(p for p, option in held.items() if not option)
            parts = []
            if plain:
                parts.append(f"GRANT {', '.join(plain)} ON {kind} {target} TO {grantee};")
            if with_option:
                parts.append(
                    f"GRANT {', '.join(with_option)} ON {kind} {target} TO {grantee} WITH GRANT OPTION;"
                )
            out[f"{kind.lower()} {target} to {grantee}"] = "\n".join(parts)
        return out
