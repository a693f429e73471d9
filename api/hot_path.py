"""The expected-version answer without the handler machinery: thousands of pods poll it.

A route middleware on `GET /v1/projects/{project}/environments/{env}`: Litestar has routed the request
(so the path params are in the scope); this answers 200 or 304 from the encoded head straight away.
Anything else (no or a bad token, an unknown project or env, a name the registry refuses) goes on to
the route's handler, which has the guards, gives the same answers and raises the errors that become
problem+json, and documents the route in OpenAPI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from schemareg.errors import SchemaregError
from schemareg_api.context import ServerContext, etag_matches

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive

__all__ = ["expected_fast_path"]


def expected_fast_path(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Any, receive: Receive, send: Any) -> None:
        if scope["method"] != "GET":
            await app(scope, receive, send)
            return
        context: ServerContext = scope["litestar_app"].state.context
        authorization = if_none_match = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value
            elif name == b"authorization":
                authorization = value
        if context.tokens:
            principal = context.tokens.authenticate(
                authorization.decode("latin-1") if authorization is not None else None
            )
            if principal is None or not principal.can_read():
                await app(scope, receive, send)  # the guard answers 401 or 403
                return
        params: dict[str, Any] = scope["path_params"]
        try:
            entry = context.expected(params["project"], params["env"])
        except SchemaregError:
            await app(scope, receive, send)  # the handler raises it again, as problem+json
            return
        if if_none_match is not None and (
            if_none_match == entry.headers[1][1] or etag_matches(if_none_match.decode("latin-1"), entry.etag)
        ):
            await send({"type": "http.response.start", "status": 304, "headers": entry.not_modified_headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": entry.ok_headers})
        await send({"type": "http.response.body", "body": entry.body})

    return middleware
