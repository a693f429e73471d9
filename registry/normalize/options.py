"""What the normaliser keeps beyond the schema's shape, per project (`[normalize]` in its config)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from schemareg.errors import InputError


class NormalizeOptions(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    keep_owners: bool = False  # ALTER ... OWNER TO becomes an `owner` object
    keep_grants: bool = False  # GRANT / REVOKE become `grant` objects, one per object and grantee
    # Which engine normalises posted DDL (registry/engine.py): "sqlglot" or "postgres", fixed for a
    # project's history. Not in the salt: it never changes what the sqlglot compiler makes of a statement.
    engine: str = "sqlglot"

    @property
    def salt(self) -> str:
        return f"owners={int(self.keep_owners)},grants={int(self.keep_grants)}"


DEFAULT_OPTIONS = NormalizeOptions()


def options_from_mapping(mapping: Mapping[str, Any]) -> NormalizeOptions:
    cleaned = {str(key).replace("-", "_"): value for key, value in mapping.items()}
    try:
        options = msgspec.convert(cleaned, NormalizeOptions)
    except msgspec.ValidationError as error:
        raise InputError(f"[normalize] settings: {error}") from error
    if options.engine not in ("sqlglot", "postgres"):
        raise InputError(f"[normalize] engine: {options.engine!r} is neither sqlglot nor postgres")
    return options
