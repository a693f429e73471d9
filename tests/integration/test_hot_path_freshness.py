"""The expected-version answer follows a write made by any process at once: with 2 server workers that
answer from shared memory, a `schemareg snapshot` run as its own process is seen by the next request,
whichever worker takes it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tests.support.server import ROOT, serve

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(180)]


def cli(data_dir: Path, *args: str) -> None:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    subprocess.run(
        [sys.executable, "-m", "schemareg", *args, "--data-dir", str(data_dir)],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": path, "SCHEMAREG_CACHE_DIR": str(data_dir.parent / ".cache")},
        timeout=60,
    )


def poll(url: str, done: threading.Event) -> None:
    with httpx.Client(timeout=10) as client:
        while not done.is_set():
            client.get(url)


def test_a_cli_write_is_seen_by_the_next_request_of_every_worker(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ddl = tmp_path / "schema.sql"
    ddl.write_text("CREATE TABLE users (id bigint PRIMARY KEY);\n")
    cli(data, "init", "shop")
    cli(data, "snapshot", "--project", "shop", "--env", "production", "--file", str(ddl))
    with serve(data, workers=2) as base, httpx.Client(base_url=base, timeout=10) as client:
        url = "/v1/projects/shop/environments/production"
        for round_ in range(3):
            # Warm both workers' caches, so each would answer from memory if it missed the write.
            before = {client.get(url).json()["sha"] for _ in range(40)}
            assert len(before) == 1
            ddl.write_text(ddl.read_text() + f"CREATE TABLE t{round_} (id int);\n")
            # Poll while the write happens, as services do: the workers' cached answers stay fresh, so
            # only a signal from the writer (not the age of an entry) can make the next answer new.
            done = threading.Event()

            poller = threading.Thread(target=poll, args=(base + url, done))
            poller.start()
            try:
                cli(data, "snapshot", "--project", "shop", "--env", "production", "--file", str(ddl))
            finally:
                done.set()
                poller.join()
            after = [client.get(url) for _ in range(40)]
            assert {answer.json()["sha"] for answer in after} != before
            assert len({answer.json()["sha"] for answer in after}) == 1, "a worker answered the old head"
            etag = after[0].headers["etag"]
            assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
