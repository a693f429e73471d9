"""The inspector's direct path reads names and a serial's default itself (`pg_direct`): each reading is
the normaliser's own, on any name `quote_ident` can write and any sequence `nextval` can name."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from schemareg.introspect import pg_direct
from schemareg.normalize import ops
from schemareg.normalize.compile import Compiler
from schemareg.normalize.context import Context

CONTEXT = Context("postgres")
COMPILER = Compiler("postgres")
# Names as the catalog holds them: any characters, quotes and dots included, up to PostgreSQL's 63 bytes.
NAMES = st.text(alphabet=st.sampled_from("abcxyz_$09AZ .\"'é-"), min_size=1, max_size=64).filter(
    lambda n: len(n.encode()) <= 63
)


def quote_ident(name: str) -> str:
    """PostgreSQL's quote_ident, but for keywords (a keyword bare or quoted reads the same here)."""
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"' + name.replace('"', '""') + '"'


@given(NAMES)
def test_a_name_reads_as_the_normaliser_reads_it(name: str) -> None:
    assert pg_direct.unquote(quote_ident(name)) == CONTEXT.unquote(quote_ident(name))


@given(NAMES, st.one_of(st.none(), NAMES))
def test_a_qualified_name_reads_as_the_normaliser_reads_it(name: str, schema: str | None) -> None:
    text = quote_ident(name) if schema is None else f"{quote_ident(schema)}.{quote_ident(name)}"
    assert pg_direct.read_name(text) == CONTEXT.read_name(text)
    assert pg_direct.qualified(text) == CONTEXT.read_qualified_name(text)


@given(NAMES, st.one_of(st.none(), NAMES), st.sampled_from(["bigint", "integer", "smallint"]))
def test_a_serials_default_reads_as_the_normaliser_reads_it(name: str, schema: str | None, kind: str) -> None:
    """`nextval('<sequence>'::regclass)` as PostgreSQL prints it (regclass output, in a string literal)."""
    sequence = quote_ident(name) if schema is None else f"{quote_ident(schema)}.{quote_ident(name)}"
    printed = "nextval('" + sequence.replace("'", "''") + "'::regclass)"
    compiled = COMPILER.compile(f"CREATE TABLE public.t (\n    c {kind} DEFAULT {printed} NOT NULL\n)")
    assert len(compiled) == 1 and isinstance(compiled[0], ops.CreateTable)
    assert pg_direct.nextval_default(printed) == compiled[0].table.columns[0].default


def test_only_a_serials_default_is_read_directly() -> None:
    for other in (
        None,
        "0",
        "now()",
        "nextval('s'::text)",
        "nextval(('s'::text)::regclass)",
        "upper(nextval('s'::regclass))",
    ):
        assert pg_direct.nextval_default(other) is None
