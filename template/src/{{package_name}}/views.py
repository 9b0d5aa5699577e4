from django.apps import apps
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.static import serve

from . import about


@require_safe
def health(request):
    """``{"status": "ok"}``, behind the token like everything else (shells poll with it)."""
    return JsonResponse({"status": "ok"})


@require_safe
def home(request):
    demos = []
    if apps.is_installed(f"{about.PACKAGE}.notes"):
        demos.append({"url": "/notes/", "title": "Notes", "text": "A small list you can edit."})
    if apps.is_installed(f"{about.PACKAGE}.taskdemo"):
        demos.append(
            {"url": "/tasks/", "title": "Background tasks", "text": "Run a slow job off-screen."}
        )
    return render(request, "core/home.html", {"demos": demos})


@require_safe
def static_file(request, path):
    """The app's own CSS/JS/images, from the package (also inside a frozen build).

    Served by Django behind the token middleware, so static files need the token too.
    """
    try:
        response = serve(request, path, document_root=settings.DESKTOP_STATIC_DIR)
    except SuspiciousFileOperation as exc:  # "../" tricks
        raise Http404("Not found") from exc
    response.headers["Cache-Control"] = "no-cache"
    return response
