"""A project's settings: `schemareg.toml` beside the git files of its bare repo, read and written here.

    [project]    dialect, description, default_env (what the repo's HEAD, `log` and `--table` default to)
    [diff]       the diff ignore rules (schemareg.diff.rules_from_mapping)
    [normalize]  what to keep beyond the schema's shape (keep_owners, keep_grants)
    [environments.<env>] compatibility, and [releases] semver: the guards (schemareg.compat)

The file is written by a TOML library, so any text (control characters, U+007F, quotes) round-trips.
"""

from __future__ import annotations

import os
import threading
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
import tomli_w

from schemareg.compat import Guards, guards_from_document
from schemareg.diff import NO_RULES, DiffRules, rules_from_mapping
from schemareg.errors import InputError, StoreError
from schemareg.normalize.options import DEFAULT_OPTIONS, NormalizeOptions, options_from_mapping

__all__ = [
    "CONFIG_FILE",
    "DIALECTS",
    "Project",
    "ProjectConfig",
    "atomic_write",
    "check_dialect",
    "read_config",
    "write_config",
]

CONFIG_FILE = "schemareg.toml"
DIALECTS = ("postgres", "mysql", "sqlite")
_HEADER = (
    "# schemareg project settings; [diff] holds the diff ignore rules, [normalize] what to keep\n"
    "# beyond the schema's shape (keep_owners, keep_grants).\n"
)


class Project(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    dialect: str
    description: str = ""
    normalize: NormalizeOptions = DEFAULT_OPTIONS  # the `[normalize]` table: keep owners, keep grants
    default_env: str | None = None  # HEAD's env when it exists (None: production, else the first env)

    @property
    def engine(self) -> str:
        """The engine that normalises the project's DDL, fixed for its history (`[normalize] engine`)."""
        return self.normalize.engine


class ProjectConfig(msgspec.Struct, frozen=True, kw_only=True):
    """What a project's config file says: its settings, its diff rules and the `[diff]` table as written."""

    project: Project
    rules: DiffRules
    diff: dict[str, Any]
    guards: Guards = Guards()  # compatibility per env, release semver


def check_dialect(dialect: str) -> str:
    dialect = dialect.lower()
    if dialect not in DIALECTS:
        raise InputError(f"unknown dialect {dialect!r}: use one of {', '.join(DIALECTS)}")
    return dialect


def read_config(repo_path: Path, name: str) -> ProjectConfig:
    """Read `<repo>/schemareg.toml` (FileNotFoundError when the project does not exist)."""
    path = repo_path / CONFIG_FILE
    text = path.read_text(encoding="utf-8")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StoreError(f"{name}: the project config {CONFIG_FILE} is not valid TOML: {error}") from error
    settings = _table(document, "project")
    diff = _table(document, "diff")
    project = Project(
        name=name,
        dialect=str(settings.get("dialect", "postgres")),
        description=str(settings.get("description", "")),
        normalize=options_from_mapping(_table(document, "normalize")),
        default_env=str(settings["default_env"]) if settings.get("default_env") else None,
    )
    return ProjectConfig(
        project=project,
        rules=rules_from_mapping(diff) if diff else NO_RULES,
        diff=diff,
        guards=guards_from_document(document),
    )


def write_config(
    repo_path: Path, project: Project, diff: Mapping[str, Any] | None = None, guards: Guards | None = None
) -> None:
    """Write the config file atomically, and git's `description` file (what gitweb shows). The guards
    are kept as they are unless given."""
    if guards is None:
        path = repo_path / CONFIG_FILE
        guards = read_config(repo_path, project.name).guards if path.is_file() else Guards()
    table = dict(diff or {})
    if table:
        rules_from_mapping(table)  # refuse rules the differ would refuse, before writing
    settings: dict[str, Any] = {"dialect": project.dialect, "description": project.description}
    if project.default_env:
        settings["default_env"] = project.default_env
    document: dict[str, Any] = {"project": settings, "diff": table}
    if project.normalize != DEFAULT_OPTIONS:
        document["normalize"] = msgspec.structs.asdict(project.normalize)
    document.update(guards.document())
    try:
        text = tomli_w.dumps(document)
    except TypeError as error:
        raise InputError(f"unsupported value in [diff] rules: {error}") from error
    atomic_write(repo_path / CONFIG_FILE, _HEADER + text)
    (repo_path / "description").write_text(project.description or project.name, encoding="utf-8")


def atomic_write(path: Path, text: str) -> None:
    """Write a whole file or nothing: readers in other processes never see a half-written one."""
    staging = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(staging, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staging, path)


def _table(document: Mapping[str, Any], name: str) -> dict[str, Any]:
    table = document.get(name, {})
    if not isinstance(table, dict):
        raise InputError(f"invalid config: [{name}] must be a table")
    return table
