"""A writer killed with SIGKILL at random moments never leaves a broken repo, and the next writer recovers."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from schemareg.service import Registry

pytestmark = [
    pytest.mark.slow,
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs the git client"),
]

KILLS = 50

# Snapshots two envs and cuts a release every few rounds, forever, until killed.
WRITER = """
import os, sys
from schemareg.service import Registry

registry = Registry(sys.argv[1])
tables = "\\n".join(f"CREATE TABLE t{n} (id bigint PRIMARY KEY, v{n} text);" for n in range(40))
# A statement no writer wrote before, so that the compiler is loaded before "ready" (a script seen before
# comes from the cache without it, and the first round would spend its time importing, not writing).
registry.snapshot("shop", "production", tables + f"CREATE TABLE warmup_{os.getpid()} (id int);")
print("ready", flush=True)
i = 0
while True:
    i += 1
    ddl = tables + f"CREATE TABLE p{os.getpid()}_{i} (id int, note text NOT NULL DEFAULT '');"
    registry.snapshot("shop", "production", ddl)
    if i % 3 == 0:
        registry.promote("shop", "staging", "production")
    if i % 4 == 0:
        registry.release("shop", f"r{os.getpid()}.{i}", env="production")
"""


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True, text=True, check=False)


def assert_sound(repo: Path) -> None:
    fsck = git(repo, "fsck", "--strict", "--no-dangling")
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    refs = git(repo, "for-each-ref", "--format=%(refname)").stdout.split()
    assert "refs/heads/production" in refs
    for ref in refs:
        assert git(repo, "cat-file", "-t", f"{ref}^{{commit}}").stdout.strip() == "commit", ref
        names = git(repo, "ls-tree", "--name-only", f"{ref}^{{tree}}").stdout.split()
        assert {"info.json", "schema.sql", "README.md"} <= set(names), (ref, names)
        assert git(repo, "cat-file", "-e", f"{ref}:info.json").returncode == 0


def test_sigkill_at_random_moments(tmp_path: Path, spawn) -> None:  # type: ignore[no-untyped-def]
    Registry(tmp_path).init_project("shop")
    repo = tmp_path / "shop.git"
    chance = random.Random(20240521)
    mid_write = 0
    for _ in range(KILLS):
        writer = spawn(WRITER, str(tmp_path))
        assert writer.stdout is not None
        line = writer.stdout.readline()
        assert line.strip() == "ready", writer.stderr.read() if writer.stderr else ""
        time.sleep(chance.uniform(0.0, 0.25))
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        mid_write += (repo / "schemareg.lock").stat().st_size > 0  # killed while holding the write lock
        assert_sound(repo)

    print(f"{mid_write} of {KILLS} kills landed inside a write")
    assert mid_write >= KILLS // 5, f"only {mid_write} kills landed inside a write"

    # The next writer gets past whatever lock files the last kill left, and the repo is still sound.
    registry = Registry(tmp_path)
    before = registry.expected("shop", "production").sha
    result = registry.snapshot("shop", "production", "CREATE TABLE after_the_crashes (id int);")
    assert result.created and registry.history("shop", "production")[1].sha == before
    assert_sound(repo)
    assert [path.name for path in repo.rglob("*.lock")] == ["schemareg.lock"]
    commits = int(git(repo, "rev-list", "--count", "--all").stdout)
    assert commits > KILLS  # the writers got real work done between kills
