"""schemareg's core: the schema model, the normaliser, the differ, the git store and the services over them.

This package never imports the API (`api`) or the clients (`clients`), and importing it does not import
litestar.
"""

from __future__ import annotations

__version__ = "0.1.0"

# The model renders its objects through the renderer, which registers itself on import; importing it
# here means every `Schema` can render, whichever module of the core was imported first.
from schemareg import render as _render  # noqa: F401
