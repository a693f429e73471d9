"""The `[backup]` table of `schemareg.toml`: settings that belong to a deployment rather than one run."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from schemareg.errors import InputError

CONFIG_FILE = "schemareg.toml"


@dataclass(frozen=True)
class BackupSettings:
    recipients: list[str] = field(default_factory=list)  # age recipients every backup is encrypted to
    max_size: str | None = None  # the storage quota `prune` enforces, "50GiB"


def backup_settings(path: Path | None = None) -> BackupSettings:
    """`[backup]` of $SCHEMAREG_CONFIG or ./schemareg.toml; defaults when there is none."""
    config = path or Path(os.environ.get("SCHEMAREG_CONFIG", CONFIG_FILE))
    try:
        document = tomllib.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return BackupSettings()
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"{config}: {error}") from None
    table = document.get("backup", {})
    if not isinstance(table, dict):
        raise InputError(f"{config}: [backup] must be a table")
    recipients = table.get("recipients", [])
    if isinstance(recipients, str):
        recipients = [recipients]
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        raise InputError(f"{config}: [backup] recipients must be a list of age recipients")
    max_size = table.get("max_size")
    if max_size is not None and not isinstance(max_size, str | int):
        raise InputError(f'{config}: [backup] max_size must be a size such as "50GiB"')
    return BackupSettings(recipients=list(recipients), max_size=None if max_size is None else str(max_size))
