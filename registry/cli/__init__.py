"""The `schemareg` command line: the composition root. It parses arguments, calls the core, prints.

Each verb's module is imported when the verb runs (`schemareg.cli.app.VERBS`), so a verb loads what it
needs and no more.
"""

from __future__ import annotations

import sys

from schemareg.cli.app import cli, run

__all__ = ["cli", "main", "run"]


def main() -> None:
    sys.exit(run())
