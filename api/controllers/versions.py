"""Versions (a sha, short sha, release or env), their schema and objects; releases; diff, changelog,
table history and backups."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, cast

import msgspec
from litestar import MediaType, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from schemareg.changelog import render_json, render_markdown, render_unified
from schemareg.diff import Diff
from schemareg.names import check_text
from schemareg_api.context import (
    POLL_CACHE_CONTROL,
    context_of,
    etag_matches,
    etag_of,
    read_guard,
    release_guard,
)
from schemareg_api.controllers._common import BODY, REF_QUERY, ProjectName, RefParam, problems
from schemareg_api.controllers.compat import forcing
from schemareg_api.models import ChangelogOut, ObjectOut, ReleaseIn, ReleaseOut, TableHistoryOut, VersionOut

__all__ = ["HANDLERS"]

IMMUTABLE = "public, max-age=31536000, immutable"  # a full sha never changes meaning
MARKDOWN = "text/markdown"  # Litestar adds `; charset=utf-8` to every text/* type itself


def _also(status: str, media_type: str, schema: Schema) -> type[Operation]:
    """An Operation class whose `status` response may also come as `media_type`."""

    @dataclass
    class AlternateContent(Operation):
        def __post_init__(self) -> None:
            response = (self.responses or {}).get(status)
            content = getattr(response, "content", None)
            if content is not None:
                content[media_type] = OpenAPIMediaType(schema=schema)

    return AlternateContent


def _wants(request: Request[Any, Any, Any], media_type: str) -> bool:
    return media_type in request.headers.get("accept", "")


@get(
    "/projects/{project:str}/versions/{ref:str}",
    guards=[read_guard],
    sync_to_thread=False,
    responses=problems(400, 404),
    tags=["versions"],
)
def get_version(request: Request[Any, Any, Any], project: ProjectName, ref: RefParam) -> VersionOut:
    """A version by sha, short sha, release or env."""
    return VersionOut.of(context_of(request).registry.version(project, ref))


@get(
    "/projects/{project:str}/versions/{ref:str}/schema.sql",
    guards=[read_guard],
    sync_to_thread=False,
    media_type=MediaType.TEXT,
    responses={**problems(400, 404), 304: ResponseSpec(None, description="Not modified")},
    tags=["versions"],
)
def get_schema_sql(
    request: Request[Any, Any, Any],
    project: ProjectName,
    ref: RefParam,
    if_none_match: Annotated[str | None, HeaderParameter(name="if-none-match", required=False)] = None,
) -> Response[str]:
    """The version's whole canonical schema, replayable into an empty database."""
    registry = context_of(request).registry
    sha = registry.resolve(project, ref)
    headers = {
        "etag": etag_of(sha),
        "cache-control": IMMUTABLE if sha == ref.lower() else POLL_CACHE_CONTROL,
    }
    if if_none_match is not None and etag_matches(if_none_match, headers["etag"]):
        return Response("", status_code=304, headers=headers, media_type=MediaType.TEXT)
    return Response(registry.schema_sql(project, sha), headers=headers, media_type=MediaType.TEXT)


@get(
    "/projects/{project:str}/versions/{ref:str}/objects",
    guards=[read_guard],
    sync_to_thread=True,
    responses=problems(400, 404),
    tags=["versions"],
)
def list_objects(request: Request[Any, Any, Any], project: ProjectName, ref: RefParam) -> list[ObjectOut]:
    """Every object of the version with its canonical DDL."""
    return [
        ObjectOut(kind=item.kind.value, name=item.name, sql=item.sql, opaque=item.opaque)
        for item in context_of(request).registry.objects(project, ref)
    ]


@get(
    "/projects/{project:str}/versions/{ref:str}/objects/{kind:str}/{name:str}",
    guards=[read_guard],
    sync_to_thread=False,
    media_type=MediaType.TEXT,
    responses=problems(400, 404),
    tags=["versions"],
)
def get_object(
    request: Request[Any, Any, Any],
    project: ProjectName,
    ref: RefParam,
    kind: FromPath[str],
    name: FromPath[str],
) -> str:
    """One object's canonical DDL (`kind`: table, view, ... or its folder name, tables, views, ...)."""
    return context_of(request).registry.object_sql(project, ref, kind, name)


@get(
    "/projects/{project:str}/releases",
    guards=[read_guard],
    sync_to_thread=False,
    responses=problems(400, 404),
    tags=["releases"],
)
def list_releases(request: Request[Any, Any, Any], project: ProjectName) -> list[ReleaseOut]:
    """Every release, oldest first."""
    return [ReleaseOut.of(release) for release in context_of(request).registry.releases(project)]


@post(
    "/projects/{project:str}/releases",
    guards=[release_guard],
    sync_to_thread=True,
    status_code=201,
    responses=problems(400, 404, 409, *BODY),
    tags=["releases"],
)
def post_release(
    request: Request[Any, Any, Any],
    project: ProjectName,
    data: JSONBody[ReleaseIn],
    force: FromQuery[bool] = False,
) -> ReleaseOut:
    """Cut an immutable release from a ref (re-using a name is a 409). A semver name is checked against
    the previous release: a smaller bump than its changes need is a 409 when the project enforces semver
    (`?force=true`, admin, cuts it anyway), or a `warning` in the answer."""
    check_text("description", data.description)
    release = context_of(request).registry.release(
        project, data.name, data.ref, description=data.description, **forcing(request, force)
    )
    return ReleaseOut.of(release)


@get(
    "/projects/{project:str}/diff",
    guards=[read_guard],
    sync_to_thread=True,
    responses=problems(400, 404),
    operation_class=_also("200", "text/x-diff", Schema(type=OpenAPIType.STRING)),
    tags=["diff"],
)
def get_diff(
    request: Request[Any, Any, Any],
    project: ProjectName,
    from_ref: Annotated[str, QueryParameter(name="from", min_length=1, schema_extra=REF_QUERY)],
    to_ref: Annotated[str, QueryParameter(name="to", min_length=1, schema_extra=REF_QUERY)],
) -> Response[Diff]:
    """The semantic diff between two versions (JSON); with Accept: text/x-diff, a unified diff of the
    changed objects' canonical DDL."""
    registry = context_of(request).registry
    diff = registry.diff(project, from_ref, to_ref)
    if _wants(request, "text/x-diff"):
        before, after = registry.schema_at(project, from_ref), registry.schema_at(project, to_ref)
        unified = render_unified(before, after, keys=diff.touched())
        return Response(cast(Any, unified), media_type="text/x-diff")
    return Response(cast(Any, render_json(diff)), media_type=MediaType.JSON)


@get(
    "/projects/{project:str}/changelog",
    guards=[read_guard],
    sync_to_thread=True,
    media_type=MARKDOWN,
    responses=problems(400, 404),
    operation_class=_also(
        "200",
        "application/json",
        Schema(
            type=OpenAPIType.OBJECT,
            required=["from", "to", "semver", "markdown"],
            properties={
                name: Schema(type=OpenAPIType.STRING) for name in ("from", "to", "semver", "markdown")
            },
        ),
    ),
    tags=["diff"],
)
def get_changelog(
    request: Request[Any, Any, Any],
    project: ProjectName,
    from_ref: Annotated[str, QueryParameter(name="from", min_length=1, schema_extra=REF_QUERY)],
    to_ref: Annotated[str, QueryParameter(name="to", min_length=1, schema_extra=REF_QUERY)],
    title: Annotated[str | None, QueryParameter(required=False)] = None,
) -> Response[str]:
    """The markdown changelog between two versions (text/markdown; JSON with Accept: application/json)."""
    registry = context_of(request).registry
    diff = registry.diff(project, from_ref, to_ref)
    markdown = render_markdown(diff, title or to_ref)
    if _wants(request, "application/json"):
        payload = ChangelogOut(from_=from_ref, to=to_ref, semver=diff.semver.value, markdown=markdown)
        return Response(payload, media_type=MediaType.JSON)  # type: ignore[arg-type]
    return Response(markdown, media_type=MARKDOWN)


@get(
    "/projects/{project:str}/tables/{name:str}/history",
    guards=[read_guard],
    sync_to_thread=True,
    responses=problems(400, 404),
    tags=["versions"],
)
def get_table_history(
    request: Request[Any, Any, Any],
    project: ProjectName,
    name: FromPath[str],
    env: Annotated[str | None, QueryParameter(required=False)] = None,
) -> TableHistoryOut:
    """When each column of a table appeared or changed along an env's history, and in which release."""
    return TableHistoryOut.of(context_of(request).registry.table_history(project, name, env=env))


@get(
    "/projects/{project:str}/backups",
    guards=[read_guard],
    sync_to_thread=True,
    responses=problems(400, 404),
    tags=["backups"],
)
def list_backups(request: Request[Any, Any, Any], project: ProjectName) -> list[dict[str, Any]]:
    """The project's backups in the server's local backup dir: their manifests, newest first."""
    from schemareg.backup.catalog import LocalStore, list_backups

    context = context_of(request)
    context.registry.project(project)
    backup_dir = context.settings.backup_dir
    directory = Path(backup_dir) if backup_dir else context.data_dir / "backups"
    return [
        msgspec.to_builtins(entry.manifest)
        for entry in list_backups([LocalStore(directory)])
        if entry.manifest.project == project
    ]


HANDLERS = [
    get_version,
    get_schema_sql,
    list_objects,
    get_object,
    list_releases,
    post_release,
    get_diff,
    get_changelog,
    get_table_history,
    list_backups,
]
