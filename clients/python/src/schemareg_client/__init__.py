"""The Python client of the schemareg REST API.

    from schemareg_client import Client

    with Client("http://localhost:8080", token=TOKEN) as registry:
        expected = registry.expected("shop", "production")

`Client` blocks, `AsyncClient` is awaited; both have the same methods. Errors are `SchemaregError`s
(the tree is drawn in `schemareg_client._exceptions`). Only httpx and msgspec are needed; the
`schemareg` package is imported by `verify_database` alone.
"""

from __future__ import annotations

from schemareg_client._async import AsyncClient
from schemareg_client._base import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    REGISTRY_ENV,
    TOKEN_ENV,
    __version__,
)
from schemareg_client._client import Client, verify_database
from schemareg_client._exceptions import (
    APIError,
    Conflict,
    Forbidden,
    Incompatible,
    NotFound,
    SchemaMismatch,
    SchemaregError,
    ServerError,
    TransportError,
    Unauthorized,
    ValidationError,
)
from schemareg_client._models import (
    Change,
    Changelog,
    Changes,
    Check,
    ColumnEvent,
    Diff,
    DriftRecord,
    Environment,
    Expected,
    HistoryEntry,
    ObjectName,
    Problem,
    Project,
    ProjectDetail,
    Release,
    SchemaObject,
    SchemaWarning,
    SnapshotResult,
    TableHistory,
    Version,
)

__all__ = [
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "REGISTRY_ENV",
    "TOKEN_ENV",
    "APIError",
    "AsyncClient",
    "Change",
    "Changelog",
    "Changes",
    "Check",
    "Client",
    "ColumnEvent",
    "Conflict",
    "Diff",
    "DriftRecord",
    "Environment",
    "Expected",
    "Forbidden",
    "HistoryEntry",
    "Incompatible",
    "NotFound",
    "ObjectName",
    "Problem",
    "Project",
    "ProjectDetail",
    "Release",
    "SchemaMismatch",
    "SchemaObject",
    "SchemaWarning",
    "SchemaregError",
    "ServerError",
    "SnapshotResult",
    "TableHistory",
    "TransportError",
    "Unauthorized",
    "ValidationError",
    "Version",
    "__version__",
    "verify_database",
]
