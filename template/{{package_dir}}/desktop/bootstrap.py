"""What a shell needs before Django loads: a session token, and the bootstrap URL it opens once
to get the token cookie (``auth.bootstrap`` answers it). Apart from ``auth``, which imports
Django.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

BOOTSTRAP_PATH = "/desktop-auth/bootstrap/"


def bootstrap_url(base_url: str, token: str, next_path: str | None = "/") -> str:
    """``http://127.0.0.1:PORT/desktop-auth/bootstrap/?token=…&next=…``; without ``next_path``
    the bootstrap redirects to the project's start page (``DESKTOP_START_URL``)."""
    query = {"token": token} if next_path is None else {"token": token, "next": next_path}
    return f"{base_url.rstrip('/')}{BOOTSTRAP_PATH}?{urlencode(query)}"


def new_token() -> str:
    """A fresh session token: 32 random bytes as hex (what shells generate)."""
    return secrets.token_hex(32)
