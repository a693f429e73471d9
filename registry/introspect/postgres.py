"""The PostgreSQL inspector (psycopg 3): the catalog, read in a fixed number of set-based queries inside one
read-only REPEATABLE READ transaction, written out as DDL the way pg_dump writes it, then normalised.

The queries live in `queries/*.sql` (one per kind). Expressions, types and definitions come from the
server's own deparsers (`pg_get_indexdef`, `pg_get_constraintdef`, `pg_get_viewdef`, `pg_get_functiondef`,
`pg_get_triggerdef`, `pg_get_expr`, `format_type`), with an empty `search_path` as pg_dump sets it, so
names come out schema-qualified exactly as in a dump. Objects that belong to an extension, and the system
schemas, are left out.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources import files
from typing import Any

from schemareg.dsn import error_line, redact
from schemareg.errors import ExternalError, InputError
from schemareg.introspect.base import Introspection
from schemareg.introspect.migrations import MigrationInfo, detect_migrations
from schemareg.normalize import StatementCache, normalize

__all__ = ["QUERIES", "PostgresInspector", "load_query"]

# Every catalog query, in the order they run: the count is fixed, whatever the number of objects.
QUERIES = (
    "server",
    "schemas",
    "extensions",
    "collations",
    "types",
    "sequences",
    "relations",
    "columns",
    "constraints",
    "indexes",
    "routines",
    "operators",
    "triggers",
    "policies",
    "rules",
    "event_triggers",
    "publications",
    "comments",
)
MINIMUM_VERSION = 130000  # pg_trigger.tgparentid
Row = dict[str, Any]


@functools.cache
def load_query(name: str) -> str:
    return (files("schemareg.introspect.queries") / f"{name}.sql").read_text(encoding="utf-8")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _options(options: Iterable[str]) -> str:
    """Storage parameters as pg_dump writes them: `name='value'`."""
    return ", ".join(f"{key}={_literal(value)}" for key, _, value in (o.partition("=") for o in options))


class PostgresInspector:
    """Introspect one PostgreSQL database. The DSN is never shown unredacted (`schemareg.dsn`)."""

    dialect = "postgres"

    def __init__(
        self, dsn: str, *, cache: StatementCache | bool | None = True, connect_timeout: int = 10
    ) -> None:
        self.dsn = dsn
        self.cache = cache
        self.connect_timeout = connect_timeout

    def __repr__(self) -> str:
        return f"PostgresInspector({redact(self.dsn)!r})"

    # -- the public verbs --------------------------------------------------------------------------------

    def inspect(self) -> Introspection:
        started = time.perf_counter()
        with self._connect() as conn, conn.transaction():
            conn.execute("SET LOCAL search_path = ''")
            results, migrations = self._read(conn)
        read = time.perf_counter() - started
        server = results["server"][0]
        if server["version_num"] < MINIMUM_VERSION:
            raise ExternalError(
                f"{server['database_version']} is too old: introspection needs PostgreSQL 13+"
            )
        ddl = Script(results).render()
        schema = normalize(ddl, "postgres", source=redact(self.dsn), cache=self.cache)
        return Introspection(
            dialect="postgres",
            ddl=ddl,
            schema=schema,
            database_version=server["database_version"],
            migrations=migrations,
            queries=len(QUERIES) + (1 if migrations is not None else 0),
            timings={"read": read, "normalise": time.perf_counter() - started - read},
        )

    def seed_data(self, tables: Sequence[str]) -> str:
        """Rows of each table as INSERT statements, sorted by primary key (all columns without one).

        Values are written by the server (`quote_nullable` of their text form), so every type round-trips.
        """
        if not tables:
            return ""
        import psycopg
        from psycopg.rows import tuple_row

        out: list[str] = []
        try:
            with self._connect() as conn, conn.transaction():
                conn.row_factory = tuple_row
                conn.execute("SET LOCAL search_path = ''")
                self._seed_rows(conn, tables, out)
        except psycopg.Error as error:
            raise ExternalError(
                f"reading seed rows from {redact(self.dsn)} failed: {error_line(error, self.dsn)}"
            ) from error
        return "\n".join(out) + "\n"

    @staticmethod
    def _seed_rows(conn: Any, tables: Sequence[str], out: list[str]) -> None:
        for table in tables:
            schema, _, name = table.rpartition(".")
            row = conn.execute(
                "SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_catalog.pg_class c"
                " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relname = %s AND n.nspname = %s AND c.relkind IN ('r', 'p')",
                (name, schema or "public"),
            ).fetchone()
            if row is None:
                raise InputError(f"--seed-tables: no table {table!r} in the database")
            oid, qname = row
            columns = [
                name
                for (name,) in conn.execute(
                    "SELECT quote_ident(attname) FROM pg_catalog.pg_attribute WHERE attrelid = %s"
                    " AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                    (oid,),
                )
            ]
            key = [
                name
                for (name,) in conn.execute(
                    "SELECT quote_ident(a.attname) FROM pg_catalog.pg_index i"
                    " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)"
                    " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                    " WHERE i.indrelid = %s AND i.indisprimary ORDER BY k.n",
                    (oid,),
                )
            ] or columns
            values = " || ', ' || ".join(f"quote_nullable({column})" for column in columns)
            order = ", ".join(key)
            always = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = %s AND attidentity = 'a')",
                (oid,),
            ).fetchone()[0]
            overriding = "OVERRIDING SYSTEM VALUE " if always else ""
            head = f"INSERT INTO {qname} ({', '.join(columns)}) {overriding}VALUES ("
            out.append(f"-- {qname}")
            for (text,) in conn.execute(f"SELECT {values} FROM {qname} ORDER BY {order}"):  # type: ignore[arg-type]
                out.append(f"{head}{text});")

    # -- reading -----------------------------------------------------------------------------------------

    def _connect(self) -> Any:
        import psycopg
        from psycopg.rows import dict_row

        try:
            conn = psycopg.connect(
                self.dsn,
                connect_timeout=self.connect_timeout,
                application_name="schemareg",
                row_factory=dict_row,
                autocommit=True,
            )
        except psycopg.Error as error:
            raise ExternalError(
                f"cannot connect to {redact(self.dsn)}: {error_line(error, self.dsn)}"
            ) from error
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        return conn

    def _read(self, conn: Any) -> tuple[dict[str, list[Row]], MigrationInfo | None]:
        import psycopg

        results: dict[str, list[Row]] = {}
        try:
            for name in QUERIES:
                params: dict[str, Any] = {}
                if "%(namespaces)s" in load_query(name):
                    params["namespaces"] = [row["oid"] for row in results["schemas"]]
                results[name] = conn.execute(load_query(name), params or None).fetchall()
            migrations = self._migrations(conn, results)
        except psycopg.Error as error:
            raise ExternalError(
                f"reading the catalog of {redact(self.dsn)} failed: {error_line(error, self.dsn)}"
            ) from error
        return results, migrations

    @staticmethod
    def _migrations(conn: Any, results: Mapping[str, list[Row]]) -> MigrationInfo | None:
        tables: dict[tuple[str, str], int] = {}
        for row in results["relations"]:
            if row["kind"] in ("r", "p"):
                schema, _, name = row["qname"].partition(".")
                tables[(schema.strip('"'), name.strip('"'))] = row["oid"]
        columns_by_oid: dict[int, list[str]] = defaultdict(list)
        for row in results["columns"]:
            columns_by_oid[row["relation"]].append(row["name"].strip('"'))

        def query(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(row.values()) for row in conn.execute(sql).fetchall()]

        def quote(table: tuple[str, str]) -> str:
            return ".".join('"' + part.replace('"', '""') + '"' for part in table)

        return detect_migrations(tables, lambda table: columns_by_oid[tables[table]], query, quote)


class Script:
    """The query results written out as one DDL script, in pg_dump's forms and a creation-safe order."""

    def __init__(self, results: Mapping[str, list[Row]]) -> None:
        self.r = results
        self.relations: dict[int, Row] = {row["oid"]: row for row in results["relations"]}
        self.out: list[str] = []
        self.comments: list[str] = []

    def render(self) -> str:
        self._schemas()
        self._extensions()
        self._collations()
        self._types()
        self._routines()
        self._operators()
        self._sequences()
        self._tables()
        self._views()
        self._constraints()
        self._indexes()
        self._rules()
        self._triggers()
        self._policies()
        self._event_triggers()
        self._publications()
        self._comments()
        return "\n".join(self.out) + "\n"

    def emit(self, statement: str) -> None:
        self.out.append(statement.rstrip().rstrip(";") + ";")

    # -- objects -----------------------------------------------------------------------------------------

    def _schemas(self) -> None:
        for row in self.r["schemas"]:
            if row["name"] != "public":
                self.emit(f"CREATE SCHEMA {row['qname']}")

    def _extensions(self) -> None:
        for row in self.r["extensions"]:
            self.emit(f"CREATE EXTENSION IF NOT EXISTS {row['qname']} WITH SCHEMA {row['schema']}")

    def _collations(self) -> None:
        for row in self.r["collations"]:
            fields = row["fields"]
            provider = {"i": "icu", "c": "libc", "d": "default", "b": "builtin"}.get(
                fields.get("collprovider"), "libc"
            )
            options = [f"provider = {provider}"]
            if fields.get("collisdeterministic") is False:
                options.append("deterministic = false")
            locale = fields.get("colllocale") or fields.get("colliculocale")
            collate, ctype = fields.get("collcollate"), fields.get("collctype")
            if locale:
                options.append(f"locale = {_literal(locale)}")
            elif collate == ctype and collate is not None:
                options.append(f"locale = {_literal(collate)}")
            else:
                if collate is not None:
                    options.append(f"lc_collate = {_literal(collate)}")
                if ctype is not None:
                    options.append(f"lc_ctype = {_literal(ctype)}")
            if fields.get("collicurules"):
                options.append(f"rules = {_literal(fields['collicurules'])}")
            self.emit(f"CREATE COLLATION {row['qname']} ({', '.join(options)})")

    def _types(self) -> None:
        rows = self.r["types"]
        # Domains last: a domain may be over an enum, a range or a composite type.
        for row in sorted(rows, key=lambda row: row["type_kind"] == "d"):
            kind, name = row["type_kind"], row["qname"]
            if kind == "e":
                self.emit(f"CREATE TYPE {name} AS ENUM ({', '.join(row['labels'])})")
            elif kind == "c":
                self.emit(f"CREATE TYPE {name} AS ({', '.join(row['attributes'])})")
            elif kind == "r":
                options = [f"subtype = {row['range_subtype']}"]
                if row["range_multirange"]:
                    options.append(f"multirange_type_name = {row['range_multirange']}")
                if row["range_opclass"]:
                    options.append(f"subtype_opclass = {row['range_opclass']}")
                if row["range_collation"]:
                    options.append(f"collation = {row['range_collation']}")
                if row["range_canonical"]:
                    options.append(f"canonical = {row['range_canonical']}")
                if row["range_subdiff"]:
                    options.append(f"subtype_diff = {row['range_subdiff']}")
                self.emit(f"CREATE TYPE {name} AS RANGE ({', '.join(options)})")
            elif kind == "d":
                parts = [f"CREATE DOMAIN {name} AS {row['domain_base']}"]
                if row["domain_collation"]:
                    parts.append(f"COLLATE {row['domain_collation']}")
                if row["domain_default"] is not None:
                    parts.append(f"DEFAULT {row['domain_default']}")
                if row["domain_not_null"]:
                    parts.append("NOT NULL")
                parts.extend(row["domain_constraints"] or ())
                self.emit(" ".join(parts))

    def _routines(self) -> None:
        for row in self.r["routines"]:
            if row["routine_kind"] == "a":
                self.emit(self._aggregate(row))
            elif row["definition"]:
                self.emit(row["definition"])

    @staticmethod
    def _aggregate(row: Row) -> str:
        options = [f"SFUNC = {row['sfunc']}", f"STYPE = {row['stype']}"]
        if row["sspace"]:
            options.append(f"SSPACE = {row['sspace']}")
        if row["finalfunc"]:
            options.append(f"FINALFUNC = {row['finalfunc']}")
            if row["finalfunc_extra"]:
                options.append("FINALFUNC_EXTRA")
        if row["combinefunc"]:
            options.append(f"COMBINEFUNC = {row['combinefunc']}")
        if row["serialfunc"]:
            options.append(f"SERIALFUNC = {row['serialfunc']}")
        if row["deserialfunc"]:
            options.append(f"DESERIALFUNC = {row['deserialfunc']}")
        if row["initcond"] is not None:
            options.append(f"INITCOND = {_literal(row['initcond'])}")
        if row["sortop"]:
            options.append(f"SORTOP = {row['sortop'].split('(')[0]}")
        if row["aggregate_kind"] == "h":
            options.append("HYPOTHETICAL")
        if row["parallel"] in ("s", "r"):
            options.append("PARALLEL = " + ("safe" if row["parallel"] == "s" else "restricted"))
        arguments = row["identity_arguments"] or "*"
        body = ",\n    ".join(options)
        return f"CREATE AGGREGATE {row['qname']}({arguments}) (\n    {body}\n)"

    def _operators(self) -> None:
        for row in self.r["operators"]:
            options = [f"FUNCTION = {row['function']}"]
            if row["left_type"]:
                options.append(f"LEFTARG = {row['left_type']}")
            if row["right_type"]:
                options.append(f"RIGHTARG = {row['right_type']}")
            if row["commutator"]:
                options.append(f"COMMUTATOR = OPERATOR({row['commutator']})")
            if row["negator"]:
                options.append(f"NEGATOR = OPERATOR({row['negator']})")
            if row["restrict_function"]:
                options.append(f"RESTRICT = {row['restrict_function']}")
            if row["join_function"]:
                options.append(f"JOIN = {row['join_function']}")
            if row["hashes"]:
                options.append("HASHES")
            if row["merges"]:
                options.append("MERGES")
            self.emit(f"CREATE OPERATOR {row['qname']} ({', '.join(options)})")

    def _sequences(self) -> None:
        self.owned_by: list[str] = []
        self.identities: dict[tuple[int, int], Row] = {}
        for row in self.r["sequences"]:
            if row["owner_kind"] == "i":
                self.identities[(row["owner_table"], row["owner_column"])] = row
                continue
            unlogged = "UNLOGGED " if row["unlogged"] else ""
            self.emit(f"CREATE {unlogged}SEQUENCE {row['qname']} {self._sequence_options(row)}")
            owner = self.relations.get(row["owner_table"]) if row["owner_kind"] == "a" else None
            if owner is not None:
                self.owned_by.append(
                    f"ALTER SEQUENCE {row['qname']} OWNED BY {owner['qname']}.{row['owner_column_name']}"
                )

    @staticmethod
    def _sequence_options(row: Row, *, identity: bool = False) -> str:
        """The options as pg_dump writes them: `AS` unless bigint (never for an identity column's sequence,
        whose type is the column's), `NO MINVALUE` for the default, ..."""
        kind = row["data_type"]
        bounds = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**63 - 1}
        top = bounds.get(kind, 2**63 - 1)
        ascending = row["increment"] > 0
        default_min, default_max = (1, top) if ascending else (-top - 1, -1)
        parts = [] if kind == "bigint" or identity else [f"AS {kind}"]
        parts += [f"START WITH {row['start']}", f"INCREMENT BY {row['increment']}"]
        parts.append("NO MINVALUE" if row["min"] == default_min else f"MINVALUE {row['min']}")
        parts.append("NO MAXVALUE" if row["max"] == default_max else f"MAXVALUE {row['max']}")
        parts.append(f"CACHE {row['cache']}")
        if row["cycle"]:
            parts.append("CYCLE")
        return " ".join(parts)

    def _tables(self) -> None:
        columns: dict[int, list[Row]] = defaultdict(list)
        for row in self.r["columns"]:
            columns[row["relation"]].append(row)
        after: list[str] = []
        for oid, rel in self.relations.items():
            if rel["kind"] not in ("r", "p"):
                continue
            name = rel["qname"]
            inherits = rel["parents"] and not rel["is_partition"]
            lines = []
            for column in columns[oid]:
                if inherits and not column["is_local"]:
                    continue  # inherited: the parent declares it
                lines.append(self._column(column))
                identity = self.identities.get((oid, column["position"]))
                if column["identity"] and identity is not None:
                    how = "ALWAYS" if column["identity"] == "a" else "BY DEFAULT"
                    after.append(
                        f"ALTER TABLE {name} ALTER COLUMN {column['name']} ADD GENERATED {how} AS IDENTITY"
                        f" (SEQUENCE NAME {identity['qname']} {self._sequence_options(identity, identity=True)})"
                    )
                if column["statistics"] is not None and column["statistics"] >= 0:
                    after.append(
                        f"ALTER TABLE ONLY {name} ALTER COLUMN {column['name']} SET STATISTICS {column['statistics']}"
                    )
                if column["storage"]:
                    storage = {"p": "PLAIN", "e": "EXTERNAL", "m": "MAIN", "x": "EXTENDED"}[column["storage"]]
                    after.append(
                        f"ALTER TABLE ONLY {name} ALTER COLUMN {column['name']} SET STORAGE {storage}"
                    )
            head = "CREATE UNLOGGED TABLE" if rel["persistence"] == "u" else "CREATE TABLE"
            body = ",\n    ".join(lines)
            statement = f"{head} {name} (\n    {body}\n)" if lines else f"{head} {name} (\n)"
            if inherits:
                statement += f"\nINHERITS ({', '.join(rel['parents'])})"
            if rel["partition_key"]:
                statement += f"\nPARTITION BY {rel['partition_key']}"
            if rel["options"]:
                statement += f"\nWITH ({_options(rel['options'])})"
            self.emit(statement)
            if rel["is_partition"] and rel["parents"]:
                after.append(
                    f"ALTER TABLE ONLY {rel['parents'][0]} ATTACH PARTITION {name} {rel['partition_bound']}"
                )
            if rel["row_security"]:
                after.append(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
            if rel["force_row_security"]:
                after.append(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY")
            if rel["replica_identity"] == "f":
                after.append(f"ALTER TABLE ONLY {name} REPLICA IDENTITY FULL")
            elif rel["replica_identity"] == "n":
                after.append(f"ALTER TABLE ONLY {name} REPLICA IDENTITY NOTHING")
        for statement in [*self.owned_by, *after]:
            self.emit(statement)

    @staticmethod
    def _column(column: Row) -> str:
        parts = [column["name"], column["data_type"]]
        if column["collation"]:
            parts.append(f"COLLATE {column['collation']}")
        expression = column["default_expression"]
        if column["generated"] in ("s", "v") and expression is not None:
            # PostgreSQL 18's virtual generated columns ('v') are computed on read, never stored.
            how = "STORED" if column["generated"] == "s" else "VIRTUAL"
            parts.append(f"GENERATED ALWAYS AS ({expression}) {how}")
        elif expression is not None:
            parts.append(f"DEFAULT {expression}")
        if column["not_null"]:
            parts.append("NOT NULL")
        return " ".join(parts)

    def _constraints(self) -> None:
        self.constraint_names: dict[int, tuple[str, str]] = {}
        for row in self.r["constraints"]:
            rel = self.relations.get(row["relation"])
            if rel is None:
                continue
            self.constraint_names[row["oid"]] = (rel["qname"], row["name"])
            self.emit(f"ALTER TABLE ONLY {rel['qname']} ADD CONSTRAINT {row['name']} {row['definition']}")

    def _indexes(self) -> None:
        self.index_names: dict[int, str] = {}
        attach: list[str] = []
        for row in self.r["indexes"]:
            rel = self.relations.get(row["relation"])
            if rel is None:
                continue
            self.index_names[row["oid"]] = row["qname"]
            if not row["for_constraint"]:
                self.emit(row["definition"])
            if row["parent_index"]:
                attach.append(f"ALTER INDEX {row['parent_index']} ATTACH PARTITION {row['qname']}")
            for target in row["statistics"]:
                number, value = target.split()
                attach.append(f"ALTER INDEX {row['qname']} ALTER COLUMN {number} SET STATISTICS {value}")
            if row["clustered"]:
                attach.append(f"ALTER TABLE {rel['qname']} CLUSTER ON {row['name']}")
        for statement in attach:
            self.emit(statement)

    def _views(self) -> None:
        for rel in self.relations.values():
            if rel["kind"] not in ("v", "m"):
                continue
            definition = (rel["view_definition"] or "").strip().rstrip(";")
            options = list(rel["options"] or ())
            check = next((o for o in options if o.startswith("check_option=")), None)
            options = [o for o in options if o != check]
            with_options = f" WITH ({_options(options)})" if options else ""
            if rel["kind"] == "v":
                suffix = f"\n  WITH {check.split('=', 1)[1].upper()} CHECK OPTION" if check else ""
                self.emit(f"CREATE VIEW {rel['qname']}{with_options} AS\n{definition}{suffix}")
            else:
                self.emit(
                    f"CREATE MATERIALIZED VIEW {rel['qname']}{with_options} AS\n{definition}\n  WITH NO DATA"
                )

    def _rules(self) -> None:
        for row in self.r["rules"]:
            if row["relation"] in self.relations:
                self.emit(row["definition"])

    def _triggers(self) -> None:
        for row in self.r["triggers"]:
            rel = self.relations.get(row["relation"])
            if rel is None:
                continue
            self.emit(row["definition"])
            state = {"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}.get(row["enabled"])
            if state:
                self.emit(f"ALTER TABLE {rel['qname']} {state} TRIGGER {row['name']}")

    def _policies(self) -> None:
        commands = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}
        for row in self.r["policies"]:
            rel = self.relations.get(row["relation"])
            if rel is None:
                continue
            parts = [f"CREATE POLICY {row['name']} ON {rel['qname']}"]
            if not row["permissive"]:
                parts.append("AS RESTRICTIVE")
            if row["command"] in commands:
                parts.append(f"FOR {commands[row['command']]}")
            if row["roles"]:
                parts.append(f"TO {', '.join(row['roles'])}")
            if row["using_expression"] is not None:
                parts.append(f"USING ({row['using_expression']})")
            if row["check_expression"] is not None:
                parts.append(f"WITH CHECK ({row['check_expression']})")
            self.emit(" ".join(parts))

    def _event_triggers(self) -> None:
        for row in self.r["event_triggers"]:
            when = f" WHEN TAG IN ({', '.join(_literal(tag) for tag in row['tags'])})" if row["tags"] else ""
            self.emit(
                f"CREATE EVENT TRIGGER {row['name']} ON {row['event']}{when} EXECUTE FUNCTION {row['function']}()"
            )
            if row["enabled"] == "D":
                self.emit(f"ALTER EVENT TRIGGER {row['name']} DISABLE")

    def _publications(self) -> None:
        for row in self.r["publications"]:
            publish = [
                action
                for action, on in (
                    ("insert", row["publish_insert"]),
                    ("update", row["publish_update"]),
                    ("delete", row["publish_delete"]),
                    ("truncate", row["publish_truncate"]),
                )
                if on
            ]
            target = " FOR ALL TABLES" if row["all_tables"] else ""
            options = [f"publish = {_literal(', '.join(publish))}"]
            if row["via_root"]:
                options.append("publish_via_partition_root = true")
            self.emit(f"CREATE PUBLICATION {row['name']}{target} WITH ({', '.join(options)})")
            for table in row["tables"]:
                self.emit(f"ALTER PUBLICATION {row['name']} ADD TABLE ONLY {table}")

    # -- comments ----------------------------------------------------------------------------------------

    def _comments(self) -> None:
        targets = self._comment_targets()
        for row in self.r["comments"]:
            target = targets.get((row["catalog"], row["oid"], row["column_number"]))
            if target is not None:
                self.emit(f"COMMENT ON {target} IS {_literal(row['comment'])}")

    def _comment_targets(self) -> dict[tuple[str, int, int], str]:
        targets: dict[tuple[str, int, int], str] = {}
        kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW"}
        for oid, rel in self.relations.items():
            targets[("pg_class", oid, 0)] = f"{kinds[rel['kind']]} {rel['qname']}"
        for row in self.r["comments"]:
            owner = self.relations.get(row["oid"]) if row["catalog"] == "pg_class" else None
            if owner is not None and row["column_name"]:
                targets[("pg_class", row["oid"], row["column_number"])] = (
                    f"COLUMN {owner['qname']}.{row['column_name']}"
                )
        for row in self.r["sequences"]:
            targets[("pg_class", row["oid"], 0)] = f"SEQUENCE {row['qname']}"
        for oid, qname in self.index_names.items():
            targets[("pg_class", oid, 0)] = f"INDEX {qname}"
        for oid, (table, name) in self.constraint_names.items():
            targets[("pg_constraint", oid, 0)] = f"CONSTRAINT {name} ON {table}"
        for row in self.r["routines"]:
            kind = {"p": "PROCEDURE", "a": "AGGREGATE"}.get(row["routine_kind"], "FUNCTION")
            arguments = row["identity_arguments"] or ("*" if kind == "AGGREGATE" else "")
            targets[("pg_proc", row["oid"], 0)] = f"{kind} {row['qname']}({arguments})"
        for row in self.r["types"]:
            kind = "DOMAIN" if row["type_kind"] == "d" else "TYPE"
            targets[("pg_type", row["oid"], 0)] = f"{kind} {row['qname']}"
        for row in self.r["schemas"]:
            if row["name"] != "public":
                targets[("pg_namespace", row["oid"], 0)] = f"SCHEMA {row['qname']}"
        for row in self.r["collations"]:
            targets[("pg_collation", row["oid"], 0)] = f"COLLATION {row['qname']}"
        for catalog, key, kind in (
            ("pg_trigger", "triggers", "TRIGGER"),
            ("pg_policy", "policies", "POLICY"),
            ("pg_rewrite", "rules", "RULE"),
        ):
            for row in self.r[key]:
                on = self.relations.get(row["relation"])
                if on is not None:
                    targets[(catalog, row["oid"], 0)] = f"{kind} {row['name']} ON {on['qname']}"
        for row in self.r["event_triggers"]:
            targets[("pg_event_trigger", row["oid"], 0)] = f"EVENT TRIGGER {row['name']}"
        return targets
