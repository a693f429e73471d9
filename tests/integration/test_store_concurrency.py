"""Many writer processes snapshotting one env at once: every snapshot becomes a commit, none is lost."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from schemareg.service import Registry

pytestmark = [
    pytest.mark.slow,
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs the git client"),
]

PROCESSES = 8
SNAPSHOTS = 25

WRITER = """
import sys
from schemareg.service import Registry

data_dir, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
registry = Registry(data_dir)
created = 0
for i in range(count):
    ddl = f"CREATE TABLE base (id bigint PRIMARY KEY);\\nCREATE TABLE w{worker}_s{i} (id int, note text);"
    created += registry.snapshot("shop", "production", ddl, message=f"worker {worker} #{i}").created
print(created)
"""


def test_eight_processes_twenty_five_snapshots_each(tmp_path: Path, spawn) -> None:  # type: ignore[no-untyped-def]
    Registry(tmp_path).init_project("shop")
    writers = [spawn(WRITER, str(tmp_path), str(worker), str(SNAPSHOTS)) for worker in range(PROCESSES)]
    for writer in writers:
        out, err = writer.communicate(timeout=240)
        assert writer.returncode == 0, err
        assert out.strip() == str(SNAPSHOTS)  # every snapshot differed from the head it found

    repo = tmp_path / "shop.git"
    count = subprocess.run(
        ["git", "--git-dir", str(repo), "rev-list", "--count", "production"], capture_output=True, text=True
    )
    assert count.stdout.strip() == str(PROCESSES * SNAPSHOTS)
    fsck = subprocess.run(["git", "--git-dir", str(repo), "fsck", "--strict"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr

    history = Registry(tmp_path).history("shop", "production")
    assert len(history) == PROCESSES * SNAPSHOTS
    bodies = subprocess.run(
        ["git", "--git-dir", str(repo), "log", "--format=%b", "production"], capture_output=True, text=True
    ).stdout
    for worker in range(PROCESSES):
        for i in range(SNAPSHOTS):
            assert f"worker {worker} #{i}\n" in bodies
