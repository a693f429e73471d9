"""The web UI: read-only pages under /ui/, rendered on the server with Jinja, every asset served from
this package (no CDN, no network). `create_app()` adds `ROUTERS` and `template_config()`."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from litestar import Router
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from schemareg_api.ui.pages import HANDLERS, error_page, sign_in_redirect
from schemareg_api.ui.session import SignInRequired

__all__ = ["ROUTERS", "STATIC", "TEMPLATES", "template_config"]

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
# Only this server: no inline script, no other origin (what keeps every request on the host).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_HEADERS = [
    ResponseHeader(name="content-security-policy", value=CONTENT_SECURITY_POLICY),
    ResponseHeader(name="x-content-type-options", value="nosniff"),
    ResponseHeader(name="referrer-policy", value="same-origin"),
    ResponseHeader(name="cache-control", value="no-cache"),
]


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    # The templates ship in the package and do not change while the server runs: no stat per render.
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, auto_reload=False)
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


ROUTERS = [
    Router(
        path="/ui",
        route_handlers=HANDLERS,
        response_headers=_HEADERS,
        exception_handlers={SignInRequired: sign_in_redirect, Exception: error_page},
        include_in_schema=False,
    ),
    create_static_files_router(
        path="/ui/static",
        directories=[STATIC],
        name="ui-static",
        cache_control=CacheControlHeader(max_age=3600, public=True),
        include_in_schema=False,
    ),
]
