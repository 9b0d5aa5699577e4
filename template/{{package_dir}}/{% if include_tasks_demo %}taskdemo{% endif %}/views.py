from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe
from django_tasks_db.models import DBTaskResult

from .forms import PrimeForm
from .tasks import count_primes

FINISHED = {"SUCCESSFUL", "FAILED"}


def _as_dict(result) -> dict:
    """What the page and its polling script need about one task result."""
    data = {
        "id": str(result.id),
        "status": result.status,
        "finished": result.status in FINISHED,
        "limit": result.args_kwargs.get("kwargs", {}).get("limit"),
        "return_value": None,
        "error": None,
    }
    if result.status == "SUCCESSFUL":
        data["return_value"] = result.return_value
    elif result.status == "FAILED":
        data["error"] = result.exception_class_path.rpartition(".")[2] or "Failed"
    return data


@require_http_methods(["GET", "HEAD", "POST"])
def task_list(request):
    form = PrimeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count_primes.enqueue(limit=form.cleaned_data["limit"], slow=form.cleaned_data["slow"])
        return redirect("taskdemo:list")
    results = DBTaskResult.objects.filter(task_path=count_primes.module_path).order_by(
        "-enqueued_at"
    )[:10]
    return render(
        request,
        "taskdemo/task_list.html",
        {"form": form, "results": [_as_dict(result) for result in results]},
    )


@require_safe
def task_status(request, result_id):
    result = DBTaskResult.objects.filter(id=result_id, task_path=count_primes.module_path).first()
    if result is None:
        raise Http404("No such task")
    return JsonResponse(_as_dict(result))
