"""Expression rules: small pure `Expression -> Expression` rewrites that make equal expressions print equal.

Each rule removes one way of writing the same thing (identifier case, needless parentheses, the casts that
pg_dump adds to literals, `= ANY (ARRAY[...])` for `IN (...)`), in the spirit of sqlglot's optimiser.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.names import PG_CATALOG_TYPES, needs_quotes, truncate_identifier
from schemareg.normalize.array_casts import into_elements
from schemareg.normalize.between import plain_between, plain_similar_to
from schemareg.normalize.case_else import case_else_null
from schemareg.normalize.catalog_functions import CATALOG_FUNCTIONS
from schemareg.normalize.collations import catalog_collations
from schemareg.normalize.constants import typed_constants
from schemareg.normalize.foreign_functions import FOREIGN_FUNCTIONS
from schemareg.normalize.keywords import KEYWORDS
from schemareg.normalize.number_casts import changes_operator, operand_of
from schemareg.normalize.ordinals import order_by_output_names, ordinal_keys, plain_ascending
from schemareg.normalize.output_casts import keeping_output_casts, set_names, set_outputs, text_outputs
from schemareg.normalize.output_names import cast_names, implicit_names
from schemareg.normalize.parser_additions import bit_constants, one_character, variadic_arrays
from schemareg.normalize.set_parens import set_operation_parens
from schemareg.normalize.text import is_function_call
from schemareg.normalize.triggers import apply_rules, looks_for
from schemareg.normalize.type_grammar import (
    MARKER,
    name_catalog_arrays,
    name_extension_types,
)


def identifier(name: str) -> exp.Identifier:
    """A name as a tree node, quoted exactly when PostgreSQL needs it (sqlglot's own rule leaves `Big` bare,
    which PostgreSQL folds to `big`)."""
    return exp.Identifier(this=name, quoted=needs_quotes(name))


def fold_name(identifier: exp.Identifier | str, *, case_sensitive_quoted: bool = True) -> str:
    """The canonical spelling of an identifier: unquoted names fold to lower case."""
    if isinstance(identifier, str):
        return identifier.lower()
    if identifier.quoted and case_sensitive_quoted:
        return str(identifier.this)
    return str(identifier.this).lower()


@looks_for(comments=True)
def drop_comments(node: exp.Expression, dialect: str) -> exp.Expression:
    """Comments inside an expression are not part of it."""
    for child in node.walk():
        if child.comments:
            child.comments = None
    return node


@looks_for(exp.Identifier)
def fold_identifiers(node: exp.Expression, dialect: str) -> exp.Expression:
    case_sensitive = dialect == "postgres"
    for ident in node.find_all(exp.Identifier):
        name = fold_name(ident, case_sensitive_quoted=case_sensitive)
        if case_sensitive and len(name) > 15:
            name = truncate_identifier(name)  # PostgreSQL keeps 63 bytes of a name
        ident.set("this", name)
        ident.set("quoted", needs_quotes(name))
    return node


@looks_for(exp.Anonymous)
def fold_function_names(node: exp.Expression, dialect: str) -> exp.Expression:
    """Unquoted function names are case-insensitive: `billing.Next_Doc_Number()` is `billing.NEXT_DOC_NUMBER()`.

    sqlglot prints an unqualified unknown function in upper case but a schema-qualified one as written;
    both are spelled one way here, upper case as sqlglot prints the unqualified ones.
    """
    for function in node.find_all(exp.Anonymous):
        if isinstance(function.this, str):
            function.set("this", function.this.upper())
    return node


@looks_for(exp.Anonymous, adds=(exp.Dot, exp.Identifier))
def qualify_functions(node: exp.Expression, dialect: str) -> exp.Expression:
    """`f()` is `public.f()` unless f is one of pg_catalog's: the search path resolves it to the default
    schema, and PostgreSQL prints the call qualified when it stores the expression."""
    if dialect != "postgres":
        return node
    for function in list(node.find_all(exp.Anonymous)):
        name = function.this
        if not isinstance(name, str) or name.lower() in CATALOG_FUNCTIONS:
            continue  # built in
        if name.upper() in KEYWORDS and name.lower() not in FOREIGN_FUNCTIONS:
            continue  # syntax sqlglot reads as a call (`x <> ALL (...)`, COALESCE, GREATEST); `day(t)` is none
        parent = function.parent
        if isinstance(parent, exp.Dot) and parent.expression is function:
            continue  # qualified already
        if isinstance(parent, exp.Table) and parent.this is function:
            if not parent.args.get("db"):  # `FROM f()`, qualified by its table's schema
                parent.set("db", identifier("public"))
            continue
        qualified = exp.Dot(this=identifier("public"), expression=function.copy())
        if function is node:
            return qualified
        function.replace(qualified)
    return node


@looks_for(exp.DataType, adds=(exp.Dot, exp.Identifier, exp.DataType))
def qualify_types(node: exp.Expression, dialect: str) -> exp.Expression:
    """A cast to `t` is to `public.t` unless t is one of pg_catalog's types, as a column's type is: the
    search path resolves it to the default schema, and PostgreSQL prints the type qualified. A stand-in
    for a spelling sqlglot refuses (`bit varying`, type_grammar) is pg_catalog's, and so is `_text`, the
    array `text[]`."""
    if dialect != "postgres":
        return node
    name_extension_types(node)
    name_catalog_arrays(node)
    for data_type in node.find_all(exp.DataType):
        kind = data_type.args.get("kind")
        if (
            data_type.this == exp.DataType.Type.USERDEFINED
            and isinstance(kind, exp.Identifier)
            and (kind.name if kind.quoted else kind.name.lower()) not in PG_CATALOG_TYPES
            and not kind.name.startswith(MARKER)
        ):
            data_type.set("kind", exp.Dot(this=identifier("public"), expression=kind.copy()))
    return node


@looks_for(exp.ByteString, adds=(exp.Literal,))
def plain_escape_strings(node: exp.Expression, dialect: str) -> exp.Expression:
    """`E'x\\ty'` is the string it spells, a tab in it: PostgreSQL stores the value and prints it `'x<tab>y'`
    (sqlglot reads an E'' string as a ByteString, its escapes undone, and wrote it back as `e'x\\ty'`)."""
    if dialect != "postgres":
        return node
    for escaped in list(node.find_all(exp.ByteString)):
        plain = exp.Literal.string(str(escaped.this))
        if escaped is node:
            return plain
        escaped.replace(plain)
    return node


@looks_for(exp.Literal)
def plain_numbers(node: exp.Expression, dialect: str) -> exp.Expression:
    """`-1E12`, `-1e12` and `-1000000000000` are one number: written out, as PostgreSQL stores a numeric."""
    for number in node.find_all(exp.Literal):
        text = number.this
        if not number.is_string and isinstance(text, str) and ("e" in text or "E" in text):
            try:
                value = Decimal(text)
            except InvalidOperation:
                continue
            number.set("this", format(value, "f"))
    return node


# Binding strength of operators, to know when parentheses are needed.
_PRECEDENCE: dict[type, int] = {
    exp.Or: 1,
    exp.And: 2,
    exp.Not: 3,
    exp.EQ: 4,
    exp.NEQ: 4,
    exp.GT: 4,
    exp.GTE: 4,
    exp.LT: 4,
    exp.LTE: 4,
    exp.Is: 4,
    exp.Like: 4,
    exp.ILike: 4,
    exp.In: 4,
    exp.Between: 4,
    exp.Add: 5,
    exp.Sub: 5,
    exp.DPipe: 5,
    exp.Mul: 6,
    exp.Div: 6,
    exp.Mod: 6,
    exp.AtTimeZone: 7,
    exp.Collate: 8,
}
_ATOMS = (exp.Column, exp.Literal, exp.Identifier, exp.Func, exp.Cast, exp.Paren, exp.Null, exp.Boolean)
# Left-associative and not associative: `(a - b) - c` is `a - b - c`, as PostgreSQL prints it back; a right
# operand's parentheses stay (`a - (b - c)`). And, Or, + and * are associative (both sides go).
_LEFT_ASSOCIATIVE = (exp.Sub, exp.Div, exp.Mod, exp.DPipe)


# PostgreSQL's "any other operator" (`->>`, `#>>`, `~`, `@>`, ...): printed infix by sqlglot, though its
# nodes are functions; bound as || is here.
_OTHER_OPERATOR = _PRECEDENCE[exp.DPipe]


def _precedence(node: exp.Expr, dialect: str) -> int:
    known = _PRECEDENCE.get(type(node))
    if known is not None:
        return known
    if _is_atom(node, dialect):
        return 10
    return _OTHER_OPERATOR if _is_operator(node, dialect) else 0


def _is_operator(node: exp.Expr, dialect: str) -> bool:
    """An infix operator sqlglot has no entry in _PRECEDENCE for (its node a function or a binary): one
    printed as its first operand, then the operator (not CASE's WHEN, not a call)."""
    if not isinstance(node, exp.Func | exp.Binary) or isinstance(node, exp.Dot) or _is_atom(node, dialect):
        return False
    first = node.this
    if not isinstance(first, exp.Expression):
        return False
    return node.sql(dialect=dialect).startswith(first.sql(dialect=dialect))


def _is_atom(node: exp.Expr, dialect: str) -> bool:
    """Whether a node prints as one unit that no operator can split. sqlglot makes `->>`, `#>>`, `~` and
    `@>` functions too, but prints them infix: a function is an atom when it prints as a call."""
    if isinstance(node, exp.Case | exp.Cast | exp.Anonymous | exp.Exists):
        return True
    if isinstance(node, exp.Func):
        return is_function_call(node.sql(dialect=dialect))
    return isinstance(node, _ATOMS)


@looks_for(exp.Paren)
def strip_parens(node: exp.Expression, dialect: str) -> exp.Expression:
    """Drop parentheses that change nothing: around atoms, and around tighter-binding operators."""
    for paren in list(node.find_all(exp.Paren)):
        inner = paren.this
        parent = paren.parent
        if inner is None or isinstance(inner, exp.Select | exp.Subquery | exp.Tuple):
            continue
        if parent is None:
            keep = False
        elif isinstance(parent, exp.Dot):
            keep = True  # (row).field: without them, a column of a table named row
        elif type(parent) in _PRECEDENCE or _is_operator(parent, dialect):
            inner_prec = _precedence(inner, dialect)
            parent_prec = _precedence(parent, dialect)
            # a AND (b AND c) is a AND b AND c; for non-associative operators keep same-level parens.
            same_assoc = type(inner) is type(parent) and (
                isinstance(parent, exp.And | exp.Or | exp.Add | exp.Mul)
                or (isinstance(parent, _LEFT_ASSOCIATIVE) and parent.this is paren)
            )
            # PostgreSQL's other operators (`->`, `->>`, `||`, `@>`, ...) share one level, bound left to
            # right: `(j -> 'a') ->> 'b'`, as it prints it, is `j -> 'a' ->> 'b'`.
            same_assoc |= parent.this is paren and inner_prec == parent_prec == _OTHER_OPERATOR
            keep = not (inner_prec > parent_prec or same_assoc)
        elif isinstance(parent, exp.Neg | exp.BitwiseNot):
            keep = not _is_atom(inner, dialect)
        else:
            keep = isinstance(parent, exp.Any | exp.All)  # ANY (ARRAY[...]) keeps its parentheses
        if not keep:
            paren.replace(inner)
            if paren is node:
                node = inner
    return node


_NUMERIC = {
    exp.DataType.Type.INT,
    exp.DataType.Type.BIGINT,
    exp.DataType.Type.SMALLINT,
    exp.DataType.Type.DECIMAL,
    exp.DataType.Type.DOUBLE,
    exp.DataType.Type.FLOAT,
}
_TEXTUAL = {
    exp.DataType.Type.TEXT,
    exp.DataType.Type.VARCHAR,
    exp.DataType.Type.CHAR,
    exp.DataType.Type.NAME,
}
_NUMBER = lazy_compile(r"-?\d+(\.\d+)?")
_INTEGERS = {exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.SMALLINT}


def _keeps_value(literal: exp.Literal, target: exp.DataType) -> bool:
    """Whether a number keeps its value as the type: not a fraction as an integer (`(1.5)::integer` is 2)."""
    return target.this not in _INTEGERS or str(literal.this).lstrip("-").isdigit()


@looks_for(exp.Cast, adds=(exp.Neg, exp.Literal))
def unwrap_literal_casts(node: exp.Expression, dialect: str) -> exp.Expression:
    """`(0)::numeric` is 0, `'a'::text` is 'a', `'-1'::integer` is -1: the casts pg_dump prints."""
    return _unwrap_casts(node, columns=True)


@looks_for(exp.Cast, adds=(exp.Neg, exp.Literal))
def unwrap_constant_casts(node: exp.Expression, dialect: str) -> exp.Expression:
    """The casts of `unwrap_literal_casts` on constants only: a column's cast is kept.

    Without the column's type, `(name)::text` on a varchar column is another index key than `name`.
    """
    return _unwrap_casts(node, columns=False)


def _as_resolved(literal: exp.Literal, target: exp.DataType) -> bool:
    """Whether PostgreSQL gives the literal that type by itself: text for a string, integer for a whole
    number, numeric for a decimal (an array's element casts to other types are stored as written)."""
    if target.expressions:
        return False
    if literal.is_string:
        return bool(target.this == exp.DataType.Type.TEXT)
    whole = str(literal.this).lstrip("-").isdigit()
    return bool(target.this == (exp.DataType.Type.INT if whole else exp.DataType.Type.DECIMAL))


def _unwrap_casts(node: exp.Expression, *, columns: bool) -> exp.Expression:
    node = into_elements(node)
    operands: dict[int, tuple[exp.Expression, str]] = {}  # a number's cast an operator may need
    for cast in reversed(list(node.find_all(exp.Cast))):  # innermost first: 'a'::varchar::text
        target = cast.to
        inner = cast.this
        while isinstance(inner, exp.Paren):
            inner = inner.this
        replacement: exp.Expression | None = None
        if _empty_array_recast(cast, inner):
            cast.set("this", inner.this)  # (ARRAY[]::varchar[])::varchar(3)[], as PostgreSQL stores it
            continue
        if _collated(cast):
            pass  # `'a'::text COLLATE "C"`: an unknown literal or an integer has no collation
        elif isinstance(inner, exp.Null):
            # NULL::numeric is NULL, but an element's type is its array's: `ARRAY[NULL]` is a text[]
            if not isinstance(cast.parent, exp.Array):
                replacement = inner
        elif isinstance(inner, exp.Literal) and target is not None:
            if isinstance(cast.parent, exp.Array) and not _as_resolved(inner, target):
                pass  # an element's cast is kept (`ARRAY[(1)::bigint]`) but where it resolves so anyway
            elif target.this in _NUMERIC and not target.expressions and _keeps_value(inner, target):
                if not inner.is_string:
                    replacement = inner
                elif _NUMBER.fullmatch(inner.this):
                    replacement = _number(inner.this)
            elif target.this in _TEXTUAL and inner.is_string and not _cast_operand(cast):
                replacement = inner  # but 'x'::text::bytea converts text, 'x'::bytea reads a bytea literal
        elif isinstance(inner, exp.Neg) and isinstance(inner.this, exp.Literal) and target is not None:
            if target.this in _NUMERIC and _keeps_value(inner.this, target):
                replacement = inner
        elif columns and isinstance(inner, exp.Column) and target is not None and target.this in _TEXTUAL:
            replacement = inner  # (status)::text = ... on a varchar column
        elif columns and target is not None and target.this in _TEXTUAL and (query := _scalar_query(inner)):
            replacement = query  # ((SELECT t.id FROM t))::text of a varchar column
        if replacement is not None and target is not None and target.this in _NUMERIC:
            number = replacement.sql() if isinstance(replacement, exp.Neg | exp.Literal) else ""
            if number and operand_of(cast)[1] is not None and not _number_resolved(replacement, target):
                operands[id(cast)] = (replacement, number)
                continue
        if replacement is not None:
            if cast is node:
                node = replacement
            else:
                cast.replace(replacement)
    if operands:  # left to right: `(7)::numeric / (2)::numeric` is `7 / (2)::numeric`
        for cast in [c for c in node.find_all(exp.Cast, bfs=False) if id(c) in operands]:
            replacement, number = operands[id(cast)]
            if not changes_operator(cast, number):
                cast.replace(replacement)
    return node


def _scalar_query(node: exp.Expression) -> exp.Subquery | None:
    """The subquery a node is when it has one output, a column (`(SELECT t.id FROM t WHERE ...)`)."""
    while isinstance(node, exp.Subquery) and isinstance(node.this, exp.Subquery):
        node = node.this  # `((SELECT ...))`, as PostgreSQL prints a cast one
    if not isinstance(node, exp.Subquery) or not isinstance(node.this, exp.Select):
        return None
    items = node.this.expressions
    if len(items) != 1:
        return None
    item = items[0].this if isinstance(items[0], exp.Alias) else items[0]
    return node if isinstance(item, exp.Column) else None


def _number_resolved(number: exp.Expression, target: exp.DataType) -> bool:
    """Whether the number is of the type uncast (`2::integer`, `2.5::numeric`)."""
    literal = number.this if isinstance(number, exp.Neg) else number
    return isinstance(literal, exp.Literal) and _as_resolved(literal, target)


def _empty_array_recast(cast: exp.Cast, inner: exp.Expression) -> bool:
    """`CAST(CAST(ARRAY[] AS t[]) AS t(n)[])`: the one empty array of that element type, cast once."""
    if not (isinstance(inner, exp.Cast) and isinstance(inner.this, exp.Array) and not inner.this.expressions):
        return False
    outer, first = cast.to, inner.to
    return bool(
        outer is not None
        and first is not None
        and outer.this == first.this == exp.DataType.Type.ARRAY
        and outer.expressions
        and first.expressions
        and outer.expressions[0].this == first.expressions[0].this
    )


def _collated(node: exp.Expression) -> bool:
    """Whether a node is the operand of COLLATE (in parentheses or not)."""
    parent = node.parent
    while isinstance(parent, exp.Paren):
        node, parent = parent, parent.parent
    return isinstance(parent, exp.Collate) and parent.this is node


def _cast_operand(node: exp.Expression) -> bool:
    """Whether a node is converted by a cast to another than a textual type."""
    parent = node.parent
    while isinstance(parent, exp.Paren):
        parent = parent.parent
    return isinstance(parent, exp.Cast) and (parent.to is None or parent.to.this not in _TEXTUAL)


def _number(text: str) -> exp.Expression:
    if text.startswith("-"):
        return exp.Neg(this=exp.Literal.number(text[1:]))
    return exp.Literal.number(text)


@looks_for(exp.EQ, exp.NEQ, exp.In, adds=(exp.In, exp.Not, exp.EQ, exp.NEQ))
def any_array_to_in(node: exp.Expression, dialect: str) -> exp.Expression:
    """`x = ANY (ARRAY[a, b])` and `x <> ALL (ARRAY[a, b])`, as PostgreSQL prints IN and NOT IN lists, back
    to `x IN (a, b)` and `NOT x IN (a, b)`; a one-item list is a plain comparison to PostgreSQL (`x IN (a)`
    is `x = a`, NOT IN `x <> a`). One walk of the tree finds all three."""
    found = list(node.find_all(exp.EQ, exp.NEQ, exp.In))
    in_lists = [n for n in found if isinstance(n, exp.In)]
    for comparison in found:
        right = comparison.expression
        if isinstance(comparison, exp.EQ) and isinstance(right, exp.Any):
            inner = right.this
        elif (
            isinstance(comparison, exp.NEQ)
            and isinstance(right, exp.Anonymous)  # sqlglot reads `<> ALL (...)` as a call of ALL
            and str(right.this).upper() == "ALL"
            and len(right.expressions) == 1
        ):
            inner = right.expressions[0]
        else:
            continue
        while isinstance(inner, exp.Paren | exp.Cast):
            inner = inner.this
        if not isinstance(inner, exp.Array) or any(isinstance(e, exp.Query) for e in inner.expressions):
            continue  # `ARRAY(SELECT ...)` is an array of a query's rows: `= ANY` of it is no IN list
        in_list = exp.In(this=comparison.this, expressions=list(inner.expressions))
        in_lists.append(in_list)
        replacement = in_list if isinstance(comparison, exp.EQ) else exp.Not(this=in_list)
        if comparison is node:
            node = replacement
        else:
            comparison.replace(replacement)
    for in_list in in_lists:
        items = in_list.expressions
        if len(items) != 1 or in_list.args.get("query") is not None:
            continue
        is_not = isinstance(in_list.parent, exp.Not)
        target = in_list.parent if is_not and in_list.parent is not None else in_list
        plain = (exp.NEQ if is_not else exp.EQ)(this=in_list.this, expression=items[0])
        if target is node:
            node = plain
        else:
            target.replace(plain)
    return node


@looks_for(exp.Join)
def plain_joins(node: exp.Expression, dialect: str) -> exp.Expression:
    """`INNER JOIN` is `JOIN` and `LEFT OUTER JOIN` is `LEFT JOIN` (RIGHT and FULL too), as PostgreSQL prints
    them: OUTER is a noise word after a side, and a join without one is inner."""
    for join in node.find_all(exp.Join):
        if str(join.args.get("kind") or "").upper() in ("INNER", "OUTER"):
            join.set("kind", None)
    return node


@looks_for(exp.Select)
def unwrap_join_groups(node: exp.Expression, dialect: str) -> exp.Expression:
    """`FROM (a JOIN b ON ...)`, as PostgreSQL prints joins, is `FROM a JOIN b ON ...`."""
    for select in node.find_all(exp.Select):
        key = "from_" if "from_" in select.args else "from"
        source = select.args.get(key)
        group = source.this if source is not None else None
        if (
            source is not None
            and isinstance(group, exp.Subquery)
            and not group.alias
            and isinstance(group.this, exp.Table)
            and group.this.args.get("joins")
            and not select.args.get("joins")
        ):
            table = group.this
            joins = table.args.get("joins")
            table.set("joins", None)
            source.set("this", table)
            select.set("joins", joins)
    return node


@looks_for(exp.Select)
def single_table_columns(node: exp.Expression, dialect: str) -> exp.Expression:
    """In a query over one table, subquery or VALUES list, `t.col` is `col` (PostgreSQL 16 prints it so, 15
    qualifies it)."""
    for select in node.find_all(exp.Select):
        source = select.args.get("from_") or select.args.get("from")
        if source is None or select.args.get("joins"):
            continue
        table = source.this
        if isinstance(table, exp.Table):
            names = {table.name, table.alias_or_name}
        elif isinstance(table, exp.Subquery | exp.Values) and table.alias:
            names = {table.alias}
        else:
            continue
        for column in select.find_all(exp.Column):
            if column.table in names and column.find_ancestor(exp.Select) is select:
                if isinstance(column.this, exp.Star) and column.parent is not select:
                    continue  # `row_to_json(t.*)`, the whole row: `row_to_json(*)` is no call at all
                column.set("table", None)
    return node


Rule = Callable[[exp.Expression, str], exp.Expression]

# Expressions no pass types later (defaults, a domain's CHECK, policies, a trigger's WHEN): a column's
# cast to a textual type is dropped, as PostgreSQL's own `(status)::text` on a varchar column is.
EXPRESSION_RULES: tuple[Rule, ...] = (
    drop_comments,
    plain_similar_to,
    fold_identifiers,
    catalog_collations,
    fold_function_names,
    qualify_functions,
    qualify_types,
    plain_escape_strings,
    plain_numbers,
    plain_joins,
    plain_between,
    any_array_to_in,
    case_else_null,
    bit_constants,
    typed_constants,
    unwrap_literal_casts,
    strip_parens,
    one_character,
    variadic_arrays,
)

# A table's expressions (index keys and predicates, CHECKs, generated columns): a column's cast is kept,
# since without the column's type `(d)::text` may be another expression than `d`. Once the script is
# applied, table_casts.py drops the casts PostgreSQL itself inserts (a varchar column's `(name)::text`).
TABLE_RULES: tuple[Rule, ...] = tuple(
    unwrap_constant_casts if rule is unwrap_literal_casts else rule for rule in EXPRESSION_RULES
)

# Views also resolve what only the query's own shape decides (its parentheses, and the names its casts give
# its columns as written, first); an output column's cast is its type, and a column's cast is kept for
# view_casts.py to judge once the tables' columns are known.
VIEW_RULES: tuple[Rule, ...] = (
    set_operation_parens,
    cast_names,
    *(
        step
        for rule in EXPRESSION_RULES
        for step in (
            (text_outputs, set_outputs, keeping_output_casts(unwrap_constant_casts))
            if rule is unwrap_literal_casts
            else (rule,)
        )
    ),
    unwrap_join_groups,
    order_by_output_names,
    single_table_columns,
    ordinal_keys,
    plain_ascending,
    implicit_names,
    set_names,
)

# An expression that holds queries (a policy's `tenant_id IN (SELECT id FROM tenants ...)`): each query's
# output columns named and its own table's columns bare, as a view's are; its tables are qualified by the
# caller (Context.qualify_tables), the columns of the outer table it reads once the tables are known
# (policy_queries.py).
QUERY_EXPRESSION_RULES: tuple[Rule, ...] = (
    *EXPRESSION_RULES,
    unwrap_join_groups,
    single_table_columns,
    implicit_names,
)


def canonical_expression(
    node: exp.Expression,
    dialect: str,
    generate: Callable[[exp.Expression], str] | None = None,
    rules: tuple[Rule, ...] = EXPRESSION_RULES,
) -> str:
    node = apply_rules(node, dialect, rules)
    return generate(node) if generate is not None else node.sql(dialect=dialect)
