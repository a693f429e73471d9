"""The entity-relationship diagram of a version: tables, their keys and foreign keys, laid out here and
drawn as SVG on the server (no script, no network).

Layout: tables are placed in layers so that every foreign key points left, to a table in an earlier
layer (the longest path to a table that references nothing); within a layer they are ordered by where
their referenced tables sit, and a layer taller than a screen wraps into further columns. Tables with no
key to or from any shown table go in a grid after the layers. Past `COMPACT_AT` shown tables a box lists
only its key columns, so 250 tables still fit in a few screens; filtering by schema or by a table and its
neighbours brings back every column.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape

from schemareg.model import ConstraintKind, Schema, Table, qualified

__all__ = ["COMPACT_AT", "Diagram", "build_diagram", "render_svg"]

COMPACT_AT = 60
CHAR = 7.2  # px per character of the 12 px monospace font the CSS sets
ROW = 18
HEADER = 24
PAD = 8
GAP_X = 90
GAP_Y = 22
MAX_COLUMN_HEIGHT = 1400


@dataclass(slots=True)
class Row:
    name: str
    type: str
    primary: bool
    foreign: str | None  # the referenced table
    nullable: bool


@dataclass(slots=True)
class Box:
    name: str  # schema-qualified
    schema: str
    rows: list[Row]
    hidden: int  # columns left out in compact mode
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0

    def row_y(self, column: str | None) -> float:
        """The vertical middle of a column's row (of the header when the column is not shown)."""
        for index, row in enumerate(self.rows):
            if row.name == column:
                return self.y + HEADER + index * ROW + ROW / 2
        return self.y + HEADER / 2


@dataclass(frozen=True, slots=True)
class Edge:
    source: str  # the referencing table
    column: str | None
    target: str  # the referenced table
    target_column: str | None
    constraint: str


@dataclass(slots=True)
class Diagram:
    boxes: dict[str, Box]
    edges: list[Edge]
    total: int  # tables in the version
    schemas: dict[str, int]  # tables per schema, for the filter
    compact: bool
    outside: int  # foreign keys to tables that are not shown
    width: float = 0.0
    height: float = 0.0
    names: list[str] = field(default_factory=list)  # every table, for the focus picker


def build_diagram(
    schema: Schema, *, only_schema: str | None = None, focus: str | None = None, depth: int = 1
) -> Diagram:
    """Choose the tables (one schema, or a table and its neighbours up to `depth` keys away), then lay
    them out. `focus` may be qualified or bare (the first table of that name)."""
    tables = {qualified(table.schema, table.name): table for table in schema.tables()}
    links = _links(tables)
    chosen = set(tables)
    if only_schema:
        chosen = {name for name, table in tables.items() if table.schema == only_schema}
    if focus:
        start = _find(tables, focus)
        chosen = _neighbourhood(start, links, depth) if start else set()
    compact = len(chosen) > COMPACT_AT
    boxes = {name: _box(tables[name], compact) for name in sorted(chosen)}
    edges = [edge for edge in links if edge.source in chosen and edge.target in chosen]
    outside = sum(1 for edge in links if edge.source in chosen and edge.target not in chosen)
    schemas: dict[str, int] = {}
    for table in tables.values():
        schemas[table.schema] = schemas.get(table.schema, 0) + 1
    diagram = Diagram(
        boxes=boxes,
        edges=edges,
        total=len(tables),
        schemas=dict(sorted(schemas.items())),
        compact=compact,
        outside=outside,
        names=sorted(tables),
    )
    _layout(diagram)
    return diagram


def _links(tables: dict[str, Table]) -> list[Edge]:
    edges: list[Edge] = []
    for name, table in tables.items():
        for constraint in table.constraints:
            if constraint.kind is not ConstraintKind.FOREIGN_KEY or not constraint.references:
                continue
            target = constraint.references
            if target not in tables:
                continue
            target_table = tables[target]
            edges.append(
                Edge(
                    source=name,
                    column=constraint.columns[0] if constraint.columns else None,
                    target=target,
                    target_column=_primary_columns(target_table)[0]
                    if _primary_columns(target_table)
                    else None,
                    constraint=constraint.name,
                )
            )
    return sorted(edges, key=lambda edge: (edge.source, edge.constraint))


def _find(tables: dict[str, Table], name: str) -> str | None:
    if name in tables:
        return name
    return next((key for key, table in sorted(tables.items()) if table.name == name), None)


def _neighbourhood(start: str, edges: Iterable[Edge], depth: int) -> set[str]:
    adjacent: dict[str, set[str]] = {}
    for edge in edges:
        adjacent.setdefault(edge.source, set()).add(edge.target)
        adjacent.setdefault(edge.target, set()).add(edge.source)
    seen, frontier = {start}, {start}
    for _ in range(max(depth, 0)):
        frontier = {near for name in frontier for near in adjacent.get(name, ())} - seen
        if not frontier:
            break
        seen |= frontier
    return seen


def _primary_columns(table: Table) -> tuple[str, ...]:
    for constraint in table.constraints:
        if constraint.kind is ConstraintKind.PRIMARY_KEY:
            return constraint.columns
    return ()


def _box(table: Table, compact: bool) -> Box:
    primary = set(_primary_columns(table))
    foreign: dict[str, str] = {}
    for constraint in table.constraints:
        if constraint.kind is ConstraintKind.FOREIGN_KEY and constraint.references:
            for column in constraint.columns:
                foreign.setdefault(column, constraint.references)
    rows = [
        Row(column.name, column.type, column.name in primary, foreign.get(column.name), column.nullable)
        for column in table.columns
    ]
    shown = [row for row in rows if row.primary or row.foreign] if compact else rows
    name = qualified(table.schema, table.name)
    box = Box(name=name, schema=table.schema, rows=shown, hidden=len(rows) - len(shown))
    longest = max([len(name) + 2, *(len(row.name) + len(row.type) + 5 for row in shown)])
    box.width = math.ceil(longest * CHAR + 2 * PAD)
    box.height = HEADER + ROW * (len(shown) + (1 if box.hidden else 0)) + 4
    return box


def _layout(diagram: Diagram) -> None:
    boxes = diagram.boxes
    parents: dict[str, set[str]] = {name: set() for name in boxes}
    linked: set[str] = set()
    for edge in diagram.edges:
        if edge.source != edge.target:
            parents[edge.source].add(edge.target)
            linked |= {edge.source, edge.target}
    layer = _layers(parents, sorted(linked))
    by_layer: dict[int, list[str]] = {}
    for name in sorted(linked):
        by_layer.setdefault(layer[name], []).append(name)

    x = 0.0
    position: dict[str, float] = {}
    height = 0.0
    for index in sorted(by_layer):
        names = by_layer[index]
        # Barycentre of the referenced tables, so a key's line runs roughly level.
        names.sort(
            key=lambda name: (
                sum(position.get(p, 0.0) for p in parents[name]) / max(len(parents[name]), 1),
                name,
            )
        )
        x, column_height = _stack(boxes, names, x, 0.0, position)
        height = max(height, column_height)
    alone = sorted(set(boxes) - linked)
    if alone:
        top = height + (GAP_Y * 3 if height else 0.0)
        height = max(height, _grid(boxes, alone, top, max(x - GAP_X, 900.0)))
        x = max(x, max(box.x + box.width for name, box in boxes.items() if name in alone) + GAP_X)
    diagram.width = max(x - GAP_X, 0.0) + 2 * PAD
    diagram.height = height + 2 * PAD


def _layers(parents: dict[str, set[str]], names: list[str]) -> dict[str, int]:
    """Longest path to a table that references nothing; a cycle is cut where the walk meets it."""
    layer: dict[str, int] = {}
    active: set[str] = set()

    def visit(name: str) -> int:
        if name in layer:
            return layer[name]
        if name in active:
            return -1
        active.add(name)
        depth = 1 + max((visit(parent) for parent in sorted(parents[name])), default=-1)
        active.discard(name)
        layer[name] = depth
        return depth

    for name in names:
        visit(name)
    return layer


def _stack(
    boxes: dict[str, Box], names: list[str], x: float, top: float, position: dict[str, float]
) -> tuple[float, float]:
    """Stack boxes downwards from `top`, wrapping into a new column past MAX_COLUMN_HEIGHT."""
    y, width, tallest = top, 0.0, 0.0
    for name in names:
        box = boxes[name]
        if y > top and y + box.height > top + MAX_COLUMN_HEIGHT:
            x += width + GAP_X / 2
            y, width = top, 0.0
        box.x, box.y = x + PAD, y + PAD
        position[name] = y
        y += box.height + GAP_Y
        width = max(width, box.width)
        tallest = max(tallest, y - GAP_Y)
    return x + width + GAP_X, tallest


def _grid(boxes: dict[str, Box], names: list[str], top: float, row_width: float) -> float:
    x, y, line = 0.0, top, 0.0
    for name in names:
        box = boxes[name]
        if x and x + box.width > row_width:
            x, y, line = 0.0, y + line + GAP_Y, 0.0
        box.x, box.y = x + PAD, y + PAD
        x += box.width + GAP_Y
        line = max(line, box.height)
    return y + line


def render_svg(diagram: Diagram, link: Callable[[str], str]) -> str:
    """The diagram as one SVG element; `link(table)` is where a click on a table's name goes."""
    width, height = max(diagram.width, 200.0), max(diagram.height, 60.0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="erd" width="{width:.0f}" height="{height:.0f}"'
        f' viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="entity-relationship diagram">'
    ]
    out.append('<g class="erd-edges">')
    for edge in diagram.edges:
        out.append(_edge_path(diagram.boxes[edge.source], diagram.boxes[edge.target], edge))
    out.append("</g>")
    for box in diagram.boxes.values():
        out.append(_box_svg(box, link(box.name)))
    out.append("</svg>")
    return "".join(out)


def _edge_path(source: Box, target: Box, edge: Edge) -> str:
    y1, y2 = source.row_y(edge.column), target.row_y(edge.target_column)
    label = escape(f"{edge.source}.{edge.column or ''} -> {edge.target} ({edge.constraint})")
    if source is target:
        x = source.x + source.width
        d = f"M{x:.1f},{y1:.1f} C{x + 40:.1f},{y1:.1f} {x + 40:.1f},{y2:.1f} {x:.1f},{y2:.1f}"
    else:
        if target.x + target.width <= source.x:  # the usual case: the referenced table is to the left
            x1, c1, x2, c2 = source.x, -1.0, target.x + target.width, 1.0
        elif source.x + source.width <= target.x:
            x1, c1, x2, c2 = source.x + source.width, 1.0, target.x, -1.0
        else:  # the same column: go round on the left
            x1, c1, x2, c2 = source.x, -1.0, target.x, -1.0
        bend = max(abs(x2 - x1) / 2, 40.0)
        c1, c2 = x1 + c1 * bend, x2 + c2 * bend
        d = f"M{x1:.1f},{y1:.1f} C{c1:.1f},{y1:.1f} {c2:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
    return f'<path class="erd-fk" d="{d}"><title>{label}</title></path>'


def _box_svg(box: Box, href: str) -> str:
    x, y, w = box.x, box.y, box.width
    parts = [
        f'<g class="erd-table" data-table="{escape(box.name)}">',
        f'<rect class="erd-box" x="{x:.1f}" y="{y:.1f}" width="{w:.0f}" height="{box.height:.0f}" rx="4"/>',
        f'<rect class="erd-head" x="{x:.1f}" y="{y:.1f}" width="{w:.0f}" height="{HEADER}" rx="4"/>',
        f'<a href="{escape(href)}"><text class="erd-title" x="{x + PAD:.1f}" y="{y + 16:.1f}">'
        f"{escape(box.name)}</text></a>",
    ]
    for index, row in enumerate(box.rows):
        ty = y + HEADER + index * ROW + 13
        mark = "PK" if row.primary else ("FK" if row.foreign else "")
        classes = "erd-col" + (" erd-pk" if row.primary else "") + (" erd-fkcol" if row.foreign else "")
        tip = (
            f"<title>{escape(row.name)} {escape(row.type)} references {escape(row.foreign)}</title>"
            if row.foreign
            else ""
        )
        parts.append(
            f'<text class="{classes}" x="{x + PAD:.1f}" y="{ty:.1f}">{tip}'
            f'<tspan class="erd-mark">{mark:<2}</tspan> {escape(row.name)}'
            f'<tspan class="erd-type"> {escape(row.type.lower())}{"" if row.nullable else " !"}</tspan></text>'
        )
    if box.hidden:
        ty = y + HEADER + len(box.rows) * ROW + 13
        parts.append(f'<text class="erd-more" x="{x + PAD:.1f}" y="{ty:.1f}">+{box.hidden} columns</text>')
    parts.append("</g>")
    return "".join(parts)
