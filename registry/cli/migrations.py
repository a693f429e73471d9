"""A folder of migrations read as one DDL script: its `.sql` files in the order they apply, up migrations
only, each ended with a semicolon (a file whose last statement has none no longer runs on into the next).

The order is the one the common tools apply: Flyway's `V<version>__<name>.sql` by version (`V1_1` after
`V1`, before `V2` and `V10`), its repeatable `R__<name>.sql` after them by name; anything else (numbered
or timestamped files, golang-migrate's `000001_x.up.sql`, folders per migration as Diesel's
`2024-01-01-000000_x/up.sql` and Prisma's `20240101000000_x/migration.sql`) by path, a run of digits read
as a number. Down migrations are left out: `down.sql`, `*.down.sql`, `*_down.sql`, Flyway's `U<version>__`
undo files, and the part of a file after dbmate's `-- migrate:down` or goose's `-- +goose Down`.

A place in the script (`locate`) is a place in one of its files: errors and warnings name the file and
its own line.
"""

from __future__ import annotations

import re
from pathlib import Path

from schemareg.errors import SQLParseError
from schemareg.lazy_re import lazy_compile

__all__ = ["locate", "migration_files", "place", "read_folder"]

_DOWN = lazy_compile(r"(?:^|[._-])down\.sql$|^U\d[\w.]*__", re.IGNORECASE)
_FLYWAY = lazy_compile(r"^(?:V(?P<version>\d+(?:[._]\d+)*)|(?P<repeatable>R))__", re.IGNORECASE)
_DOWN_SECTION = lazy_compile(r"^--\s*(?:migrate:down|\+goose\s+down)\b", re.IGNORECASE | re.MULTILINE)
_RUNS = lazy_compile(r"\d+|\D+")

# Per folder (as the verb was given it): where each of its files begins in the script, (line, file).
_SPANS: dict[str, list[tuple[int, str]]] = {}


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(run)) if run.isdigit() else (1, run) for run in _RUNS.findall(text))


def _order(folder: Path, path: Path) -> tuple[int, tuple[tuple[int, int | str], ...], str]:
    relative = path.relative_to(folder).as_posix()
    flyway = _FLYWAY.match(path.name)
    if flyway is not None and flyway.group("version"):
        version = tuple((0, int(part)) for part in flyway.group("version").replace("_", ".").split("."))
        return 0, version, relative
    if flyway is not None:
        return 1, _natural(relative), relative  # R__: after every versioned migration
    return 0, _natural(relative), relative


def migration_files(folder: Path) -> list[Path]:
    """The folder's up migrations, in the order they apply."""
    found = [p for p in folder.rglob("*.sql") if p.is_file() and not _DOWN.search(p.name)]
    return sorted(found, key=lambda p: _order(folder, p))


def read_folder(folder: Path, name: str) -> str:
    """The folder's up migrations as one script ('' when it has none); `name` is how errors name the
    folder."""
    files = migration_files(folder)
    chunks: list[str] = []
    spans: list[tuple[int, str]] = []
    line = 1
    for path in files:
        shown = f"{name.rstrip('/')}/{path.relative_to(folder).as_posix()}"
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise SQLParseError("not UTF-8 text", line=1, column=error.start + 1, source=shown) from error
        down = _DOWN_SECTION.search(text)
        chunk = (text[: down.start()] if down else text).rstrip() + "\n;\n"
        spans.append((line, shown))
        chunks.append(chunk)
        line += chunk.count("\n")
    _SPANS[name] = spans
    return "".join(chunks)


def locate(source: str | None, line: int) -> tuple[str | None, int]:
    """The file and its own line for a line of the script read from folder `source`; anything else as
    it is."""
    spans = _SPANS.get(source or "")
    if not spans:
        return source, line
    start, shown = next((span for span in reversed(spans) if span[0] <= line), spans[0])
    return shown, line - start + 1


def place(source: str | None, line: int, column: int) -> str:
    """How a warning names a place: `file:line:column` in a folder's file, `line L:C` in a script."""
    shown, own = locate(source, line)
    return f"{shown}:{own}:{column}" if shown != source else f"line {line}:{column}"
