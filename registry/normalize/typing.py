"""The implicit casts PostgreSQL's parser inserts into an expression, and prints when it stores it.

`lower(name)` on a varchar column is stored as `lower((name)::text)`, `COALESCE(ts, '2000-01-01')` on a
timestamp column as `COALESCE(ts, '2000-01-01 00:00:00'::timestamp without time zone)`: the parser types
every node bottom-up, an untyped literal taking its type from its context, and coerces each argument to the
function or operator it chose (signatures.py; the choice follows PostgreSQL's "Type Conversion" chapter).
`resolve_casts` does the same on a tree, given the types of the columns it may name. Where a type is not
known (a column of another table, a function or type not in signatures.py), the node is kept as written
and so is every node that takes it, since a guess would make another expression.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from sqlglot import exp

from schemareg.normalize.literals import boolean_value
from schemareg.normalize.signatures import (
    ANY_NONARRAY,
    CAST_TYPES,
    CATEGORY,
    COMPARISON,
    FUNCTION_NODES,
    FUNCTIONS,
    IMPLICIT,
    NAMED_OPERATORS,
    OPERATORS,
    PG_NAME,
    PREFERRED,
    UNKNOWN,
    Signature,
)

Types = Mapping[str, str]  # column name -> type (signatures.py names)
Functions = Mapping[str, Sequence[Signature]]  # qualified user function -> its overloads

_INT4_MAX = 2**31 - 1
_INT8_MAX = 2**63 - 1
_COMMON_TYPE = (exp.Coalesce, exp.Greatest, exp.Least)
# `@>`, `<@`, `&&` (jsonb or arrays), `#>`, `#>>`, `?`, `?|`, `?&` (jsonb): Resolver._container, and views'
# (view_containers.py).
CONTAINERS = (
    exp.ArrayContainsAll, exp.ArrayContainedBy, exp.ArrayOverlaps, exp.JSONBExtract, exp.JSONBExtractScalar,
    exp.JSONBContainsTopKey, exp.JSONBContainsAnyTopKeys, exp.JSONBContainsAllTopKeys,
)  # fmt: skip


def resolve_casts(
    node: exp.Expression,
    columns: Types,
    table: str = "",
    functions: Functions | None = None,
    modifiers: Mapping[str, str] | None = None,
) -> exp.Expression:
    """`node` with the casts PostgreSQL inserts made explicit, and casts to the type a value has already
    dropped (PostgreSQL does not store those). `table` is the name the columns may be qualified with."""
    wrapper = exp.Paren(this=node)  # a parent, so that the root may be replaced too
    Resolver(columns, table, functions, modifiers).type_of(node)
    typed: exp.Expression = wrapper.this
    return typed


class Resolver:
    """Types an expression bottom-up; `changed` says whether it made a cast explicit or dropped one."""

    def __init__(
        self,
        columns: Types,
        table: str = "",
        functions: Functions | None = None,
        modifiers: Mapping[str, str] | None = None,
    ) -> None:
        self.columns = columns
        self.table = table
        self.functions = functions or {}
        self.modifiers = modifiers or {}  # column -> its type's length or precision, `20`, `10,2`
        self.changed = False

    def type_of(self, node: exp.Expression) -> str | None:
        """The node's type (None: not known), after making the casts inside it explicit."""
        if isinstance(node, exp.Literal):
            return UNKNOWN if node.is_string else number_type(str(node.this))
        if isinstance(node, exp.Null):
            return UNKNOWN
        if isinstance(node, exp.Boolean):
            return "bool"
        if isinstance(node, exp.Column):
            if (node.table and node.table != self.table) or not isinstance(node.this, exp.Identifier):
                return None
            return self.columns.get(node.name)
        if isinstance(node, exp.Paren):
            return self.type_of(node.this)
        if isinstance(node, exp.Cast):
            return self._cast(node)
        if isinstance(node, exp.Neg):
            inner = self.type_of(node.this)
            return inner if inner is not None and CATEGORY.get(inner) == "N" else None
        if isinstance(node, exp.And | exp.Or | exp.Not | exp.Is):
            self._each(node)
            return "bool"
        if isinstance(node, exp.In):
            return self._in(node)
        if isinstance(node, exp.Binary) and type(node) in OPERATORS:
            return self._call(OPERATORS[type(node)], [node.this, node.expression], operator=True)
        if isinstance(node, exp.Operator) and str(node.args.get("operator")) in NAMED_OPERATORS:
            signatures = NAMED_OPERATORS[str(node.args.get("operator"))]
            return self._call(signatures, [node.this, node.expression], operator=True)
        if isinstance(node, _COMMON_TYPE):
            return self._common(node, [node.this, *node.expressions])
        if isinstance(node, CONTAINERS):
            return self._container(node)
        if isinstance(node, exp.JSONExtract | exp.JSONExtractScalar):
            self._each(node)
            base = self.type_of(node.this)
            if base not in ("json", "jsonb"):
                return None
            return "text" if isinstance(node, exp.JSONExtractScalar) else base
        return self._function(node)

    def _container(self, node: exp.Expression) -> str | None:
        """jsonb's and arrays' operators: `j @> '{...}'` takes jsonb, `a && '{x}'` the array's type, `j #>>
        '{a,b}'` and `j ?| ...` text[], `j ? 'k'` text, an untyped literal on either side cast to it."""
        left, right = node.this, node.expression
        have = [self.type_of(left), self.type_of(right)]
        if isinstance(node, exp.JSONBExtract | exp.JSONBExtractScalar):
            if have[0] not in ("json", "jsonb"):
                return None
            if have[1] == UNKNOWN:
                self._coerce(right, "TEXT[]")
            return "text" if isinstance(node, exp.JSONBExtractScalar) else have[0]
        if isinstance(
            node, exp.JSONBContainsTopKey | exp.JSONBContainsAnyTopKeys | exp.JSONBContainsAllTopKeys
        ):
            if have[0] != "jsonb":
                return None
            if have[1] == UNKNOWN and not isinstance(node, exp.JSONBContainsTopKey):
                self._coerce(right, "TEXT[]")
            return "bool"
        typed = [t for t in have if t not in (None, UNKNOWN)]
        if len(typed) != 1 or not (typed[0] == "jsonb" or typed[0].endswith("[]")):
            return "bool"  # both sides typed already, or a type not known here: nothing to cast
        for side, kind in zip((left, right), have, strict=True):
            if kind == UNKNOWN:
                self._coerce(side, typed[0])
        return "bool"

    def _each(self, node: exp.Expression) -> list[str | None]:
        return [self.type_of(child) for child in _children(node)]

    def _cast(self, cast: exp.Cast) -> str | None:
        inner = self.type_of(cast.this)
        target = cast.to
        kind = CAST_TYPES.get(target.this) if target is not None else None
        if kind is None or target is None:
            return kind
        if (
            inner == kind
            and _modifiers(target) == self._modifiers_of(cast.this)
            and not isinstance(cast.this, exp.Literal | exp.Null)
        ):
            # a cast to the type and length a value has is no cast (`(v)::varchar` of a varchar(20) column
            # is one: it drops the length); its parentheses stay for strip_parens to judge:
            # `(payload ->> 'a')::text COLLATE "C"` collates the result
            cast.replace(exp.Paren(this=cast.this))
            self.changed = True
        return kind

    def _modifiers_of(self, node: exp.Expression) -> str:
        """The length or precision of a value's type (`20` of a varchar(20) column), "" for none."""
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, exp.Cast) and node.to is not None:
            return _modifiers(node.to)
        if isinstance(node, exp.Column) and (not node.table or node.table == self.table):
            return self.modifiers.get(node.name, "")
        return ""

    def _function(self, node: exp.Expression) -> str | None:
        named = _named_call(node)
        if named is None:
            self._each(node)
            return None
        name, arguments = named
        signatures = self.functions.get(name) if "." in name else FUNCTIONS.get(name)
        if signatures is None:
            for argument in arguments:
                self.type_of(argument)
            return None
        return self._call(signatures, arguments, operator=False)

    def _call(
        self, signatures: Sequence[Signature], arguments: list[exp.Expression], *, operator: bool
    ) -> str | None:
        types = [self.type_of(argument) for argument in arguments]
        if any(t is None for t in types):
            return None
        known = [t for t in types if t is not None]
        if signatures is COMPARISON:
            signatures = [*signatures, *(((t, t), "bool") for t in set(known) if _compared_as_itself(t))]
        chosen = choose(signatures, known, operator=operator)
        if chosen is None:
            return None
        parameters, result = chosen
        for argument, have, want in zip(arguments, known, parameters, strict=True):
            if want != have and want != ANY_NONARRAY:
                self._coerce(argument, want)
        return result

    def _common(self, node: exp.Expression, arguments: list[exp.Expression]) -> str | None:
        types = [self.type_of(argument) for argument in arguments]
        if any(t is None for t in types):
            return None
        common = common_type([t for t in types if t is not None])
        if common is None:
            return None
        for argument, have in zip(arguments, types, strict=True):
            if have != common:
                self._coerce(argument, common)
        return common

    def _in(self, node: exp.In) -> str | None:
        """`x IN (a, b)` is `x = ANY (ARRAY[a, b])`: the array of the common type of all, then `=`."""
        if node.args.get("query") is not None or node.args.get("unnest") is not None:
            self._each(node)
            return "bool"
        subject, items = node.this, list(node.expressions)
        types = [self.type_of(subject), *(self.type_of(item) for item in items)]
        if any(t is None for t in types):
            return "bool"
        known = [t for t in types if t is not None]
        common = common_type(known)
        if common is None:
            return "bool"
        equal = [*COMPARISON, *(((t, t), "bool") for t in {common} if _compared_as_itself(t))]
        chosen = choose(equal, [known[0], common], operator=True)
        if chosen is None:
            return "bool"
        for item, have in zip(items, known[1:], strict=True):
            if have != common:
                self._coerce(item, common)
        if chosen[0][0] != known[0]:
            self._coerce(subject, chosen[0][0])
        return "bool"

    def _coerce(self, node: exp.Expression, to: str) -> None:
        """Wrap a node in the cast PostgreSQL prints for it (an untyped literal takes the type)."""
        if isinstance(node, exp.Null):
            return
        if to == "bool" and isinstance(node, exp.Literal) and node.is_string:
            truth = boolean_value(str(node.this))
            if truth is not None:  # PostgreSQL folds a boolean constant: `'t'` is printed `true`
                node.replace(exp.Boolean(this=truth))
                self.changed = True
            return
        inner = node.this if isinstance(node, exp.Paren) else node
        node.replace(exp.Cast(this=inner.copy(), to=_data_type(to)))
        self.changed = True


def choose(signatures: Sequence[Signature], types: list[str], *, operator: bool) -> Signature | None:
    """The overload PostgreSQL resolves a call to (func_select_candidate), or None if it is not certain."""
    candidates = [s for s in signatures if len(s[0]) == len(types)]
    if operator and len(types) == 2 and UNKNOWN in types and types != [UNKNOWN, UNKNOWN]:
        other = types[1] if types[0] == UNKNOWN else types[0]
        exact = [s for s in candidates if list(s[0]) == [other, other]]
    else:
        exact = [s for s in candidates if list(s[0]) == types]
    if exact:
        return exact[0] if len(exact) == 1 else None
    candidates = [s for s in candidates if all(_coercible(t, p) for t, p in zip(types, s[0], strict=True))]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    most = max(sum(t == p for t, p in zip(types, s[0], strict=True)) for s in candidates)
    candidates = [s for s in candidates if sum(t == p for t, p in zip(types, s[0], strict=True)) == most]
    if len(candidates) == 1:
        return candidates[0]

    def preferred(s: Signature) -> int:
        return sum(t != p and t != UNKNOWN and p in PREFERRED for t, p in zip(types, s[0], strict=True))

    best = max(preferred(s) for s in candidates)
    candidates = [s for s in candidates if preferred(s) == best]
    if len(candidates) == 1:
        return candidates[0]
    for position, t in enumerate(types):
        if t != UNKNOWN:
            continue
        categories = {CATEGORY.get(s[0][position]) for s in candidates}
        category = "S" if "S" in categories else next(iter(categories)) if len(categories) == 1 else None
        if category is None:
            return None
        candidates = [s for s in candidates if CATEGORY.get(s[0][position]) == category]
        if any(s[0][position] in PREFERRED for s in candidates):
            candidates = [s for s in candidates if s[0][position] in PREFERRED]
    if len(candidates) == 1:
        return candidates[0]
    known = {t for t in types if t != UNKNOWN}
    if len(known) == 1 and UNKNOWN in types:
        only = known.pop()
        fits = [
            s for s in candidates if all(p == only for t, p in zip(types, s[0], strict=True) if t == UNKNOWN)
        ]
        if len(fits) == 1:
            return fits[0]
    return None


def common_type(types: list[str]) -> str | None:
    """The type COALESCE, GREATEST, CASE and IN lists coerce their inputs to (select_common_type)."""
    known = [t for t in types if t != UNKNOWN]
    if not known:
        return "text"
    common = known[0]
    for other in known[1:]:
        if other == common:
            continue
        if CATEGORY.get(other) != CATEGORY.get(common) or not (
            _coercible(common, other) or _coercible(other, common)
        ):
            return None
        if common not in PREFERRED and _coercible(common, other) and not _coercible(other, common):
            common = other
    if not all(_coercible(t, common) for t in known):
        return None
    return common


def _coercible(have: str, want: str) -> bool:
    if have == want or (have == UNKNOWN and want != ANY_NONARRAY):
        return True
    if want == ANY_NONARRAY:
        return have != UNKNOWN and not have.endswith("[]")
    return (have, want) in IMPLICIT


def number_type(text: str) -> str:
    """The type of a numeric constant: int4, int8 or numeric, by its value."""
    if not text.isdigit():
        return "numeric"
    value = int(text)
    return "int4" if value <= _INT4_MAX else "int8" if value <= _INT8_MAX else "numeric"


def _named_call(node: exp.Expression) -> tuple[str, list[exp.Expression]] | None:
    """(PostgreSQL's name, arguments) of a function call; a user function's name is schema-qualified."""
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Anonymous):
        call = node.expression
        schema = node.this.name if isinstance(node.this, exp.Identifier) else None
        if schema is None:
            return None
        name = str(call.this).lower()
        return (name if schema == "pg_catalog" else f"{schema}.{name}"), list(call.expressions)
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower(), list(node.expressions)
    if isinstance(node, exp.Initcap):  # sqlglot fills in the delimiters, which PostgreSQL's takes none of
        return "initcap", [node.this]
    if isinstance(node, exp.Length):
        if node.args.get("encoding") is not None:
            return None
        return "length", [node.this]
    if isinstance(node, exp.Pad):
        name = "lpad" if node.args.get("is_left") else "rpad"
        return name, [a for a in (node.this, node.expression, node.args.get("fill_pattern")) if a is not None]
    known = FUNCTION_NODES.get(type(node))
    if known is None:
        return None
    name, keys = known
    if any(value is not None and key not in keys for key, value in node.args.items()):
        return None  # an argument or option the signature does not know
    arguments = [node.args[key] for key in keys if node.args.get(key) is not None]
    return name, arguments


def _children(node: exp.Expression) -> list[exp.Expression]:
    return list(node.iter_expressions())


def _modifiers(target: exp.DataType) -> str:
    return ",".join(part.sql(dialect="postgres").replace(" ", "") for part in target.expressions)


def _compared_as_itself(kind: str) -> bool:
    """A type named by its column spelling: a user's enum (`public.mood`, table_casts.named_types) or an
    array of a built-in type (`INT[]`). It has the comparisons of anyenum or anyarray with itself only,
    and a literal compared with it takes its type."""
    return "." in kind or kind.endswith("[]")


@cache
def _cast_target(to: str) -> exp.DataType:
    if _compared_as_itself(to):
        return exp.DataType.build(to, dialect="postgres", udt="." in to)
    return exp.DataType.build(PG_NAME[to], dialect="postgres")


def _data_type(to: str) -> exp.DataType:
    return _cast_target(to).copy()
