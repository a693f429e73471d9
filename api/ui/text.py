"""Text for the pages: SQL highlighted with Pygments, markdown rendered with markdown-it, and the
line-by-line diff of two objects' canonical DDL, unified or side by side."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import MySqlLexer, PostgresLexer, SqlLexer

__all__ = [
    "CSS_CLASS",
    "DiffLine",
    "SplitRow",
    "diff_table",
    "highlight_css",
    "highlight_sql",
    "render_markdown",
    "side_by_side",
    "unified",
]

CSS_CLASS = "hl"
_FORMATTER = HtmlFormatter(cssclass=CSS_CLASS)
# Raw HTML in markdown is not passed through: the changelog quotes names and defaults from the schema.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


@lru_cache(maxsize=8)
def _lexer(dialect: str) -> Lexer:
    if dialect == "postgres":
        return PostgresLexer()
    if dialect == "mysql":
        return MySqlLexer()
    return SqlLexer()


def highlight_sql(sql: str, dialect: str) -> Markup:
    return Markup(highlight(sql, _lexer(dialect), _FORMATTER))


def highlight_css() -> str:
    """The stylesheet of the highlighted code (static/pygments.css is this text; a test checks it)."""
    return str(_FORMATTER.get_style_defs(f".{CSS_CLASS}")) + "\n"


def render_markdown(text: str) -> Markup:
    return Markup(_MARKDOWN.render(text))


@dataclass(frozen=True, slots=True)
class DiffLine:
    tag: str  # " " same, "-" removed, "+" added, "@" hunk header
    old: int | None
    new: int | None
    text: str


@dataclass(frozen=True, slots=True)
class SplitRow:
    tag: str  # equal | replace | delete | insert
    old: int | None
    old_text: str
    new: int | None
    new_text: str


def _lines(text: str | None) -> list[str]:
    return [] if text is None else text.rstrip("\n").split("\n")


def unified(before: str | None, after: str | None, *, context: int = 3) -> list[DiffLine]:
    old, new = _lines(before), _lines(after)
    out: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        out.append(
            DiffLine(
                "@",
                None,
                None,
                f"@@ -{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@",
            )
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(DiffLine(" ", i + 1, j1 + (i - i1) + 1, old[i]) for i in range(i1, i2))
                continue
            out.extend(DiffLine("-", i + 1, None, old[i]) for i in range(i1, i2))
            out.extend(DiffLine("+", None, j + 1, new[j]) for j in range(j1, j2))
    return out


def side_by_side(before: str | None, after: str | None) -> list[SplitRow]:
    old, new = _lines(before), _lines(after)
    rows: list[SplitRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            left = i < i2
            right = j < j2
            rows.append(
                SplitRow(
                    tag if left and right else ("delete" if left else "insert"),
                    i + 1 if left else None,
                    old[i] if left else "",
                    j + 1 if right else None,
                    new[j] if right else "",
                )
            )
    return rows


_UNIFIED_CLASS = {" ": "tsame", "-": "tdel", "+": "tadd", "@": "thunk"}


def diff_table(before: str | None, after: str | None, *, split: bool) -> Markup:
    """The text diff of one object as an HTML table, unified or side by side (built once per pair of
    shas, so a page with many changed objects is not rebuilt cell by cell on every request)."""
    if split:
        rows = [
            f'<tr class="{row.tag}"><td class="no">{row.old or ""}</td><td class="old">{escape(row.old_text)}</td>'
            f'<td class="no">{row.new or ""}</td><td class="new">{escape(row.new_text)}</td></tr>'
            for row in side_by_side(before, after)
        ]
    else:
        rows = [
            f'<tr class="{_UNIFIED_CLASS[line.tag]}"><td class="no">{line.old or ""}</td>'
            f'<td class="no">{line.new or ""}</td>'
            f'<td class="text">{escape(line.tag if line.tag != "@" else "")}{escape(line.text)}</td></tr>'
            for line in unified(before, after)
        ]
    kind = "split" if split else "unified"
    return Markup(f'<table class="textdiff {kind}"><tbody>{"".join(rows)}</tbody></table>')
