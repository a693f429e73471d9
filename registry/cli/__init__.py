"""The `schemareg` command line: the composition root. It parses arguments, calls the core, prints."""

from __future__ import annotations

import sys

from registry.cli import (
    diff,  # noqa: F401  (registers its verbs)
    schema,  # noqa: F401  (registers its verbs)
    store,  # noqa: F401  (registers its verbs)
)
from registry.cli.app import cli, run

__all__ = ["cli", "main", "run"]


def main() -> None:
    sys.exit(run())
