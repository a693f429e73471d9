"""`schemareg serve`: check the settings, then run the app on a production ASGI server.

granian is the default (measured against uvicorn in docs/benchmarks.md, "REST API"); uvicorn stays
available with `--server uvicorn`. Worker processes build their app with `create_app()` from the
`SCHEMAREG_*` variables this sets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from schemareg_api.auth import TokenError, Tokens
from schemareg_api.metrics import metrics_folder
from schemareg_api.settings import Settings

__all__ = ["ServeError", "check", "serve"]

APP_FACTORY = "schemareg_api.app:create_app"


class ServeError(Exception):
    """The server must not start with these settings."""


def check(settings: Settings) -> list[str]:
    """Refuse unsafe settings (ServeError); return the warnings to print."""
    try:
        tokens = Tokens.parse(settings.tokens)
    except TokenError as error:
        raise ServeError(str(error)) from None
    if tokens:
        return []
    if not settings.loopback and not settings.allow_anonymous:
        raise ServeError(
            f"refusing to serve on {settings.host} without tokens: anyone who reaches it could write."
            " Configure SCHEMAREG_TOKENS, bind a loopback address, or pass --allow-anonymous."
        )
    if settings.loopback:
        return [
            "no tokens configured: every request is anonymous with full rights;"
            f" serving on loopback ({settings.host}) only"
        ]
    return [f"no tokens configured and --allow-anonymous: anyone who reaches {settings.host} can write"]


def serve(overrides: Mapping[str, Any], echo: Callable[[str, bool], None]) -> None:
    """Start the server in the foreground; `echo(message, is_warning)` prints."""
    settings = Settings.load(overrides)
    for warning in check(settings):
        echo(f"warning: {warning}", True)
    os.makedirs(settings.data_dir, exist_ok=True)
    os.environ.update(settings.environ())
    echo(
        f"schemareg serving {os.path.abspath(settings.data_dir)} on http://{_url_host(settings.host)}:"
        f"{settings.port} ({settings.workers} worker{'s' if settings.workers > 1 else ''}, {settings.server});"
        f" API docs at /docs",
        False,
    )
    with metrics_folder():  # the workers' numbers are summed from it (api/metrics.py)
        _run(settings)


def _run(settings: Settings) -> None:
    if settings.server == "uvicorn":
        import uvicorn

        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level=settings.log_level,
            access_log=False,
        )
        return
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        APP_FACTORY,
        factory=True,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        workers=settings.workers,
        log_level=settings.log_level,  # type: ignore[arg-type]
        log_access=False,
        respawn_failed_workers=True,
    ).serve()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
