"""Backups hold a whole database: whatever schemareg writes is readable by its owner only, whatever the
umask (files 0600, the backup directories it creates 0700)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import psycopg
import pytest

from schemareg.cli import run

pytestmark = pytest.mark.integration


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("dump_format", ["plain", "custom"])
def test_backups_and_manifests_are_private_whatever_the_umask(pg, tmp_path: Path, dump_format: str) -> None:  # type: ignore[no-untyped-def]
    source = pg.database("bmode")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1)")
    dest = tmp_path / "new" / "backups"
    previous = os.umask(0o000)  # the most permissive: nothing is masked for us
    try:
        code = run(["backup", "--dsn", source, "--dest", str(dest), "--format", dump_format,
                    "--data-dir", str(tmp_path / "data")])  # fmt: skip
    finally:
        os.umask(previous)
    assert code == 0
    written = sorted(dest.iterdir())
    assert len(written) == 2  # the backup and its manifest
    assert {path.name: mode(path) for path in written} == {path.name: 0o600 for path in written}
    assert mode(dest) == 0o700
