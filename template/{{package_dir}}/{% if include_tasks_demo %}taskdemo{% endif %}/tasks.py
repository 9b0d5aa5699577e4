"""Tasks run by the django-tasks-db worker (a separate process), results kept in the database."""

import math
import time

try:  # Django 6 ships the tasks framework; Django 5.2 uses the django-tasks backport.
    from django.tasks import task
except ImportError:
    from django_tasks import task

MAX_LIMIT = 20_000_000


@task()
def count_primes(limit: int, slow: bool = False) -> dict:
    """Count the primes below ``limit`` (sieve of Eratosthenes).

    ``slow`` spreads the work over about two seconds so the status changes are easy to watch.
    """
    started = time.perf_counter()
    limit = max(0, min(int(limit), MAX_LIMIT))
    sieve = bytearray([1]) * limit
    sieve[: min(limit, 2)] = bytes(min(limit, 2))
    for number in range(2, math.isqrt(max(limit - 1, 0)) + 1):
        if sieve[number]:
            sieve[number * number :: number] = bytes(len(range(number * number, limit, number)))
    if slow:
        for _ in range(8):
            time.sleep(0.25)
    return {
        "limit": limit,
        "primes": sieve.count(1),
        "seconds": round(time.perf_counter() - started, 3),
    }
