"""`/docs` without a CDN: Swagger UI's own files, from the `swagger-ui-bundle-v2` package, served by the app
itself, so the page works on a network that reaches nothing but the server."""

from __future__ import annotations

from pathlib import Path

from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

__all__ = ["ASSETS", "assets_router", "render_plugins"]

ASSETS = "/docs/assets"


def render_plugins() -> list[SwaggerRenderPlugin]:
    """Swagger UI at /docs (and /docs/swagger), loading its script, style and icon from ASSETS."""
    return [
        SwaggerRenderPlugin(
            js_url=f"{ASSETS}/swagger-ui-bundle.js",
            css_url=f"{ASSETS}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS}/favicon-32x32.png'>",
        )
    ]


def assets_router() -> Router:
    return create_static_files_router(
        path=ASSETS, directories=[Path(str(swagger_ui_path))], include_in_schema=False, name="docs-assets"
    )
