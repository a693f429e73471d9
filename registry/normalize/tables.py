"""CREATE TABLE: columns (types, defaults, serials, identities, generated), constraints and partitions."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Column, ConstraintKind, Kind, Sequence, Table
from schemareg.names import collation, join_key, make_object_name, split_key, split_qualified
from schemareg.normalize import ops
from schemareg.normalize.array_literals import array_text
from schemareg.normalize.constraints import (
    add_constraint,
    check,
    deferrable,
    foreign_key,
    inline_index,
    one_key_per_index,
    table_constraint,
)
from schemareg.normalize.context import Context, Unsupported
from schemareg.normalize.identity import identity_options
from schemareg.normalize.inheritance import inherits_clause
from schemareg.normalize.jsonb import jsonb_text
from schemareg.normalize.literals import (
    BLANK_PADDED,
    NUMERIC_TYPES,
    OWN_TYPE,
    TYPE_CLASSES,
    base_type,
    boolean_value,
    bytea_hex,
    date_text,
    interval_text,
    modified_element,
    null_default,
    time_text,
    timestamp_text,
    timestamptz_text,
    type_class_of,
    uuid_text,
)
from schemareg.normalize.no_inherit import mark_no_inherit
from schemareg.normalize.opaque import opaque
from schemareg.normalize.parser_additions import bit_constants
from schemareg.normalize.rules import TABLE_RULES
from schemareg.normalize.sequences import sequence_options
from schemareg.normalize.storage import parameter
from schemareg.normalize.storage import render as render_parameters
from schemareg.normalize.table_as import table_as
from schemareg.normalize.table_like import like_op
from schemareg.normalize.text import literal_value, squash, upper_words
from schemareg.render import literal, quote_qualified

SERIALS = {
    exp.DataType.Type.SERIAL: "INT",
    exp.DataType.Type.BIGSERIAL: "BIGINT",
    exp.DataType.Type.SMALLSERIAL: "SMALLINT",
}
_NUMBER = lazy_compile(r"-?\d+(\.\d+)?")
_ZONED_TIMESTAMP = lazy_compile(
    r"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)\s*(?:[+-]\d\d(?::?\d\d)?|Z|UTC)"
)
_IDENTITY_OPTIONS = (
    ("start", "START WITH"),
    ("increment", "INCREMENT BY"),
    ("minvalue", "MINVALUE"),
    ("maxvalue", "MAXVALUE"),
    ("cache", "CACHE"),
)


def create_table(context: Context, tree: exp.Create, text: str) -> list[ops.AnyOp]:
    target = tree.this
    schema, name = context.table_name(target)
    table = Table(schema=schema, name=name)
    qualified = context.qualify(schema, name)
    if tree.expression is not None and not isinstance(tree.expression, exp.Schema):
        kept = opaque(context, text, kind=Kind.TABLE, name=qualified)  # CREATE TABLE ... AS <query>
        return [table_as(context, tree, table, kept.definition)] if context.dialect == "postgres" else [kept]
    sequences: list[ops.CreateSequence] = []
    constraints: list[ops.AddConstraint] = []
    indexes: list[ops.CreateIndex] = []
    partition_of = False
    options: list[str] = []
    storage: dict[str, str] = {}
    for prop in (tree.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.PartitionedByProperty):
            table.partition_by = _partition_by(context, prop)
        elif isinstance(prop, exp.PartitionedOfProperty):
            partition_of = True
            table.partition_of = context.qualified_name(prop.this)
            table.partition_bound = partition_bound(
                context.generate(prop.expression) if prop.expression else "DEFAULT"
            )
        elif isinstance(prop, exp.TemporaryProperty):
            options.append("TEMPORARY")
        elif isinstance(prop, exp.UnloggedProperty):
            options.append("UNLOGGED")
        elif isinstance(prop, exp.InheritsProperty):
            options.append(inherits_clause(context, prop))
        elif isinstance(prop, exp.EngineProperty):
            options.append(f"ENGINE={context.generate(prop.this).upper()}")
        elif isinstance(prop, exp.SchemaCommentProperty):
            table.comment = literal_value(prop.this)
        elif isinstance(prop, exp.CharacterSetProperty | exp.CollateProperty | exp.AutoIncrementProperty):
            continue  # table defaults that do not change the columns as declared
        elif context.dialect == "postgres" and _DEFAULT_PLACE.fullmatch(context.generate(prop)):
            continue  # `TABLESPACE pg_default`, `USING heap`: where a table goes when nothing is said
        elif (
            context.dialect == "postgres"
            and type(prop) is exp.Property
            and isinstance(prop.this, exp.Var | exp.Identifier | exp.Literal)
        ):
            name, value = parameter(context.generate(prop.this), context.generate(prop.args["value"]))
            storage[name] = value
        else:
            options.append(context.generate(prop))
    options += render_parameters(storage)
    if options:
        table.options = " ".join(options)
    identities = iter(identity_options(text) if "IDENTITY" in text.upper() else ())
    likes: list[ops.AnyOp] = []
    for item in target.expressions if isinstance(target, exp.Schema) else []:
        if isinstance(item, exp.ColumnDef):
            column, extra = column_def(context, item, qualified, identities)
            table.columns.append(column)
            for op in extra:
                if isinstance(op, ops.AddConstraint):
                    constraints.append(op)
                elif isinstance(op, ops.CreateSequence):
                    sequences.append(op)
        elif isinstance(item, exp.IndexColumnConstraint):
            indexes.append(inline_index(context, item, qualified))
        elif isinstance(item, exp.LikeProperty) and context.dialect == "postgres":
            fallback = opaque(context, text, kind=Kind.TABLE, name=qualified)
            likes.insert(0, like_op(context, item, qualified, len(table.columns), fallback))  # last first
        else:
            constraints.append(table_constraint(context, item, qualified, name))
    if "INHERIT" in text.upper():
        mark_no_inherit(text, list(constraints))
    if context.dialect == "postgres":
        constraints = one_key_per_index(constraints)
        if "UNLOGGED" in options:  # a serial's sequence is as the table is (PostgreSQL 15)
            for made in sequences:
                made.sequence.unlogged = True
    return [
        *sequences,
        ops.CreateTable(table=table, if_not_exists=bool(tree.args.get("exists")), partition_of=partition_of),
        *likes,
        *constraints,
        *indexes,
    ]


_DEFAULT_PLACE = lazy_compile(r"TABLESPACE\s+pg_default|USING\s+heap", re.IGNORECASE)


def _partition_by(context: Context, prop: exp.PartitionedByProperty) -> str:
    node = prop.this
    if isinstance(node, exp.Anonymous):
        method = str(node.this).upper()
        keys = ", ".join(context.expression(e) for e in node.expressions)
        return f"{method} ({keys})"
    if isinstance(node, exp.Schema):
        return f"({', '.join(context.expression(e) for e in node.expressions)})"
    return context.expression(node)


def column_def(
    context: Context, item: exp.ColumnDef, table: str, identities: Iterator[str] | None = None
) -> tuple[Column, list[ops.AnyOp]]:
    """A column, and the constraints and sequence (for a serial) it declares; `identities`: the options of
    the statement's identity columns as written, in order (identity.py)."""
    name = context.fold(item.this)
    kind = item.args.get("kind")
    extra: list[ops.AnyOp] = []
    column = Column(name=name, type=context.column_type_sql(kind) if isinstance(kind, exp.DataType) else "")
    if isinstance(kind, exp.DataType) and kind.this in SERIALS and context.dialect == "postgres":
        column.type = SERIALS[kind.this]
        column.nullable = False
        schema, table_name = split_qualified(table)
        sequence_name = make_object_name(table_name, name, "seq")
        as_type = "" if column.type == "BIGINT" else f"AS {column.type}"
        extra.append(
            ops.CreateSequence(
                sequence=Sequence(
                    schema=schema,
                    name=sequence_name,
                    options=as_type,
                    owned_by=join_key(*split_key(table), name),
                ),
                serial=True,
            )
        )
        column.default = nextval(context.qualify(schema, sequence_name))
    for constraint in item.constraints:
        constraint_name = context.fold(constraint.this) if constraint.this is not None else None
        kind_node = constraint.kind
        if isinstance(kind_node, exp.NotNullColumnConstraint):
            column.nullable = bool(kind_node.args.get("allow_null"))
        elif isinstance(kind_node, exp.DefaultColumnConstraint):
            column.default = default_expression(context, kind_node.this, column.type)
        elif isinstance(kind_node, exp.PrimaryKeyColumnConstraint):
            if context.dialect != "sqlite":
                column.nullable = False
            # DEFERRABLE [INITIALLY DEFERRED] written after the key on its column was lost (a meaning).
            definition = f"PRIMARY KEY ({context.quote(name)}){deferrable(kind_node)}"
            extra.append(
                add_constraint(
                    context, table, constraint_name, ConstraintKind.PRIMARY_KEY, [name], definition
                )
            )
        elif isinstance(kind_node, exp.UniqueColumnConstraint):
            nulls = " NULLS NOT DISTINCT" if kind_node.args.get("nulls") else ""
            definition = f"UNIQUE{nulls} ({context.quote(name)}){deferrable(kind_node)}"
            extra.append(
                add_constraint(context, table, constraint_name, ConstraintKind.UNIQUE, [name], definition)
            )
        elif isinstance(kind_node, exp.Reference):
            extra.append(foreign_key(context, table, constraint_name, [name], kind_node))
        elif isinstance(kind_node, exp.CheckColumnConstraint):
            extra.append(check(context, table, constraint_name, kind_node))
        elif isinstance(kind_node, exp.GeneratedAsIdentityColumnConstraint) and kind_node.expression:
            # GENERATED ALWAYS AS (expr) without STORED: PostgreSQL 18's virtual generated column.
            context.own_columns(kind_node.expression, table)
            column.generated = context.expression(kind_node.expression, TABLE_RULES)
            column.virtual = True
        elif isinstance(kind_node, exp.GeneratedAsIdentityColumnConstraint):
            written = next(identities, None) if identities else None
            column.identity = _identity(context, kind_node, table, name, written, column.type)
            column.nullable = False
        elif isinstance(kind_node, exp.ComputedColumnConstraint):
            context.own_columns(kind_node.this, table)
            column.generated = context.expression(kind_node.this, TABLE_RULES)
        elif isinstance(kind_node, exp.GeneratedAsRowColumnConstraint):
            raise Unsupported
        elif isinstance(kind_node, exp.CollateColumnConstraint):
            collated = collation(context.generate(kind_node.this))
            # `COLLATE "default"` is the type's own collation, which PostgreSQL does not record.
            column.collation = None if collated.strip('"').lower() == "default" else collated
        elif isinstance(kind_node, exp.CommentColumnConstraint):
            column.comment = literal_value(kind_node.this)
        elif isinstance(kind_node, exp.AutoIncrementColumnConstraint):
            column.identity = "AUTO_INCREMENT" if context.dialect == "mysql" else "AUTOINCREMENT"
        elif isinstance(kind_node, exp.OnUpdateColumnConstraint):
            column.default = (column.default or "") + f" ON UPDATE {context.expression(kind_node.this)}"
        elif isinstance(kind_node, exp.CharacterSetColumnConstraint):
            continue
        else:
            raise Unsupported
    return column, extra


def default_expression(context: Context, node: exp.Expression, column_type: str) -> str | None:
    """A column default as PostgreSQL stores it for a column of that type; None when it stores none
    (`DEFAULT NULL`, in any spelling that is the null constant of the column's type)."""
    while isinstance(node, exp.Paren):
        node = node.this
    node = bit_constants(node, context.dialect)  # `B'101'` is `'101'::"bit"`, a bit(3) column's own type
    null = null_cast(context, node)
    if null is not None:
        return null_default(column_type, null or None)
    type_class = type_class_of(column_type)
    # 'x'::character varying (or ('x')::...) on a varchar column is just 'x'.
    operand = _constant_cast(node)
    if operand is not None and isinstance(node, exp.Cast):
        target = context.type_sql(node.to.copy()) if node.to is not None else ""
        if _keeps_text_cast(context, operand, target, column_type):
            # PostgreSQL stores the string as the type it was cast to: 'x'::text on a varchar column is
            # kept so, where a bare 'x' is stored as 'x'::character varying.
            return f"CAST({context.expression(operand)} AS {target})"
        if base_type(target) == base_type(column_type) or target == column_type:
            node = operand
    if isinstance(node, exp.Anonymous | exp.Func) and str(getattr(node, "name", "")).lower() == "nextval":
        arg = node.expressions[0] if node.expressions else node.this
        while isinstance(arg, exp.Cast | exp.Paren):
            arg = arg.this
        if isinstance(arg, exp.Literal):
            return nextval(context.read_qualified_name(arg.this))
    if context.dialect != "postgres":
        return _typed_default(context, node, column_type)
    if isinstance(node, exp.Interval) and type_class == "interval" and isinstance(node.this, exp.Literal):
        unit = node.args.get("unit")
        node = exp.Literal.string(f"{node.this.this} {unit.sql() if unit is not None else ''}".strip())
    if isinstance(node, exp.Literal) and node.is_string:
        if type_class == "interval":
            printed = interval_text(node.this)
            node = exp.Literal.string(printed) if printed is not None else node
        elif type_class == "bytea":
            printed = bytea_hex(node.this)
            node = exp.Literal.string(printed) if printed is not None else node
    expression = _typed_default(context, node, column_type)
    # PostgreSQL stores no default that is the null constant: DEFAULT NULL is no default.
    return None if expression == "NULL" else expression


def null_cast(context: Context, node: exp.Expression) -> str | None:
    """For a null constant in PostgreSQL, the type it is cast to ("" for a bare NULL); None otherwise."""
    if context.dialect != "postgres":
        return None
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Null):
        return ""
    operand = node.this if isinstance(node, exp.Cast) else None
    while isinstance(operand, exp.Paren):
        operand = operand.this
    if isinstance(node, exp.Cast) and isinstance(operand, exp.Null) and node.to is not None:
        return context.type_sql(node.to.copy())
    return None


_STRING_TYPES = frozenset({"TEXT", "VARCHAR", "CHAR", "BPCHAR", "NAME"})


def _keeps_text_cast(context: Context, operand: exp.Expression, target: str, column_type: str) -> bool:
    """Whether a string constant's cast to a string type is not the one PostgreSQL would store for the
    bare constant on this column (the column's own type unmodified; bpchar for a char(n) column)."""
    if context.dialect != "postgres" or not (isinstance(operand, exp.Literal) and operand.is_string):
        return False
    cast_base, column_base = base_type(target), base_type(column_type)
    if cast_base not in _STRING_TYPES or target == column_base:
        return False
    blank_padded = {"CHAR", "BPCHAR"}
    return not (cast_base in blank_padded and column_base in blank_padded and "(" not in target)


def _typed_default(context: Context, node: exp.Expression, column_type: str) -> str:
    if (
        isinstance(node, exp.Literal)
        and node.is_string
        and _NUMBER.fullmatch(node.this)
        and base_type(column_type) in NUMERIC_TYPES
    ):
        return str(node.this)
    blank_padded = BLANK_PADDED.fullmatch(column_type)
    if blank_padded and context.dialect == "postgres" and isinstance(node, exp.Literal) and node.is_string:
        # PostgreSQL stores an untyped literal on a char(n) column as 'x'::bpchar (the type without its
        # length), whatever the column was spelt: keep that form so the DDL and the live database agree.
        return context.expression(exp.cast(node, f"BPCHAR{blank_padded.group(1)}", dialect="postgres"))
    if isinstance(node, exp.Literal) and node.is_string and context.dialect == "postgres":
        # The constant as the column's type prints it: `'yes'` is true, `'2020-1-2'` on a date column
        # `'2020-01-02'`, on a timestamptz column `'2020-01-02 00:00:00+00'` (in UTC).
        base = base_type(column_type)
        truth = boolean_value(node.this) if base == "BOOLEAN" else None
        if truth is not None:
            return context.expression(exp.Boolean(this=truth))
        typed = {"DATE": date_text, "TIMESTAMPTZ": timestamptz_text, "TIME": time_text}
        typed |= {"JSONB": jsonb_text, "UUID": uuid_text}
        printed = typed.get(base, lambda _: None)(node.this)
        if column_type.endswith("[]"):  # `'{a, b}'` on a text[] column is stored `'{a,b}'`
            element = column_type[:-2]
            printed = array_text(node.this, base_type(element))
            unmodified = modified_element(column_type)
            if unmodified is not None:
                # coerced to the length or precision by a cast, which PostgreSQL stores: `'{a}'` on a
                # varchar(10)[] column is `'{a}'::character varying[]`
                text = printed if printed is not None else node.this
                return context.expression(
                    exp.cast(exp.Literal.string(text), f"{unmodified}[]", dialect="postgres")
                )
        node = exp.Literal.string(printed) if printed is not None else node
    if isinstance(node, exp.Literal) and node.is_string and base_type(column_type) == "TIMESTAMP":
        # A zone on a timestamp without time zone is dropped when the default is stored.
        printed = timestamp_text(node.this) if context.dialect == "postgres" else None
        zoned = _ZONED_TIMESTAMP.fullmatch(node.this)
        if printed is not None:
            node = exp.Literal.string(printed)
        elif zoned:
            node = exp.Literal.string(zoned.group(1))
    return context.expression(node)


def _constant_cast(node: exp.Expression) -> exp.Expression | None:
    """The constant a cast applies to, in parentheses or not (`'x'::t`, `('x')::t`), else None. Not an
    `ARRAY[...]`: its cast goes into its elements (rules), and an empty one has only its cast's type."""
    if not isinstance(node, exp.Cast):
        return None
    operand = node.this
    while isinstance(operand, exp.Paren):
        operand = operand.this
    return operand if isinstance(operand, exp.Literal | exp.Null) else None


def own_type_default(context: Context, node: exp.Expression, plain: str) -> dict[str, str]:
    """SET DEFAULT of a constant cast to a type (`'{}'::jsonb`): on a column of that very type PostgreSQL
    stores the constant as an inline default would be, without the cast. Keyed `=<base type>` for the
    applier, which knows the column's type."""
    while isinstance(node, exp.Paren):
        node = node.this
    node = bit_constants(node, context.dialect)
    if _constant_cast(node) is None or not isinstance(node, exp.Cast):
        return {}
    target = context.type_sql(node.to.copy()) if node.to is not None else ""
    value = default_expression(context, node.copy(), target) if target else None
    return {OWN_TYPE + base_type(target): value} if value is not None and value != plain else {}


def defaults_by_type(context: Context, node: exp.Expression) -> dict[str, str | None]:
    """A default for a column whose type is not known here, computed for each class of type.

    Only a constant (a literal, an interval, NULL, maybe cast) is stored differently by type: any other
    default (`nextval(...)`, `now()`) is computed once.
    """
    core = node
    while isinstance(core, exp.Paren | exp.Cast):
        core = core.this
    if not isinstance(core, exp.Literal | exp.Interval | exp.Null | exp.Neg):
        return {"": default_expression(context, node, "")}
    return {
        name: default_expression(context, node.copy(), stand_in) for name, stand_in in TYPE_CLASSES.items()
    }


def _identity(
    context: Context,
    node: exp.GeneratedAsIdentityColumnConstraint,
    table: str,
    column: str,
    written: str | None = None,
    column_type: str | None = None,
) -> str:
    how = "ALWAYS" if node.this else "BY DEFAULT"
    if written is None:  # the options as sqlglot read them
        parts = []
        for key, word in _IDENTITY_OPTIONS:
            value = node.args.get(key)
            if value is not None:
                parts.append(f"{word} {context.generate(value)}")
        written = " ".join(parts) + (" CYCLE" if node.args.get("cycle") else "")
    options = sequence_options(written, table=table, column=column, context=context, column_type=column_type)
    return how + (f" ({options})" if options else "")


def nextval(sequence: str) -> str:
    return f"NEXTVAL(CAST({literal(quote_qualified(sequence))} AS REGCLASS))"


def partition_bound(text: str) -> str:
    """A partition bound as pg_dump prints it: `FOR VALUES FROM (...) TO (...)`, `... IN (...)`, `DEFAULT`."""
    bound = upper_words(squash(text))
    if bound != "DEFAULT" and not bound.startswith("FOR VALUES"):
        bound = f"FOR VALUES {bound}"
    bound = re.sub(r"\s*\(\s*", " (", bound)
    bound = re.sub(r"\s*\)", ")", bound)
    bound = re.sub(r"\)(?=[A-Za-z])", ") ", bound)
    return re.sub(r"\(\s*(FOR|FROM|TO|IN|WITH)\b", r"(\1", bound).replace("  ", " ").strip()
