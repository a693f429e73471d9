"""schemareg's REST API: a Litestar app over the registry (`create_app()`), and the `serve` command."""

from __future__ import annotations

from schemareg_api.app import create_app

__all__ = ["create_app"]
