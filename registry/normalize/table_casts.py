"""A table's stored expressions with the casts PostgreSQL inserts, once the types of its columns are known.

Statements compile without the model (compile.py, cached by text alone), so the expressions they yield
cannot know that `lower(name)` is on a varchar column. Once the script is applied, each table's index keys
and predicates, CHECK constraints, generated columns and defaults are typed with its columns' types (typing.py) and
printed again where that made a cast explicit; an expression the resolver cannot type is left as it was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import ConstraintKind, Definition, Kind, Schema, Table
from schemareg.normalize.context import Context
from schemareg.normalize.patterns import split_top_level
from schemareg.normalize.rules import TABLE_RULES
from schemareg.normalize.signatures import COLUMN_TYPES, Signature
from schemareg.normalize.text import balanced, is_function_call
from schemareg.normalize.typing import Functions, Resolver, number_type
from schemareg.render import quote_qualified

_MODIFIERS = lazy_compile(r"\((.*)\)$")
_DOMAIN_BASE = lazy_compile(
    r"CREATE DOMAIN \S+ AS (.+?)(?: (?:COLLATE|DEFAULT|NOT NULL|CONSTRAINT|CHECK)\b.*)?$", re.DOTALL
)
_CHECK = lazy_compile(r"^CHECK \((.*)\)((?: NOT VALID| NO INHERIT)*)$", re.DOTALL)
_RETURNS = lazy_compile(r"\bRETURNS\s+(\w+(?: PRECISION| VARYING)?)", re.IGNORECASE)
_ARGUMENTS = lazy_compile(r"^(.*)\((.*)\)$", re.DOTALL)
_WORD = lazy_compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_NUMBER = lazy_compile(r"(?<![\w.])\d+(?![\w.])")  # an integer constant (a decimal has its `.`)
_PLAIN = lazy_compile(r'\w+|"(?:[^"]|"")+"')  # a column: `((tx)::text)` of a text column is an index on tx
_MAY_CAST = ("'", '"', ".", "CAST(")
_TEXTUAL = {"varchar", "bpchar"}
_PLAIN_TEXT = ("text", "varchar")  # a cast to text of such a column is one PostgreSQL inserts
# A constant alone (a default's `''`, `'{}'`, a serial's nextval): no context gives it another type.
_CONSTANT = lazy_compile(
    r"'(?:[^']|'')*'|-?[\d.]+|NULL|TRUE|FALSE|NEXTVAL\(CAST\('(?:[^']|'')*' AS REGCLASS\)\)"
)


_MEMO_ENTRIES = 50_000
_Overloads = tuple[tuple[str, tuple[Signature, ...]], ...]  # hashable user_functions(), for the cache


@cache
def _context() -> Context:
    return Context("postgres")


@cache
def column_type(spelling: str) -> str | None:
    """The type (signatures.py) of a column's canonical type text; an array of a built-in type is named
    by its spelling without modifiers (`VARCHAR[]`); None for other types."""
    if spelling.endswith("[]"):
        element = _MODIFIERS.sub("", spelling[:-2])
        return f"{element}[]" if element in COLUMN_TYPES and not element.endswith("[]") else None
    return COLUMN_TYPES.get(_MODIFIERS.sub("", spelling))


def resolve_table_casts(schema: Schema, memo: dict[tuple[object, ...], str] | None = None) -> None:
    """Type every table's stored expressions; `memo` keeps the results (by text and the types the text
    names) across normalisations, so a schema normalised again types almost nothing again."""
    if schema.dialect != "postgres":
        return
    functions = tuple(sorted((name, tuple(overloads)) for name, overloads in user_functions(schema).items()))
    named = named_types(schema)
    for table in schema.tables():
        typed = _TableTypes(table, named, functions, memo)
        for index in table.indexes:
            if index.definition.startswith("USING ") and (not index.columns or " WHERE " in index.definition):
                index.definition = typed.retyped("index", index.definition)
        for constraint in table.constraints:
            if constraint.kind is ConstraintKind.CHECK:
                constraint.definition = typed.retyped("check", constraint.definition)
            elif constraint.kind is ConstraintKind.EXCLUDE and " WHERE (" in constraint.definition:
                constraint.definition = typed.retyped("exclude", constraint.definition)
        for column in table.columns:
            if column.generated:
                column.generated = typed.retyped("expression", column.generated)
            if column.default and "'" in column.default:
                column.default = typed.retyped("expression", column.default)


class _TableTypes:
    """A table's column types, read on first use (most tables have no expression to type)."""

    def __init__(
        self,
        table: Table,
        named: Mapping[str, str],
        functions: _Overloads,
        memo: dict[tuple[object, ...], str] | None,
    ) -> None:
        self.table = table
        self.named = named
        self.functions = functions
        self.memo = memo
        self._types: dict[str, tuple[str, str]] | None = None  # column -> (type, its modifiers)

    def retyped(self, kind: str, text: str) -> str:
        if _CONSTANT.fullmatch(text):
            return text  # most defaults: checked before the cache, whose key costs more
        if self._types is None:
            self._types = {}
            for column in self.table.columns:
                known = self.named.get(column.type) or column_type(column.type)
                if known is not None:
                    modifiers = _MODIFIERS.search(column.type) if not known.endswith("[]") else None
                    self._types[column.name] = (
                        known,
                        modifiers.group(1).replace(" ", "") if modifiers else "",
                    )
        types = self._types
        columns = tuple((w, *types[w]) for w in sorted(set(_WORD.findall(text))) if w in types)
        if self.memo is None:
            return _retyped(kind, text, columns, self.table.name, self.functions)
        # The table's name matters only to a column qualified with it: without a dot, every table with
        # the same types for the columns the text names shares the result (1,000 tables' `amount >= 0`).
        key = (kind, text, columns, self.table.name if "." in text else "", self.functions)
        known = self.memo.get(key)
        if known is None:
            if len(self.memo) >= _MEMO_ENTRIES:
                self.memo.clear()
            known = self.memo[key] = _retyped(kind, text, columns, self.table.name, self.functions)
        return known


def _retyped(
    kind: str, text: str, columns: tuple[tuple[str, str, str], ...], table: str, functions: _Overloads
) -> str:
    """An index definition, a CHECK or an expression typed with the types of the columns it names."""
    typer = _Typer({c: t for c, t, _ in columns}, {c: m for c, _, m in columns if m}, table, dict(functions))
    if kind == "index":
        return typer.index(text)
    if kind == "exclude":  # `EXCLUDE USING gist(...) WHERE (predicate)`: its predicate, as an index's
        head, _, rest = text.partition(" WHERE (")
        close = balanced(rest, 0)
        return f"{head} WHERE ({typer.predicate(rest[:close])}){rest[close + 1 :]}"
    if kind == "check":
        check = _CHECK.match(text)
        if check is None:
            return text
        return f"CHECK ({typer.expression(check.group(1))}){check.group(2)}"
    return typer.expression(text)


def named_types(schema: Schema) -> dict[str, str]:
    """The schema's enum types and domains, spelt as a column's type spells them (`public.mood`), each
    with the type the resolver gives its values: an enum is its own (a literal compared with it takes its
    type, as with a built-in one), a domain is its base type where that is one the resolver knows (an
    operator or a function takes a domain's value as its base type's)."""
    named: dict[str, str] = {}
    for key, obj in schema.objects.items():
        if not isinstance(obj, Definition) or obj.opaque:
            continue
        spelling = quote_qualified(key.name, schema.dialect)
        if key.kind is Kind.TYPE and " AS ENUM " in obj.sql:
            named[spelling] = spelling
        elif key.kind is Kind.DOMAIN:
            base = _DOMAIN_BASE.match(obj.sql)
            known = column_type(base.group(1)) if base else None
            if known is not None:
                named[spelling] = known
    return named


def user_functions(schema: Schema) -> Functions:
    """The schema's functions by qualified name, each with its overloads; a function with an argument or
    result of a type the resolver does not know is left out (its calls are then kept as written)."""
    found: dict[str, list[Signature]] = {}
    unknown: set[str] = set()
    for obj in schema.objects.values():
        if not isinstance(obj, Definition) or obj.kind is not Kind.FUNCTION or obj.opaque:
            continue
        head = _ARGUMENTS.match(obj.name)
        returns = _RETURNS.search(obj.sql)
        if head is None:
            continue
        name = f"{obj.schema}.{head.group(1)}"
        types = [column_type(a.strip().upper()) for a in split_top_level(head.group(2))]
        result = column_type(returns.group(1).upper()) if returns else None
        if result is None or any(t is None for t in types):
            unknown.add(name)
            continue
        found.setdefault(name, []).append((tuple(t for t in types if t is not None), result))
    return {name: overloads for name, overloads in found.items() if name not in unknown}


class _Typer:
    """One table's expressions, typed and printed again."""

    def __init__(
        self, columns: dict[str, str], modifiers: dict[str, str], table: str, functions: Functions
    ) -> None:
        self.columns = columns
        self.modifiers = modifiers
        self.table = table
        self.functions = functions

    def expression(self, text: str) -> str:
        """A CHECK's, a generated column's or a default's expression typed, without the casts to text that
        PostgreSQL inserts on a text or varchar column (its `(status)::text = 'x'::text` is `status = 'x'`);
        a cast of a column of another type is part of the expression (`length((d)::text)`)."""
        node = self.typed(text, plain_text=True)
        return text if node is None else _context().expression(node, TABLE_RULES)

    def predicate(self, text: str) -> str:
        """An index predicate typed; its casts are PostgreSQL's, as the keys' are."""
        node = self.typed(text)
        return text if node is None else _context().expression(node, TABLE_RULES)

    def worth_typing(self, text: str) -> bool:
        """Whether an expression may take a cast: where it names values of one type only, none of which is
        varchar or char (text functions cast those), no literal, cast or qualified name, it takes none.
        Most stored expressions are such (`is_deleted = TRUE`, `a IS NOT NULL`), and parsing costs."""
        if _CONSTANT.fullmatch(text):
            return False
        if any(mark in text for mark in _MAY_CAST):
            return True
        columns = self.columns
        kinds = {columns[w] for w in _WORD.findall(text) if w in columns}
        kinds.update(number_type(n) for n in _NUMBER.findall(text))
        return len(kinds) > 1 or bool(kinds & _TEXTUAL)

    def typed(self, text: str, *, plain_text: bool = False) -> exp.Expression | None:
        """The expression with its casts made explicit (and with `plain_text`, a text or varchar column's
        cast to text dropped), or None where that changed nothing."""
        if not self.worth_typing(text):
            return None
        try:
            select = _context().parse(f"SELECT {text}")
        except Exception:
            return None
        if not isinstance(select, exp.Select) or len(select.expressions) != 1:
            return None
        node = select.expressions[0]
        resolver = Resolver(self.columns, self.table, self.functions, self.modifiers)
        resolver.type_of(node)
        dropped = plain_text and self.drop_text_casts(node)
        return select.expressions[0] if resolver.changed or dropped else None

    def drop_text_casts(self, node: exp.Expression) -> bool:
        """Drop `(c)::text` where c is this table's text or varchar column; whether any was dropped."""
        dropped = False
        for cast in list(node.find_all(exp.Cast)):
            target, inner = cast.to, cast.this
            while isinstance(inner, exp.Paren):
                inner = inner.this
            if (
                target is not None
                and target.this == exp.DataType.Type.TEXT
                and not target.expressions
                and not isinstance(cast.parent, exp.Collate)
                and isinstance(inner, exp.Column)
                and isinstance(inner.this, exp.Identifier)
                and inner.table in ("", self.table)
                and self.columns.get(inner.name) in _PLAIN_TEXT
            ):
                cast.replace(inner)
                dropped = True
        return dropped

    def index(self, definition: str) -> str:
        """An index definition (`USING method (keys) ... [WHERE predicate]`), its keys and predicate typed."""
        if not self.worth_typing(definition[6:]):
            return definition
        start = definition.find("(")
        if start < 0:
            return definition
        end = balanced(definition, start + 1)
        keys = ", ".join(self.key(k) for k in split_top_level(definition[start + 1 : end]))
        rest = definition[end + 1 :]
        where = rest.find(" WHERE ")
        if where >= 0:
            rest = rest[: where + 7] + self.predicate(rest[where + 7 :])
        return f"{definition[: start + 1]}{keys}){rest}"

    def key(self, text: str) -> str:
        """One index key (`expr [opclass] [DESC] [NULLS ...]`), its expression typed."""
        if text.startswith("("):
            end = balanced(text, 1)
            expression, rest = text[1:end], text[end + 1 :]
        else:
            call = re.match(r"[\w.\"]+\(", text)
            if call is None:
                return text
            end = balanced(text, call.end())
            expression, rest = text[: end + 1], text[end + 1 :]
        node = self.typed(expression)
        if node is None:
            return text
        printed = _context().expression(node, TABLE_RULES)
        if not _PLAIN.fullmatch(printed) and not is_function_call(printed):
            printed = f"({printed})"
        return printed + rest
