"""Property tests: generated schemas keep their fingerprint under every spelling the rules allow."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from schemareg.normalize import normalize

NAMES = st.sampled_from(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
TYPES = st.sampled_from(
    [
        ("integer", "int4"),
        ("bigint", "int8"),
        ("text", "text"),
        ("boolean", "bool"),
        ("character varying(20)", "varchar(20)"),
        ("timestamp with time zone", "timestamptz"),
        ("numeric(8,2)", "decimal(8,2)"),
        ("double precision", "float8"),
    ]
)


@st.composite
def schemas(draw: st.DrawFn) -> list[dict[str, object]]:
    tables = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    out = []
    for table in tables:
        columns = draw(
            st.lists(
                st.tuples(NAMES, TYPES, st.booleans(), st.booleans()),
                min_size=1,
                max_size=5,
                unique_by=lambda c: c[0],
            )
        )
        out.append({"name": f"t_{table}", "columns": columns, "serial": draw(st.booleans())})
    return out


def plain(schema: list[dict[str, object]]) -> list[str]:
    statements = []
    for table in schema:
        cols = ["id serial PRIMARY KEY" if table["serial"] else "id integer PRIMARY KEY"]
        for name, (canonical, _), not_null, default in table["columns"]:  # type: ignore[attr-defined]
            col = f"{name} {canonical}"
            if not_null:
                col += " NOT NULL"
            if default and canonical == "text":
                col += " DEFAULT 'x'"
            cols.append(col)
        statements.append(f"CREATE TABLE {table['name']} ({', '.join(cols)});")
    return statements


def respelled(schema: list[dict[str, object]], rng: random.Random) -> list[str]:
    """The same schema: aliases, case, quoting, comments, spacing, ALTER TABLE forms, expanded serials."""
    statements = []
    for table in schema:
        name = str(table["name"])
        qname = rng.choice([name, name.upper(), f'"{name}"', f"public.{name}", f'public."{name}"'])
        cols = []
        later = []
        if table["serial"]:
            statements.append(f"CREATE SEQUENCE public.{name}_id_seq AS integer START 1;")
            cols.append("id INT4 NOT NULL")
            later.append(
                f"ALTER TABLE {qname} ALTER COLUMN id SET DEFAULT nextval('{name}_id_seq'::regclass);"
            )
            later.append(f"ALTER SEQUENCE {name}_id_seq OWNED BY {name}.id;")
        else:
            cols.append("ID INT NOT NULL")
        later.append(f"ALTER TABLE ONLY {qname} ADD CONSTRAINT {name}_pkey PRIMARY KEY (id);")
        for col_name, (_, alias), not_null, default in table["columns"]:  # type: ignore[attr-defined]
            spelled = rng.choice([col_name, col_name.upper(), f'"{col_name}"'])
            col = f"{spelled}   {rng.choice([alias, alias.upper()])}"
            if not_null:
                col += rng.choice([" NOT NULL", " not null"])
            if default and alias == "text":
                if rng.random() < 0.5:
                    later.append(f"ALTER TABLE {qname} ALTER COLUMN {spelled} SET DEFAULT 'x'::text;")
                else:
                    col += " default 'x'"
            cols.append(col)
        statements.append(f"-- table {name}\ncreate table {qname} (\n  " + ",\n  ".join(cols) + "\n) ;")
        statements.extend(later)
    rng.shuffle(statements)
    # A sequence and its OWNED BY must exist before use; the default may come after the table.
    statements.sort(
        key=lambda s: 0 if s.startswith("CREATE SEQUENCE") else 2 if "OWNED BY" in s or "ALTER" in s else 1
    )
    return statements


@settings(max_examples=60, deadline=None)
@given(schemas(), st.randoms(use_true_random=False))
def test_spelling_never_changes_the_fingerprint(schema: list[dict[str, object]], rng: random.Random) -> None:
    expected = normalize("\n".join(plain(schema)), cache=False).fingerprint
    actual = normalize("\n".join(respelled(schema, rng)), cache=False).fingerprint
    assert actual == expected


@settings(max_examples=60, deadline=None)
@given(schemas(), st.data())
def test_any_real_change_changes_the_fingerprint(
    schema: list[dict[str, object]], data: st.DataObject
) -> None:
    statements = plain(schema)
    before = normalize("\n".join(statements), cache=False).fingerprint
    i = data.draw(st.integers(0, len(statements) - 1))
    change = data.draw(st.sampled_from(["extra column", "drop not null", "rename", "widen"]))
    mutated = list(statements)
    target = mutated[i]
    if change == "extra column":
        mutated[i] = target.replace(");", ", added_column integer);")
    elif change == "drop not null" and " NOT NULL" in target:
        mutated[i] = target.replace(" NOT NULL", "", 1)
    elif change == "rename":
        mutated[i] = target.replace("CREATE TABLE t_", "CREATE TABLE renamed_", 1)
    else:
        mutated[i] = target.replace("id integer PRIMARY KEY", "id bigint PRIMARY KEY").replace(
            "id serial PRIMARY KEY", "id bigserial PRIMARY KEY"
        )
    if mutated == statements:
        return
    assert normalize("\n".join(mutated), cache=False).fingerprint != before
