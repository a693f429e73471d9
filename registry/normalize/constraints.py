"""Table constraints (primary keys, unique, foreign keys, checks, exclusions), inline or added later,
named as PostgreSQL names them when the script does not."""

from __future__ import annotations

import re

from sqlglot import exp

from schemareg.index_keys import first_of_each_index, index_signature
from schemareg.lazy_re import lazy_compile
from schemareg.model import Constraint, ConstraintKind, Index, Table
from schemareg.names import make_object_name, split_key
from schemareg.normalize import ops
from schemareg.normalize.context import Context, Unsupported
from schemareg.normalize.indexes import storage_options
from schemareg.normalize.rules import TABLE_RULES
from schemareg.normalize.text import IDENT, WS, fold_words, squash

CONSTRAINT_NAME = lazy_compile(rf"\bCONSTRAINT\s+({IDENT})", re.IGNORECASE)
_DEFAULT_FK_OPTIONS = (
    "ON DELETE NO ACTION",
    "ON UPDATE NO ACTION",
    "MATCH SIMPLE",
    "NOT DEFERRABLE",
    "INITIALLY IMMEDIATE",
)
_FK_OPTION_ORDER = {
    "MATCH": 0,
    "ON UPDATE": 1,
    "ON DELETE": 2,
    "DEFERRABLE": 3,
    "INITIALLY": 4,
    "NOT VALID": 5,
}
_NAME_SUFFIX = {
    ConstraintKind.UNIQUE: "key",
    ConstraintKind.FOREIGN_KEY: "fkey",
    ConstraintKind.CHECK: "check",
    ConstraintKind.EXCLUDE: "excl",
}


def add_constraint(
    context: Context,
    table: str,
    name: str | None,
    kind: ConstraintKind,
    columns: list[str],
    definition: str,
    included: list[str] | None = None,
) -> ops.AddConstraint:
    """`included`: a key's INCLUDE columns, which PostgreSQL names its index (and the key) after too."""
    named = name is not None
    if name is None:
        name = constraint_name(context, split_key(table)[-1], kind, columns + (included or []))
    if kind is ConstraintKind.PRIMARY_KEY and definition == "PRIMARY KEY":
        definition = f"PRIMARY KEY ({', '.join(context.quote(c) for c in columns)})"
    return ops.AddConstraint(
        table=table,
        constraint=Constraint(name=name, kind=kind, definition=definition, columns=tuple(columns)),
        named=named,
    )


def constraint_name(context: Context, table_name: str, kind: ConstraintKind, columns: list[str]) -> str:
    """The name PostgreSQL (or MySQL, for a primary key) gives a constraint the script leaves unnamed."""
    if context.dialect == "mysql" and kind is ConstraintKind.PRIMARY_KEY:
        return "primary"
    if kind is ConstraintKind.PRIMARY_KEY:
        return make_object_name(table_name, None, "pkey")
    return make_object_name(table_name, "_".join(columns) or None, _NAME_SUFFIX[kind])


def foreign_key(
    context: Context, table: str, name: str | None, columns: list[str], ref: exp.Reference
) -> ops.AddConstraint:
    target = ref.this
    ref_table = context.qualified_name(target)
    ref_columns = (
        [context.fold(e if isinstance(e, exp.Identifier) else e.this) for e in target.expressions]
        if isinstance(target, exp.Schema)
        else []
    )
    quote = context.quote
    text = f"FOREIGN KEY ({', '.join(quote(c) for c in columns)}) REFERENCES {context.quote_qualified(ref_table)}"
    if ref_columns:
        text += f" ({', '.join(quote(c) for c in ref_columns)})"
    text += _fk_options(ref)
    op = add_constraint(context, table, name, ConstraintKind.FOREIGN_KEY, columns, text)
    op.constraint.references = ref_table
    return op


def check(context: Context, table: str, name: str | None, node: exp.Expression) -> ops.AddConstraint:
    expression = node.this
    context.own_columns(expression, table)
    columns = sorted(
        {
            context.fold(c.this) if isinstance(c.this, exp.Identifier) else c.name.lower()
            for c in expression.find_all(exp.Column)
        }
    )
    text = f"CHECK ({context.expression(expression, TABLE_RULES)})"
    if node.args.get("enforced") is False and "NOT VALID" in context.generate(node).upper():
        text += " NOT VALID"
    # PostgreSQL names a CHECK after the one column it reads, wherever it is declared (a column's CHECK of
    # another column, or of none, is not named after the column it is written on).
    name_columns = columns if len(columns) == 1 else []
    named = name is not None
    if name is None:
        name = make_object_name(split_key(table)[-1], name_columns[0] if name_columns else None, "check")
    return ops.AddConstraint(
        table=table,
        named=named,
        constraint=Constraint(name=name, kind=ConstraintKind.CHECK, definition=text, columns=tuple(columns)),
    )


def table_constraint(
    context: Context, item: exp.Expression, table: str, table_name: str
) -> ops.AddConstraint:
    """A constraint declared apart from a column (in CREATE TABLE or ALTER TABLE ... ADD)."""
    name: str | None = None
    if isinstance(item, exp.Constraint):
        name = context.fold(item.this)
        if len(item.expressions) != 1:
            raise Unsupported
        item = item.expressions[0]
    quote = context.quote
    if isinstance(item, exp.PrimaryKey):
        columns = [context.key_name(e) for e in item.expressions]
        return add_constraint(
            context,
            table,
            name,
            ConstraintKind.PRIMARY_KEY,
            columns,
            f"PRIMARY KEY ({', '.join(quote(c) for c in columns)}){key_index(context, item)}{deferrable(item)}",
        )
    if isinstance(item, exp.UniqueColumnConstraint):
        schema_node = item.this
        if (
            isinstance(schema_node, exp.Schema)
            and isinstance(schema_node.this, exp.Identifier)
            and name is None
        ):
            name = context.fold(schema_node.this)
        columns = [context.key_name(e) for e in (schema_node.expressions if schema_node is not None else [])]
        nulls = " NULLS NOT DISTINCT" if item.args.get("nulls") else ""
        return add_constraint(
            context,
            table,
            name,
            ConstraintKind.UNIQUE,
            columns,
            f"UNIQUE{nulls} ({', '.join(quote(c) for c in columns)}){key_index(context, item)}{deferrable(item)}",
            included=_included(context, item),
        )
    if isinstance(item, exp.ForeignKey):
        columns = [context.key_name(e) for e in item.expressions]
        ref = item.args.get("reference")
        if not isinstance(ref, exp.Reference):
            raise Unsupported
        return foreign_key(context, table, name, columns, ref)
    if isinstance(item, exp.CheckColumnConstraint):
        return check(context, table, name, item)
    if isinstance(item, exp.ExcludeColumnConstraint):
        params = item.this
        where = params.args.get("where") if isinstance(params, exp.IndexParameters) else None
        predicate = ""
        if isinstance(where, exp.Where) and isinstance(where.this, exp.Expression):
            # The predicate as any table expression is (its rules; typed once the columns are known)
            predicate = f" WHERE ({context.expression(where.this, TABLE_RULES)})"
            params.set("where", None)
        return ops.AddConstraint(
            table=table,
            named=name is not None,
            constraint=Constraint(
                name=name or make_object_name(table_name, _exclusion_keys(context, item), "excl"),
                kind=ConstraintKind.EXCLUDE,
                # Kept as text: its case folded as the server reads it (`USING GIST(ROOM WITH =)`).
                definition=fold_words(squash(context.generate(item))) + predicate,
            ),
        )
    raise Unsupported


def _exclusion_keys(context: Context, item: exp.ExcludeColumnConstraint) -> str | None:
    """The keys' part of an unnamed exclusion constraint's name, as PostgreSQL names its index from them
    (`circles_c_excl`; `expr` for an expression, a function's name for its call)."""
    from schemareg.normalize.index_names import bare_key, key_name, name_addition

    params = item.this
    elements = params.args.get("columns") or [] if isinstance(params, exp.IndexParameters) else []
    keys = [
        key_name(bare_key(e.this if isinstance(e, exp.WithOperator) else e), context.fold, context.generate)[
            0
        ]
        for e in elements
    ]
    return name_addition(keys) if keys else None


def inline_index(context: Context, item: exp.IndexColumnConstraint, table: str) -> ops.CreateIndex:
    """MySQL's `INDEX name (columns)` inside CREATE TABLE."""
    columns = [context.key_name(e) for e in item.expressions]
    name = context.fold(item.this) if item.this is not None else columns[0]
    keys = ", ".join(context.quote(c) for c in columns)
    return ops.CreateIndex(
        table=table, index=Index(name=name, definition=f"({keys})", columns=tuple(columns))
    )


def _included(context: Context, node: exp.Expression) -> list[str]:
    params = node.args.get("include")
    if not isinstance(params, exp.IndexParameters):
        return []
    return [context.key_name(i) for i in params.args.get("include") or []]


def key_index(context: Context, node: exp.Expression) -> str:
    """A key's index clauses as pg_get_constraintdef prints them: ` INCLUDE (b) WITH (fillfactor = 70)`
    (an index tablespace is not modelled)."""
    params = node.args.get("include")
    if not isinstance(params, exp.IndexParameters):
        return ""
    out = ""
    if params.args.get("include"):
        out += f" INCLUDE ({', '.join(context.quote(context.key_name(i)) for i in params.args['include'])})"
    storage = params.args.get("with_storage")
    if isinstance(storage, list) and storage:
        out += f" WITH ({storage_options(', '.join(context.generate(item) for item in storage))})"
    return out


def deferrable(node: exp.Expression) -> str:
    """DEFERRABLE / INITIALLY DEFERRED of a key constraint (the defaults are not written)."""
    return deferrable_words(" ".join(str(option).upper() for option in node.args.get("options") or []))


def deferrable_words(words: str) -> str:
    """The same of the constraint's words after its key, upper-cased (INITIALLY DEFERRED alone is
    DEFERRABLE too, as PostgreSQL makes it)."""
    if "INITIALLY DEFERRED" in words:
        return " DEFERRABLE INITIALLY DEFERRED"
    return " DEFERRABLE" if re.search(r"(?<!NOT )\bDEFERRABLE\b", words) else ""


def defer_constraint(table: Table | None, op: ops.DeferConstraint) -> bool:
    """ALTER CONSTRAINT's deferral on the table's constraint (False: no such constraint here)."""
    constraint = next((c for c in table.constraints if c.name == op.name), None) if table else None
    if constraint is None:
        return False
    definition = constraint.definition
    not_valid = definition.endswith(" NOT VALID")
    definition = (
        definition.removesuffix(" NOT VALID").removesuffix(" INITIALLY DEFERRED").removesuffix(" DEFERRABLE")
    )
    definition += " DEFERRABLE" if op.deferrable else ""
    definition += " INITIALLY DEFERRED" if op.deferred else ""
    constraint.definition = definition + (" NOT VALID" if not_valid else "")
    return True


def _fk_option_rank(option: str) -> int:
    for prefix, value in _FK_OPTION_ORDER.items():
        if option.startswith(prefix):
            return value
    return 9


def _fk_options(ref: exp.Reference) -> str:
    """A foreign key's options in PostgreSQL's order, the defaults left out."""
    options = [WS.sub(" ", str(option).upper()) for option in ref.args.get("options") or []]
    if "INITIALLY DEFERRED" in options and "DEFERRABLE" not in options:
        options.append("DEFERRABLE")  # INITIALLY DEFERRED alone is deferrable, as PostgreSQL makes it
    kept = sorted((option for option in options if option not in _DEFAULT_FK_OPTIONS), key=_fk_option_rank)
    return "".join(f" {option}" for option in kept)


def one_key_per_index(found: list[ops.AddConstraint]) -> list[ops.AddConstraint]:
    """A CREATE TABLE's constraints as PostgreSQL keeps them: one key per index (index_keys.py), the key
    kept named after the first named one folded into it if it was not named itself."""
    kept, folded = first_of_each_index([op.constraint for op in found])
    if not folded:
        return found
    by_signature = {
        index_signature(op.constraint): op for op in found if any(op.constraint is c for c in kept)
    }
    gone = {id(c) for c in folded}
    for op in found:
        if id(op.constraint) in gone:
            into = by_signature[index_signature(op.constraint)]
            if op.named and not into.named:
                into.constraint.name, into.named = op.constraint.name, True
    return [op for op in found if id(op.constraint) not in gone]
