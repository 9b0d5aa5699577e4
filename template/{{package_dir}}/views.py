from django.apps import apps
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def home(request):
    demos = []
    if apps.is_installed(f"{__package__}.notes"):
        demos.append({"url": "/notes/", "title": "Notes", "text": "A small list you can edit."})
    if apps.is_installed(f"{__package__}.taskdemo"):
        demos.append(
            {"url": "/tasks/", "title": "Background tasks", "text": "Run a slow job off-screen."}
        )
    if request.user.is_staff:
        demos.append({"url": "/admin/", "title": "Admin", "text": "Django's admin for your data."})
    return render(request, "core/home.html", {"demos": demos})
