"""The embedded dev server: processes share one server, the last to leave stops it, its data dir is made
once and reused, and scratch databases come from template0 and are dropped afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from schemareg import devserver
from tests.integration.conftest import ROOT

USE = """
import sys
from schemareg import devserver
print(devserver.resolve_dev_url(), flush=True)
sys.stdin.readline()
"""


def start(cache: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "SCHEMAREG_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    env.pop(devserver.DEV_URL_ENV, None)
    return subprocess.Popen(
        [sys.executable, "-c", USE], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def reachable(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def stopped(url: str) -> bool:
    deadline = time.monotonic() + 10
    while reachable(url):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def leave(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("\n")
    process.stdin.flush()
    assert process.wait(timeout=60) == 0


def test_processes_share_one_server_and_the_last_stops_it(tmp_path: Path) -> None:
    first = start(tmp_path)
    assert first.stdout is not None
    url = first.stdout.readline().strip()
    version_file = tmp_path / "postgres-18" / "server" / "data" / "PG_VERSION"
    made = version_file.stat().st_mtime_ns
    second = start(tmp_path)
    assert second.stdout is not None
    assert second.stdout.readline().strip() == url  # the same server, not a second one
    leave(second)
    assert reachable(url)  # the first process still uses it
    leave(first)
    assert stopped(url)  # the last one stopped it
    assert not (tmp_path / "postgres-18" / "server" / "data" / "postmaster.pid").exists()
    third = start(tmp_path)
    assert third.stdout is not None
    assert reachable(third.stdout.readline().strip())
    assert version_file.stat().st_mtime_ns == made  # the data dir is reused, not made again
    leave(third)
    assert oct((tmp_path / "postgres-18" / "password").stat().st_mode & 0o777) == "0o600"


def test_a_named_dev_server_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(devserver.DEV_URL_ENV, "postgresql://someone@127.0.0.1:1/x")
    assert devserver.resolve_dev_url() == "postgresql://someone@127.0.0.1:1/x"
    assert devserver.resolve_dev_url("postgresql://flag@127.0.0.1:2/y") == "postgresql://flag@127.0.0.1:2/y"


def test_a_scratch_database_is_fresh_and_dropped(pg) -> None:  # type: ignore[no-untyped-def]
    with devserver.scratch_database(pg.admin_url) as scratch:
        with psycopg.connect(scratch.url) as conn:
            assert conn.execute("SELECT count(*) FROM pg_class WHERE relnamespace = 2200").fetchone() == (0,)
            name = conn.info.dbname
        assert scratch.server_version >= 130000
    with psycopg.connect(pg.admin_url) as conn:
        assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None
