"""An environment's compatibility level (`GET/PUT .../environments/{env}/config`), and `?force=true`:
what the guards would refuse, stored anyway by an admin and recorded in the commit message."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, put
from litestar.exceptions import PermissionDeniedException
from litestar.params import JSONBody

from schemareg.compat import parse_level
from schemareg_api.auth import hash_token
from schemareg_api.context import admin_guard, context_of, read_guard
from schemareg_api.controllers._common import EnvName, ProjectName, problems
from schemareg_api.models import EnvironmentConfig

__all__ = ["HANDLERS", "forcing"]


def forcing(request: Request[Any, Any, Any], force: bool) -> dict[str, Any]:
    """The `force` and `forced_by` arguments of a write; forcing needs the admin scope."""
    if not force:
        return {}
    context = context_of(request)
    principal = context.principal(request)
    if context.tokens and not principal.is_admin():
        raise PermissionDeniedException("force=true needs an admin token")
    return {
        "force": True,
        "forced_by": _who(request) if context.tokens else "anonymous (no tokens configured)",
    }


def _who(request: Request[Any, Any, Any]) -> str:
    """The token of the request, named by the first hex digits of its sha256 (as configured)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return f"token sha256:{hash_token(token.strip())[:12]}" if scheme.lower() == "bearer" else "unknown"


@get(
    "/projects/{project:str}/environments/{env:str}/config",
    guards=[read_guard],
    sync_to_thread=True,
    responses=problems(400, 404),
    tags=["environments"],
)
def get_environment_config(
    request: Request[Any, Any, Any], project: ProjectName, env: EnvName
) -> EnvironmentConfig:
    """The env's compatibility level (`none` unless set)."""
    level = context_of(request).registry.compatibility(project, env)
    return EnvironmentConfig(compatibility=level.value)


@put(
    "/projects/{project:str}/environments/{env:str}/config",
    guards=[admin_guard],
    sync_to_thread=True,
    responses=problems(400, 404),
    tags=["environments"],
)
def put_environment_config(
    request: Request[Any, Any, Any],
    project: ProjectName,
    env: EnvName,
    data: JSONBody[EnvironmentConfig],
) -> EnvironmentConfig:
    """Set the env's compatibility level (admin): snapshots and promotions it refuses are a 409."""
    registry = context_of(request).registry
    level = registry.set_compatibility(project, env, parse_level(data.compatibility))
    return EnvironmentConfig(compatibility=level.value)


HANDLERS = [get_environment_config, put_environment_config]
