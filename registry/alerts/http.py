"""One HTTP call with bounded retries: 5xx, 429 and transport errors are retried with exponential backoff."""

from __future__ import annotations

import time
from typing import Any

import httpx

from schemareg.dsn import scrub
from schemareg.errors import ExternalError

__all__ = ["send"]

RETRIED_STATUS = frozenset({429, 500, 502, 503, 504})


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    attempts: int = 4,
    backoff: float = 0.5,
    **kwargs: Any,
) -> httpx.Response:
    """The response of the first attempt that is not retryable; ExternalError after `attempts` tries."""
    last: str = ""
    for attempt in range(attempts):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TransportError as error:
            last = f"{type(error).__name__}: {error}"
            continue
        if response.status_code in RETRIED_STATUS:
            last = f"HTTP {response.status_code}"
            continue
        if response.status_code >= 400:
            raise ExternalError(f"{method} {scrub(url)}: HTTP {response.status_code}: {response.text[:200]}")
        return response
    raise ExternalError(f"{method} {scrub(url)} failed after {attempts} attempts: {scrub(last)}")
