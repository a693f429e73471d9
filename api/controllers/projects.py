"""Projects and environments: the expected version (the hot path), snapshots, check, promotion, history,
drift reports."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Annotated, Any, cast

import anyio.to_thread
from litestar import Request, Response, get, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, HeaderParameter, JSONBody, QueryParameter

from schemareg.diff import diff_schemas
from schemareg.errors import NotFound
from schemareg.model import Schema
from schemareg.names import check_text
from schemareg.service import Registry
from schemareg.store import check_env_name
from schemareg_api.context import (
    POLL_CACHE_CONTROL,
    admin_guard,
    context_of,
    etag_matches,
    read_guard,
    write_guard,
)
from schemareg_api.controllers._common import (
    BODY,
    CheckOperation,
    DialectQuery,
    EnvName,
    MessageQuery,
    ProjectName,
    SnapshotOperation,
    decode_json,
    problems,
    read_schema_body,
)
from schemareg_api.controllers.compat import forcing
from schemareg_api.hot_path import expected_fast_path
from schemareg_api.models import (
    CheckIn,
    CheckOut,
    DriftReportOut,
    EnvironmentOut,
    ExpectedOut,
    HistoryEntryOut,
    ProjectDetail,
    ProjectIn,
    ProjectOut,
    PromoteIn,
    RefusedOut,
    ReleaseOut,
    SnapshotIn,
    SnapshotOut,
)

__all__ = ["HANDLERS"]


@get("/projects", guards=[read_guard], sync_to_thread=False, responses=problems(), tags=["projects"])
def list_projects(request: Request[Any, Any, Any]) -> list[ProjectOut]:
    """Every project."""
    return [ProjectOut.of(project) for project in context_of(request).registry.projects()]


@put(
    "/projects/{project:str}",
    guards=[admin_guard],
    sync_to_thread=True,
    status_code=201,
    responses={**problems(400, 404, 409, *BODY), 200: ResponseSpec(ProjectOut, description="Updated")},
    tags=["projects"],
)
def put_project(
    request: Request[Any, Any, Any], project: ProjectName, data: JSONBody[ProjectIn]
) -> Response[ProjectOut]:
    """Create a project (201), or update its dialect, description, default env and engine (200). The
    default env is what the repo's HEAD points at, so what `git clone` checks out, once that env exists; a
    project with snapshots keeps its engine (409)."""
    registry = context_of(request).registry
    if data.description is not None:
        check_text("description", data.description)
    try:
        current = registry.project(project)
    except NotFound:
        current = None
    if current is None:
        created = registry.init_project(
            project,
            data.dialect or "postgres",
            data.description or "",
            default_env=data.default_env,
            engine=data.engine or "sqlglot",
        )
        return Response(ProjectOut.of(created), status_code=201)
    updated = registry.update_project(
        project,
        dialect=data.dialect,
        description=data.description,
        default_env=data.default_env,
        engine=data.engine,
    )
    return Response(ProjectOut.of(updated), status_code=200)


@get(
    "/projects/{project:str}",
    guards=[read_guard],
    sync_to_thread=False,
    responses=problems(400, 404),
    tags=["projects"],
)
def get_project(request: Request[Any, Any, Any], project: ProjectName) -> ProjectDetail:
    """A project with its environments and releases."""
    registry = context_of(request).registry
    settings = registry.project(project)
    return ProjectDetail(
        name=settings.name,
        dialect=settings.dialect,
        description=settings.description,
        default_env=settings.default_env,
        environments=[EnvironmentOut.of(env) for env in registry.environments(project)],
        releases=[ReleaseOut.of(release) for release in registry.releases(project)],
    )


@get(
    "/projects/{project:str}/environments",
    guards=[read_guard],
    sync_to_thread=False,
    responses=problems(400, 404),
    tags=["environments"],
)
def list_environments(request: Request[Any, Any, Any], project: ProjectName) -> list[EnvironmentOut]:
    """Every environment with its head."""
    return [EnvironmentOut.of(env) for env in context_of(request).registry.environments(project)]


@get(
    "/projects/{project:str}/environments/{env:str}",
    guards=[read_guard],
    sync_to_thread=False,
    responses={
        **problems(400, 404),
        304: ResponseSpec(None, description="Not modified: the If-None-Match ETag is the head"),
    },
    middleware=[expected_fast_path],
    tags=["environments"],
)
def get_expected(
    request: Request[Any, Any, Any],
    project: ProjectName,
    env: EnvName,
    if_none_match: Annotated[str | None, HeaderParameter(name="if-none-match", required=False)] = None,
) -> Response[ExpectedOut]:
    """The version an environment expects (its head). The hot path: send the ETag back in
    If-None-Match and get a 304 while it has not changed. (Successful answers come from
    `expected_fast_path`; this handler gives the same answers and every error.)"""
    entry = context_of(request).expected(project, env)
    headers = {"etag": entry.etag, "cache-control": POLL_CACHE_CONTROL}
    if if_none_match is not None and etag_matches(if_none_match, entry.etag):
        return Response(cast(Any, b""), status_code=304, headers=headers)
    return Response(cast(Any, entry.body), media_type="application/json", headers=headers)


@post(
    "/projects/{project:str}/environments/{env:str}/snapshots",
    guards=[write_guard],
    status_code=201,
    operation_class=SnapshotOperation,
    responses={
        **problems(400, 404, 409, 415, *BODY),
        200: ResponseSpec(SnapshotOut, description="Unchanged: the head has this fingerprint already"),
    },
    tags=["environments"],
)
async def post_snapshot(
    request: Request[Any, Any, Any],
    project: ProjectName,
    env: EnvName,
    dialect: DialectQuery = None,
    message: MessageQuery = None,
    force: FromQuery[bool] = False,
) -> Response[SnapshotOut]:
    """Record the schema an environment has now: 201 with the new version, or 200 with the head when
    the fingerprint is unchanged. DDL as application/sql (?dialect=&message=) or JSON. A schema the env's
    compatibility level refuses is a 409 with the offending changes; `?force=true` (admin) stores it."""
    context = context_of(request)
    forced = forcing(request, force)
    body = await read_schema_body(request)
    description = ""
    if body.json is not None:
        posted: SnapshotIn = decode_json(body.json, SnapshotIn)
        ddl, dialect, message, description = (
            posted.ddl,
            posted.dialect or dialect,
            posted.message or message,
            posted.description,
        )
    else:
        ddl = body.ddl or ""
    check_text("message", message or "")
    check_text("description", description)
    check_env_name(env)
    settings = context.registry.project(project)
    schema = await context.pool.normalize(ddl, dialect or settings.dialect, settings.normalize)
    call = functools.partial(
        context.registry.snapshot,
        project,
        env,
        schema,
        message=message,
        description=description,
        **forced,
    )
    result = await anyio.to_thread.run_sync(call)
    context.metrics.snapshot_posted(result.created)
    return Response(SnapshotOut.of(result), status_code=201 if result.created else 200)


@post(
    "/projects/{project:str}/environments/{env:str}/check",
    guards=[read_guard],
    status_code=200,
    operation_class=CheckOperation,
    responses=problems(400, 404, 415, *BODY),
    tags=["environments"],
)
async def post_check(
    request: Request[Any, Any, Any],
    project: ProjectName,
    env: EnvName,
    dialect: DialectQuery = None,
) -> CheckOut:
    """Compare a live schema (DDL, or just its fingerprint) with the env's head; stores nothing."""
    context = context_of(request)
    registry = context.registry
    body = await read_schema_body(request)
    ddl = body.ddl
    if body.json is not None:
        posted: CheckIn = decode_json(body.json, CheckIn)
        if (posted.fingerprint is None) == (posted.ddl is None):
            from schemareg.errors import InputError

            raise InputError("post either {fingerprint} or {ddl}")
        ddl, dialect = posted.ddl, posted.dialect or dialect
        if ddl is None:
            head = registry.expected(project, env)
            fingerprint = posted.fingerprint or ""
            return CheckOut(
                match=fingerprint == head.fingerprint,
                expected=head.fingerprint,
                actual=fingerprint,
                sha=head.sha,
                diff=None,
            )
    head = registry.expected(project, env)  # an unknown project or env costs no normalisation
    settings = registry.project(project)
    actual = await context.pool.normalize(ddl or "", dialect or settings.dialect, settings.normalize)
    return await anyio.to_thread.run_sync(functools.partial(_check_schema, registry, project, env, actual))


def _check_schema(registry: Registry, project: str, env: str, actual: Schema) -> CheckOut:
    head = registry.expected(project, env)
    diff = diff_schemas(
        registry.schema_at(project, head.sha),
        actual,
        rules=registry.rules(project),
        from_label=env,
        to_label="posted",
    )
    refused = registry.refusals(project, env, actual)
    return CheckOut(
        match=actual.fingerprint == head.fingerprint,
        expected=head.fingerprint,
        actual=actual.fingerprint,
        sha=head.sha,
        diff=diff,
        compatibility=registry.compatibility(project, env).value,
        refused=[RefusedOut.of(violation) for violation in refused],
    )


@post(
    "/projects/{project:str}/environments/{env:str}/promote",
    guards=[write_guard],
    sync_to_thread=True,
    status_code=201,
    responses={
        **problems(400, 404, 409, *BODY),
        200: ResponseSpec(SnapshotOut, description="Unchanged: the env has that fingerprint already"),
    },
    tags=["environments"],
)
def post_promote(
    request: Request[Any, Any, Any],
    project: ProjectName,
    env: EnvName,
    data: JSONBody[PromoteIn],
    force: FromQuery[bool] = False,
) -> Response[SnapshotOut]:
    """Make the environment expect what another env, a release or a sha has (a 409 when its
    compatibility level refuses it; `?force=true`, admin, stores it anyway)."""
    check_text("message", data.message or "")
    result = context_of(request).registry.promote(
        project, env, data.from_, message=data.message, **forcing(request, force)
    )
    return Response(SnapshotOut.of(result), status_code=201 if result.created else 200)


@get(
    "/projects/{project:str}/environments/{env:str}/history",
    guards=[read_guard],
    sync_to_thread=True,
    responses=problems(400, 404),
    tags=["environments"],
)
def get_history(
    request: Request[Any, Any, Any],
    project: ProjectName,
    env: EnvName,
    limit: Annotated[int | None, QueryParameter(ge=1, le=10_000, required=False)] = None,
) -> list[HistoryEntryOut]:
    """The environment's snapshots, newest first."""
    entries = context_of(request).registry.history(project, env, limit=limit)
    return [HistoryEntryOut.of(entry) for entry in entries]


@post(
    "/projects/{project:str}/environments/{env:str}/drift",
    guards=[write_guard],
    sync_to_thread=True,
    status_code=201,
    responses=problems(400, 404, *BODY),
    tags=["drift"],
)
def post_drift(
    request: Request[Any, Any, Any],
    project: ProjectName,
    env: EnvName,
    data: JSONBody[dict[str, Any]],
) -> DriftReportOut:
    """Store the latest drift report of an environment (posted by `schemareg drift`)."""
    context = context_of(request)
    context.registry.expected(project, env)  # the project and env must exist
    context.registry.record_drift(project, env, data)
    return DriftReportOut(env=env, received_at=_now(), report=data)


@get(
    "/projects/{project:str}/drift",
    guards=[read_guard],
    sync_to_thread=False,
    responses=problems(400, 404),
    tags=["drift"],
)
def get_drift(request: Request[Any, Any, Any], project: ProjectName) -> list[DriftReportOut]:
    """The latest drift report of each environment."""
    context = context_of(request)
    return [
        DriftReportOut(env=env, received_at=str(report.get("created_at", "")), report=report)
        for env, report in context.registry.drift_reports(project).items()
    ]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


HANDLERS = [
    list_projects,
    put_project,
    get_project,
    list_environments,
    get_expected,
    post_snapshot,
    post_check,
    post_promote,
    get_history,
    post_drift,
    get_drift,
]
