"""What the installed `gii-bot` sees, which may differ from the checkout the tests import."""
from __future__ import annotations

import subprocess
import sys
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def bundled_dir_of_the_cli() -> Path:
    """Where the installed `gii-bot` finds its bundled profiles: the package in site-packages after
    `pip install .` (as in CI), the checkout after an editable install."""
    done = subprocess.run([sys.executable, "-I", "-c", "import knowledge.loader as l; print(l.BUNDLED_DIR)"],
                          capture_output=True, text=True, check=True, cwd="/")
    return Path(done.stdout.strip())
