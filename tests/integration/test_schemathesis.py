"""schemathesis against the app's own OpenAPI (/docs/openapi.json), in-process: no 5xx, and every
response matches the documented status codes, content types, headers and schemas."""

from __future__ import annotations

import tempfile
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from schemareg.service import Registry
from schemareg_api import create_app
from schemareg_api.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

V1 = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);"


def _seeded_app() -> Any:
    data_dir = tempfile.mkdtemp(prefix="schemareg-schemathesis-")
    with Registry(data_dir) as registry:
        registry.init_project("shop", "postgres", "the shop")
        registry.snapshot("shop", "staging", V1)
        registry.promote("shop", "production", "staging")
        registry.release("shop", "v1.0.0", env="production")
    return create_app(Settings(data_dir=data_dir, max_body_bytes=64 * 1024))


@schemathesis.serializer("application/sql")
def _sql(ctx: Any, value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else str(value).encode()


APP = _seeded_app()
# Random names (mostly 404s: the error paths) ...
schema = schemathesis.openapi.from_asgi("/docs/openapi.json", APP)
# ... and the seeded project's real names, so that the success paths are exercised too.
seeded = schemathesis.openapi.from_asgi(
    "/docs/openapi.json",
    APP,
    config=schemathesis.config.SchemathesisConfig.from_dict(
        {
            "parameters": {
                "path.project": "shop",
                "path.env": "staging",
                "path.ref": "v1.0.0",
                "query.from": "v1.0.0",
                "query.to": "staging",
            }
        }
    ),
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_openapi(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)


@seeded.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_on_real_names(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)


# Positive and negative data, with the checks that the document tells the truth about what the server
# accepts: a schema-valid request is not refused (ST202: names, lengths and closed objects are stated
# where the server enforces them), undeclared methods are a 405 with Allow, and OPTIONS lists every method
# (ST205). A DDL body the schema cannot describe may be a 422 (it does not parse).
STRICT_CONFIG = {
    "generation": {"mode": "all"},
    "checks": {
        "positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422"]}
    },
}
strict = schemathesis.openapi.from_asgi(
    "/docs/openapi.json", APP, config=schemathesis.config.SchemathesisConfig.from_dict(STRICT_CONFIG)
)
STRICT_CHECKS = [
    *CHECKS,
    positive_data_acceptance,
    unsupported_method,
    allow_header_conformance,
]


@strict.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_positive_and_negative_data_no_5xx_and_the_document_is_exact(case: Any) -> None:
    case.call_and_validate(checks=STRICT_CHECKS)


@pytest.mark.parametrize("path", sorted(APP.openapi_schema.paths or {}))
def test_options_lists_every_method(path: str) -> None:
    from litestar.testing import TestClient

    operations = APP.openapi_schema.paths[path]  # type: ignore[index]
    declared = {m.upper() for m in ("get", "put", "post", "delete", "patch") if getattr(operations, m, None)}
    concrete = path.replace("{kind}", "tables").replace("{name}", "public.users")
    concrete = concrete.replace("{project}", "shop").replace("{env}", "staging").replace("{ref}", "v1.0.0")
    with TestClient(APP) as client:
        response = client.options(concrete)
    assert response.status_code in (200, 204), response.text
    allowed = {m.strip().upper() for m in response.headers.get("allow", "").split(",") if m.strip()}
    assert declared <= allowed and allowed - declared <= {"HEAD", "OPTIONS"}, (path, allowed, declared)
