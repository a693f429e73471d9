"""Functions, procedures and triggers: CREATE [OR REPLACE] FUNCTION / PROCEDURE / TRIGGER and policies.

Routines are read by pattern (patterns.RoutineReader) first; a routine sqlglot parses but the pattern does
not read is printed from sqlglot's tree. Triggers and policies are read by pattern only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlglot import exp

from schemareg.model import Definition, Kind
from schemareg.normalize import ops
from schemareg.normalize.context import Context, Unsupported
from schemareg.normalize.dialects import sqlglot_dialect
from schemareg.normalize.heads import applies_to
from schemareg.normalize.patterns import ROUTINE_HEAD
from schemareg.normalize.rules import fold_identifiers
from schemareg.render import literal

_log = logging.getLogger(__name__)


@applies_to("CREATE FUNCTION", "CREATE PROCEDURE", "CREATE OR REPLACE")
def read_routine(context: Context, text: str) -> list[ops.AnyOp] | None:
    """CREATE [OR REPLACE] FUNCTION / PROCEDURE, read by pattern (PostgreSQL)."""
    if context.dialect != "postgres" or not ROUTINE_HEAD.match(text):
        return None
    try:
        routine = context.routines.read(text)
    except Exception:
        _log.debug("kept as opaque after an internal error: %.80s", text, exc_info=True)
        return None
    return None if routine is None else [ops.CreateDefinition(definition=routine, replace=True)]


@applies_to("CREATE TRIGGER", "CREATE CONSTRAINT TRIGGER", "CREATE OR REPLACE")
def read_trigger(context: Context, text: str) -> list[ops.AnyOp] | None:
    """CREATE [OR REPLACE] [CONSTRAINT] TRIGGER, read by pattern (PostgreSQL)."""
    return by_pattern(context, text, context.patterns.trigger)


@applies_to("CREATE POLICY")
def read_policy(context: Context, text: str) -> list[ops.AnyOp] | None:
    """CREATE POLICY, read by pattern (PostgreSQL)."""
    return by_pattern(context, text, context.patterns.policy)


def by_pattern(
    context: Context, text: str, read: Callable[[str], Definition | None]
) -> list[ops.AnyOp] | None:
    """A statement read by one of the pattern readers (PostgreSQL); None when it does not read it."""
    if context.dialect != "postgres":
        return None
    try:
        definition = read(text)
    except Exception:
        _log.debug("kept as opaque after an internal error: %.80s", text, exc_info=True)
        return None
    return None if definition is None else [ops.CreateDefinition(definition=definition, replace=True)]


def create_routine(context: Context, tree: exp.Create, text: str) -> list[ops.AnyOp]:
    """A routine from sqlglot's tree, when the pattern reader did not read it."""
    udf = tree.this
    if not isinstance(udf, exp.UserDefinedFunction):
        raise Unsupported
    schema, name = context.table_name(udf.this)
    signature = routine_signature(context, udf)
    kind = Kind.PROCEDURE if str(tree.args.get("kind") or "").upper() == "PROCEDURE" else Kind.FUNCTION
    fold_identifiers(udf, context.dialect)
    tree.set("replace", False)
    body = tree.expression
    if isinstance(body, exp.Heredoc):
        tree.set("expression", exp.Literal.string(body.this))
        sql_text = _restore_dollar_quote(context.generate(tree), body.this)
    else:
        sql_text = context.generate(tree)
    definition = Definition(kind=kind, schema=schema, name=f"{name}({signature})", sql=sql_text)
    return [ops.CreateDefinition(definition=definition, replace=True)]


def create_trigger(context: Context, tree: exp.Create, text: str) -> list[ops.AnyOp]:
    raise Unsupported  # triggers keep their text: the opaque path names them by table


def routine_signature(context: Context, udf: exp.UserDefinedFunction) -> str:
    """The argument types that identify a routine (OUT arguments are not part of it)."""
    types = []
    for arg in udf.expressions:
        if not isinstance(arg, exp.ColumnDef):
            raise Unsupported
        mode = ""
        for constraint in arg.constraints:
            node = constraint.kind if isinstance(constraint, exp.ColumnConstraint) else constraint
            if isinstance(node, exp.InOutColumnConstraint):
                mode = context.generate(node).upper()
        if "OUT" in mode and "IN" not in mode.replace("OUT", ""):
            continue
        kind = arg.args.get("kind")
        if isinstance(kind, exp.DataType):
            types.append(context.type_sql(kind))
        elif kind is None and arg.this is not None:
            # an unnamed argument: sqlglot reads the type as the name
            types.append(
                context.type_sql(exp.DataType.build(arg.this.name, dialect=sqlglot_dialect(context.dialect)))
            )
        else:
            raise Unsupported
    return ", ".join(types)


def _restore_dollar_quote(sql_text: str, body: str) -> str:
    """sqlglot prints a function body as a string literal; put it back in dollar quotes that do not clash."""
    quoted = literal(body)
    tag = "$$"
    n = 0
    while tag in body:
        n += 1
        tag = f"$_{n}$" if n > 1 else "$_$"
    return sql_text.replace(quoted, f"{tag}{body}{tag}", 1)
