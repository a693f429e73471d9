"""The OpenAPI document says what the server enforces: a wire model that refuses unknown fields is
`additionalProperties: false` (Litestar leaves every object open)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.openapi.spec import Schema
    from litestar.typing import FieldDefinition

from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin

__all__ = ["ClosedStructs"]


class ClosedStructs(StructSchemaPlugin):
    """msgspec Structs with `forbid_unknown_fields=True` as closed JSON objects."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        if not super().is_plugin_supported_field(field_definition):
            return False
        info = msgspec.inspect.type_info(field_definition.type_)
        return isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema
