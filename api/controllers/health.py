"""Liveness, readiness and metrics."""

from __future__ import annotations

import os
import shutil
from typing import Any, cast

from litestar import MediaType, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec

from schemareg_api.context import context_of
from schemareg_api.models import Health

__all__ = ["HANDLERS"]

_OK = b'{"status":"ok","checks":{}}'


@get("/healthz", sync_to_thread=False, tags=["health"])
def healthz() -> Response[Health]:
    """The process answers."""
    return Response(cast(Any, _OK), media_type=MediaType.JSON)


@get(
    "/readyz",
    sync_to_thread=False,
    responses={503: ResponseSpec(Health, description="Not ready")},
    tags=["health"],
)
def readyz(request: Request[Any, Any, Any]) -> Response[Health]:
    """The data dir exists and is writable (and whether git is there to serve clones)."""
    data_dir = context_of(request).data_dir
    checks = {
        "data_dir": "ok" if data_dir.is_dir() and os.access(data_dir, os.W_OK) else "not writable",
        "git": "ok" if shutil.which("git") else "missing (git clone over HTTP unavailable)",
    }
    ready = checks["data_dir"] == "ok"
    return Response(
        Health(status="ready" if ready else "not ready", checks=checks), status_code=200 if ready else 503
    )


@get("/metrics", sync_to_thread=False, media_type="text/plain; version=0.0.4", tags=["health"])
def metrics(request: Request[Any, Any, Any]) -> str:
    """Prometheus text format: requests by route and status, latency histogram, snapshots posted."""
    return context_of(request).metrics.render()


HANDLERS = [healthz, readyz, metrics]
