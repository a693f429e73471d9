"""The PostgreSQL catalog written out as one DDL script, the way pg_dump writes it and in a creation-safe
order: the assembly half of the inspector (`schemareg.introspect.postgres` runs the queries, in
`queries/*.sql`, and hands their rows here).

The functions write the objects that stand alone, one statement form each; `Script` orders everything and
writes the tables and what hangs off them (sequences they own, constraints, indexes, views, rules,
triggers, policies), then the comments, which need every object's name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from schemareg.introspect import pg_direct
from schemareg.introspect.pg_direct import Direct

__all__ = ["Row", "Script"]

Row = dict[str, Any]


# A trigger's tgenabled, a rule's ev_enabled, other than 'O' (fires on origin, the default): the ALTER
# TABLE action that sets it, written after the trigger or rule is made, as pg_dump writes it.
_FIRING = {"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}


class Later(NamedTuple):
    """A statement's `Direct`, made only if the script is not in the cache (`Script.pieces`)."""

    make: Callable[..., Direct | None]
    args: tuple[Any, ...]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _with_index_options(definition: str, options: list[str] | None) -> str:
    """A key's definition with its index's storage parameters, where pg_dump writes them: after the
    columns and INCLUDE, before DEFERRABLE."""
    if not options:
        return definition
    at = min(
        (i for i in (definition.find(" DEFERRABLE"), definition.find(" INITIALLY")) if i >= 0), default=-1
    )
    head, tail = (definition[:at], definition[at:]) if at >= 0 else (definition, "")
    return f"{head} WITH ({_options(options)}){tail}"


def _options(options: Iterable[str]) -> str:
    """Storage parameters as pg_dump writes them: `name='value'`."""
    return ", ".join(f"{key}={_literal(value)}" for key, _, value in (o.partition("=") for o in options))


# -- objects that stand alone ------------------------------------------------------------------------


def schemas(rows: list[Row]) -> Iterator[str]:
    for row in rows:
        if row["name"] != "public":
            yield f"CREATE SCHEMA {row['qname']}"


def extensions(rows: list[Row]) -> Iterator[str]:
    for row in rows:
        yield f"CREATE EXTENSION IF NOT EXISTS {row['qname']} WITH SCHEMA {row['schema']}"


def collations(rows: list[Row]) -> Iterator[str]:
    for row in rows:
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
        yield f"CREATE COLLATION {row['qname']} ({', '.join(options)})"


def types(rows: list[Row]) -> Iterator[str]:
    # Domains last: a domain may be over an enum, a range or a composite type.
    for row in sorted(rows, key=lambda row: row["type_kind"] == "d"):
        kind, name = row["type_kind"], row["qname"]
        if kind == "e":
            yield f"CREATE TYPE {name} AS ENUM ({', '.join(row['labels'])})"
        elif kind == "c":
            yield f"CREATE TYPE {name} AS ({', '.join(row['attributes'])})"
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
            yield f"CREATE TYPE {name} AS RANGE ({', '.join(options)})"
        elif kind == "d":
            parts = [f"CREATE DOMAIN {name} AS {row['domain_base']}"]
            if row["domain_collation"]:
                parts.append(f"COLLATE {row['domain_collation']}")
            if row["domain_default"] is not None:
                parts.append(f"DEFAULT {row['domain_default']}")
            if row["domain_not_null"]:
                parts.append("NOT NULL")
            parts.extend(row["domain_constraints"] or ())
            yield " ".join(parts)


def routines(rows: list[Row]) -> Iterator[str]:
    for row in rows:
        if row["routine_kind"] == "a":
            yield aggregate(row)
        elif row["definition"]:
            yield row["definition"]


def aggregate(row: Row) -> str:
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


def operators(rows: list[Row]) -> Iterator[str]:
    for row in rows:
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
        yield f"CREATE OPERATOR {row['qname']} ({', '.join(options)})"


def event_triggers(rows: list[Row]) -> Iterator[str]:
    for row in rows:
        when = f" WHEN TAG IN ({', '.join(_literal(tag) for tag in row['tags'])})" if row["tags"] else ""
        yield (
            f"CREATE EVENT TRIGGER {row['name']} ON {row['event']}{when} EXECUTE FUNCTION {row['function']}()"
        )
        if row["enabled"] == "D":
            yield f"ALTER EVENT TRIGGER {row['name']} DISABLE"


def publications(rows: list[Row]) -> Iterator[str]:
    for row in rows:
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
        yield f"CREATE PUBLICATION {row['name']}{target} WITH ({', '.join(options)})"
        for table in row["tables"]:
            yield f"ALTER PUBLICATION {row['name']} ADD TABLE ONLY {table}"


def sequence_options(row: Row, *, identity: bool = False) -> str:
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


def column_definition(column: Row) -> str:
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


def _direct_table(rel: Row, columns: list[Row]) -> Direct | None:
    """A plain table's CREATE TABLE from its columns' probes: each column's definition without its name,
    a serial's default read directly."""
    specs = []
    for column in columns:
        default = pg_direct.nextval_default(column["default_expression"]) if not column["generated"] else None
        text = column_definition({**column, "default_expression": None} if default else column)
        specs.append((column["name"], text[len(column["name"]) + 1 :], default))
    return pg_direct.table(rel["qname"], specs)


class Script:
    """The query results written out as one DDL script, in pg_dump's forms and a creation-safe order."""

    def __init__(self, results: Mapping[str, list[Row]]) -> None:
        self.r = results
        self.relations: dict[int, Row] = {row["oid"]: row for row in results["relations"]}
        self.out: list[str] = []
        self.directs: list[Later | None] = []  # per statement: its ops without compiling it, if had
        self.comments: list[str] = []

    def render(self) -> str:
        r = self.r
        self.emit_all(schemas(r["schemas"]), extensions(r["extensions"]), collations(r["collations"]))
        self.emit_all(types(r["types"]), routines(r["routines"]), operators(r["operators"]))
        self._sequences()
        self._tables()
        self._views()
        self._constraints()
        self._indexes()
        self._statistics()
        self._rules()
        self._triggers()
        self._policies()
        self.emit_all(event_triggers(r["event_triggers"]), publications(r["publications"]))
        self._comments()
        return "\n".join(self.out) + "\n"

    def pieces(self) -> list[tuple[str, Direct | None]]:
        """Each statement of `render()`, with the way to its ops without compiling it where there is one
        (`pg_direct`); `render()` first."""
        return [
            (text, later.make(*later.args) if later is not None else None)
            for text, later in zip(self.out, self.directs, strict=True)
        ]

    def emit(self, statement: str, direct: Later | None = None) -> None:
        self.out.append(statement.rstrip().rstrip(";") + ";")
        self.directs.append(direct)

    def emit_all(self, *statements: Iterable[str]) -> None:
        for group in statements:
            for statement in group:
                self.emit(statement)

    # -- tables and what hangs off them -----------------------------------------------------------------

    def _sequences(self) -> None:
        self.owned_by: list[tuple[str, Later | None]] = []
        self.identities: dict[tuple[int, int], Row] = {}
        for row in self.r["sequences"]:
            if row["owner_kind"] == "i":
                self.identities[(row["owner_table"], row["owner_column"])] = row
                continue
            head = "CREATE UNLOGGED SEQUENCE" if row["unlogged"] else "CREATE SEQUENCE"
            options = sequence_options(row)
            self.emit(
                f"{head} {row['qname']} {options}", Later(pg_direct.sequence, (row["qname"], head, options))
            )
            owner = self.relations.get(row["owner_table"]) if row["owner_kind"] == "a" else None
            if owner is not None:
                column = row["owner_column_name"]
                self.owned_by.append(
                    (
                        f"ALTER SEQUENCE {row['qname']} OWNED BY {owner['qname']}.{column}",
                        Later(pg_direct.owned_by, (row["qname"], owner["qname"], column)),
                    )
                )

    def _tables(self) -> None:
        columns: dict[int, list[Row]] = defaultdict(list)
        for row in self.r["columns"]:
            columns[row["relation"]].append(row)
        after: list[tuple[str, Later | None]] = []  # after the tables; an identity with its probe

        def then(statement: str, direct: Later | None = None) -> None:
            after.append((statement, direct))

        for oid, rel in self.relations.items():
            if rel["kind"] not in ("r", "p"):
                continue
            name = rel["qname"]
            inherits = rel["parents"] and not rel["is_partition"]
            lines = []
            for column in columns[oid]:
                if inherits and not column["is_local"]:
                    continue  # inherited: the parent declares it
                lines.append(column_definition(column))
                identity = self.identities.get((oid, column["position"]))
                if column["identity"] and identity is not None:
                    how = "ALWAYS" if column["identity"] == "a" else "BY DEFAULT"
                    options = sequence_options(identity, identity=True)
                    args = (name, column["name"], how, identity["qname"], options)
                    then(
                        f"ALTER TABLE {name} ALTER COLUMN {column['name']} ADD GENERATED {how} AS IDENTITY"
                        f" (SEQUENCE NAME {identity['qname']} {options})",
                        Later(pg_direct.identity, args),
                    )
                if column["statistics"] is not None and column["statistics"] >= 0:
                    then(
                        f"ALTER TABLE ONLY {name} ALTER COLUMN {column['name']} SET STATISTICS {column['statistics']}"
                    )
                if column["options"]:
                    then(
                        f"ALTER TABLE ONLY {name} ALTER COLUMN {column['name']} SET ({', '.join(column['options'])})"
                    )
                if column["storage"]:
                    storage = {"p": "PLAIN", "e": "EXTERNAL", "m": "MAIN", "x": "EXTENDED"}[column["storage"]]
                    then(f"ALTER TABLE ONLY {name} ALTER COLUMN {column['name']} SET STORAGE {storage}")
            head = "CREATE UNLOGGED TABLE" if rel["persistence"] == "u" else "CREATE TABLE"
            body = ",\n    ".join(lines)
            statement = f"{head} {name} (\n    {body}\n)" if lines else f"{head} {name} (\n)"
            plain = not (rel["parents"] or rel["partition_key"] or rel["options"])
            direct = (
                Later(_direct_table, (rel, columns[oid])) if plain and rel["persistence"] == "p" else None
            )
            if inherits:
                statement += f"\nINHERITS ({', '.join(rel['parents'])})"
            if rel["partition_key"]:
                statement += f"\nPARTITION BY {rel['partition_key']}"
            if rel["options"]:
                statement += f"\nWITH ({_options(rel['options'])})"
            self.emit(statement, direct)
            if rel["is_partition"] and rel["parents"]:
                then(f"ALTER TABLE ONLY {rel['parents'][0]} ATTACH PARTITION {name} {rel['partition_bound']}")
            if rel["row_security"]:
                then(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
            if rel["force_row_security"]:
                then(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY")
            if rel["replica_identity"] == "f":
                then(f"ALTER TABLE ONLY {name} REPLICA IDENTITY FULL")
            elif rel["replica_identity"] == "n":
                then(f"ALTER TABLE ONLY {name} REPLICA IDENTITY NOTHING")
        for statement, direct in [*self.owned_by, *after]:
            self.emit(statement, direct)

    def _constraints(self) -> None:
        self.constraint_names: dict[int, tuple[str, str]] = {}
        for row in self.r["constraints"]:
            rel = self.relations.get(row["relation"])
            if rel is None:
                continue
            self.constraint_names[row["oid"]] = (rel["qname"], row["name"])
            definition = _with_index_options(row["definition"], row.get("index_options"))
            direct = Later(
                pg_direct.constraint, (rel["qname"], row["name"], definition, row.get("referenced"))
            )
            self.emit(f"ALTER TABLE ONLY {rel['qname']} ADD CONSTRAINT {row['name']} {definition}", direct)

    def _indexes(self) -> None:
        self.index_names: dict[int, str] = {}
        attach: list[str] = []
        for row in self.r["indexes"]:
            rel = self.relations.get(row["relation"])
            if rel is None:
                continue
            self.index_names[row["oid"]] = row["qname"]
            if not row["for_constraint"]:
                self.emit(
                    row["definition"], Later(pg_direct.index, (rel["qname"], row["name"], row["definition"]))
                )
            if row["parent_index"]:
                attach.append(f"ALTER INDEX {row['parent_index']} ATTACH PARTITION {row['qname']}")
            for target in row["statistics"]:
                number, value = target.split()
                attach.append(f"ALTER INDEX {row['qname']} ALTER COLUMN {number} SET STATISTICS {value}")
            if row["clustered"]:
                attach.append(f"ALTER TABLE {rel['qname']} CLUSTER ON {row['name']}")
        for statement in attach:
            self.emit(statement)

    def _statistics(self) -> None:
        """Extended statistics on the tables and materialized views read, each with its target if set."""
        for row in self.r["statistics"]:
            if row["relation"] not in self.relations:
                continue
            self.emit(row["definition"])
            if row["target"] is not None and row["target"] >= 0:
                self.emit(f"ALTER STATISTICS {row['qname']} SET STATISTICS {row['target']}")

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
            rel = self.relations.get(row["relation"])
            if rel is not None:
                self.emit(row["definition"])
                state = _FIRING.get(row["enabled"])
                if state:
                    self.emit(f"ALTER TABLE {rel['qname']} {state} RULE {row['name']}")

    def _triggers(self) -> None:
        for row in self.r["triggers"]:
            rel = self.relations.get(row["relation"])
            if rel is None:
                continue
            self.emit(row["definition"])
            state = _FIRING.get(row["enabled"])
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
        for row in self.r["extensions"]:
            targets[("pg_extension", row["oid"], 0)] = f"EXTENSION {row['qname']}"
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
        for row in self.r["statistics"]:
            targets[("pg_statistic_ext", row["oid"], 0)] = f"STATISTICS {row['qname']}"
        return targets
