"""`python -m registry`: the `schemareg` command line."""

from __future__ import annotations

from schemareg.cli import main

if __name__ == "__main__":
    main()
