"""One statement -> the ops it performs: the table of which compiler handles which statement.

A statement goes through two tables. `TEXT_RULES` are tried first, in order, on the statement's text (each
rule only on the statements that begin with the words it declares, `@applies_to` in heads.py):
statements that are not schema (ignored), grants and owners, and the pg_dump idioms sqlglot only knows as
`Command` (COMMENT ON ... IS NULL, OWNED BY, ATTACH PARTITION, ADD GENERATED AS IDENTITY), and the
statements read by pattern (routines, triggers, policies, domains, extensions). A PostgreSQL statement of a
shape pg_dump repeats by the hundred is then compiled through a probe shared by its script (shapes.py).
Otherwise sqlglot parses it and `TREE_RULES` picks the compiler by the tree's type and the kind of object
it names. Anything still
not understood becomes an opaque object named from its head, never dropped. Each compiler lives with its
statement family: tables, alter_table, constraints, indexes, views, sequences, types, routines,
privileges, comments, objects (schemas, DROP, RENAME), opaque.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from sqlglot import exp
from sqlglot.errors import SqlglotError

from schemareg.lazy_re import lazy_compile
from schemareg.normalize import ops
from schemareg.normalize.aggregates import read_aggregate
from schemareg.normalize.alter_table import alter_table, alter_table_pattern, split_actions, table_option
from schemareg.normalize.comments import comment_on, comment_tree
from schemareg.normalize.context import Context, Unsupported
from schemareg.normalize.do_blocks import read_do_block
from schemareg.normalize.domain_alter import alter_domain
from schemareg.normalize.generated import drop_virtual
from schemareg.normalize.heads import TextRules, applies_to
from schemareg.normalize.identity import drop_identity_options
from schemareg.normalize.indexes import NULLS_DISTINCT, attach_index_partition, create_index
from schemareg.normalize.no_inherit import drop_no_inherit
from schemareg.normalize.objects import (
    create_schema,
    drop,
    drop_pattern,
    read_extension,
    rename,
    rename_pattern,
)
from schemareg.normalize.opaque import opaque
from schemareg.normalize.options import DEFAULT_OPTIONS, NormalizeOptions
from schemareg.normalize.partition_of import create_table_or_partition, drop_with_options
from schemareg.normalize.privileges import change_privileges, set_owner
from schemareg.normalize.publications import alter_publication, read_publication
from schemareg.normalize.ranges import read_range
from schemareg.normalize.routine_alter import alter_routine
from schemareg.normalize.routines import (
    create_routine,
    create_trigger,
    read_policy,
    read_routine,
    read_trigger,
)
from schemareg.normalize.schema_moves import rename_schema, set_schema
from schemareg.normalize.sequences import alter_sequence, create_sequence, owned_by, set_sequence_logged
from schemareg.normalize.set_columns import put_set_columns, take_set_columns
from schemareg.normalize.shapes import Probes, ShapeReader
from schemareg.normalize.statistics import alter_statistics, read_statistics
from schemareg.normalize.structure import run_on_statement
from schemareg.normalize.text import QNAME, blank_comments, split_dotted
from schemareg.normalize.type_grammar import might_refuse, prepare_types
from schemareg.normalize.types import alter_enum, create_type, read_domain
from schemareg.normalize.views import CHECK_OPTION, create_view

# sqlglot logs a warning for every statement it falls back to Command on; we report those ourselves.
logging.getLogger("sqlglot").setLevel(logging.ERROR)
_log = logging.getLogger(__name__)

TextRule = Callable[[Context, str], "list[ops.AnyOp] | None"]
# A tree rule is given the statement's tree (of the type it is registered for) and its text.
TreeRule = Callable[[Context, Any, str], "list[ops.AnyOp]"]

_IGNORED_HEADS = lazy_compile(
    r"""\s*(?:
        SET\s | RESET\s | SELECT\s | INSERT\s | UPDATE\s | DELETE\s | MERGE\s | TRUNCATE\b | COPY\s | GRANT\s | REVOKE\s | BEGIN\b |
        COMMIT\b | ROLLBACK\b | START\s+TRANSACTION | DO\b | END\b | PRAGMA\s | ANALYZE\b | VACUUM\b | LOCK\s | UNLOCK\s |
        USE\s | CHECKPOINT\b | DISCARD\s | LISTEN\s | NOTIFY\s | REFRESH\s+MATERIALIZED | CLUSTER\b | REINDEX\b |
        ALTER\s+DEFAULT\s+PRIVILEGES | ALTER\s+(?:DATABASE|ROLE|USER|SYSTEM)\s | CREATE\s+(?:ROLE|USER|DATABASE)\s |
        DROP\s+(?:ROLE|USER|DATABASE)\s | SECURITY\s+LABEL | COMMENT\s+ON\s+(?:DATABASE|ROLE)\s
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_ALTER_TABLE_IF_EXISTS = lazy_compile(
    rf"\s*ALTER\s+TABLE\s+IF\s+EXISTS\s+(?:ONLY\s+)?(?P<table>{QNAME})", re.IGNORECASE
)
# The first words of the statements _IGNORED_HEADS matches (a word its pattern lets run on is one word here).
_IGNORED_WORDS = (
    *("SET", "RESET", "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "COPY", "GRANT", "REVOKE"),
    *("BEGIN", "COMMIT", "ROLLBACK", "START", "DO", "END", "PRAGMA", "LOCK", "UNLOCK", "USE", "SECURITY"),
    *("ANALYZE", "VACUUM", "CHECKPOINT", "DISCARD", "LISTEN", "NOTIFY", "REFRESH", "CLUSTER", "REINDEX"),
    *("ALTER DEFAULT", "ALTER DATABASE", "ALTER ROLE", "ALTER USER", "ALTER SYSTEM", "COMMENT ON"),
    *("CREATE ROLE", "CREATE USER", "CREATE DATABASE", "DROP ROLE", "DROP USER", "DROP DATABASE"),
)
_OWNER = lazy_compile(r"\s*ALTER\s+.+\s+OWNER\s+TO\s+\S+\s*$", re.IGNORECASE | re.DOTALL)
_FROM = lazy_compile(r"\bFROM\b", re.IGNORECASE)


@applies_to(*_IGNORED_WORDS)
def _not_schema(context: Context, text: str) -> list[ops.AnyOp] | None:
    """Session settings, data, transactions, maintenance, roles: nothing of the schema."""
    if not _IGNORED_HEADS.match(text):
        return None
    if text.lstrip()[:6].upper() == "SELECT" and "set_config" not in text and "setval" not in text:
        # A SELECT without FROM may be a function call that creates things: let the parser see it.
        return None if _FROM.search(text) is None else [ops.Ignored(reason="query")]
    word = text.split(None, 1)[0].upper()
    run_on = run_on_statement(text) if word in _DATA_WORDS and "\n" in text else None
    if run_on is not None:
        head, at = run_on
        line = text.count("\n", 0, at) + 1
        message = (
            f"this {word} runs on into a {head} (is the ';' before it missing?): PostgreSQL refuses it,"
            f" and the {head} is not read"
        )
        return [ops.Ignored(reason=word, message=message, line=line, column=at - text.rfind("\n", 0, at))]
    return [ops.Ignored(reason=word)]


_DATA_WORDS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "SELECT", "TRUNCATE", "COPY"})


@applies_to("ALTER")
def _owner_ignored(context: Context, text: str) -> list[ops.AnyOp] | None:
    """ALTER ... OWNER TO when owners are not kept (set_owner, earlier, keeps them when asked)."""
    return [ops.Ignored(reason="owner")] if _OWNER.match(text) else None


# Tried in order on the statement's text; the first that answers wins. A rule meets only the statements
# that begin with the words it declares (`@applies_to`, heads.py); one that declares none meets all.
TEXT_RULES: tuple[TextRule, ...] = (
    change_privileges,
    set_owner,
    _not_schema,
    _owner_ignored,
    drop_pattern,
    comment_on,
    owned_by,
    set_schema,
    rename_schema,
    alter_sequence,
    set_sequence_logged,
    alter_table_pattern,
    attach_index_partition,
    rename_pattern,
    alter_domain,
    alter_routine,
    read_routine,
    read_trigger,
    read_policy,
    read_domain,
    read_range,
    read_aggregate,
    read_extension,
    read_statistics,
    alter_statistics,
    read_publication,
    alter_publication,
    alter_enum,
)
_TEXT_RULES = TextRules(TEXT_RULES)


def _ignored(reason: str) -> TreeRule:
    def rule(context: Context, tree: exp.Expression, text: str) -> list[ops.AnyOp]:
        return [ops.Ignored(reason=reason or type(tree).__name__.lower())]

    return rule


def _command(context: Context, tree: exp.Expression, text: str) -> list[ops.AnyOp]:
    """A statement sqlglot only knows as a command: some are nothing of the schema, ALTERs kept as text."""
    head = str(tree.this).upper()
    if head in ("SET", "RESET", "GRANT", "REVOKE", "ANALYZE", "VACUUM", "COPY", "SECURITY"):
        return [ops.Ignored(reason=head)]
    if head == "ALTER":
        option = table_option(context, text)
        if option is not None:
            return [option]
    return [opaque(context, text)]


def _opaque(context: Context, tree: exp.Expression, text: str) -> list[ops.AnyOp]:
    return [opaque(context, text)]


# (tree type, object kind) -> compiler; "*" is any other kind of that statement.
TREE_RULES: dict[tuple[type[exp.Expression], str], TreeRule] = {
    (exp.Create, "TABLE"): create_table_or_partition,
    (exp.Create, "INDEX"): create_index,
    (exp.Create, "SEQUENCE"): create_sequence,
    (exp.Create, "VIEW"): create_view,
    (exp.Create, "MATERIALIZED VIEW"): create_view,
    (exp.Create, "FUNCTION"): create_routine,
    (exp.Create, "PROCEDURE"): create_routine,
    (exp.Create, "TYPE"): create_type,
    (exp.Create, "SCHEMA"): create_schema,
    (exp.Create, "TRIGGER"): create_trigger,
    (exp.Create, "*"): _opaque,
    (exp.Alter, "TABLE"): alter_table,
    (exp.Alter, "*"): rename,
    (exp.Drop, "*"): drop,
    (exp.Comment, "*"): comment_tree,
    (exp.Command, "*"): _command,
    **{
        (statement, "*"): _ignored("")
        for statement in (exp.Select, exp.Insert, exp.Update, exp.Delete, exp.Set, exp.Use, exp.Pragma)
    },
    **{
        (statement, "*"): _ignored("transaction") for statement in (exp.Transaction, exp.Commit, exp.Rollback)
    },
}


def tree_rule(tree: exp.Expression) -> TreeRule:
    """The compiler for a parsed statement: by its type (or a base type) and the kind of object it names."""
    kind = str(tree.args.get("kind") or "").upper() if isinstance(tree, exp.Create | exp.Alter) else ""
    for statement in type(tree).__mro__:
        rule = TREE_RULES.get((statement, kind)) or TREE_RULES.get((statement, "*"))
        if rule is not None:
            return rule
    return _opaque


class Compiler:
    """Compiles statements of one dialect. Holds no state between statements: what one script's statements
    share (the probes of their shapes, shapes.py) is handed in by the caller."""

    def __init__(
        self, dialect: str, options: NormalizeOptions = DEFAULT_OPTIONS, default_schema: str = ""
    ) -> None:
        self.context = Context(dialect, options, default_schema)
        context = self.context
        self._shapes = (
            ShapeReader(self._compile, context.unquote, context.default_schema)
            if dialect == "postgres"
            else None
        )

    def compile(self, text: str, probes: Probes | None = None) -> list[ops.AnyOp]:
        """One statement's ops. `probes`: the probes compiled for this script so far (shapes.py), for a
        statement of a shape pg_dump repeats to be compiled once per shape; None compiles it alone."""
        text = blank_comments(text, self.context.dialect)
        read, lists = (text, []) if self.context.dialect != "postgres" else take_set_columns(text)
        found = self._compile(read, None) if lists else self._compile(text, probes)
        if lists and not put_set_columns(self.context, found, lists):
            found = [self.opaque(text)]
        guarded = _ALTER_TABLE_IF_EXISTS.match(text)
        if guarded is not None and self.context.dialect == "postgres":
            table = self.context.read_qualified_name(guarded.group("table"))
            for op in found:
                op.if_table = table
        return found

    def _compile(self, text: str, probes: Probes | None = None) -> list[ops.AnyOp]:
        context = self.context
        block = read_do_block(context, text, self.compile)  # before DO is ignored as not schema
        if block is not None:
            return block
        for text_rule in _TEXT_RULES.rules_for(text):
            found = text_rule(context, text)
            if found is not None:
                return found
        if probes is not None and self._shapes is not None:
            shaped = self._shapes.read(text, probes)
            if shaped is not None:
                return shaped
        try:
            prepared = _prepare(text)
            lowered = None
            if context.dialect == "postgres":
                lowered = prepared.lower()  # one copy for the cheap tests before each rewrite's scan
                if "virtual" in lowered:
                    prepared = drop_virtual(prepared)
                if "options" in lowered:
                    prepared = drop_with_options(prepared)
                if "identity" in lowered:
                    prepared = drop_identity_options(prepared)  # read from `text` (identity.py)
                if might_refuse(lowered):
                    prepared = prepare_types(prepared)  # `bit varying(5)`, `interval second(3)`
            tree = context.parse(prepared, lowered)  # the rewrites add no function names
        except SqlglotError as error:
            message, line, column = _first_error(error)
            op = opaque(context, text, message=message)
            op.line, op.column = line, column
            return [op]
        except Exception as error:  # the parser itself tripped: keep the statement, report it
            op = opaque(context, text, message=f"the SQL parser failed: {type(error).__name__}")
            op.line, op.column = 1, 1
            return [op]
        if tree is None:
            return [ops.Ignored(reason="empty")]
        if isinstance(tree, exp.Command) and str(tree.this).upper() == "ALTER":
            pieces = split_actions(text)
            if pieces is not None:  # each action apart: a Command keeps the whole statement as text
                return [op for piece in pieces for op in self._compile(piece)]
        try:
            return tree_rule(tree)(context, tree, text)
        except Unsupported:
            return [opaque(context, text)]
        except Exception:  # a construct our reader mishandles: keep the statement rather than lose it
            _log.debug("kept as opaque after an internal error: %.80s", text, exc_info=True)
            return [opaque(context, text)]

    def opaque(self, text: str) -> ops.Opaque:
        return opaque(self.context, text)


# `text ARRAY` is `text[]` (SQL standard spelling sqlglot does not read in column definitions).
_TYPE_ARRAY = lazy_compile(
    r"\b([A-Za-z_][A-Za-z0-9_]*(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?)\s+ARRAY\b(?:\s*\[\s*\d*\s*\])?"
    r"(?=\s*(?:,|\)|NOT\b|NULL\b|DEFAULT\b|CHECK\b|REFERENCES\b|UNIQUE\b|PRIMARY\b|COLLATE\b|CONSTRAINT\b|;|$))",
    re.IGNORECASE,
)
_INTERVAL_LITERAL = lazy_compile(
    r"(?<![\w$'])INTERVAL\s+('(?:[^']|'')*')(?!\s*(?:YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)\b)", re.IGNORECASE
)
_WITHOUT_OIDS = lazy_compile(r"(?<=\))\s*WITHOUT\s+OIDS\b", re.IGNORECASE)
_INDEX_ON_ONLY = lazy_compile(r"(\bON\s+)ONLY\s+", re.IGNORECASE)
_CREATE_INDEX = lazy_compile(r"\s*CREATE\s+(?:UNIQUE\s+)?INDEX\b", re.IGNORECASE)
_CREATE_TABLE = lazy_compile(
    r"\s*(?:CREATE|ALTER)\s+(?:(?:GLOBAL|LOCAL|TEMP|TEMPORARY|UNLOGGED)\s+)*TABLE\b", re.I
)
_KEY_DEFAULTS = lazy_compile(r"\s+(?:NOT\s+DEFERRABLE|INITIALLY\s+IMMEDIATE)\b", re.IGNORECASE)
_CREATE_VIEW = lazy_compile(
    r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY|RECURSIVE)\s+)*VIEW\b", re.I
)
# CREATE RECURSIVE VIEW v (a, b) AS q: PostgreSQL's shorthand for CREATE VIEW v AS WITH RECURSIVE v (a, b)
# AS (q) SELECT a, b FROM v, which it stores (and sqlglot reads).
_RECURSIVE_VIEW = lazy_compile(
    rf"^(?P<head>\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY)\s+)?)RECURSIVE\s+VIEW\s+(?P<name>{QNAME})"
    r"\s*\((?P<columns>[^()]*)\)\s+AS\s+(?P<query>.*?)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def _recursive_view(m: re.Match[str]) -> str:
    bare = split_dotted(m.group("name"))[-1]
    columns = m.group("columns")
    return f"{m.group('head')}VIEW {m.group('name')} AS WITH RECURSIVE {bare}({columns}) AS ({m.group('query')}) SELECT {columns} FROM {bare}"


# An option named alone in a view's leading `WITH (...)`, which sqlglot refuses.
_BARE_OPTION = lazy_compile(r"^(\s*CREATE\b[^(]*?\bWITH\s*\((?:[^()]*,)?\s*)([A-Za-z_]\w*)(?=\s*[,)])", re.I)
_MATERIALIZED = lazy_compile(r"\s*CREATE\s+MATERIALIZED\s+VIEW\b", re.IGNORECASE)
_WITH_DATA = lazy_compile(r"\s+WITH\s+(?:NO\s+)?DATA\s*$", re.IGNORECASE)
_UNIQUE_NULLS_DISTINCT = lazy_compile(r"\bUNIQUE\s+NULLS\s+DISTINCT\b", re.IGNORECASE)
_NOT_VALID = lazy_compile(r"\)\s+NOT\s+VALID\b(?=\s*[,)])", re.IGNORECASE)


def _prepare(text: str) -> str:
    """Rewrite spellings sqlglot does not read into equivalent ones it does, before parsing.

    Each rewrite first asks whether its keyword occurs at all (a scan at C speed): the regexes would try
    every word boundary of every statement otherwise.
    """
    upper = text.upper()
    if "INTERVAL" in upper and "'" in text:
        # sqlglot reads INTERVAL '3 days ago' as INTERVAL '3 DAYS' (the sign lost): a cast keeps it whole.
        text = _INTERVAL_LITERAL.sub(r"CAST(\1 AS INTERVAL)", text)
    if "ONLY" in upper:
        text = _INDEX_ON_ONLY.sub(r"\1", text, count=1)
    if "OIDS" in upper:
        # `CREATE TABLE ... WITHOUT OIDS`: what every table is since PostgreSQL 12, which keeps nothing of it
        text = _WITHOUT_OIDS.sub("", text, count=1)
    if _CREATE_INDEX.match(text):
        text = NULLS_DISTINCT.sub(")", text, count=1)  # PostgreSQL 15; read back from the text
    if "RECURSIVE" in upper:
        text = _RECURSIVE_VIEW.sub(_recursive_view, text, count=1)
    if ("CHECK" in upper or "WITH" in upper) and _CREATE_VIEW.match(text):
        text = CHECK_OPTION.sub("", text)  # read from the statement as written (views.py)
        for _ in range(text.count(",") + 1):  # `WITH (security_barrier)`: sqlglot wants a value
            text, found = _BARE_OPTION.subn(r"\1\2 = true", text)
            if not found:
                break
    if "MATERIALIZED" in upper and _MATERIALIZED.match(text):
        # Whether a materialized view is populated is data: pg_dump --schema-only always says NO DATA.
        text = _WITH_DATA.sub("", text)
    if _CREATE_TABLE.match(text):
        if "ARRAY" in upper:
            text = _TYPE_ARRAY.sub(r"\1[]", text)
        if "DEFERRABLE" in upper or "IMMEDIATE" in upper:
            text = _KEY_DEFAULTS.sub(" ", text)  # NOT DEFERRABLE INITIALLY IMMEDIATE is what a key is anyway
        if "NULLS" in upper:
            text = _UNIQUE_NULLS_DISTINCT.sub("UNIQUE", text)  # the default, which sqlglot does not read
        if "INHERIT" in upper:
            text = drop_no_inherit(text)  # read from the statement as written (no_inherit.py)
        if "VALID" in upper:
            # A constraint created with its table is checked at once: NOT VALID means nothing there.
            text = _NOT_VALID.sub(")", text)
    return text


_TOKEN_REPR = lazy_compile(r"<Token token_type: TokenType\.(\w+), text: (.*?), line: \d+, col: .*?>")


def _token_text(m: re.Match[str]) -> str:
    return "the end of the statement" if m.group(1) == "SENTINEL" else repr(m.group(2))


def _first_error(error: SqlglotError) -> tuple[str, int, int]:
    errors = getattr(error, "errors", None)
    if errors:
        first = errors[0]
        message = _TOKEN_REPR.sub(_token_text, str(first.get("description")))
        return message, int(first.get("line") or 1), int(first.get("col") or 1)
    return str(error).splitlines()[0], 1, 1
