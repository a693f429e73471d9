"""`verify_database`: introspect a service's own database with the registry's inspector (the `schemareg`
package, imported only here and only when called) and compare it with what its environment expects."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from schemareg_client._exceptions import SchemaregError

__all__ = ["LiveSchema", "introspect"]

MISSING = (
    "verify_database() reads the database with the schemareg package's inspector, and schemareg is not"
    " installed: `pip install schemareg` next to schemareg-client (or compare with"
    " check(project, env, ddl=...) using DDL you produce yourself)"
)


@dataclass(frozen=True, slots=True)
class LiveSchema:
    """A live database's schema: its canonical DDL, fingerprint and dialect, and a password-free label."""

    dialect: str
    ddl: str
    fingerprint: str
    label: str


def introspect(dsn: str) -> LiveSchema:
    """Read the schema of `dsn` (a PostgreSQL URL or libpq string, or `sqlite:PATH`)."""
    # Imported by name: this wheel must install, import and type-check without the registry.
    try:
        dsns = importlib.import_module("schemareg.dsn")
        errors = importlib.import_module("schemareg.errors")
        inspection = importlib.import_module("schemareg.introspect")
        render = importlib.import_module("schemareg.render")
    except ImportError as error:
        raise SchemaregError(MISSING) from error
    label: str = dsns.redact(dsn)
    try:
        schema: Any = inspection.open_inspector(dsn).inspect().schema
    except errors.SchemaregError as error:
        # The registry's messages may quote the DSN: never let its password out.
        raise SchemaregError(f"could not introspect {label}: {dsns.scrub(str(error), dsn)}") from None
    return LiveSchema(
        dialect=str(schema.dialect),
        ddl=str(render.render_schema_sql(schema)),
        fingerprint=str(schema.fingerprint),
        label=label,
    )
