"""The snapshot tree: what one commit holds (DESIGN.md, "Snapshot tree"), and `info.json` as a Struct.

    info.json  schema.sql  README.md  objects/<kind>/<schema>.<name>.sql  [seed_data.sql]

`snapshot_files()` lays a schema out as those files; `ObjectChanges` compares two trees by their object
files without parsing anything; the commit message helpers say what a snapshot changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Literal

import msgspec

from schemareg.introspect.base import SnapshotMetadata
from schemareg.model import FOLDERS, Issue, Kind, ObjectKey, Schema
from schemareg.names import unescape_filename
from schemareg.normalize import normalizer_info, sqlglot_version

__all__ = [
    "INFO_FILE",
    "KIND_BY_FOLDER",
    "Environment",
    "HistoryEntry",
    "ObjectChanges",
    "Release",
    "Snapshot",
    "SnapshotInfo",
    "SnapshotMetadata",
    "SnapshotResult",
    "Source",
    "change_lines",
    "commit_message",
    "decode_info",
    "encode_info",
    "initial_subject",
    "iso",
    "key_of_path",
    "object_changes",
    "snapshot_files",
]

INFO_FILE = "info.json"
Source = Literal["ddl", "introspection"]
KIND_BY_FOLDER = {folder: kind for kind, folder in FOLDERS.items()}


class SnapshotInfo(msgspec.Struct, frozen=True, kw_only=True):
    """`info.json` of a snapshot commit, fields in the order the file has them. Files written by older
    versions may lack fields (their defaults apply); unknown fields are ignored."""

    version: str = ""  # the release name, or snapshot-<UTC time> for a snapshot
    created_at: str = ""
    dialect: str = ""
    database_version: str | None = None
    migration_tool: str | None = None
    migration_count: int | None = None
    last_migration: str | None = None
    tables: int = 0
    objects: dict[str, int] = msgspec.field(default_factory=dict)
    opaque: int = 0
    fingerprint: str = ""
    normalizer: dict[str, str] = msgspec.field(default_factory=dict)
    source: str = "ddl"
    description: str = ""


class ObjectChanges(msgspec.Struct, frozen=True, kw_only=True):
    """Which objects a commit added, removed or changed, by their files (cheap: no parsing)."""

    added: tuple[ObjectKey, ...] = ()
    removed: tuple[ObjectKey, ...] = ()
    modified: tuple[ObjectKey, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.modified)

    def summary(self) -> str:
        def count(keys: tuple[ObjectKey, ...], tables: bool) -> int:
            return sum((key.kind is Kind.TABLE) == tables for key in keys)

        tables = [count(keys, True) for keys in (self.added, self.removed, self.modified)]
        others = [count(keys, False) for keys in (self.added, self.removed, self.modified)]
        parts = []
        if sum(tables) or not sum(others):
            noun = "table" if sum(tables) == 1 else "tables"
            parts.append(f"{sum(tables)} {noun} changed (+{tables[0]} -{tables[1]} ~{tables[2]})")
        if sum(others):
            noun = "other object" if sum(others) == 1 else "other objects"
            parts.append(f"{sum(others)} {noun} changed (+{others[0]} -{others[1]} ~{others[2]})")
        return ", ".join(parts)


class Snapshot(msgspec.Struct, frozen=True, kw_only=True):
    """One snapshot commit: what an environment expects, or what a release or sha names. (The API calls
    the lookup of one `GET .../versions/{ref}`; a *release* is an annotated tag on such a commit.)"""

    sha: str
    fingerprint: str
    created_at: str  # the commit's time (git's committer time); info.created_at: when the schema was taken
    subject: str
    release: str | None  # the release this commit is (Reader.release_of), if any
    info: SnapshotInfo


class SnapshotResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a snapshot or a promotion did: a new commit, or none when the env head had that fingerprint."""

    env: str
    created: bool  # False: the env head had this fingerprint already, nothing was committed
    version: Snapshot  # the env head afterwards (named `version` on the wire)
    changes: ObjectChanges
    # What the normaliser said of the posted DDL (a statement kept as written, a DO block not applied).
    warnings: tuple[Issue, ...] = ()

    @property
    def sha(self) -> str:
        return self.version.sha

    @property
    def fingerprint(self) -> str:
        return self.version.fingerprint


class Release(msgspec.Struct, frozen=True, kw_only=True):
    """An immutable named snapshot: an annotated tag on its own commit."""

    name: str
    sha: str  # the release commit
    tag: str  # the annotated tag object
    fingerprint: str
    created_at: str
    description: str
    warning: str | None = None  # when just made: a semver bump smaller than its changes need (warn)


class Environment(msgspec.Struct, frozen=True, kw_only=True):
    """A branch: the snapshot an environment expects is its head."""

    name: str
    sha: str
    fingerprint: str
    release: str | None
    created_at: str


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    sha: str
    created_at: str
    subject: str
    fingerprint: str
    release: str | None


def encode_info(info: SnapshotInfo) -> bytes:
    # json.dumps, not msgspec, for the file: the same bytes (so the same blob) as every earlier version.
    return (json.dumps(msgspec.to_builtins(info), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def decode_info(raw: bytes | None) -> SnapshotInfo:
    return msgspec.json.decode(raw, type=SnapshotInfo) if raw else SnapshotInfo()


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def snapshot_files(
    schema: Schema,
    schema_sql: str,
    readme: str,
    *,
    label: str,
    created_at: str,
    source: str,
    description: str,
    seed_data: str | None,
    metadata: SnapshotMetadata | None,
    engine: str,
    fingerprint: str | None = None,
) -> dict[str, bytes]:
    """The files of one snapshot commit, by path (`fingerprint`: the schema's, when the caller has it)."""
    rendered = schema.rendered()
    counts: dict[str, int] = {}
    for key in rendered:
        counts[key.kind.value] = counts.get(key.kind.value, 0) + 1
    meta = metadata or SnapshotMetadata()
    info = SnapshotInfo(
        version=label,
        created_at=created_at,
        dialect=schema.dialect,
        database_version=meta.database_version,
        migration_tool=meta.migration_tool,
        migration_count=meta.migration_count,
        last_migration=meta.last_migration,
        tables=counts.get(Kind.TABLE.value, 0),
        objects=dict(sorted(counts.items())),
        opaque=schema.stats.opaque,
        fingerprint=fingerprint or schema.fingerprint,
        normalizer={**normalizer_info(), "sqlglot": sqlglot_version(), "engine": engine},
        source=source,
        description=description,
    )
    files = {
        INFO_FILE: encode_info(info),
        "schema.sql": schema_sql.encode("utf-8"),
        "README.md": readme.encode("utf-8"),
    }
    for key, sql in rendered.items():
        files[key.filename] = (sql.rstrip("\n") + "\n").encode("utf-8")
    if seed_data is not None:
        files["seed_data.sql"] = seed_data.encode("utf-8")
    return files


# -- what a commit changed -----------------------------------------------------------------------------


def key_of_path(path: str) -> ObjectKey | None:
    """The object a tree path holds (`objects/tables/public.users.sql`), or None for other files."""
    parts = path.split("/")
    if len(parts) != 3 or parts[0] != "objects" or not parts[2].endswith(".sql"):
        return None
    kind = KIND_BY_FOLDER.get(parts[1])
    if kind is None:
        return None
    return ObjectKey(kind, unescape_filename(parts[2].removesuffix(".sql")))


def object_changes(before: Mapping[str, str], after: Mapping[str, str]) -> ObjectChanges:
    """Compare two `path -> blob sha` maps of snapshot trees by their object files.

    A path holds one object, so a path with the same blob on both sides is an unchanged object: only the
    other paths are parsed into keys (a snapshot of 4,000 tables with one change parses a few)."""
    old = {key: sha for path, sha in before.items() if after.get(path) != sha and (key := key_of_path(path))}
    new = {key: sha for path, sha in after.items() if before.get(path) != sha and (key := key_of_path(path))}
    return ObjectChanges(
        added=tuple(sorted(new.keys() - old.keys())),
        removed=tuple(sorted(old.keys() - new.keys())),
        modified=tuple(sorted(key for key in old.keys() & new.keys() if old[key] != new[key])),
    )


def commit_message(subject: str, body: list[str]) -> str:
    return subject + ("\n\n" + "\n".join(body) if body else "")


def change_lines(changes: ObjectChanges, limit: int = 50) -> list[str]:
    """One line per changed object for a commit message body, at most `limit`."""
    lines = [f"+ {key.kind.value} {key.name}" for key in changes.added]
    lines += [f"- {key.kind.value} {key.name}" for key in changes.removed]
    lines += [f"~ {key.kind.value} {key.name}" for key in changes.modified]
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more"]
    return lines


def initial_subject(schema: Schema) -> str:
    count = len(schema.tables())
    return f"initial, {count} table{'' if count == 1 else 's'}"
