"""Settings for pytest: a throw-away app data directory and token, a file test database.

The test database is a file (not in-memory) so the SQLite pragmas really apply and so a real
worker process can share it (``DESKTOP_DJANGO_TEST_DB`` points a worker at it).
"""

import atexit
import os
import shutil
import tempfile

if not os.environ.get("DESKTOP_DJANGO_APP_DATA_DIR"):
    _tmp = tempfile.mkdtemp(prefix="desktop-django-test-")
    atexit.register(shutil.rmtree, _tmp, True)
    os.environ["DESKTOP_DJANGO_APP_DATA_DIR"] = _tmp
os.environ.setdefault("DESKTOP_DJANGO_AUTH_TOKEN", "test-token-" + "0123456789abcdef" * 3)

from . import base  # noqa: E402
from .base import *  # noqa: E402, F403

DEBUG = False
ALLOWED_HOSTS = [*base.ALLOWED_HOSTS, "testserver"]
DATABASES = {"default": {**base.DATABASES["default"], "CONN_MAX_AGE": 0}}
DATABASES["default"]["TEST"] = {"NAME": str(base.APP_DATA_DIR / "test.sqlite3")}
if os.environ.get("DESKTOP_DJANGO_TEST_DB"):
    DATABASES["default"]["NAME"] = os.environ["DESKTOP_DJANGO_TEST_DB"]
