"""Suite-wide set-up: the normaliser's on-disk cache goes to a temporary folder, never the user's home."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SCHEMAREG_CACHE_DIR", tempfile.mkdtemp(prefix="schemareg-cache-"))
