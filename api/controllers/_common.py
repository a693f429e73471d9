"""Helpers the controllers share: problem responses in OpenAPI, request bodies that are SQL or JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import PathParameter, QueryParameter

from schemareg.errors import InputError
from schemareg.names import MAX_TEXT_LENGTH, TEXT_PATTERN
from schemareg_api.models import DIALECTS, NAME_PATTERN, NOT_BLANK_PATTERN, Problem

__all__ = [
    "BODY",
    "DDL_MEDIA_TYPES",
    "PROBLEM",
    "REF_QUERY",
    "DialectQuery",
    "EnvName",
    "MessageQuery",
    "ProjectName",
    "RefParam",
    "SchemaBody",
    "UnsupportedMediaType",
    "problems",
    "read_schema_body",
]

# Path parameters with what the server accepts stated for OpenAPI (the registry's checks enforce it).
ProjectName = Annotated[
    str, PathParameter(description="A project name", schema_extra={"pattern": NAME_PATTERN, "maxLength": 100})
]
EnvName = Annotated[
    str,
    PathParameter(
        description="An environment name", schema_extra={"pattern": NAME_PATTERN, "maxLength": 100}
    ),
]
RefParam = Annotated[
    str,
    PathParameter(
        description="A sha, short sha (4+ hex digits), release or environment, with git's ~N and ^N suffixes",
        schema_extra={"minLength": 1, "maxLength": 200, "pattern": NOT_BLANK_PATTERN},
    ),
]
REF_QUERY = {"maxLength": 200, "pattern": NOT_BLANK_PATTERN}  # schema_extra of a ref in the query
DialectQuery = Annotated[str | None, QueryParameter(required=False, schema_extra={"enum": list(DIALECTS)})]
MessageQuery = Annotated[
    str | None,
    QueryParameter(required=False, schema_extra={"pattern": TEXT_PATTERN, "maxLength": MAX_TEXT_LENGTH}),
]

PROBLEM = "application/problem+json"
DDL_MEDIA_TYPES = frozenset({"application/sql", "text/plain", "text/x-sql", "application/x-sql"})
_DESCRIPTIONS = {
    400: "Bad input (a name git refuses, a malformed body)",
    401: "No valid token",
    403: "The token lacks the scope",
    404: "Unknown project, environment, ref or object",
    409: "Conflict (the release or project exists)",
    408: "The body did not arrive within the body timeout",
    413: "The body is larger than a limit (`limit` names it)",
    415: "Unsupported content type",
    422: "The DDL cannot be parsed (line and column given), or a limit refused the body (`limit` names it)",
    502: "An external system failed",
}


BODY = (408, 413, 422)  # what any request with a body can get: too slow, too large, too deep


def problems(*codes: int) -> dict[int, ResponseSpec]:
    """The problem+json responses a handler can give, for its OpenAPI operation."""
    codes = (401, 403, *codes)
    return {
        code: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM,
            description=_DESCRIPTIONS.get(code, "Error"),
            generate_examples=False,
        )
        for code in sorted(set(codes))
    }


class UnsupportedMediaType(HTTPException):
    status_code = 415


@dataclass(frozen=True, slots=True)
class SchemaBody:
    """A posted schema: DDL text, or the raw JSON for the handler to decode into its model."""

    ddl: str | None
    json: bytes | None


async def read_schema_body(request: Request[Any, Any, Any]) -> SchemaBody:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in DDL_MEDIA_TYPES and media_type != "application/json":
        raise UnsupportedMediaType(
            f"send DDL as application/sql (or text/plain) or JSON as application/json,"
            f" not {media_type or 'no content type'}"
        )
    body = await request.body()
    if media_type == "application/json":
        return SchemaBody(ddl=None, json=body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"the DDL is not UTF-8 (byte {error.start})") from None
    if not text.strip():
        raise InputError("the body is empty: post the schema's DDL")
    return SchemaBody(ddl=text, json=None)


def decode_json(data: bytes, model: type[Any]) -> Any:
    try:
        return msgspec.json.decode(data, type=model)
    except msgspec.ValidationError as error:
        raise InputError(f"invalid JSON body: {error}") from None
    except (msgspec.DecodeError, UnicodeDecodeError) as error:
        raise InputError(f"the body is not JSON: {error}") from None


def _string(nullable: bool = False, *, text: bool = False, dialect: bool = False) -> Schema:
    if text:
        string = Schema(type=OpenAPIType.STRING, pattern=TEXT_PATTERN, max_length=MAX_TEXT_LENGTH)
    elif dialect:
        string = Schema(type=OpenAPIType.STRING, enum=list(DIALECTS))
    else:
        string = Schema(type=OpenAPIType.STRING)
    if nullable:
        return Schema(one_of=[string, Schema(type=OpenAPIType.NULL)])
    return string


def _ddl_and_json_body(json_schema: Schema, description: str) -> RequestBody:
    content = {
        # Not empty nor only whitespace: such a body is refused.
        media_type: OpenAPIMediaType(
            schema=Schema(type=OpenAPIType.STRING, description="DDL", min_length=1, pattern=NOT_BLANK_PATTERN)
        )
        for media_type in ("application/sql", "text/plain")
    }
    content["application/json"] = OpenAPIMediaType(schema=json_schema)
    return RequestBody(content=content, required=True, description=description)


@dataclass
class SnapshotOperation(Operation):
    """The snapshot post: DDL as application/sql or text/plain, or a JSON object."""

    def __post_init__(self) -> None:
        self.request_body = _ddl_and_json_body(
            Schema(
                type=OpenAPIType.OBJECT,
                required=["ddl"],
                properties={
                    "ddl": _string(),
                    "dialect": _string(nullable=True, dialect=True),
                    "message": _string(nullable=True, text=True),
                    "description": _string(text=True),
                },
                additional_properties=False,
            ),
            "The schema's DDL, or {ddl, dialect, message, description}",
        )


@dataclass
class CheckOperation(Operation):
    """The check post: DDL, or a JSON object with a fingerprint or DDL."""

    def __post_init__(self) -> None:
        null = Schema(type=OpenAPIType.NULL)
        dialect = _string(nullable=True, dialect=True)
        self.request_body = _ddl_and_json_body(
            Schema(  # exactly one of the two
                one_of=[
                    Schema(
                        type=OpenAPIType.OBJECT,
                        required=["fingerprint"],
                        properties={"fingerprint": _string(), "ddl": null, "dialect": dialect},
                        additional_properties=False,
                    ),
                    Schema(
                        type=OpenAPIType.OBJECT,
                        required=["ddl"],
                        properties={"ddl": _string(), "fingerprint": null, "dialect": dialect},
                        additional_properties=False,
                    ),
                ]
            ),
            "The live schema's DDL, or {fingerprint} or {ddl, dialect}",
        )
