"""Development settings: DEBUG on. Without DESKTOP_DJANGO_AUTH_TOKEN a token is generated and the
bootstrap URL to open is printed on stderr, so ``manage.py runserver`` stays usable by hand.
"""

import os
import sys

from . import base
from .base import *  # noqa: F403

DEBUG = True

if not base.DESKTOP_AUTH_TOKEN:
    from ..desktop.auth import TOKEN_ENV, new_token

    DESKTOP_AUTH_TOKEN = os.environ[TOKEN_ENV] = new_token()  # children (autoreload) inherit it
    DESKTOP_AUTH_TOKEN_GENERATED = True
    print(
        f"{TOKEN_ENV} was not set; this run uses a generated token. Open "
        f"http://127.0.0.1:<port>/desktop-auth/bootstrap/?token={DESKTOP_AUTH_TOKEN}&next=/",
        file=sys.stderr,
    )
