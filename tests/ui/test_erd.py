"""The diagram's layout: at 250 tables every box has its own place, every foreign key is drawn, keys
point left, and the filters keep what they say (one schema, a table and its neighbours)."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ElementTree

import pytest

from bench.ui_bench import TABLES, schema_ddl
from schemareg.model import ConstraintKind, Schema
from schemareg.normalize import normalize
from schemareg_api.ui.erd import COMPACT_AT, build_diagram, render_svg


@pytest.fixture(scope="module")
def big() -> Schema:
    return normalize(schema_ddl(TABLES, version=2), "postgres")


def _keys(schema: Schema) -> set[tuple[str, str]]:
    return {
        (f"{table.schema}.{table.name}", constraint.references or "")
        for table in schema.tables()
        for constraint in table.constraints
        if constraint.kind is ConstraintKind.FOREIGN_KEY
    }


def test_250_tables_get_a_place_each_and_every_key_is_drawn(big: Schema) -> None:
    diagram = build_diagram(big)
    assert len(diagram.boxes) == TABLES and diagram.compact
    for a, b in itertools.combinations(diagram.boxes.values(), 2):
        apart = a.x + a.width <= b.x or b.x + b.width <= a.x or a.y + a.height <= b.y or b.y + b.height <= a.y
        assert apart, f"{a.name} and {b.name} overlap"
    assert {(edge.source, edge.target) for edge in diagram.edges} == _keys(big)
    for edge in diagram.edges:  # the layers make every key point to an earlier column
        if edge.source != edge.target:
            assert diagram.boxes[edge.target].x < diagram.boxes[edge.source].x
    svg = ElementTree.fromstring(render_svg(diagram, lambda name: f"/t/{name}"))
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert len(svg.findall(".//svg:g[@class='erd-table']", ns)) == TABLES
    assert len(svg.findall(".//svg:path[@class='erd-fk']", ns)) == len(diagram.edges)


def test_compact_boxes_list_only_key_columns(big: Schema) -> None:
    diagram = build_diagram(big)
    for box in diagram.boxes.values():
        assert all(row.primary or row.foreign for row in box.rows)
    full = build_diagram(big, only_schema="billing")
    assert len(full.boxes) == TABLES // 5 <= COMPACT_AT and not full.compact
    assert all(box.hidden == 0 for box in full.boxes.values())
    assert {box.schema for box in full.boxes.values()} == {"billing"}


def test_a_table_and_its_neighbours(big: Schema) -> None:
    keys = _keys(big)
    start = "app.t100"
    near = {start} | {b for a, b in keys if a == start} | {a for a, b in keys if b == start}
    assert set(build_diagram(big, focus=start, depth=1).boxes) == near
    assert set(build_diagram(big, focus="t100", depth=0).boxes) == {start}  # a bare name finds it
    two = set(build_diagram(big, focus=start, depth=2).boxes)
    assert near < two
    assert build_diagram(big, focus="no_such_table").boxes == {}


def test_names_are_escaped_in_the_svg() -> None:
    schema = normalize('CREATE TABLE "a<b>&c" (id int PRIMARY KEY, "x<y" int);', "postgres")
    svg = render_svg(build_diagram(schema), lambda name: f"/t?name={name}&x=1")
    ElementTree.fromstring(svg)  # well-formed: every name and link escaped
    assert "<b>" not in svg and "a&lt;b&gt;&amp;c" in svg
