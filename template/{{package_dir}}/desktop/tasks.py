"""The desktop layer's own task, ``ping``: it proves that the tasks worker runs tasks.

The worker tests and the frozen build's check enqueue it, also from another process
(``python -m <package>.desktop manage shell -c "..."``), which the backend notices within
``DESKTOP_DJANGO_WORKER_POLL`` seconds. ``seconds`` keeps the worker busy that long.
Only for projects that use django-tasks: nothing imports this module otherwise.
"""

import time

try:  # Django 6 ships the tasks framework; Django 5.2 uses the django-tasks backport.
    from django.tasks import task
except ImportError:
    from django_tasks import task

MAX_SECONDS = 300.0


@task()
def ping(seconds: float = 0.0) -> str:
    time.sleep(max(0.0, min(float(seconds), MAX_SECONDS)))
    return "pong"
