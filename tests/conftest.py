"""Settings for the whole suite.

The dataset cache goes to a folder under the system's temporary folder, never to the
user's ~/.cache; subprocesses inherit it through the environment.
"""
from __future__ import annotations

import os
import tempfile

os.environ.setdefault("DESCENTLAB_CACHE_DIR", os.path.join(tempfile.gettempdir(), f"descentlab-test-cache-{os.getuid()}"))
