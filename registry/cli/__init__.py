"""The `schemareg` command line: the composition root. It parses arguments, calls the core, prints.

Each verb's module is imported when the verb runs (`schemareg.cli.app.VERBS`), so a verb loads what it
needs and no more.
"""

from __future__ import annotations

import gc
import sys

from schemareg.cli.app import cli, run

__all__ = ["cli", "main", "run"]


def main() -> None:
    code = run()
    # On the way out the interpreter runs the cyclic collector over the whole heap (sqlglot's classes, a
    # normalised schema) before freeing it module by module: a verb has finished, there is nothing for it
    # to find, and skipping it was a sixth of a cold `schemareg schema` (atexit handlers still run).
    gc.freeze()
    sys.exit(code)
