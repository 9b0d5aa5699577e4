from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from ..desktop.dberrors import save_unless_busy
from .forms import NoteForm
from .models import Note

# One page renders in milliseconds however many notes there are: the local server has a few
# threads only, and one slow page would keep the window's other requests waiting.
PAGE_SIZE = 50


@require_safe
def note_list(request):
    page = Paginator(Note.objects.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notes/note_list.html", {"notes": page, "page": page})


@require_http_methods(["GET", "HEAD", "POST"])
def note_create(request):
    form = NoteForm(request.POST or None)
    # save_unless_busy: if another program holds the database past the lock timeout, nothing
    # is saved and the form comes back with what was typed and a "busy, try again" message.
    if request.method == "POST" and form.is_valid() and save_unless_busy(form):
        return redirect("notes:list")
    return render(request, "notes/note_form.html", {"form": form, "note": None})


@require_http_methods(["GET", "HEAD", "POST"])
def note_edit(request, pk):
    note = get_object_or_404(Note, pk=pk)
    form = NoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid() and save_unless_busy(form):
        return redirect("notes:list")
    return render(request, "notes/note_form.html", {"form": form, "note": note})


@require_http_methods(["GET", "HEAD", "POST"])
def note_delete(request, pk):
    note = get_object_or_404(Note, pk=pk)
    if request.method == "POST":
        note.delete()
        return redirect("notes:list")
    return render(request, "notes/note_confirm_delete.html", {"note": note})
