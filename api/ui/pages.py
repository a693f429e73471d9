"""The pages under /ui/: projects, a project, an env, a version and its diagram, a diff, a changelog and
a table's history; the sign-in form. Read-only: nothing here writes to the registry."""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import msgspec
from litestar import MediaType, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from markupsafe import Markup

from schemareg.errors import SchemaregError
from schemareg.model import Kind, ObjectKey
from schemareg_api.context import ServerContext, context_of
from schemareg_api.ui import views
from schemareg_api.ui.session import COOKIE, SignInRequired, principal_of, safe_next, sign_in_url, ui_guard

__all__ = ["HANDLERS", "Links", "error_page", "sign_in_redirect"]

HTML = MediaType.HTML


def _segment(value: str) -> str:
    return quote(value, safe="")


class Links:
    """Every URL a page shows: the UI's own pages, the API's and git's, for one request's host."""

    def __init__(self, request: Request[Any, Any, Any]) -> None:
        self.origin = f"{request.url.scheme}://{request.url.netloc}"

    def projects(self) -> str:
        return "/ui/"

    def project(self, project: str) -> str:
        return f"/ui/projects/{_segment(project)}"

    def env(self, project: str, env: str) -> str:
        return f"{self.project(project)}/environments/{_segment(env)}"

    def version(self, project: str, ref: str, **query: str) -> str:
        return f"{self.project(project)}/versions/{_segment(ref)}" + _query(query)

    def object(self, project: str, ref: str, kind: str, name: str) -> str:
        return f"{self.version(project, ref)}/objects/{_segment(kind)}/{_segment(name)}"

    def diagram(self, project: str, ref: str, **query: str) -> str:
        return f"{self.project(project)}/versions/{_segment(ref)}/diagram" + _query(query)

    def diff(self, project: str, from_ref: str, to_ref: str, **query: str) -> str:
        return f"{self.project(project)}/diff" + _query({"from": from_ref, "to": to_ref, **query})

    def changelog(self, project: str, from_ref: str, to_ref: str) -> str:
        return f"{self.project(project)}/changelog" + _query({"from": from_ref, "to": to_ref})

    def table(self, project: str, table: str, env: str | None = None) -> str:
        return f"{self.project(project)}/tables/{_segment(table)}/history" + _query({"env": env or ""})

    def api(self, path: str, **query: str) -> str:
        return f"/v1/projects/{path}" + _query(query)

    def git(self, project: str) -> str:
        return f"{self.origin}/git/{_segment(project)}.git"


def _query(values: dict[str, str]) -> str:
    kept = {key: value for key, value in values.items() if value}
    return "?" + urlencode(kept) if kept else ""


def _page(
    request: Request[Any, Any, Any], template: str, /, status_code: int = 200, **values: Any
) -> Template:
    context = context_of(request)
    return Template(
        template_name=template,
        context={
            "links": Links(request),
            "auth": bool(context.tokens),
            "signed_in": bool(context.tokens) and principal_of(request) is not None,
            **values,
        },
        status_code=status_code,
        media_type=HTML,
    )


_FRAGMENTS: views.Cache[Markup] = views.Cache(64)


def _fragment(request: Request[Any, Any, Any], name: str, key: tuple[Any, ...], **values: Any) -> Markup:
    """A part of a page that depends on shas alone (a version's object list, a diff's objects), rendered
    once: a 250-table version is not rebuilt cell by cell on every request."""
    engine = request.app.template_engine
    if engine is None:  # pragma: no cover - create_app always sets the template config
        raise RuntimeError("no template engine")

    def render() -> Markup:
        template = engine.get_template(name)
        return Markup(template.render(links=Links(request), **values))

    data_dir = context_of(request).data_dir
    return _FRAGMENTS.get((data_dir, name, *key), render)


def _backup_dir(context: ServerContext) -> Path:
    backup_dir = context.settings.backup_dir
    return Path(backup_dir) if backup_dir else context.data_dir / "backups"


# -- sign in -------------------------------------------------------------------------------------------


@get("/login", sync_to_thread=False, include_in_schema=False)
def login_form(
    request: Request[Any, Any, Any], next_: Annotated[str | None, QueryParameter(name="next")] = None
) -> Template:
    return _page(request, "login.html", next=safe_next(next_), error=None)


@post("/login", sync_to_thread=False, include_in_schema=False, status_code=303)
def login(
    request: Request[Any, Any, Any],
    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Response[Any]:
    _same_origin(request)
    target = safe_next(data.get("next"))
    token = data.get("token", "").strip()
    context = context_of(request)
    if not context.tokens:
        return Redirect(target, status_code=303)
    found = principal_of(request, token) if token else None
    if found is None or not found.can_read():
        return _page(
            request, "login.html", status_code=401, next=target, error="That token is not valid here."
        )
    response: Response[Any] = Redirect(target, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        path="/ui",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@post("/logout", sync_to_thread=False, include_in_schema=False, status_code=303)
def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    _same_origin(request)
    response: Response[Any] = Redirect("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response


def _same_origin(request: Request[Any, Any, Any]) -> None:
    """A form post must come from a page of this server (the cookie is SameSite too)."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise PermissionDeniedException("the form was posted from another site")


# -- pages ---------------------------------------------------------------------------------------------


@get("/", guards=[ui_guard], sync_to_thread=False, include_in_schema=False)
def projects_page(request: Request[Any, Any, Any]) -> Template:
    context = context_of(request)
    registry = context.registry
    summaries = [
        views.project_summary(registry, project.name, _backup_dir(context)) for project in registry.projects()
    ]
    return _page(request, "projects.html", projects=summaries)


@get("/projects/{project:str}", guards=[ui_guard], sync_to_thread=False, include_in_schema=False)
def project_page(request: Request[Any, Any, Any], project: FromPath[str]) -> Template:
    context = context_of(request)
    summary = views.project_summary(context.registry, project, _backup_dir(context))
    choices = views.ref_choices(context.registry, project, summary.environments)
    defaults: dict[str, Any] = _default_pair(summary)
    return _page(request, "project.html", project=summary, choices=choices, **defaults)


def _default_pair(summary: views.ProjectSummary) -> dict[str, str]:
    """What the diff picker starts at: production against staging, else the first two envs."""
    names = [env.name for env in summary.environments]
    if "production" in names and "staging" in names:
        return {"default_from": "production", "default_to": "staging"}
    if len(names) >= 2:
        return {"default_from": names[0], "default_to": names[1]}
    only = names[0] if names else ""
    return {"default_from": only, "default_to": only}


@get(
    "/projects/{project:str}/environments/{env:str}",
    guards=[ui_guard],
    sync_to_thread=False,
    include_in_schema=False,
)
def env_page(
    request: Request[Any, Any, Any],
    project: FromPath[str],
    env: FromPath[str],
    limit: Annotated[int, QueryParameter(ge=1, le=10_000)] = 100,
) -> Template:
    registry = context_of(request).registry
    version = registry.expected(project, env)
    history = views.history(registry, project, env, limit=limit)
    drift = views.drift_statuses(registry, project).get(env)
    return _page(
        request,
        "env.html",
        project=registry.project(project),
        env=env,
        version=version,
        history=history,
        limit=limit,
        drift=drift,
        drift_json=json.dumps(drift.report, indent=2, ensure_ascii=False) if drift else "",
        compatibility=views.compatibility_level(registry, project, env),
    )


@get(
    "/projects/{project:str}/versions/{ref:str}",
    guards=[ui_guard],
    sync_to_thread=True,
    include_in_schema=False,
)
def version_page(
    request: Request[Any, Any, Any],
    project: FromPath[str],
    ref: FromPath[str],
    q: Annotated[str, QueryParameter(max_length=200)] = "",
) -> Template:
    registry = context_of(request).registry
    view = views.version_view(registry, project, ref)
    query = q.strip().lower()
    groups = [
        (kind, [item for item in objects if query in item.name.lower()]) if query else (kind, objects)
        for kind, objects in view.groups
    ]
    shown = [(kind, objects) for kind, objects in groups if objects]
    settings = registry.project(project)
    objects_html = _fragment(
        request,
        "_objects.html",
        (project, view.version.sha, query),
        groups=shown,
        project=settings,
        v=view.version,
    )
    return _page(
        request,
        "version.html",
        project=settings,
        ref=ref,
        view=view,
        groups=shown,
        objects_html=objects_html,
        q=q,
        info_json=json.dumps(msgspec.to_builtins(view.version.info), indent=2, ensure_ascii=False),
    )


@get(
    "/projects/{project:str}/versions/{ref:str}/objects/{kind:str}/{name:str}",
    guards=[ui_guard],
    sync_to_thread=True,
    include_in_schema=False,
)
def object_page(
    request: Request[Any, Any, Any],
    project: FromPath[str],
    ref: FromPath[str],
    kind: FromPath[str],
    name: FromPath[str],
    fragment: FromQuery[bool] = False,
) -> Template:
    """One object's highlighted DDL: a page, or (`?fragment=1`) the piece the version page opens in place."""
    registry = context_of(request).registry
    version = registry.version(project, ref)
    html = views.object_html(registry, project, version, kind, name)
    if fragment:
        return _page(request, "object_ddl.html", html=html)
    key = ObjectKey(Kind(kind), name) if kind in Kind._value2member_map_ else None
    return _page(
        request,
        "object.html",
        project=registry.project(project),
        version=version,
        kind=kind,
        name=name,
        path=key.filename if key else "",
        html=html,
    )


@get(
    "/projects/{project:str}/versions/{ref:str}/diagram",
    guards=[ui_guard],
    sync_to_thread=True,
    include_in_schema=False,
)
def diagram_page(
    request: Request[Any, Any, Any],
    project: FromPath[str],
    ref: FromPath[str],
    schema: Annotated[str, QueryParameter(max_length=200)] = "",
    table: Annotated[str, QueryParameter(max_length=400)] = "",
    depth: Annotated[int, QueryParameter(ge=0, le=6)] = 1,
) -> Template:
    registry = context_of(request).registry
    links = Links(request)
    version = registry.version(project, ref)

    def focus_link(name: str) -> str:
        return links.diagram(project, version.sha, table=name, depth=str(depth or 1))

    built, svg = views.diagram(
        registry,
        project,
        version.sha,
        only_schema=schema or None,
        focus=table or None,
        depth=depth,
        link=focus_link,
    )
    return _page(
        request,
        "diagram.html",
        project=registry.project(project),
        ref=ref,
        version=version,
        diagram=built,
        svg=svg,
        schema=schema,
        table=table,
        depth=depth,
    )


@get("/projects/{project:str}/diff", guards=[ui_guard], sync_to_thread=True, include_in_schema=False)
def diff_page(
    request: Request[Any, Any, Any],
    project: FromPath[str],
    from_ref: Annotated[str, QueryParameter(name="from", max_length=200)] = "",
    to_ref: Annotated[str, QueryParameter(name="to", max_length=200)] = "",
    view: Annotated[str, QueryParameter(pattern="^(unified|split)$")] = "unified",
) -> Template:
    registry = context_of(request).registry
    summary = views.project_summary(registry, project, _backup_dir(context_of(request)))
    defaults = _default_pair(summary)
    from_ref, to_ref = from_ref or defaults["default_from"], to_ref or defaults["default_to"]
    diff = views.diff_view(registry, project, from_ref, to_ref) if from_ref and to_ref else None
    names = {env.name for env in summary.environments}
    along = to_ref if to_ref in names else (from_ref if from_ref in names else "")
    objects_html = (
        _fragment(
            request,
            "_diff_objects.html",
            (project, diff.from_sha, diff.to_sha, view, along),
            diff=diff,
            project=summary,
            view=view,
            along=along,
        )
        if diff
        else Markup("")
    )
    return _page(
        request,
        "diff.html",
        project=summary,
        choices=views.ref_choices(registry, project, summary.environments),
        diff=diff,
        objects_html=objects_html,
        from_ref=from_ref,
        to_ref=to_ref,
        view=view,
    )


@get("/projects/{project:str}/changelog", guards=[ui_guard], sync_to_thread=True, include_in_schema=False)
def changelog_page(
    request: Request[Any, Any, Any],
    project: FromPath[str],
    from_ref: Annotated[str, QueryParameter(name="from", min_length=1, max_length=200)],
    to_ref: Annotated[str, QueryParameter(name="to", min_length=1, max_length=200)],
    title: Annotated[str | None, QueryParameter(max_length=200)] = None,
) -> Template:
    registry = context_of(request).registry
    markdown, html = views.changelog_html(registry, project, from_ref, to_ref, title)
    return _page(
        request,
        "changelog.html",
        project=registry.project(project),
        from_ref=from_ref,
        to_ref=to_ref,
        title=title,
        markdown=markdown,
        html=html,
    )


@get(
    "/projects/{project:str}/tables/{name:str}/history",
    guards=[ui_guard],
    sync_to_thread=True,
    include_in_schema=False,
)
def table_history_page(
    request: Request[Any, Any, Any],
    project: FromPath[str],
    name: FromPath[str],
    env: Annotated[str, QueryParameter(max_length=200)] = "",
) -> Template:
    registry = context_of(request).registry
    environments = registry.environments(project)
    history = views.table_history(registry, project, name, env or None, environments)
    return _page(
        request,
        "table_history.html",
        project=registry.project(project),
        history=history,
        environments=environments,
    )


# -- errors --------------------------------------------------------------------------------------------


def sign_in_redirect(request: Request[Any, Any, Any], _: SignInRequired) -> Response[Any]:
    return Redirect(sign_in_url(request), status_code=303)


def error_page(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """An error as a page people can read (the API keeps its problem+json)."""
    from schemareg_api.app import problem_response

    problem = problem_response(request, error)
    status = problem.status_code or 500
    detail = (
        str(getattr(problem.content, "detail", ""))
        if status < 500 or isinstance(error, SchemaregError)
        else ""
    )
    return _page(
        request,
        "error.html",
        status_code=status,
        status=status,
        title=HTTPStatus(status).phrase,
        detail=detail,
    )


HANDLERS = [
    login_form,
    login,
    logout,
    projects_page,
    project_page,
    env_page,
    version_page,
    object_page,
    diagram_page,
    diff_page,
    changelog_page,
    table_history_page,
]
