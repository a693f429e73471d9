"""Projects and their settings: create one, change its dialect, description or engine, list them, set an env's
compatibility level. Settings live in the project's schemareg.toml (`schemareg.projects`), written under
the project's write lock."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from schemareg.compat import Compatibility
from schemareg.errors import Conflict
from schemareg.normalize.options import options_from_mapping
from schemareg.projects import CONFIG_FILE, Project, check_dialect, read_config, write_config
from schemareg.reading import Reader
from schemareg.store import ProjectRepo, check_env_name
from schemareg.writing import Writer

__all__ = ["init_project", "project_names", "set_compatibility", "update_project"]


def init_project(
    read: Reader,
    name: str,
    dialect: str,
    description: str,
    diff_rules: Mapping[str, Any] | None,
    *,
    default_env: str | None = None,
    engine: str = "sqlglot",
) -> None:
    """Create a project (Conflict if it exists)."""
    path = read.repo_path(name)
    dialect = check_dialect(dialect)
    if default_env:
        check_env_name(default_env)
    normalize = options_from_mapping({"engine": engine})
    repo = ProjectRepo.create(path)
    project = Project(
        name=name,
        dialect=dialect,
        description=description,
        default_env=default_env or None,
        normalize=normalize,
    )
    write_config(path, project, diff_rules)
    read.adopt(name, repo)


def update_project(
    read: Reader,
    writer: Writer,
    name: str,
    *,
    dialect: str | None = None,
    description: str | None = None,
    default_env: str | None = None,
    engine: str | None = None,
) -> Project:
    """Change settings (None: keep). `default_env=""` clears it; a new default env moves HEAD now (if
    the env exists yet; otherwise HEAD follows the rule of `history.default_env`). The engine is fixed
    once the project has a snapshot (an env or a release): the same DDL must never get two fingerprints
    in one history (Conflict, nothing written)."""
    current = read.config(name)[0]
    if default_env:
        check_env_name(default_env)
    repo = read.repo(name)
    with writer.lock(repo):
        normalize = current.normalize
        if engine is not None and engine != current.normalize.engine:
            normalize = options_from_mapping({**msgspec.structs.asdict(normalize), "engine": engine})
            if repo.branches() or repo.tags():
                raise Conflict(
                    f"project {name!r} has snapshots normalised by the {current.normalize.engine} engine:"
                    " its engine is fixed for its history (the same DDL would get another fingerprint);"
                    f" create a new project for the {engine} engine"
                )
        updated = Project(
            name=name,
            dialect=check_dialect(dialect) if dialect else current.dialect,
            description=current.description if description is None else description,
            normalize=normalize,
            default_env=current.default_env if default_env is None else (default_env or None),
        )
        write_config(repo.path, updated, read_config(repo.path, name).diff)
        writer.point_head(name, repo)
    return updated


def project_names(read: Reader) -> list[str]:
    """The projects of the data dir, sorted: every `<name>.git` with a config file."""
    if not read.data_dir.is_dir():
        return []
    return sorted(
        entry.name.removesuffix(".git")
        for entry in read.data_dir.iterdir()
        if entry.name.endswith(".git") and (entry / CONFIG_FILE).is_file()
    )


def set_compatibility(
    read: Reader, writer: Writer, project: str, env: str, level: Compatibility
) -> Compatibility:
    """Store the env's compatibility level in the project's config (the env need not exist yet)."""
    check_env_name(env)
    repo: ProjectRepo = read.repo(project)
    with writer.lock(repo):
        config = read_config(repo.path, project)
        write_config(repo.path, config.project, config.diff, config.guards.with_level(env, level))
    return level
