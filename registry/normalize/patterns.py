"""Statements read by pattern: functions and procedures (a canonical text read from the statement's parts,
whatever order they came in), triggers, policies, domains and extensions.

sqlglot knows only some routine forms (unnamed arguments, many attributes and bodies fall back to
`Command`), so routines are read here: arguments and return types by sqlglot's type parser, attributes
by patterns, and the body kept byte for byte. Defaults (VOLATILE, CALLED ON NULL INPUT, SECURITY INVOKER,
PARALLEL UNSAFE, COST 100) are left out, so pg_dump's output and a hand-written script agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind
from schemareg.names import PG_CATALOG_TYPES, collation, join_key, make_object_name, needs_quotes
from schemareg.normalize.dialects import sqlglot_dialect
from schemareg.normalize.guc import canonical_setting
from schemareg.normalize.signature_types import signature_spelling, unmodified
from schemareg.normalize.text import (
    balanced,
    keeps_modifiers,
    postgres_type_spelling,
    split_dotted,
    string_value,
)
from schemareg.normalize.type_grammar import MARKER, catalog_array_text, name_extension_types, prepare_types
from schemareg.render import default_clause, literal, quote, quote_qualified

_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_QNAME = rf"{_IDENT}(?:\s*\.\s*{_IDENT})?"
ROUTINE_HEAD = lazy_compile(
    rf"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?P<kind>FUNCTION|PROCEDURE)\s+(?P<name>{_QNAME})\s*\(",
    re.IGNORECASE,
)
_BODY = lazy_compile(
    r"\bAS\s+(?P<body>(?<![\w$])\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$|'(?:[^']|'')*')"
    r"(?:\s*,\s*(?P<link>'(?:[^']|'')*'))?",
    re.IGNORECASE | re.DOTALL,
)
_ATOMIC = lazy_compile(r"\bBEGIN\s+ATOMIC\b.*\bEND\b|\bRETURN\b.*$", re.IGNORECASE | re.DOTALL)
_STOP = (
    r"(?=\s+(?:LANGUAGE|IMMUTABLE|STABLE|VOLATILE|STRICT|CALLED|RETURNS\s+NULL|SECURITY|EXTERNAL|LEAKPROOF|NOT"
    r"|PARALLEL|COST|ROWS|SET|WINDOW|AS|SUPPORT|TRANSFORM|BEGIN|RETURN)\b|\s*$)"
)
_RETURNS = lazy_compile(rf"\bRETURNS\s+(?!NULL\b)(?P<type>.+?){_STOP}", re.IGNORECASE | re.DOTALL)
_LANGUAGE = lazy_compile(
    r"""\bLANGUAGE\s+['"]?(?P<lang>[A-Za-z_]\w*)['"]?""", re.IGNORECASE
)  # 'sql', "plpgsql" too
_SET = lazy_compile(
    r"\bSET\s+(?P<setting>\w+(?:\.\w+)?\s*(?:=|\bTO\b)\s*.+?|\w+\s+FROM\s+CURRENT)" + _STOP, re.I
)
_WS = lazy_compile(r"\s+")
# An argument's default begins at its first DEFAULT or `=` outside a quoted name (`a "we=ird"` has none).
_ARGUMENT_DEFAULT = lazy_compile(r'"(?:[^"]|"")*"|(?P<default>\s+DEFAULT\s+|\s*=\s*)', re.IGNORECASE)
_ARGUMENT_NAME = lazy_compile(r'\s*("(?:[^"]|"")+"|\S+)\s*(.*)$', re.DOTALL)
_NAMED_TYPE = lazy_compile(r"(.*?)\s*(\([^()]*\))?((?:\s*\[\s*\d*\s*\])*)", re.DOTALL)
_SINGLE_NAME = lazy_compile(rf"{_QNAME}(?:\s*\[\s*\d*\s*\])*")
_QUALIFIED_NAME = lazy_compile(rf"{_IDENT}\s*\.\s*{_IDENT}(?:\s*\[\s*\d*\s*\])*")
# The trigger functions of pg_catalog: an unqualified call names these, never one of the default schema.
_CATALOG_TRIGGER_FUNCTIONS = frozenset(
    {"suppress_redundant_updates_trigger", "tsvector_update_trigger", "tsvector_update_trigger_column"}
)
# PostgreSQL's multi-word types sqlglot does not read: BIT VARYING, INTERVAL with fields and precision.
_UNREAD_TYPES = lazy_compile(
    r"(?:bit\s+varying|interval(?:\s+(?:year|month|day|hour|minute|second)(?:\s+to\s+\w+)?)?)"
    r"(?:\s*\(\s*\d+\s*\))?(?:\s*\[\s*\d*\s*\])*",
    re.IGNORECASE,
)


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split at separators outside brackets and quotes."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    quote_char = ""
    while i < len(text):
        ch = text[i]
        if quote_char:
            if ch == quote_char:
                quote_char = ""
        elif ch in "'\"":
            quote_char = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


class RoutineReader:
    def __init__(
        self,
        dialect: str,
        default_schema: str,
        read_name: Callable[[str], tuple[str, str]],
        expression: Callable[..., str],
    ) -> None:
        self.dialect = dialect
        self.default_schema = default_schema
        self.read_name = read_name
        self.expression = expression
        self._types: dict[str, str] = {}
        self._is_type: dict[str, bool] = {}

    def type_name(self, text: str) -> str:
        text = _WS.sub(" ", text.strip())
        cached = self._types.get(text)
        if cached is not None:
            return cached
        result: str
        if text[:1] in "nN" and MARKER not in (plain := prepare_types(text)):
            text = plain  # `national character varying(3)` is `varchar(3)`, `nchar` is `char`
        if self.dialect == "postgres" and "_" in text:
            text = catalog_array_text(text)  # `_int4` is `int4[]`
        if "." in text and _QUALIFIED_NAME.fullmatch(text):
            result = self._named_type(text)  # a schema's type: sqlglot reads `text.mood` as TEXT
        else:
            try:
                built = exp.DataType.build(text, dialect=sqlglot_dialect(self.dialect))
                if self.dialect == "postgres" and name_extension_types(built):
                    self._types[text] = result = self._named_type(text)  # `vector(3)`: the extension's
                    return result
                result = built.sql(self.dialect)
                if not keeps_modifiers(text, result):
                    # sqlglot: `bit varying(5)` is BIT, `interval(2)` INTERVAL 2
                    result = postgres_type_spelling(text)
            except (SqlglotError, ValueError):
                single = _SINGLE_NAME.fullmatch(text)
                result = self._named_type(text) if single else postgres_type_spelling(text)
        self._types[text] = result
        return result

    def signature_type(self, text: str) -> str:
        """A routine's argument or result type, as PostgreSQL keeps it: without modifiers."""
        return signature_spelling(self.type_name(unmodified(text)))

    def _named_type(self, text: str) -> str:
        """A type named by a (qualified) name, with its array brackets."""
        base, modifiers, brackets = _NAMED_TYPE.fullmatch(text).groups()  # type: ignore[union-attr]
        schema, name = self.read_name(base)
        if "." in base or (self.dialect == "postgres" and name not in PG_CATALOG_TYPES):
            result = quote_qualified(join_key(schema, name), self.dialect)
        else:
            result = quote(name, self.dialect)
        if modifiers:  # a user type's own, as written (`vector(3)`)
            result += "(" + ", ".join(m.strip() for m in split_top_level(modifiers[1:-1])) + ")"
        return result + brackets.replace(" ", "")

    def is_type(self, text: str) -> bool:
        """Whether the whole text is a type (`double precision`), not a name and a type (`name varchar`).

        sqlglot's DataType.build reads a prefix and drops the rest (`name character varying` is NAME), so
        the text must parse whole, as a cast's target; PostgreSQL's own multi-word types that sqlglot does
        not read at all (`bit varying(5)`, `interval day to second(2)`) are recognised by pattern.
        """
        text = text.strip()
        if _SINGLE_NAME.fullmatch(text) or _UNREAD_TYPES.fullmatch(text):
            return True
        known = self._is_type.get(text)
        if known is None:
            try:
                sqlglot.parse_one(f"SELECT CAST(NULL AS {text})", read=sqlglot_dialect(self.dialect))
                known = True
            except (SqlglotError, ValueError):
                known = False
            self._is_type[text] = known
        return known

    def argument(self, text: str) -> tuple[str, str, str]:
        """(mode, rendered argument, identity type or '' when not part of the identity)."""
        mode, rendered, identity, _ = self._argument(text)
        return mode, rendered, identity

    def _argument(self, text: str) -> tuple[str, str, str, str]:
        """(mode, rendered argument, identity type or '', the argument's type)."""
        default = None
        m = next((m for m in _ARGUMENT_DEFAULT.finditer(text) if m.group("default")), None)
        if m:
            text, default = text[: m.start()], text[m.end() :]
        words = text.split(None, 1)
        mode = "IN"
        if words and words[0].upper() in ("IN", "OUT", "INOUT", "VARIADIC"):
            mode = words[0].upper()
            text = words[1] if len(words) > 1 else ""
        name = ""
        if not self.is_type(text):
            # Any blank (a tab, a line break) separates the name from its type.
            named = _ARGUMENT_NAME.match(text)
            first, text = (named.group(1), named.group(2)) if named else (text.strip(), "")
            name = first[1:-1].replace('""', '"') if first.startswith('"') else first.lower()
        type_text = self.signature_type(text)
        parts = [] if mode == "IN" else [mode]
        if name:
            parts.append(quote(name, self.dialect))
        parts.append(type_text)
        if default is not None:
            parts.append(f"DEFAULT {self.expression(default)}")
        identity = "" if mode == "OUT" else type_text
        return mode, " ".join(parts), identity, type_text

    def read(self, text: str) -> Definition | None:
        head = ROUTINE_HEAD.match(text)
        if head is None:
            return None
        kind = Kind.PROCEDURE if head.group("kind").upper() == "PROCEDURE" else Kind.FUNCTION
        schema, name = self.read_name(head.group("name"))
        close = balanced(text, head.end())
        arguments = [self._argument(a) for a in split_top_level(text[head.end() : close])]
        rest = text[close + 1 :]
        body_match = _BODY.search(rest)
        body = ""
        if body_match:
            body = body_match.group("body")
            if body.startswith("'"):
                body = _dollar_quote(body[1:-1].replace("''", "'"))
            else:
                tag = body_match.group("tag")
                body = _dollar_quote(body[len(tag) + 2 : -(len(tag) + 2)])
            if body_match.group("link"):
                body += ", " + body_match.group("link")
            rest = rest[: body_match.start()] + " " + rest[body_match.end() :]
        else:
            atomic = _ATOMIC.search(rest)
            if atomic:
                body = _WS.sub(" ", atomic.group(0).strip().rstrip(";"))
                rest = rest[: atomic.start()]
                if body[:6].upper() == "RETURN" and body[6:7].isspace():
                    # `RETURN i + 1`, which PostgreSQL prints `RETURN (i + 1)`: the expression, canonical
                    body = f"RETURN {self.expression(body[7:])}"
        rest = _WS.sub(" ", rest).strip()
        clauses: list[str] = []
        returns = _RETURNS.search(rest)
        if returns:
            clauses.append(f"RETURNS {self._returns(returns.group('type'))}")
        elif kind is Kind.FUNCTION:
            outs = [a for a in arguments if a[0] in ("OUT", "INOUT")]
            if len(outs) == 1:
                clauses.append(f"RETURNS {outs[0][3]}")
            elif outs:
                clauses.append("RETURNS record")
        language = _LANGUAGE.search(rest)
        lang = language.group("lang").lower() if language else "sql"
        clauses.append(f"LANGUAGE {lang}")
        upper = rest.upper()
        for word in ("IMMUTABLE", "STABLE"):
            if re.search(rf"\b{word}\b", upper):
                clauses.append(word)
        if re.search(r"\bSTRICT\b|\bRETURNS NULL ON NULL INPUT\b", upper):
            clauses.append("STRICT")
        if re.search(r"\bSECURITY DEFINER\b", upper):
            clauses.append("SECURITY DEFINER")
        if re.search(r"(?<!NOT )\bLEAKPROOF\b", upper):
            clauses.append("LEAKPROOF")
        parallel = re.search(r"\bPARALLEL (SAFE|RESTRICTED)\b", upper)
        if parallel:
            clauses.append(f"PARALLEL {parallel.group(1)}")
        cost = re.search(r"\bCOST (\d+(?:\.\d+)?)", upper)
        if cost and cost.group(1) not in ("100", "1"):
            clauses.append(f"COST {cost.group(1)}")
        rows = re.search(r"\bROWS (\d+)", upper)
        if rows and rows.group(1) != "1000":
            clauses.append(f"ROWS {rows.group(1)}")
        if re.search(r"\bWINDOW\b", upper):
            clauses.append("WINDOW")
        settings = sorted(canonical_setting(m.group("setting")) for m in _SET.finditer(rest))
        clauses.extend(f"SET {s}" for s in settings)
        signature = ", ".join(a[2] for a in arguments if a[2])
        qualified = quote_qualified(join_key(schema, name), self.dialect)
        args_text = ", ".join(a[1] for a in arguments)
        word = "PROCEDURE" if kind is Kind.PROCEDURE else "FUNCTION"
        sql = f"CREATE {word} {qualified}({args_text}) " + " ".join(clauses)
        if body:
            sql += (" AS " if not body.upper().startswith(("BEGIN", "RETURN")) else " ") + body
        return Definition(kind=kind, schema=schema, name=f"{name}({signature})", sql=sql)

    def _returns(self, text: str) -> str:
        text = text.strip()
        m = re.match(r"TABLE\s*\((.*)\)\s*$", text, re.IGNORECASE | re.DOTALL)
        if m:
            columns = [self.argument(c)[1] for c in split_top_level(m.group(1))]
            return f"TABLE({', '.join(columns)})"
        m = re.match(r"SETOF\s+(.*)$", text, re.IGNORECASE | re.DOTALL)
        if m:
            return f"SETOF {self.signature_type(m.group(1))}"
        return self.signature_type(text)


_ROLE_KEYWORDS = frozenset({"public", "current_user", "session_user", "current_role"})


def _role(unquote: Callable[[str], str], text: str) -> str:
    """A role as canonical text: a quoted name keeps its case and quotes (`"Admin"`), a keyword stays one."""
    text = text.strip()
    if not text.startswith('"') and text.lower() in _ROLE_KEYWORDS:
        return text.lower()
    name = unquote(text)
    return name if not needs_quotes(name) else '"' + name.replace('"', '""') + '"'


def _dollar_quote(body: str) -> str:
    tag = "$$"
    n = 0
    while tag in body:
        n += 1
        tag = f"$_{n}$" if n > 1 else "$_$"
    return f"{tag}{body}{tag}"


_TRIGGER = lazy_compile(
    rf"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?P<constraint>CONSTRAINT\s+)?TRIGGER\s+(?P<name>{_IDENT})\s+"
    rf"(?P<timing>BEFORE|AFTER|INSTEAD\s+OF)\s+(?P<events>.+?)\s+ON\s+(?P<table>{_QNAME})(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_EXECUTE = lazy_compile(
    rf"\bEXECUTE\s+(?:FUNCTION|PROCEDURE)\s+(?P<function>{_QNAME})\s*\((?P<args>.*)\)\s*$", re.I | re.DOTALL
)
_POLICY = lazy_compile(
    rf"\s*CREATE\s+POLICY\s+(?P<name>{_IDENT})\s+ON\s+(?P<table>{_QNAME})(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_DOMAIN = lazy_compile(
    rf"\s*CREATE\s+DOMAIN\s+(?P<name>{_QNAME})\s+(?:AS\s+)?(?P<rest>.*)$", re.IGNORECASE | re.DOTALL
)
_DOMAIN_CLAUSE = lazy_compile(
    rf"\b(?:CONSTRAINT\s+(?P<cname>{_IDENT})\s+)?(?P<what>NOT\s+NULL|NULL|CHECK\s*\(|DEFAULT\s+|COLLATE\s+)",
    re.IGNORECASE,
)
_EXTENSION = lazy_compile(
    rf"\s*CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>{_IDENT})(?:\s+WITH)?"
    rf"(?:\s+SCHEMA\s+(?P<schema>{_IDENT}))?(?:\s+VERSION\s+\S+)?(?:\s+CASCADE)?\s*$",
    re.IGNORECASE,
)
_EVENT_ORDER = {"INSERT": 0, "DELETE": 1, "UPDATE": 2, "TRUNCATE": 3}


_BARE_WORD = lazy_compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_NUMBER = lazy_compile(r"\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?")


def _trigger_argument(text: str) -> str:
    """A trigger function's argument as PostgreSQL keeps it (a string, whatever was written: a number, a
    bare word folded to lower case, a quoted name) and prints it, a string literal."""
    if not text:
        return text
    if text[0] in "'Ee" and text.endswith("'") and (text[0] == "'" or text[1:2] == "'"):
        value = string_value(text)
    elif text.startswith('"') and text.endswith('"'):
        value = text[1:-1].replace('""', '"')
    elif _BARE_WORD.fullmatch(text):
        value = text.lower()
    elif _NUMBER.fullmatch(text):
        value = text
    else:
        return text  # not an argument PostgreSQL's grammar takes: left as written
    return literal(value)


class PatternReader:
    """Triggers, policies, domains and extensions, read by pattern, with their names qualified."""

    def __init__(self, routines: RoutineReader, unquote: Callable[[str], str]) -> None:
        self.routines = routines
        self.unquote = unquote

    def _qualified(self, text: str) -> tuple[str, str, str]:
        schema, name = self.routines.read_name(text)
        rendered = (
            quote_qualified(join_key(schema, name), self.routines.dialect)
            if schema
            else quote(name, self.routines.dialect)
        )
        return schema, name, rendered

    def trigger(self, text: str) -> Definition | None:
        m = _TRIGGER.match(text)
        if m is None:
            return None
        name = self.unquote(m.group("name"))
        schema, table, table_sql = self._qualified(m.group("table"))
        events = sorted(
            (_WS.sub(" ", e.strip()).upper() for e in re.split(r"\s+OR\s+", m.group("events"), flags=re.I)),
            key=lambda e: _EVENT_ORDER.get(e.split()[0], 9),
        )
        rest = m.group("rest")
        execute = _EXECUTE.search(rest)
        if execute is None:
            return None
        function_schema, function_name, function_sql = self._qualified(execute.group("function"))
        if function_name in _CATALOG_TRIGGER_FUNCTIONS and (
            function_schema == "pg_catalog" or "." not in execute.group("function")
        ):
            function_sql = quote(function_name, self.routines.dialect)  # pg_catalog's, as pg_dump prints it
        args = ", ".join(_trigger_argument(part.strip()) for part in split_top_level(execute.group("args")))
        rest = rest[: execute.start()]
        when = ""
        w = re.search(r"\bWHEN\s*\(", rest, re.IGNORECASE)
        if w:
            close = balanced(rest, w.end())
            when = f" WHEN ({self.routines.expression(rest[w.end() : close])})"
            rest = rest[: w.start()] + rest[close + 1 :]
        each = re.search(r"\bFOR\s+(?:EACH\s+)?(ROW|STATEMENT)\b", rest, re.IGNORECASE)
        level = each.group(1).upper() if each else "STATEMENT"
        if each:
            rest = rest[: each.start()] + rest[each.end() :]
        others = _WS.sub(" ", rest).strip()
        for default in ("NOT DEFERRABLE", "INITIALLY IMMEDIATE"):
            others = re.sub(rf"\b{default}\b", "", others, flags=re.IGNORECASE).strip()
        head = "CREATE CONSTRAINT TRIGGER" if m.group("constraint") else "CREATE TRIGGER"
        timing = _WS.sub(" ", m.group("timing").upper())
        sql = f"{head} {quote(name, self.routines.dialect)} {timing} {' OR '.join(events)} ON {table_sql}"
        if others:
            sql += f" {others}"
        sql += f" FOR EACH {level}{when} EXECUTE FUNCTION {function_sql}({args})"
        return Definition(kind=Kind.TRIGGER, schema=schema, name=join_key(table, name), sql=sql)

    def domain(self, text: str) -> Definition | None:
        """CREATE DOMAIN with its clauses in one order; an unnamed CHECK gets PostgreSQL's `<domain>_check`."""
        m = _DOMAIN.match(text)
        if m is None:
            return None
        schema, name, name_sql = self._qualified(m.group("name"))
        rest = m.group("rest").strip().rstrip(";")
        first = _DOMAIN_CLAUSE.search(rest)
        type_text = rest[: first.start()] if first else rest
        clauses: list[str] = []
        checks: list[tuple[str, str]] = []
        not_null = False
        pos = first.start() if first else len(rest)
        while pos < len(rest):
            clause = _DOMAIN_CLAUSE.match(rest, pos) or _DOMAIN_CLAUSE.search(rest, pos)
            if clause is None:
                break
            what = _WS.sub(" ", clause.group("what").upper()).strip()
            cname = self.unquote(clause.group("cname")) if clause.group("cname") else None
            if what.startswith("CHECK"):
                close = balanced(rest, clause.end())
                checks.append((cname or "", self.routines.expression(rest[clause.end() : close])))
                pos = close + 1
            elif what == "NOT NULL":
                not_null = True
                pos = clause.end()
            elif what == "NULL":
                pos = clause.end()
            else:
                following = _DOMAIN_CLAUSE.search(rest, clause.end())
                end = following.start() if following else len(rest)
                value = rest[clause.end() : end].strip()
                if what == "DEFAULT":
                    clauses.append(default_clause(self.routines.expression(value)))
                else:
                    spelled = ".".join(quote(self.unquote(part)) for part in split_dotted(value))
                    clauses.insert(0, f"COLLATE {collation(spelled)}")
                pos = end
        sql = f"CREATE DOMAIN {name_sql} AS {self.routines.type_name(type_text)}"
        sql += "".join(f" {c}" for c in clauses)
        if not_null:
            sql += " NOT NULL"
        taken: set[str] = set()
        named: list[tuple[str, str]] = []
        for cname, expression in sorted(checks, key=lambda c: (c[0] == "", c[0])):
            if not cname:
                base = make_object_name(name, None, "check")
                cname, n = base, 0
                while cname in taken:
                    n += 1
                    cname = f"{base}{n}"
            taken.add(cname)
            named.append((cname, expression))
        for cname, expression in sorted(named):  # in name order, as the catalog lists them
            sql += f" CONSTRAINT {quote(cname, self.routines.dialect)} CHECK ({expression})"
        return Definition(kind=Kind.DOMAIN, schema=schema, name=name, sql=sql)

    def extension(self, text: str) -> Definition | None:
        """CREATE EXTENSION; the default schema, versions and CASCADE are not part of the schema's shape."""
        m = _EXTENSION.match(text)
        if m is None:
            return None
        name = self.unquote(m.group("name"))
        sql = f"CREATE EXTENSION {quote(name, self.routines.dialect)}"
        # Without WITH SCHEMA, the first schema of the search path (the script's `SET search_path`); public,
        # the usual one, is not said, as introspection does not say it.
        schema = self.unquote(m.group("schema")) if m.group("schema") else self.routines.default_schema
        if schema and schema != "public":
            sql += f" WITH SCHEMA {quote(schema, self.routines.dialect)}"
        return Definition(kind=Kind.EXTENSION, schema="", name=name, sql=sql)

    def policy(self, text: str) -> Definition | None:
        m = _POLICY.match(text)
        if m is None:
            return None
        name = self.unquote(m.group("name"))
        schema, table, table_sql = self._qualified(m.group("table"))
        rest = m.group("rest")
        clauses = []
        restrictive = re.search(r"\bAS\s+RESTRICTIVE\b", rest, re.IGNORECASE)
        if restrictive:
            clauses.append("AS RESTRICTIVE")
        command = re.search(r"\bFOR\s+(ALL|SELECT|INSERT|UPDATE|DELETE)\b", rest, re.IGNORECASE)
        if command and command.group(1).upper() != "ALL":
            clauses.append(f"FOR {command.group(1).upper()}")
        roles = re.search(
            r"\bTO\s+(.+?)(?=\s+USING\b|\s+WITH\s+CHECK\b|\s*$)", rest, re.IGNORECASE | re.DOTALL
        )
        if roles:
            names = sorted(_role(self.unquote, r) for r in split_top_level(roles.group(1)))
            if names != ["public"]:
                clauses.append(f"TO {', '.join(names)}")
        for keyword, pattern in (("USING", r"\bUSING\s*\("), ("WITH CHECK", r"\bWITH\s+CHECK\s*\(")):
            found = re.search(pattern, rest, re.IGNORECASE)
            if found:
                close = balanced(rest, found.end())
                expression = self.routines.expression(rest[found.end() : close], queries=True)
                clauses.append(f"{keyword} ({expression})")
        sql = f"CREATE POLICY {quote(name, self.routines.dialect)} ON {table_sql}" + "".join(
            f" {c}" for c in clauses
        )
        return Definition(kind=Kind.POLICY, schema=schema, name=join_key(table, name), sql=sql)
