"""The differential suite's parts, shared by tests/integration/test_differential.py and the table command
(`python -m bench.differential CORPUS`): PostgreSQL (and sqlite3) as the oracle for the sqlglot engine.

    compare_postgres(sql, dev_url) -> Comparison     compare_sqlite(sql) -> Comparison

A comparison normalises one script on both engines; where they disagree, its `kind` names the class:
the kinds of the objects whose canonical text differs (`table`, `view`, ...), `missing <kind>` for an object
only the oracle has, `extra <kind>` for one only the sqlglot engine has.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from schemareg.engine import normalize_ddl
from schemareg.introspect.sqlite import SQLiteInspector
from schemareg.model import Schema
from schemareg.normalize import normalize


@dataclass(frozen=True)
class Comparison:
    oracle: Schema
    sqlglot: Schema

    @property
    def agree(self) -> bool:
        return self.oracle.fingerprint == self.sqlglot.fingerprint

    @property
    def differing(self) -> list[str]:
        a, b = self.oracle.rendered(), self.sqlglot.rendered()
        return sorted(f"{k.kind.value} {k.name}" for k in set(a) | set(b) if a.get(k) != b.get(k))

    @property
    def kind(self) -> str:
        """The class of the disagreement ("" when they agree)."""
        a, b = self.oracle.rendered(), self.sqlglot.rendered()
        classes = set()
        for key in set(a) | set(b):
            if a.get(key) == b.get(key):
                continue
            if key not in b:
                classes.add(f"missing {key.kind.value}")
            elif key not in a:
                classes.add(f"extra {key.kind.value}")
            else:
                classes.add(key.kind.value)
        return ", ".join(sorted(classes))


def compare_postgres(sql: str, dev_url: str | None = None) -> Comparison:
    oracle = normalize_ddl(sql, engine="postgres", dev_url=dev_url).schema
    return Comparison(oracle=oracle, sqlglot=normalize(sql, "postgres"))


def load_sqlite(sql: str) -> Schema:
    """sqlite3 as the oracle: the script loaded into a fresh database file, read back by the inspector."""
    with tempfile.TemporaryDirectory(prefix="schemareg-sqlite-") as folder:
        path = Path(folder) / "oracle.db"
        with sqlite3.connect(path) as conn:
            conn.executescript(sql)
        conn.close()
        return SQLiteInspector(path).inspect().schema


def compare_sqlite(sql: str) -> Comparison:
    return Comparison(oracle=load_sqlite(sql), sqlglot=normalize(sql, "sqlite"))


# -- the corpus ------------------------------------------------------------------------------------------


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in path.name.lstrip("v").split("."))


def history_prefixes(versioned: Path) -> Iterator[tuple[str, str]]:
    """Every prefix of a temporal migration history: (last version, the concatenated script)."""
    script = ""
    for folder in sorted((p for p in versioned.iterdir() if p.is_dir()), key=_version_key):
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        for name in manifest["SchemaUpdateCqlFiles"]:
            script += (folder / name).read_text(encoding="utf-8") + "\n"
        yield folder.name, script


def postgres_cases(root: Path) -> Iterator[tuple[str, Path | None, str]]:
    """(case id, file or None, script) for every PostgreSQL schema of the corpus and history prefix."""
    whole = [
        ("danbooru", root / "danbooru" / "structure.sql"),
        ("chinook", root / "chinook" / "Chinook_PostgreSql_schema_only.sql"),
        *((f"pagila/{p.stem}", p) for p in sorted((root / "pagila").glob("pagila-schema*.sql"))),
        *((f"supabase/{p.stem}", p) for p in sorted((root / "supabase").glob("schema-*.sql"))),
        *((f"pgschema/{p.parent.name}", p) for p in sorted((root / "pgschema" / "dump").glob("*/raw.sql"))),
    ]
    for name, path in whole:
        yield name, path, path.read_text(encoding="utf-8")
    for schema in sorted((root / "temporal" / "postgresql").glob("*/*/schema.sql")):
        part = "/".join(schema.relative_to(root / "temporal" / "postgresql").parts[:-1])
        yield f"temporal/{part}", schema, schema.read_text(encoding="utf-8")
        versioned = schema.parent / "versioned"
        if versioned.is_dir():
            for version, script in history_prefixes(versioned):
                yield f"temporal/{part}@{version}", None, script


def sqlite_cases(root: Path) -> Iterator[tuple[str, Path | None, str]]:
    chinook = root / "chinook" / "Chinook_Sqlite_schema_only.sql"
    yield "chinook-sqlite", chinook, chinook.read_text(encoding="utf-8")
    for schema in sorted((root / "temporal" / "sqlite").glob("*/*/schema.sql")):
        part = "/".join(schema.relative_to(root / "temporal" / "sqlite").parts[:-1])
        yield f"temporal-sqlite/{part}", schema, schema.read_text(encoding="utf-8")
        versioned = schema.parent / "versioned"
        if versioned.is_dir():
            for version, script in history_prefixes(versioned):
                yield f"temporal-sqlite/{part}@{version}", None, script
