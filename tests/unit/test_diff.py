"""The differ on hand-built models: change kinds, severities, renames, rules and determinism."""

from __future__ import annotations

import random

import msgspec
import pytest

from schemareg.changelog import decode_json, render_json, render_markdown, render_text
from schemareg.diff import (
    Change,
    ChangeType,
    Diff,
    DiffRules,
    Semver,
    Severity,
    diff_schemas,
    rules_from_mapping,
    rules_from_toml,
)
from schemareg.errors import InputError
from schemareg.model import (
    Column,
    Constraint,
    ConstraintKind,
    Definition,
    Index,
    Kind,
    Schema,
    SchemaObject,
    Sequence,
    Table,
    key_of,
)
from schemareg.types import TypeChange, classify_type_change


def schema(*objects: SchemaObject) -> Schema:
    return Schema(dialect="postgres", objects={key_of(obj): obj for obj in objects})


def users(**changes: object) -> Table:
    table = Table(
        schema="public",
        name="users",
        columns=[
            Column(name="id", type="bigint", nullable=False),
            Column(name="email", type="character varying(100)", nullable=False),
            Column(name="name", type="text"),
            Column(name="created_at", type="timestamp with time zone", nullable=False, default="now()"),
        ],
        constraints=[
            Constraint(
                name="users_pkey",
                kind=ConstraintKind.PRIMARY_KEY,
                definition="PRIMARY KEY (id)",
                columns=("id",),
            )
        ],
        indexes=[Index(name="users_name_idx", definition="USING btree (name)", columns=("name",))],
    )
    return msgspec.structs.replace(table, **changes)


def with_column(table: Table, name: str, **changes: object) -> Table:
    columns = [msgspec.structs.replace(c, **changes) if c.name == name else c for c in table.columns]
    return msgspec.structs.replace(table, columns=columns)


def only(diff: Diff) -> Change:
    assert len(diff.changes) == 1, diff.changes
    return diff.changes[0]


def test_equal_schemas_give_an_empty_diff() -> None:
    diff = diff_schemas(schema(users()), schema(users()))
    assert diff.empty
    assert diff.semver is Semver.NONE


def test_table_added_and_removed() -> None:
    extra = Table(schema="public", name="audit", columns=[Column(name="at", type="date")])
    added = only(diff_schemas(schema(users()), schema(users(), extra)))
    assert (added.change, added.kind, added.object, added.severity) == (
        ChangeType.ADD,
        "table",
        "public.audit",
        Severity.SAFE,
    )
    removed = diff_schemas(schema(users(), extra), schema(users()))
    assert only(removed).severity is Severity.BREAKING
    assert removed.semver is Semver.MAJOR


def test_column_added_nullable_is_safe_and_not_null_without_default_is_breaking() -> None:
    nullable = users(columns=[*users().columns, Column(name="bio", type="text")])
    change = only(diff_schemas(schema(users()), schema(nullable)))
    assert (change.change, change.kind, change.name, change.severity) == (
        ChangeType.ADD,
        "column",
        "bio",
        Severity.SAFE,
    )
    assert diff_schemas(schema(users()), schema(nullable)).semver is Semver.MINOR

    strict = users(columns=[*users().columns, Column(name="bio", type="text", nullable=False)])
    assert only(diff_schemas(schema(users()), schema(strict))).severity is Severity.BREAKING

    defaulted = users(
        columns=[*users().columns, Column(name="bio", type="text", nullable=False, default="''")]
    )
    assert only(diff_schemas(schema(users()), schema(defaulted))).severity is Severity.SAFE


def test_column_removed_is_breaking() -> None:
    fewer = users(columns=[c for c in users().columns if c.name != "name"])
    change = only(diff_schemas(schema(users()), schema(fewer)))
    assert (change.change, change.name, change.severity) == (ChangeType.REMOVE, "name", Severity.BREAKING)


@pytest.mark.parametrize(
    ("before", "after", "severity"),
    [
        ("character varying(100)", "character varying(200)", Severity.SAFE),
        ("character varying(100)", "text", Severity.SAFE),
        ("character varying(100)", "character varying(50)", Severity.BREAKING),
        ("character varying(100)", "integer", Severity.BREAKING),
    ],
)
def test_type_change_severity(before: str, after: str, severity: Severity) -> None:
    old = with_column(users(), "email", type=before)
    new = with_column(users(), "email", type=after)
    change = only(diff_schemas(schema(old), schema(new)))
    assert change.what == ("type",)
    assert (change.before, change.after, change.severity) == (before, after, severity)


def test_not_null_added_without_default_is_breaking_with_default_risky() -> None:
    change = only(diff_schemas(schema(users()), schema(with_column(users(), "name", nullable=False))))
    assert (change.what, change.severity) == (("nullable",), Severity.BREAKING)
    both = only(
        diff_schemas(schema(users()), schema(with_column(users(), "name", nullable=False, default="'x'")))
    )
    assert both.what == ("nullable", "default")
    assert both.severity is Severity.RISKY
    relaxed = only(diff_schemas(schema(users()), schema(with_column(users(), "email", nullable=True))))
    assert relaxed.severity is Severity.SAFE


@pytest.mark.parametrize(
    ("attribute", "value", "severity"),
    [
        ("default", "'anon'", Severity.SAFE),
        ("identity", "BY DEFAULT", Severity.RISKY),
        ("identity", "ALWAYS", Severity.BREAKING),
        ("generated", "upper(email)", Severity.BREAKING),
        ("collation", '"C"', Severity.RISKY),
        ("comment", "display name", Severity.SAFE),
    ],
)
def test_every_column_flag(attribute: str, value: str, severity: Severity) -> None:
    change = only(diff_schemas(schema(users()), schema(with_column(users(), "name", **{attribute: value}))))
    assert change.what == (attribute,)
    assert change.severity is severity


def test_default_removed_from_not_null_column_is_breaking() -> None:
    old = users()
    new = with_column(old, "created_at", default=None)
    assert only(diff_schemas(schema(old), schema(new))).severity is Severity.BREAKING


def test_column_moved_is_safe_and_a_patch() -> None:
    columns = users().columns
    moved = users(columns=[columns[0], columns[2], columns[1], columns[3]])
    diff = diff_schemas(schema(users()), schema(moved))
    change = only(diff)
    assert (change.change, change.severity) == (ChangeType.MOVE, Severity.SAFE)
    assert diff.semver is Semver.PATCH
    assert diff_schemas(schema(users()), schema(moved), rules=DiffRules(ignore_column_order=True)).empty


def test_column_rename_is_reported_as_possible_rename() -> None:
    renamed = users(
        columns=[
            c if c.name != "name" else msgspec.structs.replace(c, name="full_name") for c in users().columns
        ]
    )
    change = only(diff_schemas(schema(users()), schema(renamed)))
    assert (change.change, change.name, change.before, change.after) == (
        ChangeType.POSSIBLE_RENAME,
        "name",
        "name",
        "full_name",
    )
    assert change.severity is Severity.BREAKING


def test_a_different_column_in_another_place_is_not_a_rename() -> None:
    columns = [c for c in users().columns if c.name != "name"] + [Column(name="age", type="integer")]
    kinds = {c.change for c in diff_schemas(schema(users()), schema(users(columns=columns))).changes}
    assert kinds == {ChangeType.ADD, ChangeType.REMOVE}


def test_table_rename_is_reported_as_possible_rename() -> None:
    renamed = users(name="accounts")
    change = only(diff_schemas(schema(users()), schema(renamed)))
    assert (change.change, change.object, change.after) == (
        ChangeType.POSSIBLE_RENAME,
        "public.users",
        "public.accounts",
    )


def test_constraints_added_removed_modified_renamed() -> None:
    unique = Constraint(
        name="users_email_key", kind=ConstraintKind.UNIQUE, definition="UNIQUE (email)", columns=("email",)
    )
    check = Constraint(name="users_email_check", kind=ConstraintKind.CHECK, definition="CHECK (email <> '')")
    base = users()
    plus_unique = users(constraints=[*base.constraints, unique])
    assert only(diff_schemas(schema(base), schema(plus_unique))).severity is Severity.BREAKING
    assert only(diff_schemas(schema(plus_unique), schema(base))).severity is Severity.RISKY

    plus_check = users(constraints=[*base.constraints, check])
    assert only(diff_schemas(schema(base), schema(plus_check))).severity is Severity.RISKY
    assert only(diff_schemas(schema(plus_check), schema(base))).severity is Severity.SAFE

    changed = users(
        constraints=[*base.constraints, msgspec.structs.replace(check, definition="CHECK (email LIKE '%@%')")]
    )
    modified = only(diff_schemas(schema(plus_check), schema(changed)))
    assert (modified.change, modified.kind, modified.what) == (
        ChangeType.MODIFY,
        "constraint",
        ("definition",),
    )

    renamed = users(constraints=[*base.constraints, msgspec.structs.replace(check, name="email_not_empty")])
    change = only(diff_schemas(schema(plus_check), schema(renamed)))
    assert (change.change, change.severity) == (ChangeType.POSSIBLE_RENAME, Severity.SAFE)


def test_indexes_added_removed_modified() -> None:
    base = users()
    unique = Index(name="users_email_idx", definition="USING btree (email)", unique=True, columns=("email",))
    plus = users(indexes=[*base.indexes, unique])
    added = only(diff_schemas(schema(base), schema(plus)))
    assert (added.change, added.kind, added.severity) == (ChangeType.ADD, "index", Severity.BREAKING)
    removed = only(diff_schemas(schema(plus), schema(base)))
    assert (removed.change, removed.severity) == (ChangeType.REMOVE, Severity.RISKY)
    rebuilt = users(indexes=[Index(name="users_name_idx", definition="USING hash (name)", columns=("name",))])
    modified = only(diff_schemas(schema(base), schema(rebuilt)))
    assert (modified.change, modified.what, modified.severity) == (
        ChangeType.MODIFY,
        ("definition",),
        Severity.RISKY,
    )


def test_definitions_and_sequences() -> None:
    view = Definition(kind=Kind.VIEW, schema="public", name="v", sql="CREATE VIEW public.v AS SELECT 1")
    changed = msgspec.structs.replace(view, sql="CREATE VIEW public.v AS SELECT 2")
    change = only(diff_schemas(schema(view), schema(changed)))
    assert (change.change, change.kind, change.what, change.severity) == (
        ChangeType.MODIFY,
        "view",
        ("definition",),
        Severity.RISKY,
    )
    commented = msgspec.structs.replace(view, comment="hello")
    assert only(diff_schemas(schema(view), schema(commented))).severity is Severity.SAFE

    sequence = Sequence(schema="public", name="s", options="START WITH 1")
    faster = msgspec.structs.replace(sequence, options="START WITH 1 INCREMENT BY 2")
    assert only(diff_schemas(schema(sequence), schema(faster))).kind == "sequence"
    trigger = Definition(kind=Kind.TRIGGER, schema="public", name="users.t", sql="CREATE TRIGGER t ...")
    assert only(diff_schemas(schema(), schema(trigger))).severity is Severity.RISKY


def test_table_level_attributes() -> None:
    change = only(diff_schemas(schema(users()), schema(users(comment="people"))))
    assert (change.kind, change.name, change.what, change.severity) == (
        "table",
        None,
        ("comment",),
        Severity.SAFE,
    )
    options = only(diff_schemas(schema(users()), schema(users(options="UNLOGGED"))))
    assert options.severity is Severity.RISKY


def test_rules_ignore_objects_comments_and_kinds() -> None:
    extra = Table(schema="audit", name="log", columns=[Column(name="at", type="date")])
    new = schema(users(comment="people"), extra)
    assert diff_schemas(
        schema(users()), new, rules=DiffRules(ignore_objects=("audit.*",), ignore_comments=True)
    ).empty
    assert diff_schemas(
        schema(users()), new, rules=DiffRules(ignore_objects=("log",), ignore_kinds=("table",))
    ).empty
    both = with_column(users(), "name", comment="x", type="character varying(10)")
    kept = only(diff_schemas(schema(users()), schema(both), rules=DiffRules(ignore_comments=True)))
    assert kept.what == ("type",)
    columns = users().columns[:-1]
    no_created = diff_schemas(
        schema(users()),
        schema(users(columns=columns)),
        rules=DiffRules(ignore_objects=("public.users.created_*",)),
    )
    assert no_created.empty


def test_rules_from_mapping_and_toml() -> None:
    rules = rules_from_mapping({"ignore-objects": ["tmp_*"], "ignore_column_order": True})
    assert rules == DiffRules(ignore_objects=("tmp_*",), ignore_column_order=True)
    text = '[project]\nname = "x"\n[diff]\nignore_comments = true\nignore_objects = ["audit.*"]\n'
    assert rules_from_toml(text) == DiffRules(ignore_objects=("audit.*",), ignore_comments=True)
    assert rules_from_toml("") == DiffRules()
    with pytest.raises(InputError, match="ignore_everything"):
        rules_from_mapping({"ignore_everything": True})
    with pytest.raises(InputError):
        rules_from_mapping({"ignore_comments": "yes please"})


def _shuffled(value: Schema, seed: int, inside: set[object]) -> Schema:
    """The same schema in another order (constraints and indexes too, for tables in `inside`: the
    renderer of a whole added table relies on the normaliser's sorted lists)."""
    rng = random.Random(seed)
    items = list(value.objects.items())
    rng.shuffle(items)
    objects: dict[object, SchemaObject] = {}
    for key, obj in items:
        if isinstance(obj, Table) and key in inside:
            constraints, indexes = list(obj.constraints), list(obj.indexes)
            rng.shuffle(constraints)
            rng.shuffle(indexes)
            obj = msgspec.structs.replace(obj, constraints=constraints, indexes=indexes)
        objects[key] = obj
    return Schema(dialect=value.dialect, objects=objects)  # type: ignore[arg-type]


def test_output_does_not_depend_on_input_order() -> None:
    def tables(prefix: str, count: int, extra: bool) -> list[SchemaObject]:
        result: list[SchemaObject] = []
        for number in range(count):
            table = users(name=f"{prefix}{number}")
            if extra and number % 3 == 0:
                table = users(
                    name=f"{prefix}{number}",
                    columns=[*table.columns, Column(name="x", type="integer", nullable=False)],
                    constraints=[
                        *table.constraints,
                        Constraint(name=f"c{number}", kind=ConstraintKind.CHECK, definition="CHECK (x > 0)"),
                        Constraint(name=f"d{number}", kind=ConstraintKind.UNIQUE, definition="UNIQUE (x)"),
                    ],
                    indexes=[Index(name=f"i{number}", definition="USING btree (x)"), *table.indexes],
                )
            result.append(table)
        return result

    before = schema(*tables("t", 12, extra=False), *tables("gone", 2, extra=False))
    after = schema(*tables("t", 12, extra=True), *tables("new", 2, extra=True))
    expected = render_json(diff_schemas(before, after))
    common = set(before.objects) & set(after.objects)
    for seed in range(5):
        shuffled = diff_schemas(_shuffled(before, seed, common), _shuffled(after, seed + 100, common))
        assert render_json(shuffled) == expected


def test_json_shape_and_round_trip() -> None:
    diff = diff_schemas(
        schema(users()), schema(users(columns=users().columns[:-1])), from_label="v1", to_label="v2"
    )
    document = msgspec.json.decode(render_json(diff))
    assert set(document) == {"from", "to", "semver", "changes"}
    assert document["from"] == "v1"
    assert {"change", "kind", "object", "name", "what", "before", "after", "severity"} <= set(
        document["changes"][0]
    )
    assert decode_json(render_json(diff)) == diff


def test_markdown_follows_the_template() -> None:
    voice = Table(schema="public", name="voice_recordings", columns=[Column(name="id", type="bigint")])
    temp = Table(schema="public", name="temp_negotiations", columns=[Column(name="id", type="text")])
    negotiations = Table(schema="public", name="negotiations", columns=[Column(name="id", type="bigint")])
    voiced = msgspec.structs.replace(
        negotiations, columns=[*negotiations.columns, Column(name="voice_enabled", type="boolean")]
    )
    diff = diff_schemas(schema(negotiations, temp), schema(voiced, voice))
    text = render_markdown(diff, "v1.2.0")
    assert text.startswith("# Schema Version v1.2.0\n")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# Schema Version v1.2.0",
        "## Changes in This Version",
        "### Added",
        "### Modified",
        "### Removed",
        "## Breaking Changes",
        "## Migration Notes",
        "## Rollback Procedure",
    ]
    assert "- `voice_recordings` table" in text
    assert "- `negotiations` table: added `voice_enabled` column" in text
    assert "- `temp_negotiations` table" in text
    breaking = text.split("## Breaking Changes")[1].split("## Migration Notes")[0]
    assert "`temp_negotiations` table: removed." in breaking


def test_text_summary() -> None:
    assert "no differences" in render_text(diff_schemas(schema(users()), schema(users())))
    text = render_text(diff_schemas(schema(users()), schema(users(columns=users().columns[:-1]))))
    assert "breaking" in text and "public.users.created_at" in text


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("integer", "bigint", TypeChange.WIDENING),
        ("bigint", "integer", TypeChange.NARROWING),
        ("numeric(10,2)", "numeric(12,2)", TypeChange.WIDENING),
        ("numeric(10,2)", "numeric(10,3)", TypeChange.NARROWING),
        ("integer", "numeric", TypeChange.WIDENING),
        ("real", "double precision", TypeChange.WIDENING),
        ("character varying", "text", TypeChange.WIDENING),
        ("text", "character varying(10)", TypeChange.NARROWING),
        ("uuid", "text", TypeChange.TO_TEXT),
        ("text", "uuid", TypeChange.CONVERSION),
        ("timestamp without time zone", "timestamp with time zone", TypeChange.CONVERSION),
        ("int unsigned", "bigint", TypeChange.WIDENING),
        ("int", "int unsigned", TypeChange.NARROWING),
        ("integer[]", "bigint[]", TypeChange.WIDENING),
        ("varchar(20)", "varchar(20)", TypeChange.SAME),
        # Bare bpchar is blank-padded without a limit; only char and character mean one character bare.
        ("bpchar", "character(5)", TypeChange.NARROWING),
        ("character(5)", "bpchar", TypeChange.WIDENING),
        ("character", "bpchar", TypeChange.WIDENING),
        ("bpchar", "char", TypeChange.NARROWING),
        ("bpchar", "text", TypeChange.WIDENING),
    ],
)
def test_classify_type_change(before: str, after: str, expected: TypeChange) -> None:
    assert classify_type_change(before, after) is expected


def test_a_key_put_on_the_partitions_it_lacked_is_a_modified_key() -> None:
    """ALTER TABLE ONLY's key, not yet on a partition, and the same key on all: two schemas, and the diff
    says which key changed and how."""
    from schemareg.normalize import normalize

    tables = (
        "CREATE TABLE p (id int NOT NULL, k text NOT NULL) PARTITION BY LIST (k);"
        "CREATE TABLE p1 PARTITION OF p FOR VALUES IN ('1');"
        "ALTER TABLE ONLY p ADD CONSTRAINT p_pk PRIMARY KEY (k, id);"
    )
    unfinished = normalize(tables, cache=False)
    finished = normalize(
        tables + "ALTER TABLE p1 ADD CONSTRAINT p1_pk PRIMARY KEY (k, id);"
        "ALTER INDEX p_pk ATTACH PARTITION p1_pk;",
        cache=False,
    )
    found = {(c.change, c.object, c.before, c.after) for c in diff_schemas(unfinished, finished).changes}
    assert (
        ChangeType.MODIFY,
        "public.p",
        "PRIMARY KEY (k, id) (not on public.p1)",
        "PRIMARY KEY (k, id)",
    ) in {(change, obj.split(" ")[0], before, after) for change, obj, before, after in found}, found


def test_a_generated_column_made_virtual_is_a_generated_change() -> None:
    from schemareg.normalize import normalize

    stored = normalize("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);", cache=False)
    virtual = normalize("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL);", cache=False)
    assert stored.fingerprint != virtual.fingerprint
    changes = diff_schemas(stored, virtual).changes
    assert [(c.kind.value, c.name, tuple(c.what)) for c in changes] == [("column", "b", ("generated",))]
