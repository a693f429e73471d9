"""Real migration histories, nobody tuned for: every prefix gives one schema, whichever way it is read.

For each history (temporal's two from the corpus, and the real ones in tests/fixtures/histories, each with
its SOURCE.md), a database is migrated step by step with the history's own files (psql, ON_ERROR_STOP, one
file a step, as a migration tool runs them) and read back by the live inspector after each checked step.
For that prefix of the history, the concatenated files must give the live fingerprint on the postgres
engine and on the sqlglot engine. The files are joined as `file;` each: a migration tool runs each file as
its own batch, so a last statement without its semicolon (harness's 0076) still ends with its file. A
history runs on the embedded PostgreSQL 18 when it has the history's extensions, else on Debian's
(harness needs `uuid-ossp`).

Which prefixes: SAMPLE of each history, evenly spaced from the first step to the last (each prefix costs a
scratch database and a read back, about two seconds; every prefix of the five histories takes minutes).
Set SCHEMAREG_HISTORIES_EVERY_PREFIX=1 to check every prefix of every history (the exhaustive run; the
disagreements it finds are in docs/benchmarks.md).

A prefix the sqlglot engine gets wrong today is a strict xfail naming the class of its first disagreement,
so a fix shows itself as an unexpected pass; the classes are listed in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

from schemareg.engine import normalize_ddl
from schemareg.introspect.postgres import PostgresInspector
from schemareg.model import Schema
from tests.integration.test_engine import extensions_of, server_with
from tests.integration.test_roundtrip import CORPUS
from tests.support.direct_path import check_every_inspection
from tests.support.postgres import PostgresServer


@pytest.fixture(autouse=True)
def _direct_path_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every inspection here also checks the inspector's direct path against the DDL path."""
    check_every_inspection(monkeypatch)


pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "histories"
TEMPORAL = {
    "temporal": CORPUS / "temporal" / "postgresql" / "v12" / "temporal" / "versioned",
    "temporal-visibility": CORPUS / "temporal" / "postgresql" / "v12" / "visibility" / "versioned",
}
HISTORIES = sorted([*TEMPORAL, *(p.name for p in FIXTURES.iterdir() if p.is_dir())])
SAMPLE = 5
EVERY_PREFIX = os.environ.get("SCHEMAREG_HISTORIES_EVERY_PREFIX") == "1"

# The sqlglot engine's disagreements with the migrated database, by class: each history, the first prefix
# that shows the class (it stays in every longer prefix). One minimal pair each is in docs/benchmarks.md.
ONSETS: dict[str, list[tuple[int, str]]] = {}


def known(name: str, n: int) -> str | None:
    """Why prefix n of a history disagrees today (its classes), or None where it must agree."""
    classes = [why for first, why in ONSETS.get(name, []) if n >= first]
    return "; ".join(classes) or None


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.name))


@cache
def steps_of(name: str) -> tuple[Path, ...]:
    """The files of a history in the order its tool applies them: temporal's by version, then as each
    version's manifest lists them; the fetched ones by file name, as golang-migrate, sqlx and the rest do."""
    if name in TEMPORAL:
        steps: list[Path] = []
        for version in sorted((p for p in TEMPORAL[name].iterdir() if p.is_dir()), key=_version):
            manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
            steps += [version / file for file in manifest["SchemaUpdateCqlFiles"]]
        return tuple(steps)
    return tuple(sorted((FIXTURES / name).glob("*.sql")))


def checked_prefixes(count: int) -> list[int]:
    """Prefix lengths to check: an even sample from the first to the last, or all of them."""
    if EVERY_PREFIX or count <= SAMPLE:
        return list(range(1, count + 1))
    return sorted({1 + (count - 1) * i // (SAMPLE - 1) for i in range(SAMPLE)})


def _available(name: str) -> bool:
    return name not in TEMPORAL or TEMPORAL[name].is_dir()


def _params() -> list[object]:
    params: list[object] = []
    for name in HISTORIES:
        if not _available(name):
            params.append(pytest.param(name, 0, id=f"{name}-no-corpus"))
            continue
        for n in checked_prefixes(len(steps_of(name))):
            why = known(name, n)
            marks = pytest.mark.xfail(reason=why, strict=True) if why else ()
            params.append(pytest.param(name, n, id=f"{name}-{n:03d}", marks=marks))
    return params


def prefix_of(name: str, n: int) -> str:
    return "".join(step.read_text(encoding="utf-8") + "\n;\n" for step in steps_of(name)[:n])


class Migrated:
    """One database per history, migrated step by step as far as a test has asked, and its live schema
    after each step read."""

    def __init__(self, *servers: PostgresServer) -> None:
        self.servers = servers
        self.chosen: dict[str, PostgresServer] = {}
        self.urls: dict[str, str] = {}
        self.applied: dict[str, int] = {}
        self.live: dict[tuple[str, int], Schema] = {}

    def server(self, name: str) -> PostgresServer:
        if name not in self.chosen:
            self.chosen[name] = server_with(
                extensions_of(prefix_of(name, len(steps_of(name)))), *self.servers
            )
        return self.chosen[name]

    def after(self, name: str, n: int) -> Schema:
        if (name, n) in self.live:
            return self.live[(name, n)]
        if name not in self.urls or self.applied[name] > n:
            self.urls[name] = self.server(name).database("history")
            self.applied[name] = 0
        url = self.urls[name]
        for step in steps_of(name)[self.applied[name] : n]:
            done = subprocess.run(
                [
                    self.server(name).tool("psql"),
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-d",
                    url,
                    "-f",
                    str(step),
                ],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, f"{step.name}: {done.stderr[-2000:]}"
            self.applied[name] += 1
        self.live[(name, n)] = PostgresInspector(url).inspect().schema
        return self.live[(name, n)]


@pytest.fixture(scope="module")
def migrated(pg: PostgresServer, pg_debian: PostgresServer) -> Migrated:
    return Migrated(pg, pg_debian)


def differing(a: Schema, b: Schema) -> list[str]:
    ra, rb = a.rendered(), b.rendered()
    return sorted(f"{key.kind.value} {key.name}" for key in set(ra) | set(rb) if ra.get(key) != rb.get(key))


def test_the_fixture_histories_say_where_they_come_from() -> None:
    for folder in (p for p in FIXTURES.iterdir() if p.is_dir()):
        source = (folder / "SOURCE.md").read_text(encoding="utf-8")
        assert re.search(r"Commit: [0-9a-f]{40}", source), folder.name
        assert "Licence:" in source and (folder / "LICENSE").is_file(), folder.name
        assert len(steps_of(folder.name)) >= 20, folder.name


@pytest.mark.parametrize(("name", "n"), _params())
def test_every_prefix_gives_the_migrated_database(name: str, n: int, migrated: Migrated) -> None:
    if n == 0:
        if os.environ.get("CI"):
            pytest.fail(f"the corpus is required in CI: no folder {TEMPORAL[name]}")
        pytest.skip(f"no corpus at {CORPUS} (set SCHEMAREG_CORPUS)")
    steps = steps_of(name)
    prefix = prefix_of(name, n)
    live = migrated.after(name, n)
    oracle = normalize_ddl(prefix, engine="postgres", dev_url=migrated.server(name).admin_url).schema
    assert oracle.fingerprint == live.fingerprint, differing(oracle, live)
    engine = normalize_ddl(prefix, engine="sqlglot").schema
    assert engine.fingerprint == live.fingerprint, f"after {steps[n - 1].name}: {differing(engine, live)}"
