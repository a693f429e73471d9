"""ALTER TABLE: columns added, dropped, changed and renamed, constraints added and dropped, partitions
attached, identities added, retuned and dropped, generation expressions dropped, SET LOGGED / UNLOGGED
(SET SCHEMA is schema_moves'); an action we do not model is kept on the table as canonical text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Kind
from schemareg.names import collation, make_object_name, split_key
from schemareg.normalize import ops
from schemareg.normalize.constraints import table_constraint
from schemareg.normalize.context import Context, Unsupported
from schemareg.normalize.firing import firing
from schemareg.normalize.heads import applies_to
from schemareg.normalize.identity import identity_options
from schemareg.normalize.inheritance import inherit
from schemareg.normalize.literals import NULL_CAST
from schemareg.normalize.no_inherit import drop_no_inherit, mark_no_inherit
from schemareg.normalize.opaque import opaque
from schemareg.normalize.patterns import split_top_level
from schemareg.normalize.sequences import sequence_options
from schemareg.normalize.storage import parameters_from_text
from schemareg.normalize.tables import (
    SERIALS,
    column_def,
    default_expression,
    defaults_by_type,
    null_cast,
    own_type_default,
    partition_bound,
)
from schemareg.normalize.text import IDENT, QNAME, WS, squash, upper_words

ALTER_TABLE_HEAD = lazy_compile(
    rf"\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<table>{QNAME})\s+(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
# SET / RESET of storage parameters (not SET SCHEMA, SET TABLESPACE, SET LOGGED...: no bracket follows).
_STORAGE = lazy_compile(r"(?P<how>SET|RESET)\s*\((?P<list>[^()]*)\)\s*$", re.IGNORECASE)
_VALIDATE = lazy_compile(rf"VALIDATE\s+CONSTRAINT\s+(?P<name>{IDENT})\s*$", re.IGNORECASE)
_ATTACH = lazy_compile(
    rf"ATTACH\s+PARTITION\s+(?P<child>{QNAME})\s+(?P<bound>FOR\s+VALUES\s+.+|DEFAULT)$",
    re.IGNORECASE | re.DOTALL,
)
_ADD_IDENTITY = lazy_compile(
    rf"ALTER\s+(?:COLUMN\s+)?(?P<column>{IDENT})\s+ADD\s+GENERATED\s+(?P<how>ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY"
    r"(?:\s*\((?P<options>.*)\))?$",
    re.IGNORECASE | re.DOTALL,
)
_ALTER_CONSTRAINT = lazy_compile(
    rf"ALTER\s+CONSTRAINT\s+(?P<name>{IDENT})(?P<words>(?:\s+(?:NOT\s+)?DEFERRABLE|\s+INITIALLY\s+(?:DEFERRED|IMMEDIATE))+)\s*$",
    re.IGNORECASE,
)
_RENAME_CONSTRAINT = lazy_compile(
    rf"RENAME\s+CONSTRAINT\s+(?P<old>{IDENT})\s+TO\s+(?P<new>{IDENT})\s*$", re.I
)
# ALTER COLUMN c DROP EXPRESSION / DROP IDENTITY [IF EXISTS], or SET GENERATED and the identity's sequence
# options (SET START WITH 10, RESTART, ...), one or more.
_COLUMN_DROP = lazy_compile(
    rf"ALTER\s+(?:COLUMN\s+)?(?P<column>{IDENT})\s+DROP\s+(?P<what>EXPRESSION|IDENTITY)(?:\s+IF\s+EXISTS)?\s*$",
    re.IGNORECASE,
)
_COLUMN_IDENTITY = lazy_compile(rf"ALTER\s+(?:COLUMN\s+)?(?P<column>{IDENT})(?=\s+(?:SET|RESTART)\b)", re.I)
_IDENTITY_SET = lazy_compile(
    r"\s+(?:SET\s+GENERATED\s+(?P<kind>ALWAYS|BY\s+DEFAULT)"
    r"|SET\s+(?P<option>INCREMENT(?:\s+BY)?\s+-?\d+|(?:MINVALUE|MAXVALUE|START(?:\s+WITH)?|CACHE)\s+-?\d+"
    r"|NO\s+(?:MINVALUE|MAXVALUE|CYCLE)|CYCLE)"
    r"|RESTART(?:\s+(?:WITH\s+)?-?\d+)?)",
    re.IGNORECASE,
)
_SET_LOGGED = lazy_compile(r"SET\s+(?P<un>UN)?LOGGED\s*$", re.IGNORECASE)
_WITHOUT_OIDS = lazy_compile(r"SET\s+WITHOUT\s+OIDS\s*$", re.IGNORECASE)
# An unnamed CHECK or EXCLUDE, which sqlglot reads only named.
_ADD_CHECK = lazy_compile(r"ADD\s+(?:CHECK\s*\(|(?P<exclude>EXCLUDE)\b)", re.IGNORECASE)
_NOT_VALID_ADD = lazy_compile(r"\bADD\s+CONSTRAINT\b.*\bNOT\s+VALID\s*$", re.IGNORECASE | re.DOTALL)


@applies_to("ALTER TABLE")
def alter_table_pattern(context: Context, text: str) -> list[ops.AnyOp] | None:
    """ALTER TABLE idioms sqlglot reads as Command: VALIDATE, ATTACH PARTITION, ADD / DROP IDENTITY, SET
    GENERATED, DROP EXPRESSION, SET [UN]LOGGED, unnamed ADD CHECK / EXCLUDE, ENABLE / DISABLE TRIGGER or
    RULE (normalize/firing.py), [NO] INHERIT (normalize/inheritance.py)."""
    m = ALTER_TABLE_HEAD.match(text)
    if m is None:
        return None
    rest = m.group("rest").strip()
    named = firing(context, context.read_qualified_name(m.group("table")), rest) or inherit(
        context, context.read_qualified_name(m.group("table")), rest
    )
    if named is not None:
        return named
    storage = _STORAGE.match(rest)
    if storage and context.dialect == "postgres":
        table = context.read_qualified_name(m.group("table"))
        inside = parameters_from_text(storage.group("list"))
        if storage.group("how").upper() == "SET":
            return [ops.SetStorage(table=table, parameters=inside)]
        return [ops.SetStorage(table=table, reset=tuple(inside))]
    validate = _VALIDATE.match(rest)
    if validate:
        table = context.read_qualified_name(m.group("table"))
        return [ops.ValidateConstraint(table=table, name=context.unquote(validate.group("name")))]
    deferrals = _deferrals(context, m.group("table"), rest)
    if deferrals:
        return deferrals
    renamed = _RENAME_CONSTRAINT.match(rest)
    if renamed:
        table = context.read_qualified_name(m.group("table"))
        old, new = (context.unquote(renamed.group(g)) for g in ("old", "new"))
        return [ops.RenameConstraint(table=table, old=old, new=new)]
    attach = _ATTACH.match(rest)
    if attach:
        table = context.read_qualified_name(m.group("table"))
        child = context.read_qualified_name(attach.group("child"))
        return [ops.AttachPartition(parent=table, child=child, bound=partition_bound(attach.group("bound")))]
    changed = _column_identity(context, m.group("table"), rest)
    if changed is not None:
        return [changed]
    if _WITHOUT_OIDS.match(rest) and context.dialect == "postgres":
        return [ops.Ignored(reason="WITHOUT OIDS")]  # what every table is since PostgreSQL 12
    logged = _SET_LOGGED.match(rest)
    if logged and context.dialect == "postgres":
        table = context.read_qualified_name(m.group("table"))
        return [ops.SetLogged(table=table, unlogged=logged.group("un") is not None)]
    unnamed = _unnamed_check(context, text, m)
    if unnamed is not None:
        return unnamed
    identity = _ADD_IDENTITY.match(rest)
    if identity:
        table = context.read_qualified_name(m.group("table"))
        column = context.unquote(identity.group("column"))
        how = WS.sub(" ", identity.group("how").upper())
        options = sequence_options(
            identity.group("options") or "", table=table, column=column, context=context
        )
        return [
            ops.AlterColumn(
                table=table,
                column=column,
                identity=how + (f" ({options})" if options else ""),
                nullable=False,
            )
        ]
    return None


def _column_identity(context: Context, table_text: str, rest: str) -> ops.AlterColumn | None:
    """ALTER COLUMN ... DROP EXPRESSION, DROP IDENTITY, or SET GENERATED and SET / RESTART of the identity's
    sequence, which sqlglot reads as Command: the column as PostgreSQL leaves it (a dropped identity or
    expression leaves the column and its NOT NULL; RESTART changes no definition)."""
    dropped = _COLUMN_DROP.match(rest)
    if dropped is not None:
        table = context.read_qualified_name(table_text)
        op = ops.AlterColumn(table=table, column=context.unquote(dropped.group("column")))
        if dropped.group("what").upper() == "EXPRESSION":
            op.drop_generated = True
        else:
            op.drop_identity = True
        return op
    head = _COLUMN_IDENTITY.match(rest)
    if head is None:
        return None
    kind, options, at = None, [], head.end()
    while at < len(rest.rstrip()):
        found = _IDENTITY_SET.match(rest, at)
        if found is None:
            return None
        if found.group("kind"):
            kind = WS.sub(" ", found.group("kind").upper())
        elif found.group("option"):
            options.append(WS.sub(" ", found.group("option").upper()))
        at = found.end()
    table = context.read_qualified_name(table_text)
    column = context.unquote(head.group("column"))
    return ops.AlterColumn(table=table, column=column, identity_kind=kind, identity_options=" ".join(options))


def _unnamed_check(context: Context, text: str, head: re.Match[str]) -> list[ops.AnyOp] | None:
    """An ALTER TABLE with `ADD CHECK (...)` or `ADD EXCLUDE ...` actions without a constraint name, which
    sqlglot reads as Command: each is read as a named one, then named as PostgreSQL names it
    (`<table>_<column>_check`, `<table>_check`; an exclusion from its keys, `<table>_<keys>_excl`)."""
    actions = split_top_level(head.group("rest").strip())
    placeholders: set[str] = set()
    exclusions: set[str] = set()
    for n, action in enumerate(actions):
        found = _ADD_CHECK.match(action)
        if found is not None:
            placeholder = f"schemareg unnamed {n}"
            if found.group("exclude"):
                actions[n] = f'ADD CONSTRAINT "{placeholder}" {action[found.start("exclude") :]}'
                exclusions.add(placeholder)
            else:
                actions[n] = f'ADD CONSTRAINT "{placeholder}" CHECK {action[found.end() - 1 :]}'
            placeholders.add(placeholder)
    if not placeholders:
        return None
    named = f"{text[: head.start('rest')]}{', '.join(actions)}"
    tree = context.parse(drop_no_inherit(named) if "INHERIT" in named.upper() else named)
    if not isinstance(tree, exp.Alter):
        return None
    for add in tree.find_all(exp.AddConstraint):
        # An exclusion read without its placeholder name is named from its keys (constraints.py).
        add.set(
            "expressions",
            [
                c.expressions[0] if isinstance(c, exp.Constraint) and c.name in exclusions else c
                for c in add.expressions
            ],
        )
    result = alter_table(context, tree, named)
    table = split_key(context.read_qualified_name(head.group("table")))[-1]
    for op in result:
        if isinstance(op, ops.AddConstraint) and op.constraint.name in placeholders:
            columns = op.constraint.columns
            op.named = False
            op.constraint.name = make_object_name(table, columns[0] if len(columns) == 1 else None, "check")
        elif isinstance(op, ops.TableOption | ops.Opaque):
            return None  # not read after all: kept as the statement written
    return result


def _deferrals(context: Context, table_text: str, rest: str) -> list[ops.AnyOp]:
    """`ALTER CONSTRAINT c [NOT] DEFERRABLE [INITIALLY ...]`, one or more, each one op ([] otherwise)."""
    found: list[ops.AnyOp] = []
    for action in split_top_level(rest):
        match = _ALTER_CONSTRAINT.match(action.strip())
        if match is None:
            return []
        words = WS.sub(" ", match.group("words").upper())
        deferred = "INITIALLY DEFERRED" in words  # which implies DEFERRABLE
        found.append(
            ops.DeferConstraint(
                table=context.read_qualified_name(table_text),
                name=context.unquote(match.group("name")),
                deferrable=deferred or " DEFERRABLE" in words.replace("NOT DEFERRABLE", ""),
                deferred=deferred,
            )
        )
    return found


def table_option(context: Context, text: str) -> ops.TableOption | None:
    """An ALTER TABLE action we do not model, kept on the table as canonical text."""
    m = ALTER_TABLE_HEAD.match(text)
    if m is None:
        return None
    table = context.read_qualified_name(m.group("table"))
    return ops.TableOption(table=table, sql=upper_words(squash(m.group("rest"))))


def alter_table(context: Context, tree: exp.Alter, text: str) -> list[ops.AnyOp]:
    table = context.qualified_name(tree.this)
    table_name = split_key(table)[-1]
    result: list[ops.AnyOp] = []
    actions = tree.args.get("actions") or []
    to = [o for o in tree.args.get("options") or [] if isinstance(o, exp.ToTableProperty)]
    if len(actions) == 1 and isinstance(actions[0], exp.AlterRename) and len(to) == 1:
        # `RENAME old TO new`: COLUMN is optional, and sqlglot reads the column as the table's new name.
        old, new = context.table_name(actions[0].this)[1], context.table_name(to[0].this)[1]
        return [ops.RenameColumn(table=table, old=old, new=new)]
    identities = iter(identity_options(text) if "IDENTITY" in text.upper() else ())
    try:
        for action in actions:
            result.extend(_action(context, table, table_name, action, identities))
    except Unsupported:
        option = table_option(context, text)
        return [option] if option is not None else [opaque(context, text)]
    if "INHERIT" in text.upper():
        mark_no_inherit(text, result)
    if tree.args.get("only"):
        for op in result:
            if isinstance(op, ops.AddConstraint | ops.AlterColumn):
                op.only = True
    if _NOT_VALID_ADD.search(text):
        for op in result:
            if isinstance(op, ops.AddConstraint) and not op.constraint.definition.endswith(" NOT VALID"):
                op.constraint.definition += " NOT VALID"
    return result or [opaque(context, text)]


def split_actions(text: str) -> list[str] | None:
    """An ALTER TABLE of several actions as one statement per action (`ALTER TABLE [IF EXISTS] [ONLY] t`
    before each), or None for one action. PostgreSQL applies them in order, as it would apart; read
    together, one action sqlglot does not read made the statement a Command, kept whole as text, and the
    modelled ones in it were lost (`ADD COLUMN x int, ALTER COLUMN y SET STATISTICS 100` lost the column)."""
    m = ALTER_TABLE_HEAD.match(text)
    if m is None or "," not in m.group("rest"):
        return None
    parts = [p.strip() for p in split_top_level(m.group("rest").strip().rstrip(";"))]
    if len(parts) < 2 or not all(parts):
        return None
    head = text[: m.start("rest")]
    return [f"{head}{part}" for part in parts]


def _action(
    context: Context, table: str, table_name: str, action: exp.Expression, identities: Iterator[str]
) -> list[ops.AnyOp]:
    if isinstance(action, exp.ColumnDef):
        column, extra = column_def(context, action, table, identities)
        return [
            *[e for e in extra if isinstance(e, ops.CreateSequence)],
            ops.AddColumn(table=table, column=column, if_not_exists=bool(action.args.get("exists"))),
            *[e for e in extra if not isinstance(e, ops.CreateSequence)],
        ]
    if isinstance(action, exp.Drop):
        return _drop(context, table, action)
    if isinstance(action, exp.AlterColumn):
        return [_alter_column(context, table, action)]
    if isinstance(action, exp.AddConstraint):
        return [table_constraint(context, c, table, table_name) for c in action.expressions]
    if isinstance(action, exp.RenameColumn):
        old = action.this.this if isinstance(action.this, exp.Column) else action.this
        return [ops.RenameColumn(table=table, old=context.fold(old), new=context.key_name(action.args["to"]))]
    if isinstance(action, exp.AlterRename):
        _, new = context.table_name(action.this)
        return [ops.RenameObject(kind=Kind.TABLE, name=table, new=new)]
    if isinstance(action, exp.Constraint | exp.PrimaryKey | exp.ForeignKey | exp.UniqueColumnConstraint):
        return [table_constraint(context, action, table, table_name)]
    raise Unsupported


def _drop(context: Context, table: str, action: exp.Drop) -> list[ops.AnyOp]:
    kind = str(action.args.get("kind") or "").upper()
    if_exists = bool(action.args.get("exists"))
    result: list[ops.AnyOp] = []
    for target in action.expressions or action.args.get("tables") or []:
        name = context.fold(target.this if isinstance(target, exp.Column | exp.Table) else target)
        if kind == "COLUMN":
            cascade = bool(action.args.get("cascade"))
            result.append(ops.DropColumn(table=table, column=name, if_exists=if_exists, cascade=cascade))
        elif kind == "CONSTRAINT":
            result.append(ops.DropConstraint(table=table, name=name, if_exists=if_exists))
        else:
            raise Unsupported
    return result


def _set_default(context: Context, op: ops.AlterColumn, node: exp.Expression) -> None:
    """SET DEFAULT: as stored for the type the statement gives, else for each class of type it may be."""
    if op.type is not None:
        value = default_expression(context, node, op.type)
        op.default, op.drop_default = value, value is None
        return
    null = null_cast(context, node)
    if (
        null is not None
    ):  # stored or not by the column's type (literals.null_default), which the applier knows
        op.default, op.default_by_type = "NULL", {NULL_CAST: null}
        return
    variants = defaults_by_type(context, node)
    plain = variants.pop("")
    if plain is None:
        op.drop_default = True
        return
    op.default = plain
    op.default_by_type = {
        name: value for name, value in variants.items() if value is not None and value != plain
    }
    op.default_by_type.update(own_type_default(context, node, plain))


def _alter_column(context: Context, table: str, action: exp.AlterColumn) -> ops.AlterColumn:
    column = context.fold(action.this)
    op = ops.AlterColumn(table=table, column=column)
    dtype = action.args.get("dtype")
    if dtype is not None:
        op.type = context.column_type_sql(dtype)
        if dtype.this in SERIALS:
            raise Unsupported
    if action.args.get("default") is not None:
        _set_default(context, op, action.args["default"])
    if action.args.get("drop"):
        if action.args.get("allow_null") is not None:
            op.nullable = True
        else:
            op.drop_default = True
    allow_null = action.args.get("allow_null")
    if allow_null is not None and not action.args.get("drop"):
        op.nullable = bool(allow_null)
    coll = action.args.get("collate")
    if isinstance(coll, exp.Expression):
        op.collation = collation(context.generate(coll))
    if op == ops.AlterColumn(table=table, column=column):
        raise Unsupported
    return op
