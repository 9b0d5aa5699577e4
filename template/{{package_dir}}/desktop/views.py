"""The layer's own pages: health, and the first account of an ``accounts`` install."""

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_safe

from .users import exempt


@exempt
@require_safe
def health(request):
    """``{"status": "ok"}``, behind the token like everything else (shells poll with it)."""
    return JsonResponse({"status": "ok"})


@exempt
@require_http_methods(["GET", "HEAD", "POST"])
def first_account(request):
    """Create the first account (a superuser) on a fresh ``accounts`` install, then log in.

    Only while no user exists: afterwards it is a 404, so nobody can add an admin this way.
    """
    from django.contrib.auth.forms import UserCreationForm

    if settings.DESKTOP_USER != "accounts" or get_user_model()._default_manager.exists():
        raise Http404("There is already an account.")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.is_staff = user.is_superuser = True
        user.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return HttpResponseRedirect(settings.DESKTOP_START_URL)
    return render(request, "desktop/first_account.html", {"form": form})
