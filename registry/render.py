"""Canonical DDL from the model: one text per object, and a whole schema.sql in creation order.

The text is what fingerprints and diffs are made of, so it is deterministic and re-normalises to itself.
"""

from __future__ import annotations

import functools
import re

from schemareg.creation import ROUTINES, creation_order
from schemareg.index_keys import first_of_each_index
from schemareg.lazy_re import lazy_compile
from schemareg.model import (
    CREATION_ORDER,
    Column,
    Constraint,
    ConstraintKind,
    Definition,
    Kind,
    ObjectKey,
    Schema,
    SchemaObject,
    Sequence,
    Table,
    use_renderer,
)
from schemareg.names import (
    join_key,
    key_head,
    needs_quotes,
    split_key,
    split_qualified,
    split_signature,
)
from schemareg.table_actions import after_indexes, ordered

_INDENT = "    "


@functools.lru_cache(maxsize=65536)
def quote(name: str, dialect: str = "postgres") -> str:
    """An identifier as canonical SQL: bare when it can be, quoted otherwise."""
    if not needs_quotes(name):
        return name
    if dialect == "mysql":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def quote_qualified(name: str, dialect: str = "postgres") -> str:
    """`schema.name` with each part quoted as needed (names with dots inside keep them quoted). SQLite's
    `main` is left out: SQLite accepts no schema on an index's table or a foreign key's target."""
    parts = split_key(name)
    if dialect == "sqlite" and parts[0] == "main" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(quote(part, dialect) for part in parts)


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# The words of an expression that PostgreSQL's grammar admits after a column's or a domain's DEFAULT only in
# parentheses (that DEFAULT takes a `b_expr`: no boolean logic, IS, IN, LIKE, BETWEEN, AT TIME ZONE, COLLATE).
_A_EXPR_WORDS = frozenset(
    "AND OR NOT IS ISNULL NOTNULL IN LIKE ILIKE SIMILAR BETWEEN AT COLLATE ANY ALL SOME OVERLAPS".split()  # noqa: SIM905
)
_DEFAULT_TOKENS = lazy_compile(
    r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|(?<![\w$])\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$
    |(?P<open>[(\[])|(?P<close>[)\]])|(?P<word>[A-Za-z_][\w$]*)""",
    re.VERBOSE | re.DOTALL,
)


def default_clause(expression: str, dialect: str = "postgres") -> str:
    """`DEFAULT <expression>`, in parentheses where PostgreSQL needs them: `now() AT TIME ZONE 'utc'` is
    refused bare after DEFAULT, `(now() AT TIME ZONE 'utc')` is not. Words inside parentheses, brackets
    and CASE ... END are in an expression of their own."""
    if dialect == "postgres":
        depth = 0
        for token in _DEFAULT_TOKENS.finditer(expression):
            word = (token.group("word") or "").upper()
            if token.group("open") or word == "CASE":
                depth += 1
            elif token.group("close") or word == "END":
                depth -= 1
            elif depth == 0 and word in _A_EXPR_WORDS:
                return f"DEFAULT ({expression})"
    return f"DEFAULT {expression}"


def render_column(column: Column, dialect: str) -> str:
    parts = [quote(column.name, dialect), column.type]
    if column.collation:
        parts.append(f"COLLATE {column.collation}")
    if column.generated is not None:
        parts.append(f"GENERATED ALWAYS AS ({column.generated}) {'VIRTUAL' if column.virtual else 'STORED'}")
    if column.identity:
        if dialect == "mysql":
            parts.append(column.identity)
        elif dialect == "sqlite":
            parts.append("PRIMARY KEY AUTOINCREMENT")  # SQLite allows it only there, and says so inline
        else:
            how, _, options = column.identity.partition(" (")
            parts.append(f"GENERATED {how} AS IDENTITY" + (f" ({options}" if options else ""))
    if not column.nullable:
        parts.append("NOT NULL")
    if column.default is not None:
        parts.append(default_clause(column.default, dialect))
    if column.comment is not None and dialect == "mysql":
        parts.append(f"COMMENT {literal(column.comment)}")
    return " ".join(parts)


def render_table(
    table: Table,
    dialect: str,
    *,
    foreign_keys: bool = True,
    indexes: bool = True,
    attach: bool = True,
    inherited: tuple[Constraint, ...] = (),
    only_keys: bool = True,
) -> str:
    """CREATE TABLE with columns and constraints, then indexes and comments, one statement a line.

    `attach=False` leaves a partition's ATTACH PARTITION out (a whole script attaches once every table
    exists); `inherited` are the parent's CHECK constraints a partition must have before it is attached;
    `only_keys=False` leaves out a partitioned table's keys added by ALTER TABLE ONLY (a whole script adds
    them once its partitions are attached: `render_only_keys`).
    """
    name = _quoted(table, dialect)
    lines = [_INDENT + render_column(column, dialect) for column in table.columns]
    later: list[str] = []  # NOT VALID constraints exist only as ALTER TABLE ... ADD, as pg_dump writes them
    inline_key = dialect == "sqlite" and any(c.identity == "AUTOINCREMENT" for c in table.columns)
    # A second key of one index: CREATE TABLE would fold it into the first (index_keys.py).
    twice = {c.name for c in first_of_each_index(table.constraints)[1]} if dialect == "postgres" else set()
    for constraint in (*table.constraints, *inherited):
        if constraint.kind is ConstraintKind.FOREIGN_KEY and not foreign_keys:
            continue
        if inline_key and constraint.kind is ConstraintKind.PRIMARY_KEY:
            continue  # said on the AUTOINCREMENT column
        if constraint.definition.endswith(" NOT VALID") or constraint.unattached or constraint.name in twice:
            later.append(constraint.name)
            continue
        lines.append(f"{_INDENT}CONSTRAINT {quote(constraint.name, dialect)} {constraint.definition}")
    head = (
        "CREATE UNLOGGED TABLE" if table.options and "UNLOGGED" in table.options.split() else "CREATE TABLE"
    )
    body = ",\n".join(lines)
    statement = f"{head} {name} (\n{body}\n)" if lines else f"{head} {name} ()"
    if table.partition_by:
        statement += f" PARTITION BY {table.partition_by}"
    if table.options and table.options.startswith("VIRTUAL "):
        # A SQLite virtual table has no body of its own: its module and arguments are its definition.
        statement = f"CREATE VIRTUAL TABLE {name} {table.options.removeprefix('VIRTUAL ')}"
    elif table.options:
        rest = _table_options(table.options, dialect)
        if rest:
            statement += f" {rest}"
    if dialect == "mysql" and table.comment is not None:
        statement += f" COMMENT={literal(table.comment)}"
    out = [statement + ";"]
    if table.partition_of and attach:
        out.append(render_attach(table, dialect).rstrip("\n"))
    for constraint in (*table.constraints, *inherited):
        if constraint.unattached:
            if only_keys:
                out.append(_only_key(table, constraint, dialect))
        elif constraint.name in later:
            out.append(
                f"ALTER TABLE {_only(table)}{name} ADD CONSTRAINT {quote(constraint.name, dialect)} {constraint.definition};"
            )
    for action in ordered(table):
        out.append(f"ALTER TABLE {name} {action};")
    if indexes and (after := render_indexes(table, dialect)):
        out.append(after.rstrip("\n"))
    if dialect != "mysql":
        out.extend(_comments(table, name, dialect, indexes=indexes, foreign_keys=foreign_keys))
    return "\n".join(out) + "\n"


# A storage parameter as the model keeps it, `fillfactor='50'` (MySQL's ENGINE=... is a table option).
_STORAGE_PARAM = lazy_compile(r"(?<![\w(])(?!ENGINE=)([A-Za-z_][\w.]*\s*=\s*(?:'(?:[^']|'')*'|[^\s,()]+))")


# The table options PostgreSQL's grammar takes only after `WITH (...)`.
_AFTER_WITH = lazy_compile(r"\b(?:ON COMMIT|TABLESPACE)\b")


def _only_key(table: Table, constraint: Constraint, dialect: str) -> str:
    """A key added by ALTER TABLE ONLY, and the partitions it is not on yet (PostgreSQL's parent index is
    invalid until each has one attached)."""
    name = quote_qualified(_qualified(table), dialect)
    without = ", ".join(quote_qualified(n, dialect) for n in constraint.unattached)
    return (
        f"ALTER TABLE ONLY {name} ADD CONSTRAINT {quote(constraint.name, dialect)} {constraint.definition};"
        f" -- not on {without}"
    )


def render_only_keys(table: Table, partitions: list[Table], dialect: str) -> str:
    """A partitioned table's ONLY keys as a script replays them: the key on the parent alone, then the
    matching key of each of its `partitions` it is on attached to it."""
    out = []
    for constraint in table.constraints:
        if not constraint.unattached:
            continue
        out.append(_only_key(table, constraint, dialect).split(" -- ")[0])
        parent_index = _sibling_name(table, constraint.name)
        for child in partitions:
            if _qualified(child) in constraint.unattached:
                continue
            key = next(
                (
                    c
                    for c in child.constraints
                    if c.kind is constraint.kind and c.columns == constraint.columns
                ),
                None,
            )
            if key is not None:
                out.append(
                    f"ALTER INDEX {quote_qualified(parent_index, dialect)} ATTACH PARTITION"
                    f" {quote_qualified(_sibling_name(child, key.name), dialect)};"
                )
    return "".join(line + "\n" for line in out)


def _sibling_name(table: Table, name: str) -> str:
    return join_key(table.schema, name)


def render_attach(table: Table, dialect: str) -> str:
    """A partition's ALTER TABLE ... ATTACH PARTITION (nothing for a table that is none)."""
    if not table.partition_of:
        return ""
    return (
        f"ALTER TABLE ONLY {quote_qualified(table.partition_of, dialect)} ATTACH PARTITION "
        f"{_quoted(table, dialect)} {table.partition_bound or 'DEFAULT'};\n"
    )


def _inherited_checks(table: Table, schema: Schema) -> tuple[Constraint, ...]:
    """The parent's CHECK constraints a partition lacks (by name): ATTACH PARTITION requires them."""
    own = {c.name for c in table.constraints}
    found: list[Constraint] = []
    seen = {_qualified(table)}
    while table.partition_of and table.partition_of not in seen:  # up the tree: its ancestors' too
        seen.add(table.partition_of)
        parent = schema.objects.get(ObjectKey(Kind.TABLE, table.partition_of))
        if not isinstance(parent, Table):
            break
        for c in parent.constraints:
            inheritable = c.kind is ConstraintKind.CHECK and "NO INHERIT" not in c.definition.upper()
            if inheritable and c.name not in own:
                own.add(c.name)
                found.append(c)
        table = parent
    return tuple(found)


def _table_options(options: str, dialect: str) -> str:
    """The options after a table's body: UNLOGGED is said in the head; PostgreSQL takes storage
    parameters only inside `WITH (...)`."""
    rest = " ".join(word for word in options.split(" ") if word != "UNLOGGED")
    if dialect == "mysql" or "WITH (" in rest.upper():
        return rest
    parameters = _STORAGE_PARAM.findall(rest)
    if not parameters:
        return rest
    others = " ".join(_STORAGE_PARAM.sub("", rest).split())
    # PostgreSQL's order: INHERITS, USING, then WITH (...), then ON COMMIT and TABLESPACE.
    tail = _AFTER_WITH.search(others)
    at = tail.start() if tail else len(others)
    return " ".join(
        part for part in (others[:at].strip(), f"WITH ({', '.join(parameters)})", others[at:].strip()) if part
    )


def _only(table: Table) -> str:
    """`ONLY ` as pg_dump writes it; not on a partitioned table (PostgreSQL refuses it for a foreign key)."""
    return "" if table.partition_by else "ONLY "


def render_indexes(table: Table, dialect: str) -> str:
    """The table's indexes, and what names one of them (CLUSTER ON)."""
    name = _quoted(table, dialect)
    return "".join(
        f"CREATE {'UNIQUE ' if index.unique else ''}INDEX {quote(index.name, dialect)} ON {name} {index.definition};\n"
        for index in table.indexes
    ) + "".join(f"ALTER TABLE {name} {action};\n" for action in filter(after_indexes, table.alterations))


def render_foreign_keys(table: Table, dialect: str) -> str:
    """The table's foreign keys as ALTER TABLE ... ADD CONSTRAINT, each followed by its comment."""
    name = _quoted(table, dialect)
    only = _only(table)
    out = []
    for c in table.constraints:
        if c.kind is ConstraintKind.FOREIGN_KEY:
            out.append(f"ALTER TABLE {only}{name} ADD CONSTRAINT {quote(c.name, dialect)} {c.definition};\n")
            if c.comment is not None and dialect != "mysql":
                out.append(f"{_constraint_comment(c, name, dialect)}\n")
    return "".join(out)


def _constraint_comment(constraint: Constraint, table: str, dialect: str) -> str:
    return f"COMMENT ON CONSTRAINT {quote(constraint.name, dialect)} ON {table} IS {literal(constraint.comment or '')};"


def _comments(
    table: Table, name: str, dialect: str, *, indexes: bool = True, foreign_keys: bool = True
) -> list[str]:
    """The table's COMMENT statements; those on its indexes only with them (`indexes`), and those on its
    foreign keys only with them (`foreign_keys`), since a script that creates either later must comment
    on them after that."""
    out = []
    if table.comment is not None:
        out.append(f"COMMENT ON TABLE {name} IS {literal(table.comment)};")
    for column in table.columns:
        if column.comment is not None:
            out.append(
                f"COMMENT ON COLUMN {name}.{quote(column.name, dialect)} IS {literal(column.comment)};"
            )
    for constraint in table.constraints:
        later = not foreign_keys and constraint.kind is ConstraintKind.FOREIGN_KEY
        if constraint.comment is not None and not later:
            out.append(_constraint_comment(constraint, name, dialect))
    if indexes:
        out.extend(_index_comments(table, dialect))
    return out


def _index_comments(table: Table, dialect: str) -> list[str]:
    schema = quote(table.schema, dialect) + "." if table.schema else ""
    return [
        f"COMMENT ON INDEX {schema}{quote(index.name, dialect)} IS {literal(index.comment)};"
        for index in table.indexes
        if index.comment is not None
    ]


def render_sequence(sequence: Sequence, dialect: str) -> str:
    name = _quoted(sequence, dialect)
    options = f" {sequence.options}" if sequence.options else ""
    head = "CREATE UNLOGGED SEQUENCE" if sequence.unlogged else "CREATE SEQUENCE"
    out = [f"{head} {name}{options};"]
    if sequence.owned_by:
        table, column = key_head(sequence.owned_by)
        out.append(
            f"ALTER SEQUENCE {name} OWNED BY {quote_qualified(table, dialect)}.{quote(column, dialect)};"
        )
    if sequence.comment is not None:
        out.append(f"COMMENT ON SEQUENCE {name} IS {literal(sequence.comment)};")
    return "\n".join(out) + "\n"


def render_definition(definition: Definition) -> str:
    text = definition.sql.rstrip().rstrip(";")
    out = text + ";\n"
    if definition.firing and definition.kind in (Kind.TRIGGER, Kind.RULE):
        # Disabled (or set to fire on a replica, or always) once it exists, as pg_dump writes it.
        table, member = split_qualified(definition.name)
        out += (
            f"ALTER TABLE {_in_schema(definition.schema, table)} {definition.firing}"
            f" {definition.kind.value.upper()} {quote(member)};\n"
        )
    if definition.comment is not None:
        # An object kept as written is named by its head as a modelled one is (normalize/opaque.py): its
        # comment is said after it too (a rule's was lost).
        target = _COMMENT_TARGET.get(definition.kind)
        if target == "TABLE" and definition.sql.startswith("CREATE FOREIGN TABLE "):
            target = "FOREIGN TABLE"  # PostgreSQL refuses COMMENT ON TABLE of a foreign table
        if target:
            name = definition.name
            if definition.kind in (Kind.TRIGGER, Kind.POLICY, Kind.RULE):
                table, member = split_qualified(name)
                subject = f"{quote(member)} ON {_in_schema(definition.schema, table)}"
            elif definition.kind in (Kind.SCHEMA, Kind.EXTENSION):
                subject = quote(name)
            elif definition.kind in ROUTINES:
                base, signature = split_signature(name)
                subject = _in_schema(definition.schema, base) + signature
            else:  # a view's or a type's name is a name, whatever brackets it holds
                subject = _in_schema(definition.schema, name)
            out += f"COMMENT ON {target} {subject} IS {literal(definition.comment)};\n"
    return out


_COMMENT_TARGET = {
    Kind.TABLE: "TABLE",  # a table kept opaque: a modelled one is a Table
    Kind.INDEX: "INDEX",  # an index of a materialized view: a table's are the table's
    Kind.VIEW: "VIEW",
    Kind.MATERIALIZED_VIEW: "MATERIALIZED VIEW",
    Kind.FUNCTION: "FUNCTION",
    Kind.PROCEDURE: "PROCEDURE",
    Kind.TYPE: "TYPE",
    Kind.DOMAIN: "DOMAIN",
    Kind.SCHEMA: "SCHEMA",
    Kind.TRIGGER: "TRIGGER",
    Kind.POLICY: "POLICY",
    Kind.RULE: "RULE",
    Kind.EXTENSION: "EXTENSION",
    Kind.AGGREGATE: "AGGREGATE",
    Kind.STATISTICS: "STATISTICS",
}


def _in_schema(schema: str | None, name: str, dialect: str = "postgres") -> str:
    """`schema.name` from its parts, each quoted as needed (a part may hold a dot)."""
    return f"{quote(schema, dialect)}.{quote(name, dialect)}" if schema else quote(name, dialect)


def render_object(obj: SchemaObject, dialect: str) -> str:
    if isinstance(obj, Table):
        return render_table(obj, dialect)
    if isinstance(obj, Sequence):
        return render_sequence(obj, dialect)
    return render_definition(obj)


def _quoted(obj: Table | Sequence, dialect: str) -> str:
    if dialect == "sqlite" and obj.schema == "main":
        return quote(obj.name, dialect)
    return _in_schema(obj.schema, obj.name, dialect)


def _qualified(obj: Table | Sequence) -> str:
    return join_key(obj.schema, obj.name)


def render_schema_sql(schema: Schema) -> str:
    """The whole schema as one script that replays into an empty database, in pg_dump's sections:
    objects and tables first (partitions attached), then table indexes, then what reads tables (views,
    triggers, policies), and foreign keys and sequence ownership last.
    """
    dialect = schema.dialect
    parts: list[str] = []
    if dialect == "postgres":
        parts.append("SET check_function_bodies = false;\n")
    tables: list[Table] = []
    last: list[str] = []
    order = creation_order(schema)
    table_rank = CREATION_ORDER.index(Kind.TABLE)
    for key in order:
        obj = schema.objects[key]
        if isinstance(obj, Table):
            tables.append(obj)
            # A partition is attached once every table exists: its parent may sort after it, or live
            # in another schema; it carries its parent's CHECK constraints, as ATTACH requires.
            parts.append(
                render_table(
                    obj,
                    dialect,
                    foreign_keys=dialect == "sqlite",
                    indexes=False,
                    attach=False,
                    inherited=_inherited_checks(obj, schema),
                    only_keys=False,
                )
            )
            if dialect != "sqlite":
                last.append(render_foreign_keys(obj, dialect))
            continue
        if CREATION_ORDER.index(key.kind) > table_rank and tables:
            parts.extend(_table_indexes(tables, dialect))
            tables = []
        if isinstance(obj, Sequence) and obj.owned_by:
            # Owned sequences are created before their tables, owned after them.
            parts.append(
                render_sequence(
                    Sequence(schema=obj.schema, name=obj.name, options=obj.options, unlogged=obj.unlogged),
                    dialect,
                )
            )
            owner, column = key_head(obj.owned_by)
            name = _quoted(obj, dialect)
            last.insert(
                0,
                f"ALTER SEQUENCE {name} OWNED BY {quote_qualified(owner, dialect)}.{quote(column, dialect)};\n",
            )
            if obj.comment is not None:
                last.insert(0, f"COMMENT ON SEQUENCE {name} IS {literal(obj.comment)};\n")
        else:
            parts.append(render_object(obj, dialect))
    parts.extend(_table_indexes(tables, dialect))
    parts.extend(text for text in last if text)
    return "\n".join(parts)


def _table_indexes(tables: list[Table], dialect: str) -> list[str]:
    """The partitions attached (parents before children: a partition that is partitioned itself is
    attached to its parent before its own partitions are), then indexes of partitions before those of
    partitioned tables: a partitioned table's index then adopts the partitions' matching indexes instead
    of creating its own on each of them."""
    parents = {_qualified(t): t for t in tables}
    by_depth = sorted(tables, key=lambda t: _partition_depth(t, parents))
    attached = [render_attach(t, dialect) for t in by_depth]
    children: dict[str, list[Table]] = {}
    for table in tables:
        if table.partition_of:
            children.setdefault(table.partition_of, []).append(table)
    only_keys = [
        render_only_keys(t, children.get(_qualified(t), []), dialect)
        for t in reversed(by_depth)
        if any(c.unattached for c in t.constraints)
    ]
    ordered = sorted(tables, key=lambda t: 0 if t.partition_of else 2 if t.partition_by else 1)
    indexes = [render_indexes(t, dialect) for t in ordered]
    if dialect != "mysql":  # commented on once they exist
        indexes += ["".join(line + "\n" for line in _index_comments(t, dialect)) for t in ordered]
    return [text for text in (*attached, *only_keys, *indexes) if text]


def _partition_depth(table: Table, parents: dict[str, Table]) -> int:
    """How many partition levels are above `table`; `parents`: every table by qualified name, built once
    per script (built per table it made rendering quadratic in the number of tables)."""
    depth, seen = 0, {_qualified(table)}
    while table.partition_of and table.partition_of in parents and table.partition_of not in seen:
        seen.add(table.partition_of)
        table = parents[table.partition_of]
        depth += 1
    return depth


use_renderer(render_object)
