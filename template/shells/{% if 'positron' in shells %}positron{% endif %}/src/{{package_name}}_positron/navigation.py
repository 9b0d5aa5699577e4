"""Where the window may go: the app's own origin only; web links open in the OS browser.

Plain code (no Toga), so it is tested on its own. :class:`NavigationGuard` answers one of

* ``ALLOW``: the app origin (exact scheme, host and port) and ``about:`` pages (the splash);
* ``EXTERNAL``: an ``http``/``https``/``mailto`` URL elsewhere: refuse it in the window and hand it
  to the OS (default browser / mail program);
* ``BLOCK``: anything else (``file:``, ``data:``, ``javascript:``, other schemes, malformed).
"""

from __future__ import annotations

from urllib.parse import urlsplit

ALLOW = "allow"
EXTERNAL = "external"
BLOCK = "block"

EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an http(s) URL, or ``None`` (other schemes, malformed)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port if port is not None else _DEFAULT_PORTS[scheme]


class NavigationGuard:
    """Decides every navigation of the window; ``origin`` is set once the server listens."""

    def __init__(self, origin_url: str | None = None) -> None:
        self.origin: tuple[str, str, int] | None = None
        if origin_url:
            self.set_origin(origin_url)

    def set_origin(self, url: str) -> None:
        origin = origin_of(url)
        if origin is None:
            raise ValueError(f"not an http(s) origin: {url!r}")
        self.origin = origin

    def is_app_url(self, url: str) -> bool:
        return self.origin is not None and origin_of(url) == self.origin

    def decide(self, url: str | None) -> str:
        if not url or any(ord(c) < 0x20 or c in "\\\x7f" for c in url):
            return BLOCK
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "about":
            return ALLOW
        if self.is_app_url(url):
            return ALLOW
        if scheme in EXTERNAL_SCHEMES and (scheme == "mailto" or origin_of(url) is not None):
            return EXTERNAL
        return BLOCK
