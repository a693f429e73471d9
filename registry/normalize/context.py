"""What every statement compiler needs to know about its dialect: names, quoting, expressions and types."""

from __future__ import annotations

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.names import PG_CATALOG_RELATIONS, PG_CATALOG_TYPES, join_key, split_key, truncate_identifier
from schemareg.normalize.catalog_functions import CATALOG_FUNCTIONS
from schemareg.normalize.dialects import sqlglot_dialect
from schemareg.normalize.options import DEFAULT_OPTIONS, NormalizeOptions
from schemareg.normalize.patterns import PatternReader, RoutineReader, split_top_level
from schemareg.normalize.pg_parser import parse_tokens
from schemareg.normalize.rules import (
    EXPRESSION_RULES,
    QUERY_EXPRESSION_RULES,
    Rule,
    canonical_expression,
    fold_identifiers,
    fold_name,
    identifier,
)
from schemareg.normalize.text import WS, split_dotted, squash
from schemareg.normalize.type_grammar import (
    catalog_type,
    name_catalog_arrays,
    name_extension_types,
    respell,
    restore_spellings,
    type_spelling,
)
from schemareg.render import quote, quote_qualified

DEFAULT_SCHEMA = {"postgres": "public", "sqlite": "main", "mysql": ""}

_ARRAY_DIMENSIONS = lazy_compile(r"(?:\[\d*\])+$")


class Unsupported(Exception):
    """A construct we do not model: the statement is kept opaque instead."""


# Types whose length defaults to one in a column definition (canonical spellings; arrays too).
_ONE_BY_DEFAULT = lazy_compile(r"^(CHAR|BIT)(?=\[|$)")


def _keep_interval_precision(node: exp.Expression) -> None:
    """sqlglot prints the type `interval(2)` as `INTERVAL 2`, which PostgreSQL refuses: print it as a
    named type with its modifier instead."""
    for found in list(node.find_all(exp.DataType)):
        respell(found)
        if found.this == exp.DataType.Type.INTERVAL and found.expressions:
            replacement = exp.DataType(
                this=exp.DataType.Type.USERDEFINED,
                kind=exp.to_identifier("INTERVAL"),
                expressions=found.expressions,
            )
            if found is node:
                node.set("this", exp.DataType.Type.USERDEFINED)
                node.set("kind", replacement.args["kind"])
            else:
                found.replace(replacement)


def _is_array(node: exp.Expression) -> bool:
    return (
        isinstance(node, exp.DataType)
        and node.this == exp.DataType.Type.ARRAY
        and len(node.expressions) == 1
        and not node.args.get("values")
    )


class Context:
    """One dialect's parser, printer and naming rules, shared by the statement compilers (no state)."""

    def __init__(
        self, dialect: str, options: NormalizeOptions = DEFAULT_OPTIONS, default_schema: str = ""
    ) -> None:
        self.dialect = dialect
        self.options = options
        # Where a bare name is: the dialect's default, or the schema a script's search path names.
        self.default_schema = default_schema or DEFAULT_SCHEMA.get(dialect, "")
        self._sqlglot = sqlglot_dialect(dialect)
        self._parser = self._sqlglot.parser()
        # One tokenizer for every statement: building one costs about as much as tokenizing a statement.
        self._tokenizer = self._sqlglot.tokenizer()
        self._generator = self._sqlglot.generator()
        self.routines = RoutineReader(dialect, self.default_schema, self.read_name, self.text_expression)
        self.patterns = PatternReader(self.routines, self.unquote)

    # -- parsing and printing ------------------------------------------------------------------------------

    def parse(self, text: str, lowered: str | None = None) -> exp.Expression | None:
        """The statement's tree (`lowered`: the text lower-cased, when the caller has it already)."""
        expressions = parse_tokens(self._parser, self._tokenizer, text, self.dialect, lowered)
        first = expressions[0] if expressions else None
        return first if isinstance(first, exp.Expression) else None

    def generate(self, node: exp.Expression) -> str:
        """Print a tree we own (no defensive copy: the tree is thrown away after this statement)."""
        if self.dialect == "postgres":
            _keep_interval_precision(node)
            return restore_spellings(self._generator.generate(node, copy=False))
        return self._generator.generate(node, copy=False)

    def expression(self, node: exp.Expression, rules: tuple[Rule, ...] = EXPRESSION_RULES) -> str:
        return canonical_expression(node, self.dialect, self.generate, rules)

    def text_expression(self, text: str, *, queries: bool = False) -> str:
        """Canonical text of an expression given as text (argument defaults); squashed if unparseable.
        `queries`: one that may hold queries (a policy's), whose tables are qualified as PostgreSQL prints
        them and whose output columns are named.

        Nothing is evaluated: PostgreSQL stores an argument default as written (`(2 + 2) * 10`, not 40).
        """
        try:
            node = parse_tokens(self._parser, self._tokenizer, f"SELECT {text}", self.dialect)[0]
        except Exception:
            return squash(text)
        if (
            not isinstance(node, exp.Select)
            or len(node.expressions) != 1
            or isinstance(node.expressions[0], exp.Alias)
        ):
            # an alias is no part of an expression: sqlglot read a word of it as one (`NULL::bit varying`)
            return squash(text)
        value = node.expressions[0]
        if queries and value.find(exp.Select) is not None:
            self.qualify_tables(value)
            return self.expression(value, QUERY_EXPRESSION_RULES)
        return self.expression(value)

    # -- names ---------------------------------------------------------------------------------------------

    def fold(self, node: exp.Identifier | str | None) -> str:
        if node is None:
            return ""
        if isinstance(node, str):
            return node
        folded = fold_name(node, case_sensitive_quoted=self.dialect == "postgres")
        return truncate_identifier(folded) if len(folded) > 15 and self.dialect == "postgres" else folded

    def table_name(self, table: exp.Expression) -> tuple[str, str]:
        """(schema, name) of a table-like node, the schema defaulted."""
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
        """The key of `name` in `schema` (a routine's signature goes after it: qualify(s, f) + sig)."""
        return join_key(schema, name)

    def qualified_name(self, table: exp.Expression) -> str:
        return self.qualify(*self.table_name(table))

    def read_name(self, text: str) -> tuple[str, str]:
        """`schema.name` as written in a pattern-matched statement -> canonical (schema, name)."""
        parts = [self.unquote(p) for p in split_dotted(text)]
        if self.dialect == "mysql":
            return "", parts[-1]
        if len(parts) == 1:
            return self.default_schema, parts[0]
        return parts[-2], parts[-1]

    def read_qualified_name(self, text: str) -> str:
        return self.qualify(*self.read_name(text))

    def read_column(self, text: str) -> tuple[str, str]:
        """`[schema.]table.column` as written -> (qualified table, column)."""
        parts = [self.unquote(p) for p in split_dotted(text)]
        column = parts.pop()
        return self.qualify(parts[-2] if len(parts) > 1 else self.default_schema, parts[-1]), column

    def unquote(self, part: str) -> str:
        part = part.strip()
        if part[:1] in '"`':
            inner = part[1:-1].replace(part[0] * 2, part[0])
            return truncate_identifier(inner) if self.dialect == "postgres" else inner.lower()
        return truncate_identifier(part.lower()) if self.dialect == "postgres" else part.lower()

    def quote(self, name: str) -> str:
        return quote(name, self.dialect)

    def quote_qualified(self, name: str) -> str:
        return quote_qualified(name, self.dialect)

    def key_name(self, node: exp.Expression) -> str:
        """The column a key, an index or a view column list names."""
        if isinstance(node, exp.Identifier):
            return self.fold(node)
        if isinstance(node, exp.Column):
            return self.fold(node.this)
        if isinstance(node, exp.Ordered):
            return self.key_name(node.this)
        raise Unsupported

    def own_columns(self, node: exp.Expression, key: str) -> None:
        """`t.a` and `s.t.a` in an expression of table `key` (an index's, a CHECK's, a generated column's):
        its own columns, which PostgreSQL stores as column numbers and prints unqualified."""
        parts = split_key(key)
        schema, table = (parts[-2] if len(parts) > 1 else ""), parts[-1]
        for column in list(node.find_all(exp.Column)):
            qualifier = column.args.get("table")
            if not isinstance(qualifier, exp.Identifier) or self.fold(qualifier) != table:
                continue
            db = column.args.get("db")
            if db is None or (isinstance(db, exp.Identifier) and self.fold(db) in (schema, "")):
                column.set("table", None)
                column.set("db", None)

    def qualify_tables(self, query: exp.Expression) -> None:
        """Name every table a query reads with its schema, as PostgreSQL prints stored views: a bare name
        of one of pg_catalog's relations is pg_catalog's (the search path holds it first), any other the
        default schema's."""
        if self.dialect != "postgres":
            return
        ctes = {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}
        for table in query.find_all(exp.Table):
            call = table.this
            if isinstance(call, exp.Anonymous) and not table.args.get("db"):
                # `FROM f()`: a function of the default schema, unless it is one of pg_catalog's
                if isinstance(call.this, str) and call.this.lower() not in CATALOG_FUNCTIONS:
                    table.set("db", identifier(self.default_schema))
                continue
            if not table.args.get("db") and table.name.lower() not in ctes and table.name:
                catalog = (
                    isinstance(table.this, exp.Identifier) and self.fold(table.this) in PG_CATALOG_RELATIONS
                )
                table.set("db", identifier("pg_catalog" if catalog else self.default_schema))

    # -- types ---------------------------------------------------------------------------------------------

    def type_sql(self, node: exp.DataType) -> str:
        """A type as canonical text; a user-defined type is schema-qualified as pg_dump prints it."""
        fold_identifiers(node, self.dialect)
        if self.dialect == "postgres":
            name_extension_types(node)
            name_catalog_arrays(node)
        spelled = type_spelling(node) if self.dialect == "postgres" else None
        if spelled is not None:
            return spelled
        if (
            node.this == exp.DataType.Type.ARRAY
            and len(node.expressions) == 1
            and not node.args.get("values")
        ):
            inner = node.expressions[0]
            while _is_array(inner):  # `t[][]`: PostgreSQL keeps no dimensions
                inner = inner.expressions[0]
            if isinstance(inner, exp.DataType) and inner.this == exp.DataType.Type.USERDEFINED:
                return self.type_sql(inner) + "[]"
        if node.this != exp.DataType.Type.USERDEFINED:
            # PostgreSQL keeps no array dimensions or sizes: int[3][3] is int[].
            return _ARRAY_DIMENSIONS.sub("[]", self.generate(node))
        kind = node.args.get("kind")
        if isinstance(kind, exp.Dot):
            schema, name = self.fold(kind.this), self.fold(kind.expression)
        elif isinstance(kind, exp.Identifier):
            schema, name = "", self.fold(kind)
        else:
            parts = [self.unquote(p) for p in split_dotted(str(kind))] or [str(kind)]
            schema, name = (parts[-2] if len(parts) > 1 else ""), parts[-1]
        if schema == "pg_catalog" and self.dialect == "postgres":
            builtin = catalog_type(name, node.expressions)
            if builtin is not None:  # `pg_catalog.int4` is `integer`, however it is qualified
                return self.type_sql(builtin)
        if not schema and self.dialect == "postgres" and name not in PG_CATALOG_TYPES:
            schema = self.default_schema
        # A user type's modifiers are its own (vector(1536), geometry(Point,4326)): kept as written.
        modifiers = ", ".join(self.generate(p) for p in node.expressions)
        name = f"{self.quote(schema)}.{self.quote(name)}" if schema else self.quote(name)
        return f"{name}({modifiers})" if modifiers else name

    def column_type_sql(self, node: exp.DataType) -> str:
        """A column's type as canonical text: `char` and `bit` without a length hold one, as PostgreSQL
        stores them (`character(1)`), whereas a cast's `::bpchar` keeps no length."""
        text = self.type_sql(node)
        if self.dialect == "postgres":
            text = _ONE_BY_DEFAULT.sub(r"\1(1)", text)
        return text

    def signature_from_text(self, args: str) -> str:
        """Argument types of `f(a integer, text)` as the identity PostgreSQL uses: types only, no OUT."""
        try:
            arguments = [self.routines.argument(a) for a in split_top_level(args)]
        except Exception:
            return WS.sub(" ", args.strip()).lower()
        return ", ".join(identity for _, _, identity in arguments if identity)
