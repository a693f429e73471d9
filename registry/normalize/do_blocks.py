"""DO blocks that real migrations use for idempotency, read by a small strict recogniser of PL/pgSQL:

    IF [NOT] EXISTS (SELECT ... FROM <catalog> WHERE ...) [AND ...] THEN <ddl>; ... [ELSIF ...] [ELSE ...] END IF;
    BEGIN <ddl>; ... EXCEPTION WHEN duplicate_object [OR duplicate_table ...] THEN NULL; END;
    BEGIN <ddl>; ... EXCEPTION WHEN OTHERS [or an SQLSTATE, any condition] THEN <ddl or nothing>; END;
    EXECUTE '<ddl>';   (dynamic SQL that is a constant string)
    EXECUTE 'GRANT ... TO ' || v ...;   (built from variables, its constant head a statement of no schema)
    DECLARE v type [:= value]; ... BEGIN ... END   (variables that only data statements read)
    IF v [= 'x'] THEN ... [ELSE ...] END IF; IF v THEN RETURN; END IF;   (v from a custom setting: do_settings.py)

nested in any way, become their DDL's ops under a guard the model answers when the block is applied
(do_apply.py): the catalogs read are pg_extension, pg_namespace, pg_type, pg_class, pg_attribute,
pg_constraint, pg_proc, pg_tables, pg_indexes and information_schema's schemata, tables, columns,
table_constraints, key_column_usage, constraint_column_usage (a constraint by its name) and routines (a
routine by its name, any overload), and pg_enum (a label of a type). Anything else
(variables, loops, dynamic SQL, a lookup the model cannot answer, a statement the engine does not model)
refuses the whole block, which is then ignored with a warning naming the line and column of what was
refused: a block is applied whole or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import msgspec

from schemareg.lazy_re import lazy_compile
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.do_settings import Value, settle, value_of
from schemareg.normalize.split import line_column
from schemareg.normalize.text import SqlToken, sql_tokens

Compile = Callable[[str], "list[ops.AnyOp]"]

_HEAD = lazy_compile(r"\s*DO\b", re.IGNORECASE)
# Statements of PL/pgSQL itself (not SQL) that the recogniser does not run.
_PROCEDURAL = frozenset(
    {"DECLARE", "FOR", "FOREACH", "WHILE", "LOOP", "PERFORM", "EXECUTE", "RETURN", "GET", "EXIT", "CONTINUE"}
    | {"CASE", "ASSERT", "CALL", "OPEN", "FETCH", "CLOSE", "MOVE", "COMMIT", "ROLLBACK", "<<"}
)
_HARMLESS_RAISE = frozenset({"NOTICE", "INFO", "LOG", "DEBUG", "WARNING"})
# The conditions an exception handler may catch for the block to mean "unless it exists already".
_DUPLICATES = frozenset(
    {"duplicate_object", "duplicate_table", "duplicate_column", "duplicate_schema", "duplicate_function"}
    | {"duplicate_alias", "duplicate_database", "unique_violation"}
)


class _Refused(Exception):
    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(reason)
        self.reason, self.offset = reason, offset


def read_do_block(context: Context, text: str, compile_statement: Compile) -> list[ops.AnyOp] | None:
    """The ops of a DO statement (None: not one), or one Ignored op with the warning why not."""
    if context.dialect != "postgres" or not _HEAD.match(text):
        return None
    head = sql_tokens(text)[1:]
    body_token: SqlToken | None = None
    language: list[SqlToken] = []
    for i, token in enumerate(head):
        if token.word == "LANGUAGE" or (i and head[i - 1].word == "LANGUAGE"):
            language += [token] if token.word != "LANGUAGE" else []
        elif token.kind in ("dollar", "string") and body_token is None:
            body_token = token
        elif token.text != ";":
            language.append(token)  # anything else makes the statement one this reader refuses
    try:
        if body_token is None:
            raise _Refused("a DO statement without a body", 0)
        if [t.text.strip("'").lower() for t in language] not in ([], ["plpgsql"]):
            raise _Refused("a DO block not in PL/pgSQL", language[0].start)
        if body_token.kind == "dollar":
            opening = body_token.text.index("$", 1) + 1
            body, offset = body_token.text[opening:-opening], body_token.start + opening
        else:
            body, offset = body_token.text[1:-1], body_token.start + 1
            if "''" in body:
                raise _Refused("a DO body in quotes with quotes inside", offset)
        return _Block(body, offset, compile_statement).read() or [ops.Ignored(reason="DO")]
    except _Refused as refused:
        line, column = line_column(text, refused.offset)
        message = f"DO block not applied ({refused.reason}): the engine runs no procedural code"
        return [ops.Ignored(reason="DO", message=message, line=line, column=column)]


class _Block:
    """A recursive-descent reader over the tokens of one DO body."""

    def __init__(self, body: str, offset: int, compile_statement: Compile) -> None:
        self.body, self.offset, self.compile = body, offset, compile_statement
        self.tokens = sql_tokens(body)
        self.i = 0
        self.variables: set[str] = set()  # DECLAREd: statements that read one are not the engine's
        self.values: dict[str, Value] = {}  # those whose value a new session gives (do_settings.py)

    # -- tokens -------------------------------------------------------------------------------------------

    def peek(self) -> SqlToken | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def refuse(self, reason: str, token: SqlToken | None = None) -> _Refused:
        token = token or self.peek()
        return _Refused(reason, self.offset + (token.start if token else len(self.body)))

    def expect(self, text: str) -> SqlToken:
        token = self.peek()
        if token is None or (token.word or token.text) != text:
            raise self.refuse(f"{text} expected")
        self.i += 1
        return token

    def accept(self, text: str) -> bool:
        token = self.peek()
        if token is not None and (token.word or token.text) == text:
            self.i += 1
            return True
        return False

    def until(self, stops: set[str]) -> list[SqlToken]:
        """The tokens up to the first of `stops` outside parentheses (not taken)."""
        found: list[SqlToken] = []
        depth = 0
        while (token := self.peek()) is not None:
            if depth == 0 and (token.word or token.text) in stops:
                return found
            depth += (token.text == "(") - (token.text == ")")
            found.append(token)
            self.i += 1
        raise self.refuse("the block does not end")

    # -- grammar ------------------------------------------------------------------------------------------

    def read(self) -> list[ops.AnyOp]:
        found = self.block()
        self.accept(";")
        if self.peek() is not None:
            raise self.refuse("text after the block's END")
        return found

    def block(self) -> list[ops.AnyOp]:
        token = self.peek()
        if token is not None and token.word == "DECLARE":
            self.declarations()
            token = self.peek()
        if token is not None and token.word in _PROCEDURAL:
            raise self.refuse(f"{token.text.upper()} in a DO block")
        self.expect("BEGIN")
        statements = self.statements({"END", "EXCEPTION"})
        if self.accept("EXCEPTION"):
            any_error, otherwise = self.handlers()
            self.expect("END")
            return [ops.Attempt(ops=statements, any_error=any_error, otherwise=otherwise)]
        self.expect("END")
        return statements

    def handlers(self) -> tuple[bool, list[ops.AnyOp]]:
        """WHEN <conditions> THEN ...: whether an error other than "it exists already" is caught (OTHERS,
        an SQLSTATE, any other condition), and what the handler does instead when there is one handler."""
        any_error, bodies = False, []
        while (when := self.peek()) is not None and self.accept("WHEN"):
            for token in self.until({"THEN"}):
                if token.word == "SQLSTATE" or (token.kind == "word" and token.word != "OR"):
                    any_error = any_error or token.text.lower() not in _DUPLICATES
            self.expect("THEN")
            bodies.append((when, self.statements({"WHEN", "END"})))
        if len(bodies) > 1 and any(body for _, body in bodies):
            raise self.refuse("handlers that do different things", bodies[1][0])
        return any_error, bodies[0][1] if bodies else []

    def statements(self, stops: set[str]) -> list[ops.AnyOp]:
        found: list[ops.AnyOp] = []
        while (token := self.peek()) is not None and (token.word or token.text) not in stops:
            if token.word == "IF":
                found += self.conditional()
            elif token.word == "BEGIN":
                found += self.block()
                self.expect(";")
            elif token.word == "NULL":
                self.i += 1
                self.expect(";")
            elif token.word == "RAISE":
                self.i += 1
                level = self.peek()
                if level is None or level.word not in _HARMLESS_RAISE:
                    raise self.refuse("RAISE of an error", token)
                self.until({";"})
                self.expect(";")
            elif token.word == "EXECUTE" and self.constant_sql():
                found += self.executed(token)
            elif token.word == "EXECUTE" and self.built_of_no_schema():
                self.until({";"})
                self.expect(";")
                found.append(ops.Ignored(reason="EXECUTE"))
            elif token.word in _PROCEDURAL:
                raise self.refuse(f"{token.text.upper()} in a DO block", token)
            else:
                found += self.sql(token)
        if token is None:
            raise self.refuse("the block does not end")
        return found

    def declarations(self) -> None:
        """DECLARE name type [:= value]; ... up to BEGIN: the names, so that no statement the block
        applies reads one (the data statements that use them are ignored anyway)."""
        self.expect("DECLARE")
        while (token := self.peek()) is not None and token.word != "BEGIN":
            if token.kind not in ("word", "quoted"):
                raise self.refuse("a declaration", token)
            name = token.text.strip('"').lower()
            self.variables.add(name)
            declared = self.until({";"})[1:]
            self.expect(";")
            at = next(
                (n for n, t in enumerate(declared) if t.text in ("=", ":=") or t.word == "DEFAULT"), None
            )
            if at is not None and 0 < at < len(declared) - 1:
                type_words = self.body[declared[0].start : declared[at - 1].end]
                initial = self.body[declared[at + 1].start : declared[-1].end]
                value = value_of(type_words, initial)
                if value is not None:
                    self.values[name] = value

    def sql(self, first: SqlToken) -> list[ops.AnyOp]:
        tokens = self.until({";"})
        self.expect(";")
        if len(tokens) > 1 and tokens[1].text in (":=", "="):
            if first.text.strip('"').lower() in self.variables:
                self.values.pop(first.text.strip('"').lower(), None)  # no longer what a setting gave it
                return []  # a variable's value: only the block's data statements read it
            raise self.refuse("an assignment", first)
        for at, token in enumerate(tokens[:-1]):
            if token.word == "INTO":  # SELECT ... INTO v: v is what the query finds, not known here
                self.values.pop(tokens[at + 1].text.strip('"').lower(), None)
        last = tokens[-1]
        text = self.body[first.start : last.start + len(last.text)]
        compiled = self.compile(text)
        if any(isinstance(op, ops.Opaque) for op in compiled):
            raise self.refuse("a statement the engine does not model", first)
        if self.variables and not all(isinstance(op, ops.Ignored) for op in compiled):
            read = next(
                (
                    t
                    for t in tokens
                    if t.kind in ("word", "quoted") and t.text.strip('"').lower() in self.variables
                ),
                None,
            )
            if read is not None:
                raise self.refuse(f"a statement that reads the variable {read.text}", read)
        return compiled

    def constant_sql(self) -> bool:
        """EXECUTE 'one statement'; : dynamic SQL that is a constant, the statement itself."""
        ahead = self.tokens[self.i + 1 : self.i + 3]
        return (
            len(ahead) == 2
            and ahead[0].kind == "string"
            and ahead[0].text.startswith("'")
            and ahead[1].text == ";"
        )

    def built_of_no_schema(self) -> bool:
        """EXECUTE '<head>' || ...; : dynamic SQL built from variables, whose constant head, completed by a
        stand-in name, is a statement of no schema (a GRANT or REVOKE to roles the block reads from
        settings, CREATE ROLE, ALTER DEFAULT PRIVILEGES): nothing for the engine, whatever the names."""
        ahead = self.tokens[self.i + 1 : self.i + 4]
        if (
            len(ahead) < 3
            or ahead[0].kind != "string"
            or not ahead[0].text.startswith("'")
            or [token.text for token in ahead[1:]] != ["|", "|"]
        ):
            return False
        head = ahead[0].text[1:-1].replace("''", "'")
        compiled = self.compile(f"{head} schemareg_stand_in")
        return bool(compiled) and all(isinstance(op, ops.Ignored) for op in compiled)

    def executed(self, first: SqlToken) -> list[ops.AnyOp]:
        literal = self.tokens[self.i + 1]
        self.i += 3
        compiled = self.compile(literal.text[1:-1].replace("''", "'"))
        if any(isinstance(op, ops.Opaque) for op in compiled):
            raise self.refuse("a statement the engine does not model", first)
        return compiled

    def conditional(self) -> list[ops.AnyOp]:
        """IF or ELSIF <condition> THEN ... up to (not taking) the END IF of the whole IF."""
        keyword = self.peek()
        self.i += 1
        condition = self.until({"THEN"})
        self.expect("THEN")
        if keyword is not None and keyword.word == "IF" and self.returns_alone():
            # `IF <setting> THEN RETURN; END IF;`: settled by what a new session has, the block goes on
            text = self.body[condition[0].start : condition[-1].end] if condition else ""
            if settle(text, self.values) is not False:
                raise self.refuse("RETURN in a DO block", self.peek())
            self.i += 5  # RETURN ; END IF ;
            return []
        then = self.statements({"ELSIF", "ELSEIF", "ELSE", "END"})
        otherwise: list[ops.AnyOp] = []
        token = self.peek()
        if token is not None and token.word in ("ELSIF", "ELSEIF"):
            otherwise = self.conditional()
        elif self.accept("ELSE"):
            otherwise = self.statements({"END"})
        if keyword is not None and keyword.word == "IF":
            self.expect("END")
            self.expect("IF")
            self.expect(";")
        checks = _Condition(condition).checks()
        if checks is None and condition:
            settled = settle(self.body[condition[0].start : condition[-1].end], self.values)
            if settled is not None:  # a setting's, as a new session has it: one branch is taken
                return then if settled else otherwise
        if checks is None:
            if all(_no_schema(op) for op in [*then, *otherwise]):
                return [ops.Ignored(reason="DO")]  # a guard on roles, say, around statements of no schema
            raise self.refuse("a condition the model cannot answer", condition[0] if condition else keyword)
        return [ops.Guarded(when=checks, then=then, otherwise=otherwise)]

    def returns_alone(self) -> bool:
        """Whether the branch ahead is `RETURN; END IF;` and nothing else."""
        ahead = [token.word or token.text for token in self.tokens[self.i : self.i + 5]]
        return ahead == ["RETURN", ";", "END", "IF", ";"]


def _no_schema(op: ops.AnyOp) -> bool:
    return isinstance(op, ops.Ignored)


class _Condition:
    """[NOT] EXISTS (catalog lookup) [AND ...], in parentheses or not, as checks (None: not such)."""

    def __init__(self, tokens: list[SqlToken]) -> None:
        self.tokens, self.i = tokens, 0

    def checks(self) -> list[ops.Check] | None:
        try:
            found = self.conjunction()
        except (IndexError, ValueError):
            return None
        return found if self.i == len(self.tokens) else None

    def conjunction(self) -> list[ops.Check]:
        found = self.term()
        while self.i < len(self.tokens) and self.tokens[self.i].word == "AND":
            self.i += 1
            found += self.term()
        return found

    def term(self) -> list[ops.Check]:
        token = self.tokens[self.i]
        self.i += 1
        if token.word == "NOT":
            inner = self.term()
            if len(inner) != 1:
                raise ValueError("NOT of several lookups")
            check = inner[0]
            return [msgspec.structs.replace(check, negated=not check.negated)]
        if token.text == "(":
            inner = self.conjunction()
            if self.tokens[self.i].text != ")":
                raise ValueError("unbalanced")
            self.i += 1
            return inner
        if token.word == "EXISTS" and self.tokens[self.i].text == "(":
            start, depth = self.i + 1, 0
            while True:
                depth += (self.tokens[self.i].text == "(") - (self.tokens[self.i].text == ")")
                self.i += 1
                if depth == 0:
                    break
            return [_lookup(self.tokens[start : self.i - 1])]
        raise ValueError(f"not a lookup: {token.text}")


# The catalogs a lookup may read: what it finds, and what each column of its WHERE names.
_CATALOGS: dict[str, tuple[str, dict[str, str]]] = {
    "pg_extension": ("extension", {"extname": "name"}),
    "pg_namespace": ("schema", {"nspname": "name"}),
    "information_schema.schemata": ("schema", {"schema_name": "name", "catalog_name": ""}),
    "pg_type": ("type", {"typname": "name", "nspname": "schema", "typnamespace": "schema", "typtype": ""}),
    "pg_class": (
        "relation",
        {"relname": "name", "relkind": "relkinds", "nspname": "schema", "relnamespace": "schema"},
    ),
    "pg_tables": ("relation", {"tablename": "name", "schemaname": "schema"}),
    "pg_indexes": ("relation", {"indexname": "name", "schemaname": "schema", "tablename": ""}),
    "information_schema.tables": (
        "relation",
        {"table_name": "name", "table_schema": "schema", "table_catalog": "", "table_type": "relkinds"},
    ),
    "information_schema.columns": (
        "column",
        {"column_name": "name", "table_name": "table", "table_schema": "schema", "table_catalog": ""},
    ),
    "pg_attribute": ("column", {"attname": "name", "attrelid": "table", "attisdropped": ""}),
    "information_schema.table_constraints": (
        "constraint",
        {
            "constraint_name": "name",
            "table_name": "table",
            "table_schema": "schema",
            "constraint_schema": "schema",
            "constraint_type": "",
            "constraint_catalog": "",
            "table_catalog": "",
        },
    ),
    "information_schema.key_column_usage": (
        "constraint",
        {
            "constraint_name": "name",
            "table_name": "table",
            "table_schema": "schema",
            "constraint_schema": "schema",
            "column_name": "",
            "constraint_catalog": "",
            "table_catalog": "",
        },
    ),
    # Its table is the one whose columns the constraint uses: a foreign key's referenced table. Not asked.
    "information_schema.constraint_column_usage": (
        "constraint",
        {
            "constraint_name": "name",
            "table_name": "",
            "table_schema": "",
            "constraint_schema": "schema",
            "column_name": "",
            "constraint_catalog": "",
            "table_catalog": "",
        },
    ),
    "pg_proc": ("routine", {"proname": "name", "pronamespace": "schema", "nspname": "schema", "prokind": ""}),
    "information_schema.routines": (
        "routine",
        {
            "routine_name": "name",
            "routine_schema": "schema",
            "routine_type": "",
            "routine_catalog": "",
            "specific_schema": "",
        },
    ),
    # An enum's label, by the type's name (pg_type's, joined) or its regtype.
    "pg_enum": (
        "label",
        {
            "enumlabel": "name",
            "typname": "table",
            "enumtypid": "table",
            "nspname": "schema",
            "enumsortorder": "",
        },
    ),
    "pg_constraint": (
        "constraint",
        {"conname": "name", "conrelid": "table", "relname": "table", "nspname": "schema", "connamespace": ""},
    ),
}
_JOINABLE = frozenset({"pg_namespace", "pg_class", "pg_type"})
_RELKIND_OF = {"pg_tables": "rp", "pg_indexes": "iI", "BASE TABLE": "rp", "VIEW": "v"}
_STOP = frozenset({"WHERE", "JOIN", "INNER", "LEFT", "ON", "LIMIT", "AS"})


def _name(tokens: list[SqlToken], i: int) -> tuple[str, int]:
    """A possibly qualified catalog name at tokens[i], `pg_catalog.` left out; and the index after it."""
    parts = [tokens[i].text.strip('"').lower()]
    i += 1
    while i + 1 < len(tokens) and tokens[i].text == ".":
        parts.append(tokens[i + 1].text.strip('"').lower())
        i += 2
    if parts[0] == "pg_catalog":
        parts = parts[1:]
    return ".".join(parts), i


def _lookup(tokens: list[SqlToken]) -> ops.Check:
    """SELECT ... FROM <catalog> [alias] [JOIN pg_namespace|pg_class ... ON ...] WHERE <col = 'x'> AND ..."""
    words = [t.word for t in tokens]
    if not words or words[0] != "SELECT" or "FROM" not in words:
        raise ValueError("not a SELECT")
    i = words.index("FROM") + 1
    catalog, i = _name(tokens, i)
    if catalog not in _CATALOGS:
        raise ValueError(f"not a catalog the model answers: {catalog}")
    what, columns = _CATALOGS[catalog]
    while i < len(tokens) and words[i] not in ("WHERE", "LIMIT"):
        if words[i] == "JOIN":
            joined, i = _name(tokens, i + 1)
            if joined not in _JOINABLE:
                raise ValueError(f"a join with {joined}")
            continue
        if words[i] == "ON":  # the join's condition: only which rows pair up
            while i < len(tokens) and words[i] not in ("WHERE", "JOIN", "LIMIT"):
                i += 1
            continue
        if tokens[i].kind not in ("word", "quoted") and tokens[i].text != ",":
            raise ValueError("an unexpected FROM clause")
        if tokens[i].text == ",":
            raise ValueError("a list of tables")
        i += 1  # an alias, INNER, AS
    found: dict[str, str] = {"relkinds": _RELKIND_OF.get(catalog, "")}
    if i < len(tokens) and words[i] == "WHERE":
        i += 1
        end = words.index("LIMIT", i) if "LIMIT" in words[i:] else len(tokens)
        predicate: list[SqlToken] = []
        for token in [*tokens[i:end], None]:
            if token is None or token.word == "AND":
                _predicate(predicate, columns, found)
                predicate = []
            else:
                predicate.append(token)
    if not found.get("name"):
        raise ValueError("a lookup that names no object")
    if what == "column" and not found.get("table"):
        raise ValueError("a column lookup without its table")
    table = found.get("table", "")
    if what == "column" and found.get("schema") and "." not in table:
        table = f"{found['schema']}.{table}"
    return ops.Check(
        what=what,
        name=found["name"],
        schema=found.get("schema", "") if what != "column" else "",
        table=table,
        relkinds=found.get("relkinds", ""),
    )


def _predicate(tokens: list[SqlToken], columns: dict[str, str], found: dict[str, str]) -> None:
    """`[alias.]column = 'value'[::regclass]`, `relkind IN ('r', 'p')`, `NOT attisdropped`."""
    texts = [t.text for t in tokens]
    if len(tokens) == 2 and tokens[0].word == "NOT" and tokens[1].text.lower() == "attisdropped":
        return
    if len(tokens) >= 2 and tokens[1].text == ".":
        tokens, texts = tokens[2:], texts[2:]
    column = texts[0].lower() if tokens and tokens[0].kind == "word" else ""
    if column not in columns:
        raise ValueError(f"a predicate on {column or texts}")
    role = columns[column]
    values = [t.text[1:-1].replace("''", "'") for t in tokens[2:] if t.kind == "string"]
    casts = [t.text.lower() for t in tokens[2:] if t.kind == "word"]
    if len(tokens) < 3 or texts[1] not in ("=", "IN", "in") or not values:
        raise ValueError("not an equality with a constant")
    if any(c not in ("regclass", "regnamespace", "regtype", "name", "text") for c in casts):
        raise ValueError("a computed value")
    if role == "relkinds":
        found[role] = "".join(_RELKIND_OF.get(v, v) for v in values)
    elif role and len(values) == 1:
        value = values[0]
        if role == "table" and "regclass" in casts:
            value = value.lower() if not value.startswith('"') else value.strip('"')
        found[role] = value
    elif role:
        raise ValueError("several names")
