"""Per-rule fixtures: each case of tests/fixtures/normalize/<rule>.sql is normalised and compared with the
canonical text written under it (the format is in tests/fixtures/normalize/README.md)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import msgspec
import pytest

from schemareg.errors import SQLParseError
from schemareg.normalize import NormalizeOptions, normalize
from schemareg.render import render_schema_sql

FIXTURES = Path(__file__).parent.parent / "fixtures" / "normalize"
_CASE = re.compile(r"^-- case: (?P<title>.+)$", re.MULTILINE)
_EXPECT = re.compile(r"^-- expect:[ \t]*\n", re.MULTILINE)
_SETTING = re.compile(r"^-- (?P<key>dialect|options): (?P<value>.+)\n", re.MULTILINE)
_PREAMBLE = "SET check_function_bodies = false;\n\n"


class Case(msgspec.Struct, frozen=True):
    rule: str
    title: str
    sql: str
    expected: str
    dialect: str = "postgres"
    options: NormalizeOptions = NormalizeOptions()
    span: tuple[int, int] = (0, 0)  # where the expected text is in its file


def read_cases(path: Path) -> list[Case]:
    text = path.read_text(encoding="utf-8")
    heads = list(_CASE.finditer(text))
    cases = []
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[head.end() + 1 : end]
        expect = _EXPECT.search(body)
        if expect is None:
            raise ValueError(f"{path.name}: case {head['title']!r} has no '-- expect:' line")
        settings = {"dialect": "postgres", "options": ""}
        sql = body[: expect.start()]
        while (setting := _SETTING.match(sql)) is not None:
            settings[setting["key"]] = setting["value"].strip()
            sql = sql[setting.end() :]
        flags = {word.strip(): True for word in settings["options"].split(",") if word.strip()}
        start = head.end() + 1 + expect.end()
        cases.append(
            Case(
                rule=path.stem,
                title=head["title"].strip(),
                sql=sql,
                expected=body[expect.end() :].strip("\n"),
                dialect=settings["dialect"],
                options=msgspec.convert(flags, NormalizeOptions),
                span=(start, end),
            )
        )
    return cases


def canonical_text(case: Case) -> str:
    """What a case is compared on: the rendered schema, then the statements reported, then the error."""
    try:
        schema = normalize(case.sql, case.dialect, cache=False, options=case.options)
    except SQLParseError as error:
        return f"-- error: {error}"
    sql = render_schema_sql(schema).removeprefix(_PREAMBLE).strip("\n")
    issues = [f"-- reported at line {i.line}, column {i.column}: {i.message}" for i in schema.issues]
    return "\n".join([sql, *issues]).strip("\n")


CASES = [case for path in sorted(FIXTURES.glob("*.sql")) for case in read_cases(path)]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}: {c.title}" for c in CASES])
def test_rule(case: Case) -> None:
    assert canonical_text(case) == case.expected


def test_every_rule_family_has_a_fixture() -> None:
    families = {
        "tables", "alter_table", "constraints", "indexes", "views", "sequences", "types", "routines",
        "privileges", "comments", "objects", "opaque", "table_casts",
    }  # fmt: skip
    assert families <= {case.rule for case in CASES}


if __name__ == "__main__" and os.environ.get("SCHEMAREG_WRITE_FIXTURES"):
    # Fill in the expected text of every case from the current output, to be read before committing.
    for path in sorted(FIXTURES.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        for case in reversed(read_cases(path)):
            start, end = case.span
            tail = "\n\n" if end < len(text) else "\n"
            text = text[:start] + canonical_text(case) + tail + text[end:]
        path.write_text(text, encoding="utf-8")
