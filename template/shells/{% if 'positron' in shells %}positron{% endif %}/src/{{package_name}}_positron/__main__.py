"""``python -m <package>_positron`` (and ``briefcase dev``, which runs the same)."""

import sys

from .app import main

sys.exit(main())
