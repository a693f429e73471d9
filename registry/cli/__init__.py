"""The `schemareg` command line: the composition root. It parses arguments, calls the core, prints."""

from __future__ import annotations

import sys

from schemareg.cli import (
    backup,  # noqa: F401  (registers its verbs)
    compat,  # noqa: F401  (registers its verb)
    diff,  # noqa: F401  (registers its verbs)
    drift,  # noqa: F401  (registers its verbs)
    schema,  # noqa: F401  (registers its verbs)
    serve,  # noqa: F401  (registers its verb; imports the API only when it runs)
    store,  # noqa: F401  (registers its verbs)
)
from schemareg.cli.app import cli, run

__all__ = ["cli", "main", "run"]


def main() -> None:
    sys.exit(run())
