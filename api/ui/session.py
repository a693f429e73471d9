"""Signing in to the UI: with tokens configured, a page needs a token that can read, kept in an HttpOnly,
SameSite=Strict cookie by a small form (or sent as `Authorization: Bearer`, as for the API). With no
tokens the pages are open, as the API is (the server then listens on loopback only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from schemareg_api.auth import Principal
from schemareg_api.context import context_of

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

__all__ = ["COOKIE", "SignInRequired", "principal_of", "safe_next", "sign_in_url", "ui_guard"]

COOKIE = "schemareg_ui_token"
PREFIX = "/ui"


class SignInRequired(NotAuthorizedException):
    """No token, or one the server does not know: the page sends the browser to the sign-in form."""


def principal_of(
    connection: ASGIConnection[Any, Any, Any, Any], token: str | None = None
) -> Principal | None:
    """Who the request is: from `token`, else the Authorization header, else the cookie."""
    context = context_of(connection)
    if not context.tokens:
        return None
    header = connection.headers.get("authorization")
    if token is None and header is None:
        token = connection.cookies.get(COOKIE)
    return context.tokens.authenticate(f"Bearer {token}" if token is not None else header)


async def ui_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not context_of(connection).tokens:
        return
    found = principal_of(connection)
    if found is None:
        raise SignInRequired("sign in with a read token")
    if not found.can_read():
        raise PermissionDeniedException("this token cannot read")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of the UI on this server, never another site."""
    if not target:
        return PREFIX + "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(PREFIX + "/") or "\\" in target:
        return PREFIX + "/"
    return target


def sign_in_url(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    here = connection.url.path + (f"?{connection.url.query}" if connection.url.query else "")
    return f"{PREFIX}/login?next={quote(here, safe='')}"
