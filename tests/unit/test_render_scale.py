"""Rendering a schema costs in proportion to its size: the canonical schema.sql of twice the objects takes
about twice the work. Counted in Python function calls, not timed, so load cannot flake it; a step that
looks at every table once per table (a quadratic pass) doubles the ratio at these sizes."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable

from schemareg.diff import diff_schemas
from schemareg.model import Schema
from schemareg.normalize import normalize
from schemareg.render import render_schema_sql


def generated(groups: int) -> Schema:
    """`groups` of: a partitioned table with a sub-partitioned partition and a leaf under it, a plain table
    with a foreign key, an index on each, a sequence, a view and a function."""
    parts = []
    for n in range(groups):
        parts += [
            f"CREATE TABLE public.p{n} (id int, at date, note text) PARTITION BY RANGE (at);",
            f"CREATE TABLE public.p{n}_a PARTITION OF public.p{n} FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')"
            " PARTITION BY LIST (id);",
            f"CREATE TABLE public.p{n}_a1 PARTITION OF public.p{n}_a FOR VALUES IN (1);",
            f"CREATE INDEX p{n}_at ON public.p{n} (at);",
            f"CREATE TABLE public.t{n} (id bigint PRIMARY KEY, parent bigint REFERENCES public.t{max(n - 1, 0)} (id),"
            " name varchar(40) NOT NULL DEFAULT '');",
            f"CREATE INDEX t{n}_name ON public.t{n} (name);",
            f"CREATE SEQUENCE public.s{n};",
            f"CREATE VIEW public.v{n} AS SELECT id, name FROM public.t{n};",
            f"CREATE FUNCTION public.f{n}() RETURNS int LANGUAGE sql AS $$ SELECT {n} $$;",
        ]
    return normalize("\n".join(parts), cache=False)


def calls(work: Callable[[], object]) -> int:
    work()  # warm: the memoised quoting of names would count for whichever ran first
    profile = cProfile.Profile()
    profile.runcall(work)
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def growth(work: Callable[[Schema], object], small: int = 60) -> float:
    one, two = generated(small), generated(2 * small)
    return calls(lambda: work(two)) / calls(lambda: work(one))


def test_schema_sql_costs_in_proportion_to_the_schema() -> None:
    assert growth(render_schema_sql) < 2.3


def test_diffing_two_versions_costs_in_proportion_to_the_schema() -> None:
    small, big = generated(60), generated(120)
    grown = [generated(61), generated(121)]  # one more group: the usual change
    assert calls(lambda: diff_schemas(big, grown[1])) / calls(lambda: diff_schemas(small, grown[0])) < 2.3
