"""`schemareg serve`: check the settings, then run the app on a production ASGI server.

granian is the default (measured against uvicorn in docs/benchmarks.md, "REST API"); uvicorn stays
available with `--server uvicorn`. Worker processes build their app with `create_app()` from the
`SCHEMAREG_*` variables this sets.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import socket
from collections.abc import Callable, Mapping
from typing import Any

from schemareg_api.auth import TokenError, Tokens
from schemareg_api.metrics import metrics_folder
from schemareg_api.settings import Settings

__all__ = ["ServeError", "check", "check_port", "serve"]

APP_FACTORY = "schemareg_api.app:create_app"


class ServeError(Exception):
    """The server must not start with these settings."""


def check(settings: Settings) -> list[str]:
    """Refuse unsafe settings (ServeError); return the warnings to print."""
    if settings.server == "uvicorn" and importlib.util.find_spec("uvicorn") is None:
        raise ServeError(
            "--server uvicorn needs uvicorn: pip install 'schemareg[uvicorn]' (granian is the default)"
        )
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
    check_port(settings.host, settings.port)
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
            # uvicorn has no timeout for a request head; idle keep-alive connections close after this.
            timeout_keep_alive=max(1, int(settings.header_timeout_seconds)),
        )
        return
    from granian import Granian
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings

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
        # A client that has not sent its whole request head in time is disconnected (the body has its own
        # timeout in the app, body_timeout_seconds).
        http1_settings=HTTP1Settings(header_read_timeout=int(settings.header_timeout_seconds * 1000)),
    ).serve()


def check_port(host: str, port: int) -> None:
    """Refuse a port another server listens on. The ASGI servers bind with SO_REUSEPORT, so a second one
    would share the port and requests would alternate between two registries."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a closed server's TIME_WAIT is fine
        try:
            sock.bind((host.strip("[]"), port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ServeError(f"{_url_host(host)}:{port}: address already in use") from None
            raise ServeError(f"cannot bind {_url_host(host)}:{port}: {error.strerror}") from None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
