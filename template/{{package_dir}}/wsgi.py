"""WSGI application for waitress (the backend) and in-process servers."""

import os

from django.core.wsgi import get_wsgi_application

from .desktop.runtime import default_settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module())

application = get_wsgi_application()
