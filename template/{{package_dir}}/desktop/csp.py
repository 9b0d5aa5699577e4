"""Security headers on every response, including a strict Content-Security-Policy.

Shell CSPs do not cover pages served from http://127.0.0.1, so Django sends its own. Everything
is local: no CDN, no web fonts, no inline script or style. Override with ``DESKTOP_CSP`` in
settings if a page really needs more.

One exception, in development only (``DEBUG``): Django's technical 404 and 500 pages style
(and, for the 500, script) themselves inline, so error responses then allow inline code.
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

# Django's debug pages: the same policy with inline styles and scripts allowed.
_INLINE = " 'unsafe-inline'"
DEBUG_PAGE_POLICY = DEFAULT_POLICY.replace("script-src 'self'", "script-src 'self'" + _INLINE)
DEBUG_PAGE_POLICY = DEBUG_PAGE_POLICY.replace("style-src 'self'", "style-src 'self'" + _INLINE)
DEBUG_PAGE_STATUSES = (404, 500)

EXTRA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    # No Cross-Origin-Opener-Policy: see settings/contract.py (_opener_policy).
    "Cross-Origin-Resource-Policy": "same-origin",
}


def policy(status: int = 200) -> str:
    configured = getattr(settings, "DESKTOP_CSP", None)
    if configured:
        return configured
    if settings.DEBUG and status in DEBUG_PAGE_STATUSES:  # a technical page in development
        return DEBUG_PAGE_POLICY
    return DEFAULT_POLICY


class SecurityHeadersMiddleware:
    """Adds the CSP and a few cheap hardening headers unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy(response.status_code))
        for name, value in EXTRA_HEADERS.items():
            headers.setdefault(name, value)
        return response
