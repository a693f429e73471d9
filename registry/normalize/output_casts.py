"""A query's output columns keep the casts that decide their types, as PostgreSQL records them.

Elsewhere in an expression a literal's cast is how pg_dump spells a constant (`'a'::text = x`), and the
expression rules drop it. In a select list (every branch of a UNION) or a VALUES row the cast is the
column's type: `'Post'::character varying AS model_type` makes a varchar view column, `'Post'` a text one,
`(b)::text` on a varchar column a text one. So there the cast is kept, and printed as PostgreSQL prints it:

- a literal's cast to the type it has anyway goes (`1::integer` is `1`, `1.5::numeric` is `1.5`, a big
  integer is a bigint), and a numeric string is its number (`'2'::bigint` is `(2)::bigint`);
- outside a set operation, a bare string literal or NULL is text (PostgreSQL resolves an output column of
  unknown type so, and prints `'x'::text`); in a UNION branch or VALUES row a bare one takes the type the
  other branches (rows) give the column: text when every one is a bare string or NULL, the type of their
  casts when those agree; where a branch has any other expression its type is not known here, and the
  bare literal stays bare. A later branch of the view's own set operation has its columns printed
  with the first branch's names (in a subquery's, with its own).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from schemareg.names import needs_quotes
from schemareg.normalize.array_casts import into_elements
from schemareg.normalize.output_names import IMPLICIT, cast_type_name
from schemareg.normalize.triggers import looks_for

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
                core.replace(_implicit_cast(core, _TEXT))
    return node


@looks_for(exp.SetOperation, exp.Values, adds=(exp.Cast, exp.DataType))
def set_outputs(node: exp.Expression, dialect: str) -> exp.Expression:
    """The columns of a set operation's branches and a VALUES list's rows, typed as PostgreSQL resolves
    them (the module's docstring)."""
    if dialect != "postgres":
        return node
    for branches in _set_operations(node):
        for position in range(len(branches[0].expressions)):
            _type_column([b.expressions[position] for b in branches])
    for values in node.find_all(exp.Values):
        rows = [row.expressions for row in values.expressions if isinstance(row, exp.Tuple)]
        if len(rows) == len(values.expressions) and rows and all(len(r) == len(rows[0]) for r in rows):
            for position in range(len(rows[0])):
                _type_column([row[position] for row in rows])
    return node


@looks_for(exp.SetOperation, adds=(exp.Alias, exp.Identifier))
def set_names(node: exp.Expression, dialect: str) -> exp.Expression:
    """A later branch's columns named with the first branch's names, as pg_get_viewdef prints them (after
    the rule that names every column, output_names.py), in the view's own set operation only: it prints
    every branch of that one with the view's column names, and a later branch of one in a subquery or a CTE
    with the names it has, which name nothing.

    There a cast's name is left out where it is its type's or "?column?": pg_get_viewdef prints no
    "?column?", and so `'B'::text` alone means a bare `'B'` given its type, which the same text read back
    names "text" (PostgreSQL's own dump is not read back as it was); without the name both are one text."""
    if dialect != "postgres":
        return node
    top = _selects(node) if isinstance(node, exp.SetOperation) else None
    if top is not None:
        names = [_output_name(item) for item in top[0].expressions]
        for branch in top[1:]:
            items = list(branch.expressions)
            for i, (item, name) in enumerate(zip(items, names, strict=True)):
                if name is not None and _output_name(item) != name:
                    core = item.this if isinstance(item, exp.Alias) else item
                    items[i] = exp.alias_(core, exp.to_identifier(name, quoted=needs_quotes(name)))
            branch.set("expressions", items)
    for branches in _set_operations(node):
        if top is None or branches[0] is not top[0]:  # a subquery's or a CTE's
            for branch in branches[1:]:
                branch.set("expressions", [_unnamed_cast(item) for item in branch.expressions])
    return node


def _unnamed_cast(item: exp.Expression) -> exp.Expression:
    """A cast without the name pg_get_viewdef would not tell from none (its type's, or "?column?")."""
    named = isinstance(item, exp.Alias) and isinstance(item.this, exp.Cast)
    return item.this if named and item.alias in ("?column?", cast_type_name(item.this)) else item


def _set_operations(node: exp.Expression) -> list[list[exp.Select]]:
    """The branches of each outermost set operation whose branches are all selects of one width."""
    found = []
    for operation in node.find_all(exp.SetOperation):
        if isinstance(operation.parent, exp.SetOperation):
            continue  # the outermost one: its branches are every select of the chain
        selects = _selects(operation)
        if selects is not None:
            found.append(selects)
    return found


def _selects(operation: exp.SetOperation) -> list[exp.Select] | None:
    """A set operation's branches, where all are selects of one width."""
    branches = _branches(operation)
    if len(branches) < 2 or any(not isinstance(b, exp.Select) for b in branches):
        return None
    selects = [b for b in branches if isinstance(b, exp.Select)]
    return selects if all(len(b.expressions) == len(selects[0].expressions) for b in selects) else None


def _branches(operation: exp.Expression) -> list[exp.Expression]:
    found: list[exp.Expression] = []
    for side in (operation.this, operation.expression):
        while isinstance(side, exp.Subquery | exp.Paren) and not side.alias:
            side = side.this
        found += _branches(side) if isinstance(side, exp.SetOperation) else [side]
    return found


def _bare(node: exp.Expression) -> bool:
    return isinstance(node, exp.Null) or (isinstance(node, exp.Literal) and node.is_string)


def _type_column(items: list[exp.Expression]) -> None:
    cores = [item.this if isinstance(item, exp.Alias) else item for item in items]
    if not any(_bare(c) for c in cores):
        return  # nothing to type (the usual case: no parse of a type, no printing)
    casts = [c.to for c in cores if isinstance(c, exp.Cast) and _bare(c.this)]
    others = [c for c in cores if not _bare(c) and not (isinstance(c, exp.Cast) and _bare(c.this))]
    if others or any(t != casts[0] for t in casts[1:]):
        return  # a type decided by what is not known here, or casts that disagree: left as written
    target = casts[0] if casts else _TEXT
    for core in cores:
        if _bare(core):
            core.replace(_implicit_cast(core, target))


def _implicit_cast(literal: exp.Expression, target: exp.DataType) -> exp.Cast:
    """A bare literal with the type PostgreSQL resolves it to, marked as not written (so nameless to
    output_names.py, as the literal was)."""
    cast = exp.Cast(this=literal.copy(), to=target.copy())
    cast.meta[IMPLICIT] = True
    return cast


def _output_name(item: exp.Expression) -> str | None:
    if isinstance(item, exp.Alias):
        return item.alias
    if isinstance(item, exp.Column) and isinstance(item.this, exp.Identifier):
        return item.name
    return None


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
