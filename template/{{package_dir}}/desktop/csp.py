"""Security headers on every response, including a strict Content-Security-Policy.

Shell CSPs do not cover pages served from http://127.0.0.1, so Django sends its own. Everything
is local: no CDN, no web fonts, no inline script or style. Override with ``DESKTOP_CSP`` in
settings if a page really needs more.
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

EXTRA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def policy() -> str:
    return getattr(settings, "DESKTOP_CSP", None) or DEFAULT_POLICY


class SecurityHeadersMiddleware:
    """Adds the CSP and a few cheap hardening headers unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy())
        for name, value in EXTRA_HEADERS.items():
            headers.setdefault(name, value)
        return response
