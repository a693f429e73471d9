"""Generated schemas for the differential suite: a small schema model drawn by hypothesis, written as DDL
in a plain form and in meaning-preserving rewrites, and changed for real one change at a time.

    schemas() -> strategy of GenSchema      gen.ddl(style) -> script      gen.changed(change) -> GenSchema
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from hypothesis import strategies as st

# (canonical spelling, alias) pairs that PostgreSQL treats as one type.
TYPES = [
    ("integer", "int4"),
    ("bigint", "int8"),
    ("smallint", "int2"),
    ("text", "text"),
    ("character varying(40)", "varchar(40)"),
    ("boolean", "bool"),
    ("timestamp with time zone", "timestamptz"),
    ("numeric(10,2)", "decimal(10,2)"),
    ("double precision", "float8"),
    ("date", "date"),
    ("jsonb", "jsonb"),
    ("uuid", "uuid"),
    ("text[]", "text ARRAY"),
]
DEFAULTS = {
    "integer": ["0", "42"],
    "bigint": ["0"],
    "smallint": ["1"],
    "text": ["''", "'none'"],
    "character varying(40)": ["'x'"],
    "boolean": ["false", "true"],
    "timestamp with time zone": ["now()"],
    "numeric(10,2)": ["0"],
    "double precision": ["1.5"],
    "date": ["CURRENT_DATE"],
    "jsonb": ["'{}'::jsonb"],
    "uuid": ["gen_random_uuid()"],
    "text[]": ["'{}'::text[]"],
}
STYLES = ("plain", "aliases", "case", "quoted", "alter", "serial_sequence", "clean_preamble", "comments")
CHANGES = ("add_column", "drop_column", "retype", "nullability", "default", "index", "constraint", "view")


@dataclass(frozen=True)
class GenColumn:
    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    unique: bool = False
    check: bool = False


@dataclass(frozen=True)
class GenTable:
    name: str
    columns: tuple[GenColumn, ...]
    serial: bool = True  # an `id serial PRIMARY KEY` first
    references: str | None = None  # a foreign key `<ref>_id` to an earlier table
    index: str | None = None  # a column with an index
    comment: str | None = None


@dataclass(frozen=True)
class GenSchema:
    tables: tuple[GenTable, ...]
    enum: tuple[str, ...] = ()
    view: bool = False
    extras: tuple[str, ...] = field(default=())

    def changed(self, change: str) -> GenSchema:
        """The same schema with one real change."""
        first = self.tables[0]
        if change == "add_column":
            table = replace(first, columns=(*first.columns, GenColumn("added_col", "integer")))
        elif change == "drop_column":
            if not first.columns:
                return self.changed("add_column")
            table = replace(first, columns=first.columns[:-1])
            if first.index == first.columns[-1].name:
                table = replace(table, index=None)
        elif change == "retype":
            if not first.columns:
                return self.changed("add_column")
            col = first.columns[0]
            new = "bigint" if col.type != "bigint" else "integer"
            table = replace(first, columns=(replace(col, type=new, default=None), *first.columns[1:]))
        elif change == "nullability":
            if not first.columns:
                return self.changed("add_column")
            col = first.columns[0]
            table = replace(first, columns=(replace(col, nullable=not col.nullable), *first.columns[1:]))
        elif change == "default":
            if not first.columns:
                return self.changed("add_column")
            col = first.columns[0]
            options = [d for d in DEFAULTS[col.type] if d != col.default]
            new_default = None if col.default is not None else options[0]
            table = replace(first, columns=(replace(col, default=new_default), *first.columns[1:]))
        elif change == "index":
            table = replace(first, index=None if first.index else "id")
        elif change == "constraint":
            if not first.columns:
                return self.changed("add_column")
            col = first.columns[0]
            table = replace(first, columns=(replace(col, unique=not col.unique), *first.columns[1:]))
        else:  # view
            return replace(self, view=not self.view)
        return replace(self, tables=(table, *self.tables[1:]))

    # -- writing -----------------------------------------------------------------------------------------

    def ddl(self, style: str = "plain") -> str:
        out: list[str] = []
        later: list[str] = []
        name = _namer(style)
        if style == "clean_preamble":
            out.append("SET statement_timeout = 0;\nSET client_encoding = 'UTF8';")
            out.append("SELECT pg_catalog.set_config('search_path', '', false);")
            if self.view:
                out.append("DROP VIEW IF EXISTS public.gen_view;")
            for table in reversed(self.tables):
                out.append(f"DROP TABLE IF EXISTS public.{table.name};")
            if self.enum:
                out.append("DROP TYPE IF EXISTS public.gen_mood;")
        if self.enum:
            labels = ", ".join(f"'{label}'" for label in self.enum)
            out.append(f"{_kw('CREATE TYPE', style)} {name('gen_mood')} AS ENUM ({labels});")
        for table in self.tables:
            cols: list[str] = []
            tname = name(table.name)
            if table.serial:
                if style == "serial_sequence":
                    seq = f"{table.name}_id_seq"
                    out.append(f"CREATE SEQUENCE {name(seq)} AS integer;")  # serial's type
                    cols.append(f"id integer NOT NULL DEFAULT nextval('public.{seq}'::regclass) PRIMARY KEY")
                    later.append(f"ALTER SEQUENCE {name(seq)} OWNED BY {tname}.id;")
                elif style == "alter":
                    cols.append("id serial")
                    later.append(
                        f"ALTER TABLE ONLY {tname} ADD CONSTRAINT {table.name}_pkey PRIMARY KEY (id);"
                    )
                else:
                    cols.append(f"id {_kw('serial PRIMARY KEY', style)}")
            for col in table.columns:
                typ = dict(TYPES)[col.type] if style == "aliases" else col.type
                parts = [name(col.name, column=True), _kw(typ, style)]
                if not col.nullable:
                    parts.append(_kw("NOT NULL", style))
                if col.default is not None:
                    if style == "alter":
                        later.append(
                            f"ALTER TABLE {tname} ALTER COLUMN {col.name} SET DEFAULT {col.default};"
                        )
                    else:
                        parts.append(f"{_kw('DEFAULT', style)} {col.default}")
                if col.unique:
                    if style == "alter":
                        later.append(
                            f"ALTER TABLE {tname} ADD CONSTRAINT {table.name}_{col.name}_key UNIQUE ({col.name});"
                        )
                    else:
                        parts.append(_kw("UNIQUE", style))
                if col.check and col.type in ("integer", "bigint", "smallint"):
                    parts.append(f"CHECK ({col.name} >= 0)")
                if style == "comments":
                    parts.append("/* inline */")
                cols.append(" ".join(parts))
            if table.references:
                ref_col = f"{table.references}_id"
                cols.append(f"{ref_col} integer")
                fk = f"FOREIGN KEY ({ref_col}) REFERENCES {name(table.references)} (id)"
                if style == "alter":
                    later.append(f"ALTER TABLE {tname} ADD CONSTRAINT {table.name}_{ref_col}_fkey {fk};")
                else:
                    cols.append(fk)
            sep = ",\n    " if style != "case" else " ,  "
            out.append(f"{_kw('CREATE TABLE', style)} {tname} (\n    {sep.join(cols)}\n);")
            if table.index:
                out.append(f"CREATE INDEX {table.name}_{table.index}_idx ON {tname} ({table.index});")
            if table.comment:
                out.append(f"COMMENT ON TABLE {tname} IS '{table.comment}';")
        if self.view:
            first = self.tables[0]
            out.append(
                f"{_kw('CREATE VIEW', style)} {name('gen_view')} AS SELECT id FROM {name(first.name)};"
            )
        out.extend(later)
        if style == "comments":
            out = [f"-- statement {i}\n{text}" for i, text in enumerate(out)]
        return "\n\n".join(out) + "\n"


def _kw(text: str, style: str) -> str:
    return text.lower() if style == "case" else text


def _namer(style: str) -> Callable[..., str]:
    def name(ident: str, column: bool = False) -> str:
        if style == "quoted":
            return f'"{ident}"' if column else f'public."{ident}"'
        if style == "case":
            return ident.upper() if column else f"PUBLIC.{ident.upper()}"
        return ident if column else f"public.{ident}"

    return name


_IDENT = st.sampled_from(["amount", "label", "status", "created", "score", "ref_code", "note", "flag"])


@st.composite
def columns(draw: st.DrawFn) -> tuple[GenColumn, ...]:
    names = draw(st.lists(_IDENT, min_size=1, max_size=4, unique=True))
    out = []
    for col_name in names:
        typ = draw(st.sampled_from([t for t, _ in TYPES]))
        default = draw(st.one_of(st.none(), st.sampled_from(DEFAULTS[typ])))
        out.append(
            GenColumn(
                name=col_name,
                type=typ,
                nullable=draw(st.booleans()),
                default=default,
                unique=draw(st.booleans()) and typ not in ("jsonb", "text[]"),
                check=draw(st.booleans()),
            )
        )
    return tuple(out)


@st.composite
def schemas(draw: st.DrawFn) -> GenSchema:
    count = draw(st.integers(min_value=1, max_value=3))
    tables = []
    for i in range(count):
        cols = draw(columns())
        references = tables[draw(st.integers(0, i - 1))].name if i and draw(st.booleans()) else None
        indexable = [c.name for c in cols if c.type not in ("jsonb", "text[]")]
        index = draw(st.sampled_from(indexable)) if indexable and draw(st.booleans()) else None
        comment = draw(st.one_of(st.none(), st.sampled_from(["a table", "it's quoted"])))
        comment = comment.replace("'", "''") if comment else None
        tables.append(
            GenTable(name=f"gen_t{i}", columns=cols, references=references, index=index, comment=comment)
        )
    enum = tuple(draw(st.lists(st.sampled_from(["happy", "sad", "ok"]), max_size=3, unique=True)))
    return GenSchema(tables=tuple(tables), enum=enum, view=draw(st.booleans()))


# What a diff must say for each real change: one of these (change, kind) pairs.
EXPECTED_CHANGE = {
    "add_column": {("add", "column")},
    "drop_column": {("remove", "column")},
    "retype": {("modify", "column")},
    "nullability": {("modify", "column")},
    "default": {("modify", "column")},
    "index": {("add", "index"), ("remove", "index")},
    "constraint": {("add", "constraint"), ("remove", "constraint")},
    "view": {("add", "view"), ("remove", "view")},
}
_SQLITE_TYPES = {
    "integer": "INTEGER",
    "bigint": "INTEGER",
    "smallint": "INTEGER",
    "text": "TEXT",
    "character varying(40)": "VARCHAR(40)",
    "boolean": "BOOLEAN",
    "timestamp with time zone": "TIMESTAMP",
    "numeric(10,2)": "NUMERIC(10,2)",
    "double precision": "REAL",
    "date": "DATE",
    "jsonb": "TEXT",
    "uuid": "BLOB",
    "text[]": "TEXT",
}
_SQLITE_DEFAULTS = {"INTEGER": "0", "TEXT": "''", "REAL": "1.5", "BOOLEAN": "0", "VARCHAR(40)": "'x'"}


def sqlite_ddl(schema: GenSchema, style: str = "plain") -> str:
    """The schema as SQLite DDL (its own types), in a plain form or a rewrite."""
    name = _namer("quoted" if style == "quoted" else "plain")
    out = []
    for table in schema.tables:
        cols = ["id INTEGER PRIMARY KEY"]
        for col in table.columns:
            typ = _SQLITE_TYPES[col.type]
            part = f"{name(col.name, column=True)} {typ}"
            if not col.nullable:
                part += " NOT NULL"
            if col.default is not None and typ in _SQLITE_DEFAULTS:
                part += f" DEFAULT {_SQLITE_DEFAULTS[typ]}"
            if col.unique:
                part += " UNIQUE"
            if style == "comments":
                part += " /* inline */"
            cols.append(part)
        if table.references:
            cols.append(f"{table.references}_id INTEGER REFERENCES {table.references} (id)")
        text = f"CREATE TABLE {table.name} (\n    " + ",\n    ".join(cols) + "\n);"
        if table.index:
            text += f"\nCREATE INDEX {table.name}_{table.index}_idx ON {table.name} ({table.index});"
        out.append(text.lower() if style == "case" else text)
    if schema.view:
        out.append(f"CREATE VIEW gen_view AS SELECT id FROM {schema.tables[0].name};")
    if style == "comments":
        out = [f"-- statement {i}\n{text}" for i, text in enumerate(out)]
    return "\n\n".join(out) + "\n"
