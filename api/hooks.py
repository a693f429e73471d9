"""What runs before every handler: OPTIONS answered with every method of the path, and the request body
read once, within the body timeout (a slow client gets a 408 instead of holding a worker), JSON checked
for UTF-8 and depth before any decoder sees it."""

from __future__ import annotations

from typing import Any

import anyio
import anyio.to_thread
from litestar import Litestar, Request, Response
from litestar.exceptions import HTTPException
from litestar.routes import HTTPRoute

from schemareg.errors import InputError
from schemareg.limits import check_json_depth
from schemareg_api.context import context_of

__all__ = ["RequestTimeout", "allowed_methods", "before_request", "read_body"]

_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
_INLINE_CHECK_BYTES = 64 * 1024


class RequestTimeout(HTTPException):
    status_code = 408


def allowed_methods(app: Litestar) -> dict[str, str]:
    """`Allow` per route path. Litestar's own OPTIONS answer lists only the methods of the handlers
    registered before it was made, so a path with GET and PUT answered `OPTIONS, PUT`."""
    allowed: dict[str, str] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            methods = ", ".join(sorted({*route.methods, "OPTIONS"}))
            allowed[route.path] = allowed[route.path_format] = methods
    return allowed


async def before_request(request: Request[Any, Any, Any]) -> Response[None] | None:
    """Litestar's before-request hook: a response here is the answer, None lets the handler run."""
    if request.method == "OPTIONS":
        allowed: dict[str, str] = request.app.state.allowed_methods
        methods = allowed.get(str(request.scope.get("path_template", "")))
        if methods is not None:
            return Response(None, status_code=204, headers={"allow": methods})
        return None
    await read_body(request)
    return None


async def read_body(request: Request[Any, Any, Any]) -> None:
    """Read the body into the request's cache, where the handler finds it."""
    if request.method in _NO_BODY:
        return
    context = context_of(request)
    seconds = context.settings.body_timeout_seconds
    try:
        with anyio.fail_after(seconds):
            body = await request.body()
    except TimeoutError:
        raise RequestTimeout(
            f"the request body did not arrive within {seconds:g} s (body_timeout_seconds)",
            headers={"connection": "close"},
        ) from None
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(f"the JSON body is not UTF-8 (byte {error.start})") from None
        if len(body) > _INLINE_CHECK_BYTES:  # a big body is checked off the event loop
            await anyio.to_thread.run_sync(check_json_depth, body, context.limits)
        else:
            check_json_depth(body, context.limits)
