"""A query's output columns keep the casts that decide their types, as PostgreSQL records them.

Elsewhere in an expression a literal's cast is how pg_dump spells a constant (`'a'::text = x`), and the
expression rules drop it. In a select list (every branch of a UNION) or a VALUES row the cast is the
column's type: `'Post'::character varying AS model_type` makes a varchar view column, `'Post'` a text one,
`(b)::text` on a varchar column a text one. So there the cast is kept, and printed as PostgreSQL prints it:

- a literal's cast to the type it has anyway goes (`1::integer` is `1`, `1.5::numeric` is `1.5`, a big
  integer is a bigint), and a numeric string is its number (`'2'::bigint` is `(2)::bigint`);
- outside a set operation, a bare string literal or NULL is text (PostgreSQL resolves an output column of
  unknown type so, and prints `'x'::text`); in a UNION branch or VALUES row a bare one stays bare, since
  the other branches decide its type.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from schemareg.normalize.array_casts import into_elements

_Rule = Callable[[exp.Expression, str], exp.Expression]
_Type = exp.DataType.Type
_INT4 = 2**31
_INT8 = 2**63
_TEXT = exp.DataType.build("TEXT")


def keeping_output_casts(unwrap: _Rule) -> _Rule:
    """The cast-dropping rule `unwrap`, except on the casts of output columns (unwrapped inside only)."""

    def rule(node: exp.Expression, dialect: str) -> exp.Expression:
        kept: list[tuple[exp.Placeholder, exp.Cast]] = []
        for item in output_items(node):
            core = item.this if isinstance(item, exp.Alias) else item
            # An array constructor's cast goes into its elements (`unwrap`), which keep the type.
            if isinstance(core, exp.Cast) and not isinstance(into_elements(core.copy()), exp.Array):
                placeholder = exp.Placeholder()
                core.replace(placeholder)
                kept.append((placeholder, core))
        node = unwrap(node, dialect)
        for placeholder, cast in kept:
            if isinstance(cast.this, exp.Expression):
                cast.set("this", unwrap(cast.this, dialect))
            placeholder.replace(_as_postgresql_prints(cast))
        return node

    return rule


def text_outputs(node: exp.Expression, dialect: str) -> exp.Expression:
    """A bare string literal or NULL in a select list outside a set operation is a text column."""
    if dialect != "postgres":
        return node
    for select in node.find_all(exp.Select):
        if isinstance(select.parent, exp.SetOperation):
            continue
        for item in select.expressions:
            core = item.this if isinstance(item, exp.Alias) else item
            if isinstance(core, exp.Null) or (isinstance(core, exp.Literal) and core.is_string):
                core.replace(exp.Cast(this=core.copy(), to=_TEXT.copy()))
    return node


def output_items(node: exp.Expression) -> list[exp.Expression]:
    """The expressions whose values are a query's output columns: select lists and VALUES rows."""
    items: list[exp.Expression] = []
    for query in node.find_all(exp.Select, exp.Values):
        if isinstance(query, exp.Select):
            items += query.expressions
        else:
            for row in query.expressions:
                items += row.expressions if isinstance(row, exp.Tuple) else [row]
    return items


def _as_postgresql_prints(cast: exp.Cast) -> exp.Expression:
    inner, target = cast.this, cast.to
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if not isinstance(inner, exp.Literal) or target is None or target.expressions:
        return cast
    text = str(inner.this)
    if inner.is_string:
        if target.this not in _NUMERIC_TYPES or not _is_number(text):
            return cast
        inner = exp.Literal.number(text)  # PostgreSQL reads the string as a constant of the type
        if text.startswith("-"):
            return cast  # a negative constant prints quoted; kept as written
    number: exp.Expression = inner
    if _literal_type(str(number.this)) == target.this.name:
        return number
    return exp.Cast(this=number, to=target)


_NUMERIC_TYPES = {_Type.INT, _Type.BIGINT, _Type.SMALLINT, _Type.DECIMAL}


def _is_number(text: str) -> bool:
    body = text[1:] if text.startswith("-") else text
    whole, _, fraction = body.partition(".")
    return whole.isdigit() and (not fraction or fraction.isdigit())


def _literal_type(text: str) -> str:
    """The type PostgreSQL gives a number literal: integer, bigint, or numeric (a point, or beyond bigint), by its name."""
    if "." in text or not text.isdigit():
        return "DECIMAL"
    value = int(text)
    if value < _INT4:
        return "INT"
    return "BIGINT" if value < _INT8 else "DECIMAL"
