"""The desktop contract applied to a project's settings, in one place.

``apply(globals(), mode=...)`` runs at the end of each of the layer's settings modules, after
``from <the project's settings module> import *``. It changes only what a desktop app needs:

* app data: the database (SQLite with the contract's pragmas), a per-install secret key, logs
  and mail files, all under the app data folder;
* requests: plain http on 127.0.0.1 only (a server's HTTPS-only settings off), a request body
  cap (``DESKTOP_MAX_UPLOAD_BYTES``, kept if the project sets it), the
  session-token middleware before everything, WhiteNoise behind it (exactly once), the desktop
  user, app-specific cookie names, the layer's URLconf around the project's;
* DEBUG by mode: on in ``dev``, off in ``packaged`` and ``test``.

Everything else (apps, templates, languages, your own settings) stays the project's.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import django
from django.core.exceptions import ImproperlyConfigured

from .. import about, appdata, logs
from ..auth import MIN_TOKEN_LENGTH, TOKEN_ENV, new_token, safe_next_path

MODES = ("dev", "packaged", "test")
# The first Django with SQLite's transaction_mode, which the database settings below rely on.
MIN_DJANGO = (5, 1)
USER_MODES = ("local", "accounts")
LAYER = f"{about.PACKAGE}.desktop"
SECURITY_HEADERS = f"{LAYER}.csp.SecurityHeadersMiddleware"
TOKEN_MIDDLEWARE = f"{LAYER}.auth.DesktopTokenMiddleware"
USER_MIDDLEWARE = f"{LAYER}.users.DesktopUserMiddleware"
WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
CONTEXT_PROCESSOR = f"{LAYER}.context_processors.desktop"
TEST_TOKEN = "test-token-" + "0123456789abcdef" * 3
# The largest request body the server reads (a request with the token; without it, none):
# larger ones get 413 before their body is read. A project sets DESKTOP_MAX_UPLOAD_BYTES.
DEFAULT_MAX_UPLOAD_BYTES = 100 * 2**20
# Inside a PyInstaller build: where packaging/freeze.py put collectstatic's output.
FROZEN_STATIC = "collected-static"


def frozen_static_root() -> Path | None:
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) / FROZEN_STATIC if getattr(sys, "frozen", False) and bundle else None


def apply(ns: dict[str, Any], *, mode: str) -> None:
    """Apply the contract to the settings namespace ``ns`` (a settings module's ``globals()``)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if django.VERSION[:2] < MIN_DJANGO:
        raise ImproperlyConfigured(
            f"Django {django.get_version()} is too old for the desktop layer, which needs 5.1 or "
            "newer: upgrade it (python -m pip install 'Django>=5.1'), then start again."
        )
    if mode == "test":
        _test_environment()
    _app_data(ns)
    _token(ns, mode)
    ns["DEBUG"] = mode == "dev"
    hosts = ["127.0.0.1", "localhost"]
    ns["ALLOWED_HOSTS"] = [*hosts, "testserver"] if mode == "test" else hosts
    _database(ns, mode)
    _desktop_user(ns, mode)
    _uploads(ns)
    _middleware(ns)
    _apps(ns)
    _static(ns, mode)
    _templates(ns)
    _urls(ns)
    _cookies(ns)
    _opener_policy(ns)
    _mail(ns)
    ns["LOGGING"] = logs.logging_config(ns["LOG_DIR"])
    ns["DESKTOP_APP_NAME"] = about.PROJECT_NAME
    ns["DESKTOP_MODE"] = mode


def _test_environment() -> None:
    """A throw-away app data folder and a fixed token, unless the caller set them."""
    if not os.environ.get(appdata.APP_DATA_ENV):
        folder = tempfile.mkdtemp(prefix="desktop-django-test-")
        atexit.register(shutil.rmtree, folder, True)
        os.environ[appdata.APP_DATA_ENV] = folder
    os.environ.setdefault(TOKEN_ENV, TEST_TOKEN)


def _app_data(ns: dict[str, Any]) -> None:
    try:
        ns["APP_DATA_DIR"] = appdata.ensure_dir(appdata.app_data_dir(about.APP_ID))
        appdata.adopt_previous(ns["APP_DATA_DIR"])  # an earlier release's folder, once
        appdata.make_private(ns["APP_DATA_DIR"])
        ns["LOG_DIR"] = appdata.ensure_dir(appdata.log_dir(ns["APP_DATA_DIR"]))
        ns["SECRET_KEY"] = appdata.load_or_create_secret_key(ns["APP_DATA_DIR"])
    except (appdata.AppDataError, OSError) as exc:
        raise ImproperlyConfigured(str(exc)) from exc


def _token(ns: dict[str, Any], mode: str) -> None:
    token = os.environ.get(TOKEN_ENV, "").strip()
    ns["DESKTOP_AUTH_TOKEN_GENERATED"] = False
    if not token and mode == "dev":
        # A run by hand (runserver, manage): children such as the autoreloader inherit it.
        token = os.environ[TOKEN_ENV] = new_token()
        ns["DESKTOP_AUTH_TOKEN_GENERATED"] = True
        _print_runserver_url(token)
    if mode == "packaged":
        if not token:
            raise ImproperlyConfigured(
                f"{TOKEN_ENV} is not set. The packaged backend only runs under its desktop shell, "
                "which passes a fresh random token (32 bytes, hex). To run it by hand, set one, "
                f'e.g. {TOKEN_ENV}=$(python -c "import secrets; print(secrets.token_hex(32))").'
            )
        if len(token) < MIN_TOKEN_LENGTH:
            raise ImproperlyConfigured(
                f"{TOKEN_ENV} is too short ({len(token)} characters): use at least "
                f"{MIN_TOKEN_LENGTH}, e.g. 32 random bytes as hex."
            )
    ns["DESKTOP_AUTH_TOKEN"] = token
    # Django's test client (SERVER_NAME "testserver") passes the token check in test settings only.
    ns["DESKTOP_AUTH_TRUST_TEST_CLIENT"] = mode == "test"


def _print_runserver_url(token: str) -> None:
    """``manage.py runserver`` by hand: the one URL that lets a browser in (on stderr)."""
    argv = sys.argv[1:]
    if "runserver" not in argv:
        return
    rest = [arg for arg in argv[argv.index("runserver") + 1 :] if not arg.startswith("-")]
    port = rest[0].rpartition(":")[2] if rest else "8000"
    url = f"http://127.0.0.1:{port}/desktop-auth/bootstrap/?token={token}&next=/"
    print(f"Open {url} (this run's token; it was not set)", file=sys.stderr, flush=True)


def _database(ns: dict[str, Any], mode: str) -> None:
    databases = dict(ns.get("DATABASES") or {})
    default = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": appdata.database_path(ns["APP_DATA_DIR"]),
        "OPTIONS": {
            # Writers take the lock when the transaction starts: no "database is locked"
            # surprises halfway through a transaction shared with the worker process.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA cache_size=-4096;"
                "PRAGMA mmap_size=33554432;"
                "PRAGMA temp_store=MEMORY"
            ),
        },
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }
    if mode == "test":
        # A file, not :memory:, so the pragmas apply and a real worker process can share it.
        default["CONN_MAX_AGE"] = 0
        default["TEST"] = {"NAME": str(Path(ns["APP_DATA_DIR"]) / "test.sqlite3")}
        if os.environ.get("DESKTOP_DJANGO_TEST_DB"):
            default["NAME"] = os.environ["DESKTOP_DJANGO_TEST_DB"]
    databases["default"] = default
    ns["DATABASES"] = databases


def _desktop_user(ns: dict[str, Any], mode: str) -> None:
    user = ns.setdefault("DESKTOP_USER", about.DESKTOP_USER)
    if user not in USER_MODES:
        raise ImproperlyConfigured(
            f'DESKTOP_USER = {user!r} in settings.py: use "local" (one person, no login) or '
            '"accounts" (Django login).'
        )
    # Off in tests so a project's own suite sees anonymous requests, as in any Django project.
    ns["DESKTOP_USER_ACTIVE"] = mode != "test"
    start = ns.setdefault("DESKTOP_START_URL", "/")
    if safe_next_path(start) != start:
        raise ImproperlyConfigured(
            f"DESKTOP_START_URL = {start!r} in settings.py: use a local path such as "
            '"/" or "/catalog/".'
        )


def _uploads(ns: dict[str, Any]) -> None:
    cap = ns.setdefault("DESKTOP_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
        raise ImproperlyConfigured(
            f"DESKTOP_MAX_UPLOAD_BYTES = {cap!r} in settings.py: use a number of bytes, "
            "e.g. 100 * 2**20 for 100 MiB."
        )


def _middleware(ns: dict[str, Any]) -> None:
    """Security headers, then the token check, then WhiteNoise: before everything, once each."""
    front = [SECURITY_HEADERS, TOKEN_MIDDLEWARE, WHITENOISE]
    rest = [name for name in ns.get("MIDDLEWARE", ()) if name not in front + [USER_MIDDLEWARE]]
    if AUTH_MIDDLEWARE in rest:
        rest.insert(rest.index(AUTH_MIDDLEWARE) + 1, USER_MIDDLEWARE)
    ns["MIDDLEWARE"] = [*front, *rest]


def _apps(ns: dict[str, Any]) -> None:
    nostatic = "whitenoise.runserver_nostatic"
    apps = [name for name in ns.get("INSTALLED_APPS", ()) if name != nostatic]
    if "django.contrib.staticfiles" in apps:
        # runserver would otherwise serve /static/ itself, past the token check.
        apps.insert(apps.index("django.contrib.staticfiles"), nostatic)
    if LAYER not in apps:
        apps.append(LAYER)  # system checks and the layer's own templates
    ns["INSTALLED_APPS"] = apps


def _static(ns: dict[str, Any], mode: str) -> None:
    ns.setdefault("STATIC_URL", "static/")
    root = frozen_static_root()
    if root is not None:  # collectstatic ran at build time; the finders' folders are not there
        ns["STATIC_ROOT"] = root
        ns["STATICFILES_DIRS"] = []  # collected already; missing folders would warn at start
        ns["WHITENOISE_USE_FINDERS"] = False
    else:  # from source (and Positron): straight from the apps' folders
        ns["WHITENOISE_USE_FINDERS"] = True
        ns["WHITENOISE_AUTOREFRESH"] = mode == "dev"


def _templates(ns: dict[str, Any]) -> None:
    engines = []
    for engine in ns.get("TEMPLATES", ()):
        engine = {**engine, "OPTIONS": dict(engine.get("OPTIONS") or {})}
        if engine.get("BACKEND") == "django.template.backends.django.DjangoTemplates":
            processors = list(engine["OPTIONS"].get("context_processors", ()))
            if CONTEXT_PROCESSOR not in processors:
                processors.append(CONTEXT_PROCESSOR)
            engine["OPTIONS"]["context_processors"] = processors
        engines.append(engine)
    ns["TEMPLATES"] = engines


def _urls(ns: dict[str, Any]) -> None:
    project_urls = ns.get("ROOT_URLCONF")
    layer_urls = f"{LAYER}.urls"
    if project_urls and project_urls != layer_urls:
        ns["DESKTOP_PROJECT_URLCONF"] = project_urls
    ns["ROOT_URLCONF"] = layer_urls


def _cookies(ns: dict[str, Any]) -> None:
    # The app is plain http on 127.0.0.1: a server's HTTPS settings (often on when DEBUG is off)
    # would redirect every request to https:// or keep the browser from sending the cookies.
    ns["SECURE_SSL_REDIRECT"] = False
    ns["SESSION_COOKIE_SECURE"] = False
    ns["CSRF_COOKIE_SECURE"] = False
    ns["SECURE_HSTS_SECONDS"] = 0
    # Cookies ignore ports: app-specific names keep two local apps from overwriting each other.
    ns["SESSION_COOKIE_NAME"] = f"{about.PACKAGE}_sessionid"
    ns["SESSION_COOKIE_SAMESITE"] = "Strict"
    ns["CSRF_COOKIE_NAME"] = f"{about.PACKAGE}_csrftoken"
    ns["CSRF_COOKIE_HTTPONLY"] = True
    ns["CSRF_COOKIE_SAMESITE"] = "Strict"


def _opener_policy(ns: dict[str, Any]) -> None:
    # No Cross-Origin-Opener-Policy (Django's SecurityMiddleware sends one by default): the app's
    # window never opens, or is opened by, another origin, so it isolates nothing there, while
    # WebKit (Positron, Tauri on Linux and macOS) starts a second web process for the first page
    # that sends it: 0.25-0.4 s of every launch, measured. A project that sets it keeps it.
    ns.setdefault("SECURE_CROSS_ORIGIN_OPENER_POLICY", None)


def _mail(ns: dict[str, Any]) -> None:
    # Not the console backend: stdout is the shell's channel. Files under app data instead.
    if "EMAIL_BACKEND" not in ns:
        ns["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
        ns["EMAIL_FILE_PATH"] = str(Path(ns["APP_DATA_DIR"]) / "mail")
