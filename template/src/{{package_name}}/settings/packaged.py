"""Settings of the installed app: DEBUG off, and no start without what the shell must pass."""

from django.core.exceptions import ImproperlyConfigured

from ..desktop.auth import MIN_TOKEN_LENGTH, TOKEN_ENV
from . import base
from .base import *  # noqa: F403

DEBUG = False

if not base.DESKTOP_AUTH_TOKEN:
    raise ImproperlyConfigured(
        f"{TOKEN_ENV} is not set. The packaged backend only runs under its desktop shell, which "
        "passes a fresh random token (32 bytes, hex). To run it by hand, set one, e.g. "
        f'{TOKEN_ENV}=$(python -c "import secrets; print(secrets.token_hex(32))").'
    )
if len(base.DESKTOP_AUTH_TOKEN) < MIN_TOKEN_LENGTH:
    raise ImproperlyConfigured(
        f"{TOKEN_ENV} is too short ({len(base.DESKTOP_AUTH_TOKEN)} characters): use at least "
        f"{MIN_TOKEN_LENGTH}, e.g. 32 random bytes as hex."
    )
