"""Unit tests of the Positron shell: ``python -m pytest shells/positron/tests`` (project root).

They use Toga's dummy backend (no window, no display) and a fake Django backend, so they check the
shell's wiring only; ``shells/positron/scripts/smoke.py`` opens the real window.
"""

import os
import sys
from pathlib import Path

os.environ["TOGA_BACKEND"] = "toga_dummy"  # before anything imports toga

SHELL = Path(__file__).resolve().parent.parent
for path in (SHELL / "src", SHELL.parent.parent / "src"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
