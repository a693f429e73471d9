"""The client's models against the server's OpenAPI document: every field the client reads exists in the
answer's schema with a JSON type the client accepts, so drift between server and client fails here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

import schemareg_client as sc
from schemareg_api import create_app
from schemareg_api.settings import Settings

# client model -> the server's component schema
COMPONENTS: dict[type[msgspec.Struct], str] = {
    sc.Project: "ProjectOut",
    sc.ProjectDetail: "ProjectDetail",
    sc.Environment: "EnvironmentOut",
    sc.Release: "ReleaseOut",
    sc.Version: "VersionOut",
    sc.Expected: "ExpectedOut",
    sc.ObjectName: "ObjectName",
    sc.Changes: "ChangesOut",
    sc.SnapshotResult: "SnapshotOut",
    sc.Change: "Change",
    sc.Diff: "Diff",
    sc.Check: "CheckOut",
    sc.HistoryEntry: "HistoryEntryOut",
    sc.SchemaObject: "ObjectOut",
    sc.ColumnEvent: "ColumnEventOut",
    sc.TableHistory: "TableHistoryOut",
    sc.DriftRecord: "DriftReportOut",
    sc.Problem: "Problem",
}
# the answers each client method decodes: (method, path, status) -> client model
ANSWERS = {
    ("get", "/v1/projects/{project}/environments/{env}", "200"): "ExpectedOut",
    ("post", "/v1/projects/{project}/environments/{env}/snapshots", "201"): "SnapshotOut",
    ("post", "/v1/projects/{project}/environments/{env}/check", "200"): "CheckOut",
    ("post", "/v1/projects/{project}/environments/{env}/promote", "201"): "SnapshotOut",
    ("post", "/v1/projects/{project}/releases", "201"): "ReleaseOut",
    ("get", "/v1/projects/{project}/diff", "200"): "Diff",
    ("put", "/v1/projects/{project}", "201"): "ProjectOut",
    ("get", "/v1/projects/{project}", "200"): "ProjectDetail",
    ("get", "/v1/projects/{project}/versions/{ref}", "200"): "VersionOut",
    ("get", "/v1/projects/{project}/tables/{name}/history", "200"): "TableHistoryOut",
    ("post", "/v1/projects/{project}/environments/{env}/drift", "201"): "DriftReportOut",
}


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data_dir: Path = tmp_path_factory.mktemp("openapi")
    with TestClient(create_app(Settings(data_dir=str(data_dir)))) as client:
        document: dict[str, Any] = client.get("/docs/openapi.json").json()
    return document


def json_types(schema: dict[str, Any], components: dict[str, Any]) -> set[str]:
    """The JSON types a schema allows (refs resolved, enums by their values' type)."""
    if "$ref" in schema:
        return json_types(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return set().union(*(json_types(part, components) for part in schema[key]))
    if "enum" in schema and "type" not in schema:
        return {type_of(value) for value in schema["enum"]}
    kind = schema.get("type")
    if kind is None:
        return {"any"}
    return set(kind) if isinstance(kind, list) else {kind}


def type_of(value: object) -> str:
    return {str: "string", int: "integer", bool: "boolean", type(None): "null"}.get(type(value), "object")


def accepts(client: set[str], server: set[str]) -> bool:
    if "any" in client:
        return True
    widened = client | ({"integer"} if "number" in client else set())
    return server <= widened


@pytest.mark.parametrize("model", list(COMPONENTS), ids=lambda model: model.__name__)
def test_model_matches_the_servers_schema(model: type[msgspec.Struct], spec: dict[str, Any]) -> None:
    components: dict[str, Any] = spec["components"]["schemas"]
    server = components[COMPONENTS[model]]
    (client_schema,), client_components = msgspec.json.schema_components([model])
    client = client_components[client_schema["$ref"].rsplit("/", 1)[1]]
    required = set(server.get("required", []))
    for name, field in client["properties"].items():
        assert name in server["properties"], (
            f"{model.__name__}.{name}: not in the server's {COMPONENTS[model]}"
        )
        theirs = json_types(server["properties"][name], components)
        ours = json_types(field, client_components)
        assert accepts(ours, theirs), (
            f"{model.__name__}.{name}: the server sends {theirs}, the client takes {ours}"
        )
        if name in client.get("required", []) and model is not sc.Problem:
            assert name in required, (
                f"{model.__name__}.{name}: required by the client, optional on the server"
            )
    # Nested models are the same ones: a Diff inside a Check is checked as Diff above.


def test_the_methods_decode_the_documented_answers(spec: dict[str, Any]) -> None:
    for (method, path, status), component in ANSWERS.items():
        content = spec["paths"][path][method]["responses"][status]["content"]
        assert content["application/json"]["schema"] == {"$ref": f"#/components/schemas/{component}"}
        assert component in COMPONENTS.values()


def test_the_changelog_json_answer(spec: dict[str, Any]) -> None:
    answer = spec["paths"]["/v1/projects/{project}/changelog"]["get"]["responses"]["200"]["content"]
    schema = answer["application/json"]["schema"]
    fields = {field.encode_name for field in msgspec.structs.fields(sc.Changelog)}
    assert fields == set(schema["properties"]) == set(schema["required"])
