"""Only the desktop shell that started the backend may talk to it.

The shell passes a fresh random token in ``DESKTOP_DJANGO_AUTH_TOKEN``. A request is let in when it
carries that token, either

* in the ``X-Desktop-Django-Token`` header (Electron injects it for the app origin only), or
* in an HttpOnly, SameSite=Strict cookie, set once by
  ``GET /desktop-auth/bootstrap/?token=…&next=/…`` (Tauri and Positron open that URL first).

``next`` must be a local path; anything else (schemes, hosts, ``//``, backslashes, control
characters, percent-encoded tricks) sends the browser to ``/`` instead. Without ``next`` it goes
to the start page (``DESKTOP_START_URL``).

Everything else gets 403, static files and ``/health/`` included. Tokens are compared in constant
time. The middleware sits before CSRF (and sessions, if a project adds them); CSRF stays on.

In the layer's test settings (only), Django's test client passes: a project's own
``TestCase`` suite needs no token.

The server applies the same header-or-cookie rule earlier, to raw headers
(:func:`headers_carry_token`): a request with a body and without the token is refused before
its body is read (``guard.py``). The middleware below stays the check for everything else.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseRedirect, parse_cookie

from . import about
from .bootstrap import BOOTSTRAP_PATH, bootstrap_url, new_token  # noqa: F401 (this module's API)

TOKEN_ENV = "DESKTOP_DJANGO_AUTH_TOKEN"
TOKEN_HEADER = "X-Desktop-Django-Token"
COOKIE_PREFIX = "desktop_django_token_"
MIN_TOKEN_LENGTH = 32

_RAW_HEADER = TOKEN_HEADER.upper().replace("-", "_")  # waitress's key for the header
_META_HEADER = "HTTP_" + _RAW_HEADER
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def configured_token() -> str:
    return getattr(settings, "DESKTOP_AUTH_TOKEN", "") or ""


def tokens_match(expected: str, candidate: str | None) -> bool:
    """Constant-time comparison; an empty expected token never matches."""
    if not expected or not candidate:
        return False
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogateescape"), candidate.encode("utf-8", "surrogateescape")
    )


def cookie_name(port: int | str) -> str:
    """Cookies ignore ports: name ours after the port so two apps on 127.0.0.1 don't clash."""
    return f"{COOKIE_PREFIX}{port}"


def safe_next_path(value: str | None) -> str | None:
    """``value`` if it is a local path (``/…``) that stays on this origin, else ``None``."""
    if not value or len(value) > 2000 or not _PRINTABLE_ASCII.fullmatch(value):
        return None  # empty, huge, spaces, tabs, newlines, non-ASCII
    candidate = value
    for _ in range(4):  # check the value and its percent-decoded forms
        if _CONTROL.search(candidate) or "\\" in candidate:
            return None
        if not candidate.startswith("/") or candidate.startswith("//"):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
        decoded = unquote(candidate)
        if decoded == candidate:
            return value
        candidate = decoded
    return None  # still changing after several decodes: refuse


def request_token_is_valid(request) -> bool:
    if getattr(settings, "DESKTOP_AUTH_TRUST_TEST_CLIENT", False) and _is_test_client(request):
        return True
    return _carries_token(request.META.get(_META_HEADER), request.COOKIES, request.get_port())


def headers_carry_token(headers: Mapping[str, str], port: int) -> bool:
    """The token check on a request's raw headers, before the server reads its body.

    ``headers`` as waitress parses them (``COOKIE``, ``X_DESKTOP_DJANGO_TOKEN``); the same rule
    as :func:`request_token_is_valid`: the header, or the cookie named after ``port``. (The test
    client never reaches a socket, so its test-settings rule has no place here.)"""
    return _carries_token(headers.get(_RAW_HEADER), parse_cookie(headers.get("COOKIE", "")), port)


def _carries_token(header: str | None, cookies: Mapping[str, str], port: int | str) -> bool:
    """The one rule: the token in the header, or in the cookie named after ``port``."""
    expected = configured_token()
    if tokens_match(expected, header):
        return True
    return tokens_match(expected, cookies.get(cookie_name(port)))


def _is_test_client(request) -> bool:
    """Django's test client (test settings only): it never goes through a socket."""
    meta = request.META
    return meta.get("SERVER_NAME") == "testserver" and meta.get("REMOTE_ADDR") == "127.0.0.1"


FORBIDDEN = "Forbidden: this app only answers the desktop window that started it."
DEV_HINT = (
    "In development, open the app with `python -m {package}.desktop dev` (a window), or with "
    "`python -m {package}.desktop dev --no-window` and the URL it prints: that URL sets this "
    "run's token cookie. `python manage.py runserver` prints one too."
)


def _forbidden() -> HttpResponse:
    """A short 403; in development settings it says how to open the app (never the token)."""
    text = FORBIDDEN
    if getattr(settings, "DEBUG", False):
        text += "\n\n" + DEV_HINT.format(package=about.PACKAGE)
    response = HttpResponseForbidden(
        (text + "\n").encode(), content_type="text/plain; charset=utf-8"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def bootstrap(request) -> HttpResponse:
    """``GET /desktop-auth/bootstrap/?token=…&next=/…``: set the cookie, 302 to ``next``."""
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse(status=405)
        response.headers["Allow"] = "GET, HEAD"
        return response
    if not tokens_match(configured_token(), request.GET.get("token")):
        return _forbidden()
    if "next" in request.GET:
        target = safe_next_path(request.GET["next"]) or "/"
    else:
        target = safe_next_path(getattr(settings, "DESKTOP_START_URL", "/")) or "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        cookie_name(request.get_port()),
        configured_token(),
        httponly=True,
        samesite="Strict",
        path="/",
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


class DesktopTokenMiddleware:
    """Let in only requests with the session token; serve the bootstrap URL itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == BOOTSTRAP_PATH:
            return bootstrap(request)
        if not request_token_is_valid(request):
            return _forbidden()
        return self.get_response(request)
