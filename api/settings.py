"""Server settings, read at the edge: flags, then `SCHEMAREG_*` environment variables, then the
`[server]` table of `schemareg.toml` (in the working directory), then defaults."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from schemareg.limits import DEFAULT_LIMITS, Limits

__all__ = ["ENV_VARS", "Settings", "default_workers", "is_loopback"]

_INTEGERS = frozenset(
    {"port", "workers", "max_body_bytes", "max_inflated_bytes", "max_statements", "max_nesting_depth"}
    | {"max_json_depth", "normalize_workers"}
)
_SECONDS = frozenset({"normalize_cpu_seconds", "header_timeout_seconds", "body_timeout_seconds"})

# Every environment variable the server reads (docs/api.md and the compose test check this list).
ENV_VARS = {
    "SCHEMAREG_DATA_DIR": "data_dir",
    "SCHEMAREG_HOST": "host",
    "SCHEMAREG_PORT": "port",
    "SCHEMAREG_WORKERS": "workers",
    "SCHEMAREG_SERVER": "server",
    "SCHEMAREG_TOKENS": "tokens",
    "SCHEMAREG_ALLOW_ANONYMOUS": "allow_anonymous",
    "SCHEMAREG_MAX_BODY_BYTES": "max_body_bytes",
    "SCHEMAREG_MAX_INFLATED_BYTES": "max_inflated_bytes",
    "SCHEMAREG_MAX_STATEMENTS": "max_statements",
    "SCHEMAREG_MAX_NESTING_DEPTH": "max_nesting_depth",
    "SCHEMAREG_MAX_JSON_DEPTH": "max_json_depth",
    "SCHEMAREG_NORMALIZE_CPU_SECONDS": "normalize_cpu_seconds",
    "SCHEMAREG_NORMALIZE_WORKERS": "normalize_workers",
    "SCHEMAREG_HEADER_TIMEOUT_SECONDS": "header_timeout_seconds",
    "SCHEMAREG_BODY_TIMEOUT_SECONDS": "body_timeout_seconds",
    "SCHEMAREG_BACKUP_DIR": "backup_dir",
    "SCHEMAREG_LOG_LEVEL": "log_level",
}
CONFIG_FILE = "schemareg.toml"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def default_workers() -> int:
    """One worker per core this process may run on (its CPU affinity, which a container's cpuset limits)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no sched_getaffinity (macOS)
        return max(1, os.cpu_count() or 1)


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    data_dir: str = "schemareg-data"
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = msgspec.field(default_factory=default_workers)  # server worker processes
    server: str = "granian"  # or "uvicorn" (see docs/api.md, "Server")
    # Tokens: inline `sha256hex:scope,scope;sha256hex:scope` or the path of a file with one
    # `sha256hex:scope,scope` per line (`#` starts a comment). Empty: anonymous, loopback only.
    tokens: str = ""
    allow_anonymous: bool = False
    # The limits of one request (docs/api.md, "Limits"); defaults from schemareg.limits.
    max_body_bytes: int = DEFAULT_LIMITS.max_body_bytes
    max_inflated_bytes: int = DEFAULT_LIMITS.max_inflated_bytes
    max_statements: int = DEFAULT_LIMITS.max_statements
    max_nesting_depth: int = DEFAULT_LIMITS.max_nesting_depth
    max_json_depth: int = DEFAULT_LIMITS.max_json_depth
    normalize_cpu_seconds: float = DEFAULT_LIMITS.normalize_cpu_seconds
    normalize_workers: int = 2  # worker processes that normalise posted DDL, per server worker
    # Slow clients: the whole request head must arrive within the first, the body within the second.
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 60.0
    backup_dir: str | None = None
    log_level: str = "info"

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, Any] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        config: Path | None = None,
    ) -> Settings:
        """Merge defaults < schemareg.toml [server] < SCHEMAREG_* variables < `overrides` (flags)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        path = config if config is not None else Path(CONFIG_FILE)
        if path.is_file():
            server = tomllib.loads(path.read_text(encoding="utf-8")).get("server", {})
            if isinstance(server, dict):
                values.update({key.replace("-", "_"): value for key, value in server.items()})
        for variable, field in ENV_VARS.items():
            if variable in environ:
                values[field] = environ[variable]
        values.update({key: value for key, value in (overrides or {}).items() if value is not None})
        return cls._coerce(values)

    @classmethod
    def _coerce(cls, values: Mapping[str, Any]) -> Settings:
        known = set(cls.__struct_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown server settings: {', '.join(unknown)}")
        coerced: dict[str, Any] = {}
        for key, value in values.items():
            if key in _INTEGERS:
                try:
                    coerced[key] = int(value)
                except (TypeError, ValueError):
                    raise ValueError(f"server setting {key} must be an integer, not {value!r}") from None
            elif key in _SECONDS:
                try:
                    coerced[key] = float(value)
                except (TypeError, ValueError):
                    raise ValueError(
                        f"server setting {key} must be a number of seconds, not {value!r}"
                    ) from None
            elif key == "allow_anonymous":
                coerced[key] = _boolean(key, value)
            elif key in ("data_dir", "backup_dir"):
                coerced[key] = str(value)
            else:
                coerced[key] = str(value)
        settings = cls(**coerced)
        if settings.server not in ("granian", "uvicorn"):
            raise ValueError(f"server must be granian or uvicorn, not {settings.server!r}")
        if settings.workers < 1 or not 0 <= settings.port <= 65535:
            raise ValueError("workers must be positive and port in 0..65535")
        for key in sorted(_INTEGERS - {"port", "workers"} | _SECONDS):
            if getattr(settings, key) <= 0:
                raise ValueError(f"server setting {key} must be positive")
        return settings

    @property
    def limits(self) -> Limits:
        return Limits(**{name: getattr(self, name) for name in Limits.names()})

    def environ(self) -> dict[str, str]:
        """These settings as `SCHEMAREG_*` variables: how `serve` hands them to its worker processes."""
        result: dict[str, str] = {}
        for variable, field in ENV_VARS.items():
            value = getattr(self, field)
            if value is None:
                continue
            result[variable] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return result

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _boolean(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"server setting {key} must be true or false, not {value!r}")
