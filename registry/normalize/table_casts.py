"""A table's stored expressions with the casts PostgreSQL inserts, once the types of its columns are known.

Statements compile without the model (compile.py, cached by text alone), so the expressions they yield
cannot know that `lower(name)` is on a varchar column. Once the script is applied, each table's index keys
and predicates, CHECK constraints, generated columns and defaults are typed with its columns' types (typing.py) and
printed again where that made a cast explicit; an expression the resolver cannot type is left as it was.
"""

from __future__ import annotations

import re
from functools import cache

from sqlglot import exp

from schemareg.model import ConstraintKind, Definition, Kind, Schema, Table
from schemareg.normalize.context import Context
from schemareg.normalize.patterns import balanced, split_top_level
from schemareg.normalize.rules import EXPRESSION_RULES, INDEX_RULES, Rule
from schemareg.normalize.signatures import COLUMN_TYPES, Signature
from schemareg.normalize.text import is_function_call
from schemareg.normalize.typing import Functions, Resolver

_MODIFIERS = re.compile(r"\(.*\)$")
_CHECK = re.compile(r"^CHECK \((.*)\)((?: NOT VALID| NO INHERIT)*)$", re.DOTALL)
_RETURNS = re.compile(r"\bRETURNS\s+(\w+(?: PRECISION| VARYING)?)", re.IGNORECASE)
_ARGUMENTS = re.compile(r"^(.*)\((.*)\)$", re.DOTALL)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DIGIT = re.compile(r"\d")
_MAY_CAST = ("'", '"', ".", "CAST(")
_TEXTUAL = {"varchar", "bpchar"}
# A constant alone (a default's `''`, `'{}'`, a serial's nextval): no context gives it another type.
_CONSTANT = re.compile(
    r"'(?:[^']|'')*'|-?[\d.]+|NULL|TRUE|FALSE|NEXTVAL\(CAST\('(?:[^']|'')*' AS REGCLASS\)\)"
)


@cache
def _context() -> Context:
    return Context("postgres")


@cache
def column_type(spelling: str) -> str | None:
    """The type (signatures.py) of a column's canonical type text; None for arrays and other types."""
    return COLUMN_TYPES.get(_MODIFIERS.sub("", spelling))


def resolve_table_casts(schema: Schema) -> None:
    if schema.dialect != "postgres":
        return
    functions = user_functions(schema)
    for table in schema.tables():
        typer = _Typer(table, functions)
        _index_expressions(table, typer)
        for constraint in table.constraints:
            if constraint.kind is ConstraintKind.CHECK:
                check = _CHECK.match(constraint.definition)
                if check is not None:
                    body = typer.expression(check.group(1), EXPRESSION_RULES)
                    constraint.definition = f"CHECK ({body}){check.group(2)}"
        for column in table.columns:
            if column.generated:
                column.generated = typer.expression(column.generated, EXPRESSION_RULES)
            if column.default and "'" in column.default:
                column.default = typer.expression(column.default, EXPRESSION_RULES)


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

    def __init__(self, table: Table, functions: Functions) -> None:
        self.table = table
        self.functions = functions
        self._columns: dict[str, str] | None = None

    @property
    def columns(self) -> dict[str, str]:
        if self._columns is None:  # most tables have no expression to type: built on first use
            types = ((c.name, column_type(c.type)) for c in self.table.columns)
            self._columns = {name: kind for name, kind in types if kind is not None}
        return self._columns

    def expression(self, text: str, rules: tuple[Rule, ...]) -> str:
        node = self.typed(text)
        return text if node is None else _context().expression(node, rules)

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
        if _DIGIT.search(text):
            kinds.add("int4")
        return len(kinds) > 1 or bool(kinds & _TEXTUAL)

    def typed(self, text: str) -> exp.Expression | None:
        """The expression with its casts made explicit, or None where that changed nothing."""
        if not self.worth_typing(text):
            return None
        try:
            select = _context().parse(f"SELECT {text}")
        except Exception:
            return None
        if not isinstance(select, exp.Select) or len(select.expressions) != 1:
            return None
        node = select.expressions[0]
        resolver = Resolver(self.columns, self.table.name, self.functions)
        resolver.type_of(node)
        return select.expressions[0] if resolver.changed else None

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
        printed = _context().expression(node, INDEX_RULES)
        if not isinstance(node, exp.Column) and not is_function_call(printed):
            printed = f"({printed})"
        return printed + rest


def _index_expressions(table: Table, typer: _Typer) -> None:
    for index in table.indexes:
        definition = index.definition
        if (index.columns and " WHERE " not in definition) or not definition.startswith("USING "):
            continue
        if not typer.worth_typing(definition[6:]):
            continue
        start = definition.find("(")
        if start < 0:
            continue
        end = balanced(definition, start + 1)
        keys = ", ".join(typer.key(k) for k in split_top_level(definition[start + 1 : end]))
        rest = definition[end + 1 :]
        where = rest.find(" WHERE ")
        if where >= 0:
            predicate = typer.expression(rest[where + 7 :], INDEX_RULES)
            rest = rest[: where + 7] + predicate
        index.definition = f"{definition[: start + 1]}{keys}){rest}"
