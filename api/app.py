"""`create_app()`: the Litestar app with every route, the one exception mapper and OpenAPI at /docs."""

from __future__ import annotations

import logging
from http import HTTPStatus
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, Router
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig

from schemareg import __version__
from schemareg.compat import Incompatible
from schemareg.errors import (
    Conflict,
    ExternalError,
    InputError,
    InvalidName,
    NotFound,
    SchemaregError,
    SQLParseError,
    StoreError,
)
from schemareg.limits import LimitExceeded
from schemareg.service import Registry
from schemareg_api import git_http, openapi_ui, ui
from schemareg_api.context import ServerContext
from schemareg_api.controllers import compat, health, projects, versions
from schemareg_api.hooks import allowed_methods, before_request
from schemareg_api.metrics import metrics_middleware
from schemareg_api.models import Problem
from schemareg_api.openapi import ClosedStructs
from schemareg_api.settings import Settings

__all__ = ["create_app", "problem_response"]

logger = logging.getLogger("schemareg.api")
PROBLEM_MEDIA_TYPE = "application/problem+json"

# The one place where the registry's errors become HTTP statuses (most specific class first).
_STATUS: tuple[tuple[type[SchemaregError], int, str], ...] = (
    (LimitExceeded, 413, "limit-exceeded"),  # or 422: the error says which
    (SQLParseError, 422, "sql-parse-error"),
    (InvalidName, 400, "invalid-name"),
    (InputError, 400, "invalid-input"),
    (NotFound, 404, "not-found"),
    (Incompatible, 409, "incompatible"),
    (Conflict, 409, "conflict"),
    (StoreError, 500, "store-error"),
    (ExternalError, 502, "external-error"),
    (SchemaregError, 500, "error"),
)
_HTTP_TYPES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    408: "request-timeout",
    413: "body-too-large",
    415: "unsupported-media-type",
    503: "unavailable",
}


def problem_response(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    """Every error as RFC 9457 problem+json: registry errors, Litestar's own, and the unexpected."""
    headers: dict[str, str] = {}
    line = column = None
    refused: dict[str, Any] = {}
    limit = None
    if isinstance(error, SchemaregError):
        status, name = next((code, name) for cls, code, name in _STATUS if isinstance(error, cls))
        detail = str(error)
        if isinstance(error, SQLParseError):
            line, column = error.line, error.column
        if isinstance(error, Incompatible):
            refused = {"guard": error.guard, "against": error.against, "changes": error.changes}
        if isinstance(error, LimitExceeded):
            status, limit = error.status, error.setting
        if status >= 500:
            logger.error("%s on %s %s: %s", type(error).__name__, request.method, request.url.path, error)
    elif isinstance(error, HTTPException):
        status = error.status_code
        name = _HTTP_TYPES.get(status, "http-error")
        detail = error.detail
        if isinstance(error, ValidationException) and error.extra:
            detail = f"{detail}: {_validation_detail(error.extra)}"
        headers.update(error.headers or {})
    else:
        status, name, detail = 500, "internal-error", "internal server error"
        logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    problem = Problem(
        type=f"/problems/{name}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        line=line,
        column=column,
        **refused,
        limit=limit,
    )
    return Response(problem, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _validation_detail(extra: Any) -> str:
    if isinstance(extra, list):
        parts = []
        for item in extra:
            if isinstance(item, dict):
                where = " ".join(
                    str(getattr(item[key], "value", item[key])) for key in ("source", "key") if item.get(key)
                )
                parts.append(f"{where}: {item.get('message', '')}".strip(": "))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(extra)


def create_app(settings: Settings | None = None, *, registry: Registry | None = None) -> Litestar:
    """The API app. With no settings, they are read from the environment and schemareg.toml (as the
    server's worker processes do)."""
    settings = settings or Settings.load()
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    context = ServerContext(settings, registry=registry)
    v1 = Router(path="/v1", route_handlers=[*projects.HANDLERS, *compat.HANDLERS, *versions.HANDLERS])
    app = Litestar(
        route_handlers=[*health.HANDLERS, v1, *git_http.HANDLERS, *ui.ROUTERS, openapi_ui.assets_router()],
        template_config=ui.template_config(),
        exception_handlers={Exception: problem_response},
        before_request=before_request,
        middleware=[metrics_middleware],
        plugins=[ClosedStructs()],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="schemareg",
            version=__version__,
            description="A Git-backed registry of database schemas. Errors are RFC 9457 problem+json.",
            path="/docs",
            render_plugins=openapi_ui.render_plugins(),  # served from the package, no CDN
        ),
        on_startup=[context.pool.warm],
        on_shutdown=[context.registry.close, context.pool.close],
        debug=False,
    )
    app.state.context = context
    app.state.allowed_methods = allowed_methods(app)
    app.state.metrics = context.metrics
    return app
