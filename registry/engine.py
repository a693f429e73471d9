"""Normalisation engines: the DDL text of a schema -> its canonical Schema, by one of two routes.

    normalize_ddl(sql, dialect, engine="sqlglot" | "postgres", dev_url=None) -> Normalised

- `sqlglot`: the in-process normaliser (`schemareg.normalize`), every dialect.
- `postgres`: PostgreSQL itself. The script is applied in order to a scratch database on the dev server
  (`schemareg.devserver`: the embedded one, or `SCHEMAREG_DEV_URL` / `--dev-url`), then read back by the
  live inspector, so its canonical objects are those of live introspection by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from schemareg.errors import InputError, SQLParseError
from schemareg.lazy_re import lazy_compile
from schemareg.model import Issue, Schema
from schemareg.normalize import NormalizeOptions, normalize
from schemareg.normalize.cache import StatementCache
from schemareg.normalize.options import DEFAULT_OPTIONS
from schemareg.normalize.split import Statement, line_column, split_statements

__all__ = ["ENGINES", "MissingExtension", "Normalised", "StatementRefused", "normalize_ddl"]

ENGINES = ("sqlglot", "postgres")


class StatementRefused(SQLParseError):
    """PostgreSQL refused a statement of the script: its line, column and PostgreSQL's message."""


class MissingExtension(StatementRefused):
    """A statement needs an extension the dev server does not have."""


@dataclass
class Normalised:
    """A normalised schema and what the engine warns about (nothing of it is an error)."""

    schema: Schema
    warnings: list[Issue] = field(default_factory=list)


def normalize_ddl(
    sql: str,
    dialect: str = "postgres",
    *,
    engine: str | None = None,
    source: str | None = None,
    options: NormalizeOptions = DEFAULT_OPTIONS,
    dev_url: str | None = None,
    cache: StatementCache | bool | None = True,
) -> Normalised:
    """Normalise a DDL script with `engine` (default: the options' engine, else sqlglot)."""
    chosen = engine or getattr(options, "engine", "sqlglot")
    if chosen not in ENGINES:
        raise InputError(f"unknown engine {chosen!r}: choose one of {', '.join(ENGINES)}")
    if chosen == "sqlglot":
        return Normalised(normalize(sql, dialect, source=source, cache=cache, options=options))
    if dialect.lower() != "postgres":
        raise InputError(f"the postgres engine reads PostgreSQL DDL, not {dialect}: use the sqlglot engine")
    if options.keep_owners or options.keep_grants:
        raise InputError(
            "the postgres engine reads a scratch database back, where owners and grants mean nothing:"
            " use the sqlglot engine to keep them"
        )
    return PostgresEngine(dev_url, cache=cache).normalize(sql, source=source)


# -- the postgres engine ---------------------------------------------------------------------------------

_WORDS = lazy_compile(r"[A-Za-z_]+")
_EXTENSION = lazy_compile(
    r"CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>\"(?:[^\"]|\"\")+\"|[A-Za-z_][\w$]*)"
    r"(?:\s+WITH)?(?:\s+SCHEMA\s+(?P<schema>\"(?:[^\"]|\"\")+\"|[A-Za-z_][\w$]*))?",
    re.IGNORECASE,
)
_EXTENSION_TARGET = lazy_compile(
    r"(?P<verb>COMMENT\s+ON|ALTER|DROP)\s+EXTENSION\s+(?:IF\s+EXISTS\s+)?"
    r"(?P<name>\"(?:[^\"]|\"\")+\"|[A-Za-z_][\w$]*)",
    re.IGNORECASE,
)
# Statements about the cluster, the session's identity or privileges: not part of a schema, and on a
# shared dev server they would change other databases or fail for roles that exist only in production.
_SKIPPED = (
    ("CREATE", "ROLE"),
    ("CREATE", "USER"),
    ("CREATE", "GROUP"),
    ("ALTER", "ROLE"),
    ("ALTER", "USER"),
    ("ALTER", "GROUP"),
    ("DROP", "ROLE"),
    ("DROP", "USER"),
    ("DROP", "GROUP"),
    ("CREATE", "DATABASE"),
    ("ALTER", "DATABASE"),
    ("DROP", "DATABASE"),
    ("CREATE", "TABLESPACE"),
    ("ALTER", "TABLESPACE"),
    ("DROP", "TABLESPACE"),
    ("GRANT",),
    ("REVOKE",),
    ("ALTER", "DEFAULT", "PRIVILEGES"),
    ("SET", "ROLE"),
    ("SET", "SESSION", "AUTHORIZATION"),
    ("RESET", "ROLE"),
    ("RESET", "SESSION", "AUTHORIZATION"),
    ("REASSIGN",),
    ("DROP", "OWNED"),
    ("SECURITY", "LABEL"),
    ("CHECKPOINT",),
    ("VACUUM",),
    ("ANALYZE",),
    ("CLUSTER",),
    ("REINDEX",),
    ("LISTEN",),
    ("NOTIFY",),
    ("COPY",),
)
_OWNER_TO = lazy_compile(r"\bOWNER\s+TO\s+(?:\"(?:[^\"]|\"\")+\"|[\w$]+)\s*$", re.IGNORECASE)
# What a DROP of an object that does not exist fails with: table, object, function, schema.
_UNDEFINED = {"42P01", "42704", "42883", "3F000"}
# A missing function, type, operator or object is what a missing extension makes a later statement fail with.
_NEEDS_SOMETHING = {"42883", "42704", "42P01", "3F000", "42725"}


def _words(text: str, count: int) -> tuple[str, ...]:
    return tuple(word.upper() for word in _WORDS.findall(text[:200])[:count])


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()


def _quote(name: str) -> str:
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class _Missing:
    name: str
    schema: str
    offset: int


class PostgresEngine:
    """Apply a script to a scratch database on the dev server and read it back with the live inspector."""

    def __init__(self, dev_url: str | None = None, *, cache: StatementCache | bool | None = True) -> None:
        self.dev_url = dev_url
        self.cache = cache

    def normalize(self, sql: str, *, source: str | None = None) -> Normalised:
        from schemareg.devserver import resolve_dev_url, scratch_database
        from schemareg.introspect.postgres import PostgresInspector

        if "\0" in sql:
            raise SQLParseError(
                "binary data, not SQL text", line=1, column=sql.index("\0") + 1, source=source
            )
        try:
            statements, ignored = split_statements(sql, "postgres")
        except SQLParseError as error:
            raise error.named(source) from None  # the splitter sees text only
        admin = resolve_dev_url(self.dev_url)
        with scratch_database(admin) as scratch:
            missing, skipped, warnings = self._apply(scratch.url, sql, statements, source)
            live = PostgresInspector(scratch.url, cache=self.cache, by_state=False).inspect()
        schema = live.schema
        if missing:
            recorded = "".join(
                f"CREATE EXTENSION IF NOT EXISTS {_quote(m.name)} WITH SCHEMA {_quote(m.schema)};\n"
                for m in missing
            )
            schema = normalize(recorded + live.ddl, "postgres", source=source, cache=self.cache)
            for m in missing:
                line, column = line_column(sql, m.offset)
                warnings.append(
                    Issue(
                        line=line,
                        column=column,
                        message=f"extension {m.name} is not on the dev server; recorded from its CREATE"
                        " EXTENSION (no statement needed it)",
                        statement=sql[m.offset : m.offset + 200].split(";")[0],
                    )
                )
        schema.stats.statements = len(statements)
        schema.stats.ignored = ignored + skipped
        return Normalised(schema, warnings)

    def apply(self, url: str, sql: str, *, source: str | None = None) -> None:
        """Apply a script to the database at `url` as `normalize` does, and leave it there (a test's
        oracle database, say); a statement PostgreSQL refuses raises StatementRefused."""
        statements, _ = split_statements(sql, "postgres")
        self._apply(url, sql, statements, source)

    def _apply(
        self, url: str, sql: str, statements: list[Statement], source: str | None
    ) -> tuple[list[_Missing], int, list[Issue]]:
        import psycopg

        from schemareg.dsn import error_line, redact
        from schemareg.errors import ExternalError

        missing: list[_Missing] = []
        skipped = 0
        warnings: list[Issue] = []  # DROPs of what the script never made, as the sqlglot engine reports them
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=10, application_name="schemareg")
        except psycopg.Error as error:
            raise ExternalError(f"cannot connect to {redact(url)}: {error_line(error, url)}") from error
        with conn:
            available = {
                row[0] for row in conn.execute("SELECT name FROM pg_catalog.pg_available_extensions")
            }
            for statement in statements:
                text = statement.text
                head = _words(text, 3)
                if any(head[: len(skip)] == skip for skip in _SKIPPED) or (
                    head[:1] == ("ALTER",) and _OWNER_TO.search(text)
                ):
                    skipped += 1
                    continue
                if head[:2] == ("CREATE", "EXTENSION"):
                    found = _EXTENSION.match(text)
                    if found and _unquote(found["name"]) not in available:
                        schema = _unquote(found["schema"]) if found["schema"] else self._current_schema(conn)
                        missing.append(_Missing(_unquote(found["name"]), schema, statement.offset))
                        continue
                target = _EXTENSION_TARGET.match(text)
                if target and _unquote(target["name"]) in {m.name for m in missing}:
                    if target["verb"].upper() == "DROP":
                        missing = [m for m in missing if m.name != _unquote(target["name"])]
                    skipped += 1  # about the recorded extension itself: its comment, version, removal
                    continue
                try:
                    conn.execute(text.encode())  # bytes: no placeholders, the text goes as written
                except psycopg.Error as error:
                    if head[:1] in (("SET",), ("RESET",)) or head[:2] == ("SELECT", "SET_CONFIG"):
                        skipped += 1  # a setting this server does not know (another version's pg_dump)
                        continue
                    if head[:1] == ("DROP",) and error.sqlstate in _UNDEFINED:
                        line, column = line_column(sql, statement.offset)
                        message = (error.diag.message_primary or str(error)).strip()
                        warnings.append(
                            Issue(
                                line=line,
                                column=column,
                                message=f"{message}: its DROP is ignored",
                                statement=text[:200],
                            )
                        )
                        continue
                    raise self._refused(error, sql, statement, missing, source) from error
        return missing, skipped, warnings

    @staticmethod
    def _current_schema(conn: Any) -> str:
        row = conn.execute("SELECT current_schema()").fetchone()
        return str(row[0]) if row and row[0] else "public"

    @staticmethod
    def _refused(
        error: Any, sql: str, statement: Statement, missing: list[_Missing], source: str | None
    ) -> StatementRefused:
        diag = error.diag
        position = int(diag.statement_position or 1)
        line, column = line_column(sql, statement.offset + position - 1)
        message = (diag.message_primary or str(error)).strip()
        if diag.message_detail:
            message += f" ({diag.message_detail.strip()})"
        if missing and diag.sqlstate in _NEEDS_SOMETHING:
            names = sorted({m.name for m in missing})
            what = (
                f"the extension {names[0]}"
                if len(names) == 1
                else f"one of the extensions {', '.join(names)}"
            )
            return MissingExtension(
                f"{message}: this statement needs {what}, which the dev server does not have;"
                " set SCHEMAREG_DEV_URL (or --dev-url) to a PostgreSQL server that has it",
                line=line,
                column=column,
                source=source,
            )
        return StatementRefused(f"PostgreSQL refused it: {message}", line=line, column=column, source=source)
