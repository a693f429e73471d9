"""The git store, the plumbing: one bare git repo per project, over dulwich.

The porcelain (`schemareg.service`) builds snapshots, environments and releases on top; this package never
imports it. Its rooms: `names` (project, environment and release names), `locks` (the project lock and the
generation counter), `repo` (`ProjectRepo`: objects, trees, commits, refs, tags and reads) and
`maintenance` (recovery after a killed writer, gc). Only this package imports dulwich.
"""

from __future__ import annotations

from schemareg.store.locks import GENERATION_FILE, LOCK_FILE, LOCK_TIMEOUT, Generation, ProjectLock
from schemareg.store.maintenance import GC_CONFIG, GcResult
from schemareg.store.names import (
    BRANCH_PREFIX,
    TAG_PREFIX,
    check_env_name,
    check_project_name,
    check_release_name,
)
from schemareg.store.repo import (
    PACK_THRESHOLD,
    SIGNATURE,
    CommitInfo,
    ProjectRepo,
    TagInfo,
    blob_id,
    blob_ids,
)

__all__ = [
    "BRANCH_PREFIX",
    "GC_CONFIG",
    "GENERATION_FILE",
    "LOCK_FILE",
    "LOCK_TIMEOUT",
    "PACK_THRESHOLD",
    "SIGNATURE",
    "TAG_PREFIX",
    "CommitInfo",
    "GcResult",
    "Generation",
    "ProjectLock",
    "ProjectRepo",
    "TagInfo",
    "blob_id",
    "blob_ids",
    "check_env_name",
    "check_project_name",
    "check_release_name",
]
