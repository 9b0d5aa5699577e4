"""Who the request is: the desktop user (``DESKTOP_USER`` in the project's settings).

``local``: the app is one person's. Every request that passed the token check is the local
user, created on first use (a superuser with an unusable password), so ``request.user``,
``login_required``, permissions and the admin work with no login screen. A user who logged in
explicitly (e.g. another account through the admin's login) stays that user.

``accounts``: ordinary Django login. While no account exists, pages send the browser to
``/desktop/first-account/`` to create one inside the app (it is behind the token like the rest).
"""

from __future__ import annotations

import getpass
import threading

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.utils.functional import SimpleLazyObject

LOCAL_USERNAME = "local"
FIRST_ACCOUNT_PATH = "/desktop/first-account/"

_lock = threading.Lock()
_local_user_id: int | None = None
_has_accounts = False  # once an account exists it stays so: no query per request after that


def local_user():
    """The local user, created once (superuser, unusable password)."""
    global _local_user_id
    model = get_user_model()
    manager = model._default_manager
    if _local_user_id is not None:
        user = manager.filter(pk=_local_user_id).first()
        if user is not None:
            return user
    with _lock:
        user = manager.filter(**{model.USERNAME_FIELD: LOCAL_USERNAME}).first()
        if user is None:
            user = model(**{model.USERNAME_FIELD: LOCAL_USERNAME})
            user.first_name = _os_user_name()[:150]
            user.is_staff = user.is_superuser = True
            user.set_unusable_password()
            user.save()
        _local_user_id = user.pk
    return user


def _os_user_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers, services)
        return ""


def forget_local_user() -> None:
    """For tests that swap databases: what is cached may not hold in the next one."""
    global _local_user_id, _has_accounts
    _local_user_id = None
    _has_accounts = False


def has_accounts() -> bool:
    global _has_accounts
    if not _has_accounts:
        _has_accounts = get_user_model()._default_manager.exists()
    return _has_accounts


def exempt(view):
    """Mark a view that needs no desktop user (health, the first-account page itself)."""
    view.desktop_user_exempt = True
    return view


class DesktopUserMiddleware:
    """After Django's AuthenticationMiddleware: the local user, or the first-account redirect.

    Works in ``process_view``, so only requests that reach a view are concerned (WhiteNoise has
    answered static files already), and views marked with :func:`exempt` are left alone. The
    local user is lazy, like Django's own ``request.user``: a view that never looks at it costs
    no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "desktop_user_exempt", False) or not hasattr(request, "user"):
            return None
        if not getattr(settings, "DESKTOP_USER_ACTIVE", True):
            return None
        current = request.user
        if settings.DESKTOP_USER == "local":
            request.user = SimpleLazyObject(
                lambda: current if current.is_authenticated else local_user()
            )
        elif (
            request.method in ("GET", "HEAD")
            and not current.is_authenticated
            and not has_accounts()
        ):
            return HttpResponseRedirect(FIRST_ACCOUNT_PATH)
        return None
