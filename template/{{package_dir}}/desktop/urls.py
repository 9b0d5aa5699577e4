"""The layer's URLconf: ``/health/`` and the desktop pages first, then the project's URLconf.

The token middleware answers ``/desktop-auth/bootstrap/`` itself, before any URL resolving.
The project's error handlers (``handler404`` …) keep working: they are copied from its URLconf.
"""

from importlib import import_module

from django.conf import settings
from django.urls import include, path

from . import views

urlpatterns = [
    path("health/", views.health, name="desktop-health"),
    path("desktop/first-account/", views.first_account, name="desktop-first-account"),
]

_project = getattr(settings, "DESKTOP_PROJECT_URLCONF", None)
if _project:
    urlpatterns.append(path("", include(_project)))
    _module = import_module(_project)
    for _name in ("handler400", "handler403", "handler404", "handler500"):
        if hasattr(_module, _name):
            globals()[_name] = getattr(_module, _name)
