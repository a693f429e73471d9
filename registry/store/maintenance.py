"""Upkeep of a project's repository: cleaning up after a killed writer, and packing (`schemareg gc`).

Both run under the project lock; the repository (`schemareg.store.repo`) calls them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from schemareg.errors import StoreError
from schemareg.store.locks import LOCK_FILE

# Snapshots are long chains of near-identical files: deeper delta chains and a wider search window make
# the packed repo about 20% smaller, and bitmaps (for serving big clones fast) would cost another 5%.
GC_CONFIG = (("pack", "depth", "100"), ("pack", "window", "50"), ("repack", "writeBitmaps", "false"))


@dataclass(frozen=True)
class GcResult:
    tool: str  # "git gc" or "dulwich"
    size_before: int
    size_after: int
    loose_before: int
    loose_after: int
    packs_after: int


def _dir_size(path: Path) -> tuple[int, int]:
    """Bytes on disk under `path` and the number of loose objects in it."""
    total = loose = 0
    for root, _dirs, files in os.walk(path):
        in_loose = len(os.path.basename(root)) == 2 and os.path.basename(os.path.dirname(root)) == "objects"
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:
                continue
            loose += in_loose
    return total, loose


def recover(path: Path) -> list[str]:
    """Remove what a writer killed mid-write left behind: git lock files and temporary packs.

    Only safe while holding the project lock, since then no registry writer is running.
    """
    removed: list[str] = []
    for top in ("refs", "objects", "logs"):
        for root, _dirs, files in os.walk(path / top):
            for name in files:
                # dulwich writes a pack as objects/pack/tmp*.pack before it renames it into place.
                if name.endswith(".lock") or name.startswith("tmp"):
                    os.unlink(os.path.join(root, name))
                    removed.append(os.path.relpath(os.path.join(root, name), path))
    pack_dir = path / "objects" / "pack"
    for pack in pack_dir.glob("pack-*.pack") if pack_dir.is_dir() else ():
        # A writer killed between moving its pack into place and writing the index: nothing names
        # those objects yet (refs move last), and a pack without an index cannot be read.
        if not pack.with_suffix(".idx").exists():
            pack.unlink()
            removed.append(os.path.relpath(pack, path))
    for name in os.listdir(path):
        if name.endswith(".lock") and name != LOCK_FILE:
            os.unlink(path / name)
            removed.append(name)
    return removed


def gc(path: Path, pack_loose_objects: Callable[[], object], *, use_git: bool | None = None) -> GcResult:
    """Pack the repository: `git gc` (delta-compressed) when git is installed, else dulwich's packing,
    which gathers the loose objects in one pack without delta compression. Hold the lock around it."""
    size_before, loose_before = _dir_size(path / "objects")
    git = shutil.which("git")
    if use_git is None:
        use_git = git is not None
    if use_git:
        if git is None:
            raise StoreError("git is not installed")
        settings = [arg for item in GC_CONFIG for arg in ("-c", f"{item[0]}.{item[1]}={item[2]}")]
        import subprocess  # only gc runs git: a write need not load it

        result = subprocess.run(
            [git, *settings, "--git-dir", str(path), "gc", "--quiet"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise StoreError(f"git gc failed: {result.stderr.strip()}")
        tool = "git gc"
    else:
        pack_loose_objects()
        tool = "dulwich"
    size_after, loose_after = _dir_size(path / "objects")
    packs = len([name for name in os.listdir(path / "objects" / "pack") if name.endswith(".pack")])
    return GcResult(tool, size_before, size_after, loose_before, loose_after, packs)
