"""One statement -> the ops it performs. sqlglot parses; we read its tree into canonical model pieces.

pg_dump idioms that sqlglot only knows as `Command` (OWNED BY, ATTACH PARTITION, ADD GENERATED AS
IDENTITY, COMMENT ON ... IS NULL) are read here by small patterns; anything still not understood becomes
an opaque object with the kind and name read from its head, never dropped.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.simplify import simplify

from schemareg.model import Column, Constraint, ConstraintKind, Definition, Index, Kind, Sequence, Table
from schemareg.names import PG_CATALOG_TYPES, make_object_name, needs_quotes
from schemareg.normalize import ops as o
from schemareg.normalize.options import DEFAULT_OPTIONS, NormalizeOptions
from schemareg.normalize.privileges import OWNER, read_grants
from schemareg.normalize.routines import ROUTINE_HEAD, PatternReader, RoutineReader, split_top_level
from schemareg.normalize.rules import VIEW_RULES, canonical_expression, fold_identifiers, fold_name
from schemareg.normalize.sequences import sequence_options
from schemareg.render import literal, quote, quote_qualified

# sqlglot logs a warning for every statement it falls back to Command on; we report those ourselves.
logging.getLogger("sqlglot").setLevel(logging.ERROR)
_log = logging.getLogger(__name__)

DEFAULT_SCHEMA = {"postgres": "public", "sqlite": "main", "mysql": ""}

_IGNORED_HEADS = re.compile(
    r"""\s*(?:
        SET\s | RESET\s | SELECT\s | INSERT\s | UPDATE\s | DELETE\s | COPY\s | GRANT\s | REVOKE\s | BEGIN\b |
        COMMIT\b | ROLLBACK\b | START\s+TRANSACTION | DO\b | END\b | PRAGMA\s | ANALYZE\b | VACUUM\b | LOCK\s | UNLOCK\s |
        USE\s | CHECKPOINT\b | DISCARD\s | LISTEN\s | NOTIFY\s | REFRESH\s+MATERIALIZED | CLUSTER\b | REINDEX\b |
        ALTER\s+DEFAULT\s+PRIVILEGES | ALTER\s+(?:DATABASE|ROLE|USER|SYSTEM)\s | CREATE\s+(?:ROLE|USER|DATABASE)\s |
        DROP\s+(?:ROLE|USER|DATABASE)\s | SECURITY\s+LABEL | COMMENT\s+ON\s+(?:EXTENSION|DATABASE|ROLE)\s
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_OWNER = re.compile(r"\s*ALTER\s+.+\s+OWNER\s+TO\s+\S+\s*$", re.IGNORECASE | re.DOTALL)
_IDENT = r'(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_$]*)'
_QNAME = rf"{_IDENT}(?:\s*\.\s*{_IDENT}){{0,2}}"
_STRING = r"(?:[Ee]?'(?:[^']|'')*')"
_COMMENT = re.compile(
    rf"\s*COMMENT\s+ON\s+(?P<kind>MATERIALIZED\s+VIEW|FOREIGN\s+TABLE|EVENT\s+TRIGGER|TEXT\s+SEARCH\s+\w+|"
    rf"ACCESS\s+METHOD|\w+)\s+(?P<target>.+?)\s+IS\s+(?P<text>{_STRING}(?:\s+{_STRING})*|NULL)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_OWNED_BY = re.compile(
    rf"\s*ALTER\s+SEQUENCE\s+(?:IF\s+EXISTS\s+)?(?P<seq>{_QNAME})\s+OWNED\s+BY\s+(?P<owner>{_QNAME}|NONE)\s*$",
    re.IGNORECASE,
)
_VALIDATE = re.compile(rf"VALIDATE\s+CONSTRAINT\s+(?P<name>{_IDENT})\s*$", re.IGNORECASE)
_ALTER_SEQUENCE = re.compile(
    rf"\s*ALTER\s+SEQUENCE\s+(?:IF\s+EXISTS\s+)?(?P<seq>{_QNAME})\s+(?P<options>(?:AS|INCREMENT|MINVALUE|MAXVALUE|NO|"
    rf"START|RESTART|CACHE|CYCLE)\b[^;]*)$",
    re.IGNORECASE | re.DOTALL,
)
_ALTER_TABLE_HEAD = re.compile(
    rf"\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<table>{_QNAME})\s+(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_ATTACH = re.compile(
    rf"ATTACH\s+PARTITION\s+(?P<child>{_QNAME})\s+(?P<bound>FOR\s+VALUES\s+.+|DEFAULT)$",
    re.IGNORECASE | re.DOTALL,
)
_ADD_IDENTITY = re.compile(
    rf"ALTER\s+(?:COLUMN\s+)?(?P<column>{_IDENT})\s+ADD\s+GENERATED\s+(?P<how>ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY"
    r"(?:\s*\((?P<options>.*)\))?$",
    re.IGNORECASE | re.DOTALL,
)
_PATTERN_HEAD = re.compile(
    r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?(?:TRIGGER|POLICY|DOMAIN|EXTENSION)\b", re.IGNORECASE
)
# `text ARRAY` is `text[]` (SQL standard spelling sqlglot does not read in column definitions).
_TYPE_ARRAY = re.compile(
    r"\b([A-Za-z_][A-Za-z0-9_]*(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?)\s+ARRAY\b(?:\s*\[\s*\d*\s*\])?"
    r"(?=\s*(?:,|\)|NOT\b|NULL\b|DEFAULT\b|CHECK\b|REFERENCES\b|UNIQUE\b|PRIMARY\b|COLLATE\b|CONSTRAINT\b|;|$))",
    re.IGNORECASE,
)
_VIEW_OPTIONS = re.compile(r"\bWITH\s*\(([^)]*)\)", re.IGNORECASE)
_GRANT_HEAD = re.compile(r"\s*(?:GRANT|REVOKE|ALTER\s+DEFAULT\s+PRIVILEGES)\b", re.IGNORECASE)
_DEFAULT_PRIVILEGES = re.compile(r"\s*ALTER\s+DEFAULT\s+PRIVILEGES\b", re.IGNORECASE)
_INDEX_ON_ONLY = re.compile(r"(\bON\s+)ONLY\s+", re.IGNORECASE)
_ALTER_INDEX_ATTACH = re.compile(r"\s*ALTER\s+INDEX\s+.+\s+ATTACH\s+PARTITION\s+", re.IGNORECASE | re.DOTALL)
_CREATE_HEAD = re.compile(
    r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED|GLOBAL|LOCAL|RECURSIVE|TRUSTED|PROCEDURAL|"
    r"CONSTRAINT|DEFAULT|UNIQUE|DEFINER\s*=\s*\S+|ALGORITHM\s*=\s*\w+|SQL\s+SECURITY\s+\w+)\s+)*"
    r"(?P<kind>MATERIALIZED\s+VIEW|EVENT\s+TRIGGER|FOREIGN\s+TABLE|FOREIGN\s+DATA\s+WRAPPER|TEXT\s+SEARCH\s+\w+|"
    r"VIRTUAL\s+TABLE|ACCESS\s+METHOD|OPERATOR\s+CLASS|OPERATOR\s+FAMILY|\w+)\s+"
    rf"(?:IF\s+NOT\s+EXISTS\s+)?(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>{_QNAME}|\S+)",
    re.IGNORECASE,
)
_ON_TABLE = re.compile(rf"\bON\s+(?:ONLY\s+)?(?P<table>{_QNAME})", re.IGNORECASE)
_OTHER_HEAD = re.compile(
    rf"\s*(?P<verb>ALTER|DROP)\s+(?P<kind>\w+)\s+(?:IF\s+EXISTS\s+)?(?P<name>{_QNAME})?", re.I
)
_KIND_WORDS: dict[str, Kind] = {
    "SCHEMA": Kind.SCHEMA,
    "EXTENSION": Kind.EXTENSION,
    "TYPE": Kind.TYPE,
    "DOMAIN": Kind.DOMAIN,
    "SEQUENCE": Kind.SEQUENCE,
    "TABLE": Kind.TABLE,
    "FOREIGN TABLE": Kind.TABLE,
    "VIRTUAL TABLE": Kind.TABLE,
    "VIEW": Kind.VIEW,
    "MATERIALIZED VIEW": Kind.MATERIALIZED_VIEW,
    "FUNCTION": Kind.FUNCTION,
    "PROCEDURE": Kind.PROCEDURE,
    "AGGREGATE": Kind.AGGREGATE,
    "TRIGGER": Kind.TRIGGER,
    "EVENT TRIGGER": Kind.EVENT_TRIGGER,
    "POLICY": Kind.POLICY,
    "INDEX": Kind.INDEX,
    "RULE": Kind.RULE,
    "OPERATOR": Kind.OPERATOR,
    "COLLATION": Kind.COLLATION,
    "PUBLICATION": Kind.PUBLICATION,
}
_WS = re.compile(r"\s+")
_SEQ_DEFAULTS = {"START": "1", "INCREMENT": "1", "CACHE": "1"}


class Compiler:
    """Compiles statements of one dialect. Holds no state between statements."""

    def __init__(self, dialect: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> None:
        self.dialect = dialect
        self.options = options
        self.default_schema = DEFAULT_SCHEMA.get(dialect, "")
        self._sqlglot = sqlglot.Dialect.get_or_raise(dialect)
        self._parser = self._sqlglot.parser()
        self._generator = self._sqlglot.generator()
        self.routines = RoutineReader(dialect, self.default_schema, self.parse_qname, self.text_expression)
        self.patterns = PatternReader(self.routines, self._unquote)

    def text_expression(self, text: str, *, fold_constants: bool = False) -> str:
        """Canonical text of an expression given as text (argument defaults); squashed if unparseable.

        `fold_constants` evaluates literal-only arithmetic, as PostgreSQL does for routine argument defaults.
        """
        try:
            node = self._parser.parse(self._sqlglot.tokenize(f"SELECT {text}"), text)[0]
        except Exception:
            return _squash(text)
        if not isinstance(node, exp.Select) or len(node.expressions) != 1:
            return _squash(text)
        value = node.expressions[0]
        if fold_constants and not value.find(exp.Func, exp.Column, exp.Cast):
            value = simplify(value)
        return self.expr(value)

    def gen(self, node: exp.Expression) -> str:
        """Print a tree we own (no defensive copy: the tree is thrown away after this statement)."""
        return self._generator.generate(node, copy=False)

    def parse(self, text: str) -> exp.Expression | None:
        expressions = self._parser.parse(self._sqlglot.tokenize(text), text)
        first = expressions[0] if expressions else None
        return first if isinstance(first, exp.Expression) else None

    # -- names ---------------------------------------------------------------------------------------------

    def fold(self, node: exp.Identifier | str | None) -> str:
        if node is None:
            return ""
        if isinstance(node, str):
            return node
        return fold_name(node, case_sensitive_quoted=self.dialect == "postgres")

    def table_name(self, table: exp.Expression) -> tuple[str, str]:
        if isinstance(table, exp.Schema):
            table = table.this
        if isinstance(table, exp.Dot):
            return self.fold(table.this), self.fold(table.expression)
        if not isinstance(table, exp.Table):
            return self.default_schema, self.fold(table.this if hasattr(table, "this") else str(table))
        name = self.fold(table.this) if isinstance(table.this, exp.Identifier) else str(table.name).lower()
        schema = self.fold(table.args.get("db")) if table.args.get("db") else self.default_schema
        if self.dialect == "mysql":
            schema = ""
        return schema, name

    def qualify(self, schema: str, name: str) -> str:
        return f"{schema}.{name}" if schema else name

    def qname(self, table: exp.Expression) -> str:
        return self.qualify(*self.table_name(table))

    def parse_qname(self, text: str) -> tuple[str, str]:
        """`schema.name` as written in a pattern-matched statement -> canonical parts."""
        parts = [self._unquote(p) for p in _split_dotted(text)]
        if self.dialect == "mysql":
            return "", parts[-1]
        if len(parts) == 1:
            return self.default_schema, parts[0]
        return parts[-2], parts[-1]

    def _unquote(self, part: str) -> str:
        part = part.strip()
        if part[:1] in '"`':
            inner = part[1:-1].replace(part[0] * 2, part[0])
            return inner if self.dialect == "postgres" else inner.lower()
        return part.lower()

    def q(self, name: str) -> str:
        return quote(name, self.dialect)

    def qq(self, name: str) -> str:
        return quote_qualified(name, self.dialect)

    # -- expressions ---------------------------------------------------------------------------------------

    def expr(self, node: exp.Expression) -> str:
        return canonical_expression(node, self.dialect, self.gen)

    def qualify_tables(self, query: exp.Expression) -> None:
        """Name every table a query reads with its schema, as PostgreSQL prints stored views."""
        if self.dialect != "postgres":
            return
        ctes = {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}
        for table in query.find_all(exp.Table):
            if not table.args.get("db") and table.name.lower() not in ctes and table.name:
                table.set("db", exp.to_identifier(self.default_schema))

    def type_sql(self, node: exp.DataType) -> str:
        """A type as canonical text; a user-defined type is schema-qualified as pg_dump prints it."""
        fold_identifiers(node, self.dialect)
        if (
            node.this == exp.DataType.Type.ARRAY
            and len(node.expressions) == 1
            and not node.args.get("values")
        ):
            inner = node.expressions[0]
            if isinstance(inner, exp.DataType) and inner.this == exp.DataType.Type.USERDEFINED:
                return self.type_sql(inner) + "[]"
        if node.this != exp.DataType.Type.USERDEFINED:
            # PostgreSQL keeps no array dimensions or sizes: int[3][3] is int[].
            return _ARRAY_DIMENSIONS.sub("[]", self.gen(node))
        kind = node.args.get("kind")
        if isinstance(kind, exp.Dot):
            schema, name = self.fold(kind.this), self.fold(kind.expression)
        elif isinstance(kind, exp.Identifier):
            schema, name = "", self.fold(kind)
        else:
            parts = [self._unquote(p) for p in _split_dotted(str(kind))] or [str(kind)]
            schema, name = (parts[-2] if len(parts) > 1 else ""), parts[-1]
        if not schema and self.dialect == "postgres" and name not in PG_CATALOG_TYPES:
            schema = self.default_schema
        return f"{self.q(schema)}.{self.q(name)}" if schema else self.q(name)

    # -- entry point ---------------------------------------------------------------------------------------

    def compile(self, text: str) -> list[o.AnyOp]:
        fast = self._fast_path(text)
        if fast is not None:
            return fast
        if self.dialect == "postgres" and ROUTINE_HEAD.match(text):
            try:
                routine = self.routines.read(text)
            except Exception:
                _log.debug("kept as opaque after an internal error: %.80s", text, exc_info=True)
                routine = None
            if routine is not None:
                return [o.CreateDefinition(definition=routine, replace=True)]
        if self.dialect == "postgres" and _PATTERN_HEAD.match(text):
            try:
                definition = (
                    self.patterns.trigger(text)
                    or self.patterns.policy(text)
                    or self.patterns.domain(text)
                    or self.patterns.extension(text)
                )
            except Exception:
                _log.debug("kept as opaque after an internal error: %.80s", text, exc_info=True)
                definition = None
            if definition is not None:
                return [o.CreateDefinition(definition=definition, replace=True)]
        try:
            tree = self.parse(_prepare(text))
        except SqlglotError as error:
            message, line, column = _first_error(error)
            op = self.opaque(text, message=message)
            assert isinstance(op, o.Opaque)
            op.line, op.column = line, column
            return [op]
        except Exception as error:  # the parser itself tripped: keep the statement, report it
            op = self.opaque(text, message=f"the SQL parser failed: {type(error).__name__}")
            assert isinstance(op, o.Opaque)
            op.line, op.column = 1, 1
            return [op]
        if tree is None:
            return [o.Ignored(reason="empty")]
        try:
            return self._dispatch(tree, text)
        except _Unsupported:
            return [self.opaque(text)]
        except Exception:  # a construct our reader mishandles: keep the statement rather than lose it
            _log.debug("kept as opaque after an internal error: %.80s", text, exc_info=True)
            return [self.opaque(text)]

    def _fast_path(self, text: str) -> list[o.AnyOp] | None:
        if self.options.keep_grants and _GRANT_HEAD.match(text):
            grants = read_grants(text, self._grant_target)
            if grants is not None:
                return [o.ChangePrivileges(grants=grants)]
            if _DEFAULT_PRIVILEGES.match(text):
                return [self.opaque(text, kind=Kind.GRANT, name=None)]
            return [o.Ignored(reason="role membership")]
        if self.options.keep_owners:
            owned = OWNER.match(text)
            if owned:
                kind = _WS.sub(" ", owned.group("kind").upper())
                target = self._grant_target(kind, owned.group("target"))
                return [o.SetOwner(kind=kind, target=target, owner=self._unquote(owned.group("owner")))]
        if _IGNORED_HEADS.match(text):
            if text.lstrip()[:6].upper() == "SELECT" and "set_config" not in text and "setval" not in text:
                return (
                    None
                    if re.search(r"\bFROM\b", text, re.IGNORECASE) is None
                    else [o.Ignored(reason="query")]
                )
            return [o.Ignored(reason=text.split(None, 1)[0].upper())]
        if _OWNER.match(text):
            return [o.Ignored(reason="owner")]
        m = _COMMENT.match(text)
        if m:
            return self._comment(m.group("kind"), m.group("target"), m.group("text"))
        m = _OWNED_BY.match(text)
        if m:
            seq = self.qualify(*self.parse_qname(m.group("seq")))
            owner = m.group("owner")
            if owner.upper() == "NONE":
                return [o.SequenceOwner(sequence=seq, owned_by=None)]
            parts = [self._unquote(p) for p in _split_dotted(owner)]
            column = parts.pop()
            table = self.qualify(parts[-2] if len(parts) > 1 else self.default_schema, parts[-1])
            return [o.SequenceOwner(sequence=seq, owned_by=f"{table}.{column}")]
        m = _ALTER_SEQUENCE.match(text)
        if m:
            options = re.sub(
                r"\bRESTART(?:\s+WITH)?(?:\s+-?\d+)?", " ", m.group("options"), flags=re.IGNORECASE
            )
            if not options.strip():
                return [o.Ignored(reason="sequence state")]  # RESTART is data, as setval is
            sequence = self.qualify(*self.parse_qname(m.group("seq")))
            return [o.AlterSequence(sequence=sequence, options=_WS.sub(" ", options).strip().upper())]
        m = _ALTER_TABLE_HEAD.match(text)
        if m:
            rest = m.group("rest").strip()
            validate = _VALIDATE.match(rest)
            if validate:
                table = self.qualify(*self.parse_qname(m.group("table")))
                return [o.ValidateConstraint(table=table, name=self._unquote(validate.group("name")))]
            table = self.qualify(*self.parse_qname(m.group("table")))
            attach = _ATTACH.match(rest)
            if attach:
                child = self.qualify(*self.parse_qname(attach.group("child")))
                return [o.AttachPartition(parent=table, child=child, bound=_bound(attach.group("bound")))]
            identity = _ADD_IDENTITY.match(rest)
            if identity:
                how = _WS.sub(" ", identity.group("how").upper())
                options = sequence_options(
                    identity.group("options") or "",
                    identity=True,
                    table=table,
                    column=self._unquote(identity.group("column")),
                    compiler=self,
                )
                return [
                    o.AlterColumn(
                        table=table,
                        column=self._unquote(identity.group("column")),
                        identity=how + (f" ({options})" if options else ""),
                        nullable=False,
                    )
                ]
        if _ALTER_INDEX_ATTACH.match(text):
            return [o.Ignored(reason="index partition")]  # a child index, attached to its parent's
        return None

    def _grant_target(self, kind: str, target: str) -> str:
        """An object named in GRANT or ALTER ... OWNER TO, as canonical SQL text."""
        target = target.strip()
        if kind in ("FUNCTION", "PROCEDURE", "ROUTINE", "AGGREGATE"):
            base, _, args = target.partition("(")
            schema, name = self.parse_qname(base.strip())
            signature = self._signature_from_text(args.rsplit(")", 1)[0]) if args else ""
            return f"{self.qq(self.qualify(schema, name))}({signature})"
        if kind in (
            "SCHEMA",
            "DATABASE",
            "LANGUAGE",
            "TABLESPACE",
            "FOREIGN DATA WRAPPER",
            "FOREIGN SERVER",
            "SERVER",
            "EVENT TRIGGER",
            "PUBLICATION",
            "EXTENSION",
        ) or kind.startswith("ALL "):
            return self.q(self._unquote(target))
        return self.qq(self.qualify(*self.parse_qname(target)))

    def _comment(self, kind_text: str, target: str, text: str) -> list[o.AnyOp]:
        kind = _WS.sub(" ", kind_text.upper())
        value = None if text.upper() == "NULL" else _string_value(text)
        if kind in ("COLUMN",):
            parts = [self._unquote(p) for p in _split_dotted(target)]
            column = parts.pop()
            table = self.qualify(parts[-2] if len(parts) > 1 else self.default_schema, parts[-1])
            return [o.SetComment(kind=kind, target=table, member=column, text=value)]
        if kind in ("CONSTRAINT", "TRIGGER", "POLICY", "RULE"):
            member_text, _, table_text = re.split(r"\s+ON\s+", target, maxsplit=1, flags=re.I)[0], "", ""
            pieces = re.split(r"\s+ON\s+", target, maxsplit=1, flags=re.IGNORECASE)
            if len(pieces) != 2:
                return [self.opaque(f"COMMENT ON {kind} {target} IS {text}")]
            member_text, table_text = pieces
            table = self.qualify(*self.parse_qname(table_text.strip().removeprefix("ONLY ").strip()))
            return [o.SetComment(kind=kind, target=table, member=self._unquote(member_text), text=value)]
        if kind in ("FUNCTION", "PROCEDURE", "AGGREGATE"):
            base, _, args = target.partition("(")
            schema, name = self.parse_qname(base)
            signature = self._signature_from_text(args.rsplit(")", 1)[0])
            return [o.SetComment(kind=kind, target=self.qualify(schema, f"{name}({signature})"), text=value)]
        schema, name = self.parse_qname(target)
        if kind in ("SCHEMA", "EXTENSION"):
            return [o.SetComment(kind=kind, target=name, text=value)]
        return [o.SetComment(kind=kind, target=self.qualify(schema, name), text=value)]

    def _signature_from_text(self, args: str) -> str:
        """Argument types of `f(a integer, text)` as the identity PostgreSQL uses: types only, no OUT."""
        try:
            arguments = [self.routines.argument(a) for a in split_top_level(args)]
        except Exception:
            return _WS.sub(" ", args.strip()).lower()
        return ", ".join(identity for _, _, identity in arguments if identity)

    # -- dispatch ------------------------------------------------------------------------------------------

    def _dispatch(self, tree: exp.Expression, text: str) -> list[o.AnyOp]:
        if isinstance(tree, exp.Create):
            kind = str(tree.args.get("kind") or "").upper()
            if kind == "TABLE":
                return self.create_table(tree, text)
            if kind == "INDEX":
                return self.create_index(tree, text)
            if kind == "SEQUENCE":
                return self.create_sequence(tree)
            if kind in ("VIEW", "MATERIALIZED VIEW") or (kind == "VIEW" and tree.args.get("materialized")):
                return self.create_view(tree, text)
            if kind in ("FUNCTION", "PROCEDURE"):
                return self.create_routine(tree, text, kind)
            if kind == "TYPE":
                return self.create_type(tree, text)
            if kind == "SCHEMA":
                target = tree.this
                node = target.args.get("db") or target.this if isinstance(target, exp.Table) else target
                name = self.fold(node)
                return [
                    o.CreateDefinition(
                        definition=Definition(
                            kind=Kind.SCHEMA, schema="", name=name, sql=f"CREATE SCHEMA {self.q(name)}"
                        ),
                        if_not_exists=bool(tree.args.get("exists")),
                    )
                ]
            if kind == "TRIGGER":
                return self.create_trigger(tree, text)
            return [self.opaque(text)]
        if isinstance(tree, exp.Alter):
            kind = str(tree.args.get("kind") or "").upper()
            if kind == "TABLE":
                return self.alter_table(tree, text)
            if kind == "INDEX" and not tree.args.get("actions"):
                return [self.opaque(text)]
            return self._alter_other(tree, text, kind)
        if isinstance(tree, exp.Drop):
            return self.drop(tree, text)
        if isinstance(tree, exp.Comment):
            return self._comment(str(tree.args.get("kind")), self.gen(tree.this), self.gen(tree.expression))
        if isinstance(tree, exp.Command):
            return self._command(tree, text)
        if isinstance(
            tree, exp.Select | exp.Insert | exp.Update | exp.Delete | exp.Set | exp.Use | exp.Pragma
        ):
            return [o.Ignored(reason=type(tree).__name__.lower())]
        if isinstance(tree, exp.Transaction | exp.Commit | exp.Rollback):
            return [o.Ignored(reason="transaction")]
        return [self.opaque(text)]

    def _command(self, tree: exp.Command, text: str) -> list[o.AnyOp]:
        head = str(tree.this).upper()
        if head in ("SET", "RESET", "GRANT", "REVOKE", "ANALYZE", "VACUUM", "COPY", "SECURITY"):
            return [o.Ignored(reason=head)]
        if head == "ALTER":
            option = self.table_option(text)
            if option is not None:
                return [option]
        return [self.opaque(text)]

    def table_option(self, text: str) -> o.TableOption | None:
        """An ALTER TABLE action we do not model, kept on the table as canonical text."""
        m = _ALTER_TABLE_HEAD.match(text)
        if m is None:
            return None
        table = self.qualify(*self.parse_qname(m.group("table")))
        return o.TableOption(table=table, sql=_upper_words(_squash(m.group("rest"))))

    # -- tables --------------------------------------------------------------------------------------------

    def create_table(self, tree: exp.Create, text: str) -> list[o.AnyOp]:
        target = tree.this
        schema, name = self.table_name(target)
        table = Table(schema=schema, name=name)
        qualified = self.qualify(schema, name)
        if tree.expression is not None and not isinstance(tree.expression, exp.Schema):
            return [self.opaque(text, kind=Kind.TABLE, name=qualified)]  # CREATE TABLE ... AS SELECT
        ops: list[o.AnyOp] = []
        constraints: list[o.AddConstraint] = []
        indexes: list[o.CreateIndex] = []
        partition_of = False
        options: list[str] = []
        for prop in (tree.args.get("properties") or exp.Properties(expressions=[])).expressions:
            if isinstance(prop, exp.PartitionedByProperty):
                table.partition_by = self._partition_by(prop)
            elif isinstance(prop, exp.PartitionedOfProperty):
                partition_of = True
                table.partition_of = self.qname(prop.this)
                table.partition_bound = _bound(self.gen(prop.expression) if prop.expression else "DEFAULT")
            elif isinstance(prop, exp.TemporaryProperty):
                options.append("TEMPORARY")
            elif isinstance(prop, exp.UnloggedProperty):
                options.append("UNLOGGED")
            elif isinstance(prop, exp.EngineProperty):
                options.append(f"ENGINE={self.gen(prop.this).upper()}")
            elif isinstance(prop, exp.SchemaCommentProperty):
                table.comment = _literal_value(prop.this)
            elif isinstance(prop, exp.CharacterSetProperty | exp.CollateProperty | exp.AutoIncrementProperty):
                continue  # table defaults that do not change the columns as declared
            else:
                options.append(self.gen(prop))
        if options:
            table.options = " ".join(options)
        items = target.expressions if isinstance(target, exp.Schema) else []
        for item in items:
            if isinstance(item, exp.ColumnDef):
                column, extra = self.column_def(item, qualified)
                table.columns.append(column)
                for op in extra:
                    if isinstance(op, o.AddConstraint):
                        constraints.append(op)
                    elif isinstance(op, o.CreateSequence):
                        ops.append(op)
            elif isinstance(item, exp.IndexColumnConstraint):
                indexes.append(self._inline_index(item, qualified, name))
            else:
                constraints.append(self.table_constraint(item, qualified, name))
        not_valid = _not_valid_names(text, self._unquote)
        for op in constraints:
            if op.constraint.name in not_valid and not op.constraint.definition.endswith(" NOT VALID"):
                op.constraint.definition += " NOT VALID"
        ops.append(
            o.CreateTable(table=table, if_not_exists=bool(tree.args.get("exists")), partition_of=partition_of)
        )
        ops.extend(constraints)
        ops.extend(indexes)
        return ops

    def _partition_by(self, prop: exp.PartitionedByProperty) -> str:
        node = prop.this
        if isinstance(node, exp.Anonymous):
            method = str(node.this).upper()
            keys = ", ".join(self.expr(e) for e in node.expressions)
            return f"{method} ({keys})"
        if isinstance(node, exp.Schema):
            return f"({', '.join(self.expr(e) for e in node.expressions)})"
        return self.expr(node)

    def column_def(self, item: exp.ColumnDef, table: str) -> tuple[Column, list[o.AnyOp]]:
        name = self.fold(item.this)
        kind = item.args.get("kind")
        extra: list[o.AnyOp] = []
        column = Column(name=name, type=self.type_sql(kind) if isinstance(kind, exp.DataType) else "")
        tname = table.rpartition(".")[2]
        if isinstance(kind, exp.DataType) and kind.this in _SERIALS and self.dialect == "postgres":
            column.type = _SERIALS[kind.this]
            column.nullable = False
            schema = table.rpartition(".")[0]
            seq_name = make_object_name(tname, name, "seq")
            seq = self.qualify(schema, seq_name)
            as_type = "" if column.type == "BIGINT" else f"AS {column.type}"
            extra.append(
                o.CreateSequence(
                    sequence=Sequence(
                        schema=schema, name=seq_name, options=as_type, owned_by=f"{table}.{name}"
                    )
                )
            )
            column.default = _nextval(seq)
        for constraint in item.constraints:
            cname = self.fold(constraint.this) if constraint.this is not None else None
            kind_node = constraint.kind
            if isinstance(kind_node, exp.NotNullColumnConstraint):
                column.nullable = bool(kind_node.args.get("allow_null"))
            elif isinstance(kind_node, exp.DefaultColumnConstraint):
                column.default = self.default_expr(kind_node.this, column.type)
            elif isinstance(kind_node, exp.PrimaryKeyColumnConstraint):
                if self.dialect != "sqlite":
                    column.nullable = False
                extra.append(
                    self._constraint(table, cname, ConstraintKind.PRIMARY_KEY, [name], "PRIMARY KEY")
                )
            elif isinstance(kind_node, exp.UniqueColumnConstraint):
                nulls = " NULLS NOT DISTINCT" if kind_node.args.get("nulls") else ""
                extra.append(
                    self._constraint(
                        table, cname, ConstraintKind.UNIQUE, [name], f"UNIQUE{nulls} ({self.q(name)})"
                    )
                )
            elif isinstance(kind_node, exp.Reference):
                extra.append(self._foreign_key(table, cname, [name], kind_node))
            elif isinstance(kind_node, exp.CheckColumnConstraint):
                extra.append(self._check(table, cname, kind_node, column_name=name))
            elif isinstance(kind_node, exp.GeneratedAsIdentityColumnConstraint):
                column.identity = self._identity(kind_node, table, name)
                column.nullable = False
            elif isinstance(kind_node, exp.ComputedColumnConstraint):
                column.generated = self.expr(kind_node.this)
            elif isinstance(kind_node, exp.GeneratedAsRowColumnConstraint):
                raise _Unsupported
            elif isinstance(kind_node, exp.CollateColumnConstraint):
                column.collation = _collation(self.gen(kind_node.this))
            elif isinstance(kind_node, exp.CommentColumnConstraint):
                column.comment = _literal_value(kind_node.this)
            elif isinstance(kind_node, exp.AutoIncrementColumnConstraint):
                column.identity = "AUTO_INCREMENT" if self.dialect == "mysql" else "AUTOINCREMENT"
            elif isinstance(kind_node, exp.OnUpdateColumnConstraint):
                column.default = (column.default or "") + f" ON UPDATE {self.expr(kind_node.this)}"
            elif isinstance(kind_node, exp.CharacterSetColumnConstraint):
                continue
            else:
                raise _Unsupported
        return column, extra

    def default_expr(self, node: exp.Expression, column_type: str) -> str:
        while isinstance(node, exp.Paren):
            node = node.this
        # 'x'::character varying on a varchar column is just 'x'.
        if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal | exp.Array):
            target = self.type_sql(node.to.copy()) if node.to is not None else ""
            if _base_type(target) == _base_type(column_type) or target == column_type:
                node = node.this
        if isinstance(node, exp.Anonymous | exp.Func) and str(getattr(node, "name", "")).lower() == "nextval":
            arg = node.expressions[0] if node.expressions else node.this
            while isinstance(arg, exp.Cast | exp.Paren):
                arg = arg.this
            if isinstance(arg, exp.Literal):
                return _nextval(self.qualify(*self.parse_qname(arg.this)))
        if (
            isinstance(node, exp.Literal)
            and node.is_string
            and _NUMBER.fullmatch(node.this)
            and _base_type(column_type) in _NUMERIC_TYPES
        ):
            return str(node.this)
        if isinstance(node, exp.Literal) and node.is_string and _base_type(column_type) == "TIMESTAMP":
            # A zone on a timestamp without time zone is dropped when the default is stored.
            zoned = _ZONED_TIMESTAMP.fullmatch(node.this)
            if zoned:
                node = exp.Literal.string(zoned.group(1))
        return self.expr(node)

    def _identity(self, node: exp.GeneratedAsIdentityColumnConstraint, table: str, column: str) -> str:
        how = "ALWAYS" if node.this else "BY DEFAULT"
        parts = []
        for key, word in (
            ("start", "START WITH"),
            ("increment", "INCREMENT BY"),
            ("minvalue", "MINVALUE"),
            ("maxvalue", "MAXVALUE"),
            ("cache", "CACHE"),
        ):
            value = node.args.get(key)
            if value is not None:
                parts.append(f"{word} {self.gen(value)}")
        options = sequence_options(
            " ".join(parts) + (" CYCLE" if node.args.get("cycle") else ""),
            identity=True,
            table=table,
            column=column,
            compiler=self,
        )
        return how + (f" ({options})" if options else "")

    def _constraint(
        self, table: str, name: str | None, kind: ConstraintKind, columns: list[str], definition: str
    ) -> o.AddConstraint:
        tname = table.rpartition(".")[2]
        named = name is not None
        if name is None:
            name = self._constraint_name(tname, kind, columns)
        if kind is ConstraintKind.PRIMARY_KEY and definition == "PRIMARY KEY":
            definition = f"PRIMARY KEY ({', '.join(self.q(c) for c in columns)})"
        return o.AddConstraint(
            table=table,
            constraint=Constraint(name=name, kind=kind, definition=definition, columns=tuple(columns)),
            named=named,
        )

    def _constraint_name(self, tname: str, kind: ConstraintKind, columns: list[str]) -> str:
        if self.dialect == "mysql" and kind is ConstraintKind.PRIMARY_KEY:
            return "primary"
        if kind is ConstraintKind.PRIMARY_KEY:
            return make_object_name(tname, None, "pkey")
        label = {
            ConstraintKind.UNIQUE: "key",
            ConstraintKind.FOREIGN_KEY: "fkey",
            ConstraintKind.CHECK: "check",
            ConstraintKind.EXCLUDE: "excl",
        }[kind]
        return make_object_name(tname, "_".join(columns) or None, label)

    def _foreign_key(
        self, table: str, name: str | None, columns: list[str], ref: exp.Reference
    ) -> o.AddConstraint:
        target = ref.this
        ref_table = self.qname(target)
        ref_columns = (
            [self.fold(e if isinstance(e, exp.Identifier) else e.this) for e in target.expressions]
            if isinstance(target, exp.Schema)
            else []
        )
        text = f"FOREIGN KEY ({', '.join(self.q(c) for c in columns)}) REFERENCES {self.qq(ref_table)}"
        if ref_columns:
            text += f" ({', '.join(self.q(c) for c in ref_columns)})"
        text += _fk_options(ref)
        op = self._constraint(table, name, ConstraintKind.FOREIGN_KEY, columns, text)
        op.constraint.references = ref_table
        return op

    def _check(
        self, table: str, name: str | None, node: exp.Expression, column_name: str | None = None
    ) -> o.AddConstraint:
        expression = node.this
        columns = sorted(
            {
                self.fold(c.this) if isinstance(c.this, exp.Identifier) else c.name.lower()
                for c in expression.find_all(exp.Column)
            }
        )
        text = f"CHECK ({self.expr(expression)})"
        if node.args.get("enforced") is False and "NOT VALID" in self.gen(node).upper():
            text += " NOT VALID"
        name_columns = (
            [column_name] if column_name and len(columns) <= 1 else (columns if len(columns) == 1 else [])
        )
        if name is None:
            tname = table.rpartition(".")[2]
            name = make_object_name(tname, name_columns[0] if name_columns else None, "check")
            return o.AddConstraint(
                table=table,
                named=False,
                constraint=Constraint(
                    name=name, kind=ConstraintKind.CHECK, definition=text, columns=tuple(columns)
                ),
            )
        return o.AddConstraint(
            table=table,
            constraint=Constraint(
                name=name, kind=ConstraintKind.CHECK, definition=text, columns=tuple(columns)
            ),
        )

    def table_constraint(self, item: exp.Expression, table: str, tname: str) -> o.AddConstraint:
        name: str | None = None
        if isinstance(item, exp.Constraint):
            name = self.fold(item.this)
            if len(item.expressions) != 1:
                raise _Unsupported
            item = item.expressions[0]
        if isinstance(item, exp.PrimaryKey):
            columns = [self._key_name(e) for e in item.expressions]
            return self._constraint(
                table,
                name,
                ConstraintKind.PRIMARY_KEY,
                columns,
                f"PRIMARY KEY ({', '.join(self.q(c) for c in columns)}){_deferrable(item)}",
            )
        if isinstance(item, exp.UniqueColumnConstraint):
            schema_node = item.this
            if (
                isinstance(schema_node, exp.Schema)
                and isinstance(schema_node.this, exp.Identifier)
                and name is None
            ):
                name = self.fold(schema_node.this)
            columns = [
                self._key_name(e) for e in (schema_node.expressions if schema_node is not None else [])
            ]
            nulls = " NULLS NOT DISTINCT" if item.args.get("nulls") else ""
            return self._constraint(
                table,
                name,
                ConstraintKind.UNIQUE,
                columns,
                f"UNIQUE{nulls} ({', '.join(self.q(c) for c in columns)}){_deferrable(item)}",
            )
        if isinstance(item, exp.ForeignKey):
            columns = [self._key_name(e) for e in item.expressions]
            ref = item.args.get("reference")
            if not isinstance(ref, exp.Reference):
                raise _Unsupported
            return self._foreign_key(table, name, columns, ref)
        if isinstance(item, exp.CheckColumnConstraint):
            return self._check(table, name, item)
        if isinstance(item, exp.ExcludeColumnConstraint):
            text = _squash(self.gen(item))
            return o.AddConstraint(
                table=table,
                named=name is not None,
                constraint=Constraint(
                    name=name or make_object_name(tname, None, "excl"),
                    kind=ConstraintKind.EXCLUDE,
                    definition=text,
                ),
            )
        raise _Unsupported

    def _key_name(self, node: exp.Expression) -> str:
        if isinstance(node, exp.Identifier):
            return self.fold(node)
        if isinstance(node, exp.Column):
            return self.fold(node.this)
        if isinstance(node, exp.Ordered):
            return self._key_name(node.this)
        raise _Unsupported

    def _inline_index(self, item: exp.IndexColumnConstraint, table: str, tname: str) -> o.CreateIndex:
        columns = [self._key_name(e) for e in item.expressions]
        name = self.fold(item.this) if item.this is not None else columns[0]
        keys = ", ".join(self.q(c) for c in columns)
        return o.CreateIndex(
            table=table, index=Index(name=name, definition=f"({keys})", columns=tuple(columns))
        )

    # -- indexes -------------------------------------------------------------------------------------------

    def create_index(self, tree: exp.Create, text: str) -> list[o.AnyOp]:
        index = tree.this
        if not isinstance(index, exp.Index):
            raise _Unsupported
        table_node = index.args.get("table")
        if table_node is None:
            raise _Unsupported
        schema, tname = self.table_name(table_node)
        table = self.qualify(schema, tname)
        params = index.args.get("params") or exp.IndexParameters()
        keys: list[str] = []
        plain: list[str] = []
        for ordered in params.args.get("columns") or []:
            node = ordered.this if isinstance(ordered, exp.Ordered) else ordered
            opclass = ""
            if isinstance(node, exp.Opclass):
                opclass = " " + self.gen(node.expression).lower()
                node = node.this
            while isinstance(node, exp.Paren):
                node = node.this
            key = self.expr(node)
            if isinstance(node, exp.Column):
                plain.append(self.fold(node.this))
            elif not isinstance(node, exp.Func | exp.Anonymous) or isinstance(node, exp.AtTimeZone):
                key = f"({key})"  # an expression key, as PostgreSQL prints it
            if isinstance(ordered, exp.Ordered):
                desc = bool(ordered.args.get("desc"))
                nulls_first = bool(ordered.args.get("nulls_first"))
                key += opclass + (" DESC" if desc else "")
                if nulls_first != desc and self.dialect == "postgres":
                    key += " NULLS FIRST" if nulls_first else " NULLS LAST"
            else:
                key += opclass
            keys.append(key)
        using = params.args.get("using")
        method = (using.name if isinstance(using, exp.Expression) else str(using or "btree")).lower()
        if self.dialect == "postgres":
            definition = f"USING {method} ({', '.join(keys)})"
        else:
            definition = f"({', '.join(keys)})"
        include = params.args.get("include")
        if include:
            definition += f" INCLUDE ({', '.join(self.q(self._key_name(i)) for i in include)})"
        storage = params.args.get("with_storage")
        if isinstance(storage, list) and storage:
            definition += f" WITH ({storage_options(', '.join(self.gen(item) for item in storage))})"
        where = params.args.get("where")
        if where is not None:
            definition += f" WHERE {self.expr(where.this)}"
        if index.this is None:
            name = make_object_name(tname, "_".join(plain) if len(plain) == len(keys) else "expr", "idx")
        else:
            name = self.fold(index.this)
        return [
            o.CreateIndex(
                table=table,
                index=Index(
                    name=name,
                    definition=definition,
                    unique=bool(tree.args.get("unique")),
                    columns=tuple(plain) if len(plain) == len(keys) else (),
                ),
                if_not_exists=bool(tree.args.get("exists")),
            )
        ]

    # -- sequences, views, routines, types, triggers --------------------------------------------------------

    def create_sequence(self, tree: exp.Create) -> list[o.AnyOp]:
        schema, name = self.table_name(tree.this)
        parts: list[str] = []
        as_type = tree.args.get("expression")
        if isinstance(as_type, exp.DataType):
            parts.append(f"AS {self.type_sql(as_type)}")
        for prop in (tree.args.get("properties") or exp.Properties(expressions=[])).expressions:
            if isinstance(prop, exp.SequenceProperties):
                parts.append(self.gen(prop))
            else:
                parts.append(self.gen(prop))
        options = sequence_options(" ".join(parts), identity=False, table="", column="", compiler=self)
        return [
            o.CreateSequence(
                sequence=Sequence(schema=schema, name=name, options=options),
                if_not_exists=bool(tree.args.get("exists")),
            )
        ]

    def create_view(self, tree: exp.Create, text: str) -> list[o.AnyOp]:
        materialized = str(tree.args.get("kind")).upper() == "MATERIALIZED VIEW" or bool(
            tree.args.get("properties") and tree.find(exp.MaterializedProperty)
        )
        target = tree.this
        schema, name = self.table_name(target)
        query = tree.expression
        if query is None:
            raise _Unsupported
        self.qualify_tables(query)
        columns = ""
        if isinstance(target, exp.Schema) and target.expressions:
            columns = f" ({', '.join(self.q(self._key_name(e)) for e in target.expressions)})"
        kind = Kind.MATERIALIZED_VIEW if materialized else Kind.VIEW
        head = "CREATE MATERIALIZED VIEW" if materialized else "CREATE VIEW"
        storage = _VIEW_OPTIONS.search(
            text[: text.upper().find(" AS ") + 1] if " AS " in text.upper() else ""
        )
        if storage:
            columns += f" WITH ({storage_options(storage.group(1))})"
        body = canonical_expression(query, self.dialect, self.gen, VIEW_RULES)
        sql_text = f"{head} {self.qq(self.qualify(schema, name))}{columns} AS {body}"
        depends = tuple(sorted({self.qname(t) for t in query.find_all(exp.Table)}))
        return [
            o.CreateDefinition(
                definition=Definition(kind=kind, schema=schema, name=name, sql=sql_text, depends_on=depends),
                replace=bool(tree.args.get("replace")),
                if_not_exists=bool(tree.args.get("exists")),
            )
        ]

    def _signature(self, udf: exp.UserDefinedFunction) -> str:
        types = []
        for arg in udf.expressions:
            if not isinstance(arg, exp.ColumnDef):
                raise _Unsupported
            mode = ""
            for c in arg.constraints:
                node = c.kind if isinstance(c, exp.ColumnConstraint) else c
                if isinstance(node, exp.InOutColumnConstraint):
                    mode = self.gen(node).upper()
            if "OUT" in mode and "IN" not in mode.replace("OUT", ""):
                continue
            kind = arg.args.get("kind")
            if isinstance(kind, exp.DataType):
                types.append(self.type_sql(kind))
            elif kind is None and arg.this is not None:
                # an unnamed argument: sqlglot reads the type as the name
                types.append(self.type_sql(exp.DataType.build(arg.this.name, dialect=self.dialect)))
            else:
                raise _Unsupported
        return ", ".join(types)

    def create_routine(self, tree: exp.Create, text: str, kind_word: str) -> list[o.AnyOp]:
        udf = tree.this
        if not isinstance(udf, exp.UserDefinedFunction):
            raise _Unsupported
        schema, name = self.table_name(udf.this)
        signature = self._signature(udf)
        kind = Kind.PROCEDURE if kind_word == "PROCEDURE" else Kind.FUNCTION
        fold_identifiers(udf, self.dialect)
        tree.set("replace", False)
        body = tree.expression
        if isinstance(body, exp.Heredoc):
            tree.set("expression", exp.Literal.string(body.this))
            sql_text = self.gen(tree)
            sql_text = _restore_dollar_quote(sql_text, body.this)
        else:
            sql_text = self.gen(tree)
        definition = Definition(kind=kind, schema=schema, name=f"{name}({signature})", sql=sql_text)
        return [o.CreateDefinition(definition=definition, replace=True)]

    def create_type(self, tree: exp.Create, text: str) -> list[o.AnyOp]:
        schema, name = self.table_name(tree.this)
        fold_identifiers(tree, self.dialect)
        tree.this.set("db", exp.to_identifier(schema) if schema else None)
        sql_text = self.gen(tree)
        return [
            o.CreateDefinition(
                definition=Definition(kind=Kind.TYPE, schema=schema, name=name, sql=sql_text),
                if_not_exists=bool(tree.args.get("exists")),
            )
        ]

    def create_trigger(self, tree: exp.Create, text: str) -> list[o.AnyOp]:
        raise _Unsupported  # triggers keep their text: the opaque path names them by table

    # -- ALTER TABLE ---------------------------------------------------------------------------------------

    def alter_table(self, tree: exp.Alter, text: str) -> list[o.AnyOp]:
        table = self.qname(tree.this)
        tname = table.rpartition(".")[2]
        ops: list[o.AnyOp] = []
        try:
            for action in tree.args.get("actions") or []:
                ops.extend(self._alter_action(table, tname, action, text))
        except _Unsupported:
            option = self.table_option(text)
            return [option] if option is not None else [self.opaque(text)]
        if _NOT_VALID_ADD.search(text):
            for op in ops:
                if isinstance(op, o.AddConstraint) and not op.constraint.definition.endswith(" NOT VALID"):
                    op.constraint.definition += " NOT VALID"
        return ops or [self.opaque(text)]

    def _alter_action(self, table: str, tname: str, action: exp.Expression, text: str) -> list[o.AnyOp]:
        if isinstance(action, exp.ColumnDef):
            column, extra = self.column_def(action, table)
            return [
                *[e for e in extra if isinstance(e, o.CreateSequence)],
                o.AddColumn(table=table, column=column, if_not_exists=bool(action.args.get("exists"))),
                *[e for e in extra if not isinstance(e, o.CreateSequence)],
            ]
        if isinstance(action, exp.Drop):
            kind = str(action.args.get("kind") or "").upper()
            out: list[o.AnyOp] = []
            for target in action.expressions or action.args.get("tables") or []:
                name = self.fold(target.this if isinstance(target, exp.Column | exp.Table) else target)
                if kind == "COLUMN":
                    out.append(
                        o.DropColumn(table=table, column=name, if_exists=bool(action.args.get("exists")))
                    )
                elif kind == "CONSTRAINT":
                    out.append(
                        o.DropConstraint(table=table, name=name, if_exists=bool(action.args.get("exists")))
                    )
                else:
                    raise _Unsupported
            return out
        if isinstance(action, exp.AlterColumn):
            return [self._alter_column(table, action)]
        if isinstance(action, exp.AddConstraint):
            return [self.table_constraint(c, table, tname) for c in action.expressions]
        if isinstance(action, exp.RenameColumn):
            return [
                o.RenameColumn(
                    table=table,
                    old=self.fold(action.this.this if isinstance(action.this, exp.Column) else action.this),
                    new=self._key_name(action.args["to"]),
                )
            ]
        if isinstance(action, exp.AlterRename):
            _, new = self.table_name(action.this)
            return [o.RenameObject(kind=Kind.TABLE, name=table, new=new)]
        if isinstance(
            action, exp.RenameConstraint if hasattr(exp, "RenameConstraint") else ()
        ):  # pragma: no cover
            raise _Unsupported
        if isinstance(action, exp.Constraint | exp.PrimaryKey | exp.ForeignKey | exp.UniqueColumnConstraint):
            return [self.table_constraint(action, table, tname)]
        raise _Unsupported

    def _alter_column(self, table: str, action: exp.AlterColumn) -> o.AlterColumn:
        column = self.fold(action.this)
        op = o.AlterColumn(table=table, column=column)
        dtype = action.args.get("dtype")
        if dtype is not None:
            op.type = self.type_sql(dtype)
            if dtype.this in _SERIALS:
                raise _Unsupported
        if action.args.get("default") is not None:
            op.default = self.default_expr(action.args["default"], op.type or "")
        if action.args.get("drop"):
            if action.args.get("allow_null") is not None:
                op.nullable = True
            else:
                op.drop_default = True
        allow_null = action.args.get("allow_null")
        if allow_null is not None and not action.args.get("drop"):
            op.nullable = bool(allow_null)
        if action.args.get("collate"):
            coll = action.args.get("collate")
            if isinstance(coll, exp.Expression):
                op.collation = _collation(self.gen(coll))
        if op == o.AlterColumn(table=table, column=column):
            raise _Unsupported
        return op

    def _alter_other(self, tree: exp.Alter, text: str, kind: str) -> list[o.AnyOp]:
        actions = tree.args.get("actions") or []
        if len(actions) == 1 and isinstance(actions[0], exp.AlterRename):
            mapped = _KIND_WORDS.get(kind)
            if mapped is not None:
                _, new = self.table_name(actions[0].this)
                return [o.RenameObject(kind=mapped, name=self.qname(tree.this), new=new)]
        return [self.opaque(text)]

    # -- DROP ----------------------------------------------------------------------------------------------

    def drop(self, tree: exp.Drop, text: str) -> list[o.AnyOp]:
        kind_word = str(tree.args.get("kind") or "").upper()
        if tree.args.get("materialized"):
            kind_word = "MATERIALIZED VIEW"
        kind = _KIND_WORDS.get(kind_word)
        if kind is None:
            return [self.opaque(text)]
        out: list[o.AnyOp] = []
        for target in tree.args.get("tables") or []:
            if kind in (Kind.FUNCTION, Kind.PROCEDURE):
                if isinstance(target, exp.UserDefinedFunction):
                    schema, name = self.table_name(target.this)
                    out.append(
                        o.DropObject(
                            kind=kind,
                            name=self.qualify(schema, f"{name}({self._signature(target)})"),
                            if_exists=bool(tree.args.get("exists")),
                        )
                    )
                    continue
                schema, name = self.table_name(target)
                out.append(
                    o.DropObject(
                        kind=kind,
                        name=self.qualify(schema, f"{name}(*)"),
                        if_exists=bool(tree.args.get("exists")),
                    )
                )
                continue
            out.append(
                o.DropObject(kind=kind, name=self.qname(target), if_exists=bool(tree.args.get("exists")))
            )
        return out or [self.opaque(text)]

    # -- opaque --------------------------------------------------------------------------------------------

    def opaque(
        self, text: str, *, kind: Kind | None = None, name: str | None = None, message: str | None = None
    ) -> o.AnyOp:
        """Keep a statement we do not understand, named by what its head says, whitespace-normalised."""
        squashed = _squash(text)
        schema = self.default_schema
        m = _CREATE_HEAD.match(text)
        if kind is None and m:
            word = _WS.sub(" ", m.group("kind").upper())
            kind = _KIND_WORDS.get(word, Kind.OTHER)
            if kind is Kind.OTHER and word not in ("CAST", "SERVER", "FOREIGN DATA WRAPPER", "LANGUAGE"):
                kind = Kind.OTHER
            raw = m.group("name")
            if kind in (Kind.FUNCTION, Kind.PROCEDURE, Kind.AGGREGATE):
                base, _, args = text[m.start("name") :].partition("(")
                schema, fname = self.parse_qname(base.strip())
                signature = self._signature_from_text(_balanced(args))
                name = f"{fname}({signature})"
            elif kind in (Kind.TRIGGER, Kind.POLICY, Kind.RULE):
                on = _ON_TABLE.search(text, m.end())
                tschema, tname = self.parse_qname(on.group("table")) if on else (schema, "")
                schema = tschema
                name = f"{tname}.{self._unquote(raw)}"
            elif kind in (Kind.SCHEMA, Kind.EXTENSION, Kind.EVENT_TRIGGER, Kind.PUBLICATION):
                schema, name = "", self._unquote(_split_dotted(raw)[-1]) if re.match(_QNAME, raw) else raw
            elif kind is Kind.INDEX:
                on = _ON_TABLE.search(text, m.end())
                schema = self.parse_qname(on.group("table"))[0] if on else schema
                name = self._unquote(_split_dotted(raw)[-1])
            elif re.match(_QNAME, raw):
                schema, name = self.parse_qname(raw)
            else:
                name = raw
        if kind is None:
            kind = Kind.OTHER
        if name is None:
            schema, name = "", statement_name(squashed)
        if name.startswith(f"{schema}.") and schema:
            name = name[len(schema) + 1 :]
        return o.Opaque(
            definition=Definition(kind=kind, schema=schema, name=name, sql=squashed, opaque=True),
            message=message,
        )


class _Unsupported(Exception):
    """A construct we do not model: the statement is kept opaque instead."""


_SERIALS = {
    exp.DataType.Type.SERIAL: "INT",
    exp.DataType.Type.BIGSERIAL: "BIGINT",
    exp.DataType.Type.SMALLSERIAL: "SMALLINT",
}
_NUMERIC_TYPES = {"INT", "BIGINT", "SMALLINT", "DECIMAL", "DOUBLE PRECISION", "REAL", "FLOAT", "NUMERIC"}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_ZONED_TIMESTAMP = re.compile(
    r"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)\s*(?:[+-]\d\d(?::?\d\d)?|Z|UTC)"
)


def _base_type(type_text: str) -> str:
    return type_text.split("(", 1)[0].strip().upper()


def _nextval(sequence: str) -> str:
    return f"NEXTVAL(CAST({literal(quote_qualified(sequence))} AS REGCLASS))"


def _split_dotted(text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(_IDENT, text)]


def _string_value(text: str) -> str:
    pieces = re.findall(r"[Ee]?'((?:[^']|'')*)'", text)
    value = "".join(p.replace("''", "'") for p in pieces)
    if text[:1] in "Ee":
        value = value.encode("latin-1", "backslashreplace").decode("unicode_escape")
    return value


def _literal_value(node: exp.Expression) -> str:
    return str(node.this) if isinstance(node, exp.Literal) else node.sql()


_SQUASH_TOKENS = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$|--[^\n]*|/\*.*?\*/|\s+",
    re.DOTALL,
)


def _squash(text: str) -> str:
    """Whitespace-normalise a statement outside its quoted parts, dropping comments.

    A run of blanks becomes one space, or nothing next to brackets and before commas, so `f( a,b )` and
    `f(a, b)` read the same; quoted text and dollar-quoted bodies are kept byte for byte.
    """
    pieces: list[tuple[bool, str]] = []  # (is_gap, text)
    pos = 0
    for m in _SQUASH_TOKENS.finditer(text):
        if m.start() > pos:
            pieces.append((False, text[pos : m.start()]))
        token = m.group(0)
        if token.startswith(("--", "/*")) or token.isspace():
            pieces.append((True, " "))
        else:
            pieces.append((False, token))
        pos = m.end()
    if pos < len(text):
        pieces.append((False, text[pos:]))
    out: list[str] = []
    for i, (gap, piece) in enumerate(pieces):
        if gap:
            before = out[-1][-1:] if out else ""
            after = pieces[i + 1][1][:1] if i + 1 < len(pieces) else ""
            if before in ("", " ", "(") or after in ("", ")", ",", ";"):
                continue
            out.append(" ")
        elif piece[:1] in "'\"$":
            out.append(piece)
        else:
            piece = re.sub(r"\(\s+", "(", piece)
            piece = re.sub(r",(?=\S)", ", ", piece)
            out.append(piece)
    return "".join(out).strip().rstrip(";").rstrip()


def _upper_words(text: str) -> str:
    """Upper-case the unquoted words of a squashed statement (PostgreSQL folds them anyway)."""
    return re.sub(
        r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[^'\"]+",
        lambda m: m.group(0) if m.group(0)[0] in "'\"" else m.group(0).upper(),
        text,
    )


def _balanced(args: str) -> str:
    depth = 1
    for i, ch in enumerate(args):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return args[:i]
    return args


def statement_name(text: str) -> str:
    """A stable name for a statement that names no object: its first two words and a digest."""
    head = " ".join(text.split()[:2]).lower()
    return f"{head} {hashlib.sha256(text.encode()).hexdigest()[:12]}"


def _not_valid_names(text: str, unquote: Callable[[str], str]) -> set[str]:
    """Names of the constraints a CREATE TABLE declares NOT VALID (sqlglot reads past the words)."""
    names = set()
    for found in re.finditer(r"\bNOT\s+VALID\b", text, re.IGNORECASE):
        heads = list(_CONSTRAINT_NAME.finditer(text, 0, found.start()))
        if heads:
            names.add(unquote(heads[-1].group(1)))
    return names


def storage_options(text: str) -> str:
    """`fillfactor='70', Autovacuum_Enabled = false` as `autovacuum_enabled = false, fillfactor = 70`."""
    settings = []
    for part in text.split(","):
        key, _, value = part.partition("=")
        value = value.strip()
        if len(value) > 1 and value[0] == value[-1] == "'" and re.fullmatch(r"'[\w.+-]*'", value):
            value = value[1:-1]
        settings.append(f"{key.strip().lower()} = {value.lower()}" if value else key.strip().lower())
    return ", ".join(sorted(settings))


def _deferrable(node: exp.Expression) -> str:
    """DEFERRABLE / INITIALLY DEFERRED of a key constraint (the defaults are not written)."""
    words = " ".join(str(option).upper() for option in node.args.get("options") or [])
    out = ""
    if re.search(r"(?<!NOT )\bDEFERRABLE\b", words):
        out += " DEFERRABLE"
    if "INITIALLY DEFERRED" in words:
        out += " INITIALLY DEFERRED"
    return out


def _prepare(text: str) -> str:
    """Rewrite spellings sqlglot does not read into equivalent ones it does, before parsing."""
    text = _INDEX_ON_ONLY.sub(r"\1", text, count=1)
    if _MATERIALIZED.match(text):
        # Whether a materialized view is populated is data: pg_dump --schema-only always says NO DATA.
        text = _WITH_DATA.sub("", text)
    if _CREATE_TABLE.match(text):
        text = _TYPE_ARRAY.sub(r"\1[]", text)
        text = _KEY_DEFAULTS.sub(" ", text)  # NOT DEFERRABLE INITIALLY IMMEDIATE is what a key is anyway
        # A constraint created with its table is checked at once: NOT VALID means nothing there.
        text = _NOT_VALID.sub(")", text)
    return text


_CREATE_TABLE = re.compile(
    r"\s*(?:CREATE|ALTER)\s+(?:(?:GLOBAL|LOCAL|TEMP|TEMPORARY|UNLOGGED)\s+)*TABLE\b", re.I
)
_ARRAY_DIMENSIONS = re.compile(r"(?:\[\d*\])+$")
_KEY_DEFAULTS = re.compile(r"\s+(?:NOT\s+DEFERRABLE|INITIALLY\s+IMMEDIATE)\b", re.IGNORECASE)
_MATERIALIZED = re.compile(r"\s*CREATE\s+MATERIALIZED\s+VIEW\b", re.IGNORECASE)
_WITH_DATA = re.compile(r"\s+WITH\s+(?:NO\s+)?DATA\s*$", re.IGNORECASE)
_CONSTRAINT_NAME = re.compile(rf"\bCONSTRAINT\s+({_IDENT})", re.IGNORECASE)
_NOT_VALID_ADD = re.compile(r"\bADD\s+CONSTRAINT\b.*\bNOT\s+VALID\s*$", re.IGNORECASE | re.DOTALL)
_NOT_VALID = re.compile(r"\)\s+NOT\s+VALID\b(?=\s*[,)])", re.IGNORECASE)


def _bound(text: str) -> str:
    """A partition bound as pg_dump prints it: `FOR VALUES FROM (...) TO (...)`, `... IN (...)`, `DEFAULT`."""
    bound = _upper_words(_squash(text))
    if bound != "DEFAULT" and not bound.startswith("FOR VALUES"):
        bound = f"FOR VALUES {bound}"
    bound = re.sub(r"\s*\(\s*", " (", bound)
    bound = re.sub(r"\s*\)", ")", bound)
    bound = re.sub(r"\)(?=[A-Za-z])", ") ", bound)
    return re.sub(r"\(\s*(FOR|FROM|TO|IN|WITH)\b", r"(\1", bound).replace("  ", " ").strip()


def _collation(text: str) -> str:
    text = text.strip()
    if text.lower().startswith("pg_catalog."):
        text = text[len("pg_catalog.") :]
    if text.startswith('"') and text.endswith('"'):
        inner = text[1:-1]
        return text if needs_quotes(inner) else inner
    return text if not needs_quotes(text.lower()) or text.lower() != text else text.lower()


def _fk_options(ref: exp.Reference) -> str:
    options = [str(opt).upper() for opt in ref.args.get("options") or []]
    out = []
    for opt in options:
        opt = _WS.sub(" ", opt)
        if opt in (
            "ON DELETE NO ACTION",
            "ON UPDATE NO ACTION",
            "MATCH SIMPLE",
            "NOT DEFERRABLE",
            "INITIALLY IMMEDIATE",
        ):
            continue
        out.append(opt)
    order = {"MATCH": 0, "ON UPDATE": 1, "ON DELETE": 2, "DEFERRABLE": 3, "INITIALLY": 4, "NOT VALID": 5}

    def rank(opt: str) -> int:
        for prefix, value in order.items():
            if opt.startswith(prefix):
                return value
        return 9

    out.sort(key=rank)
    return "".join(f" {opt}" for opt in out)


def _restore_dollar_quote(sql_text: str, body: str) -> str:
    """sqlglot prints a function body as a string literal; put it back in dollar quotes that do not clash."""
    quoted = literal(body)
    tag = "$$"
    n = 0
    while tag in body:
        n += 1
        tag = f"$_{n}$" if n > 1 else "$_$"
    return sql_text.replace(quoted, f"{tag}{body}{tag}", 1)


_TOKEN_REPR = re.compile(r"<Token token_type: TokenType\.(\w+), text: (.*?), line: \d+, col: .*?>")


def _token_text(m: re.Match[str]) -> str:
    return "the end of the statement" if m.group(1) == "SENTINEL" else repr(m.group(2))


def _first_error(error: SqlglotError) -> tuple[str, int, int]:
    errors = getattr(error, "errors", None)
    if errors:
        first = errors[0]
        message = _TOKEN_REPR.sub(_token_text, str(first.get("description")))
        return message, int(first.get("line") or 1), int(first.get("col") or 1)
    return str(error).splitlines()[0], 1, 1
