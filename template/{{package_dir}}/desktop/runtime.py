"""Run the whole backend: Django set-up, migrations, server on 127.0.0.1:0, tasks worker.

Two ways, one code path:

* the backend process (``python -m <package>.desktop``, or its frozen build) calls
  :meth:`Backend.serve_forever`: serve in the main thread, worker as a supervised child process;
* a shell that runs Django in its own process (Positron) calls :func:`start_in_process`, which
  serves on a thread and runs the worker on a thread, and later calls :meth:`Backend.stop`.

Example (in-process)::

    from <package>.desktop import runtime
    backend = runtime.start_in_process(app_data_dir=path)   # token generated if not given
    window.open(backend.bootstrap_url("/"))
    ...
    backend.stop()
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from . import about, auth, logs, readyline, server
from .appdata import APP_DATA_ENV, InstanceLock
from .stop import StopController
from .worker import WorkerSupervisor, WorkerThread, stop_grace

logger = logging.getLogger(__name__)

SETTINGS_ENV = "DJANGO_SETTINGS_MODULE"
DEV_SETTINGS = f"{about.PACKAGE}.desktop.settings.dev"
PACKAGED_SETTINGS = f"{about.PACKAGE}.desktop.settings.packaged"


def default_settings_module() -> str:
    """Packaged settings in a frozen build, development settings from source."""
    return PACKAGED_SETTINGS if getattr(sys, "frozen", False) else DEV_SETTINGS


def configure_environment(
    *,
    settings_module: str | None = None,
    app_data_dir: str | os.PathLike | None = None,
    token: str | None = None,
    process_name: str | None = None,
) -> None:
    """Set the contract's environment variables (explicit values win over inherited ones)."""
    if settings_module:
        os.environ[SETTINGS_ENV] = settings_module
    os.environ.setdefault(SETTINGS_ENV, default_settings_module())
    if app_data_dir is not None:
        os.environ[APP_DATA_ENV] = str(app_data_dir)
    if token:
        os.environ[auth.TOKEN_ENV] = token
    if process_name:
        os.environ[logs.PROCESS_ENV] = process_name


def setup_django() -> None:
    """``django.setup()`` with the default settings module filled in."""
    os.environ.setdefault(SETTINGS_ENV, default_settings_module())
    import django

    django.setup()


def end_startup(settle_after: float | None = None) -> None:
    """Garbage collection back on (``__main__`` turns it off while Django loads).

    What the start made is set aside first (``gc.freeze``): otherwise the first collection, in
    the first request, would walk all of it. With ``settle_after``, :func:`settle_memory` runs
    that many seconds later on a thread, once the first page is served; without, at once."""
    gc.freeze()
    gc.enable()
    if settle_after is None:
        settle_memory()
    else:
        timer = threading.Timer(settle_after, settle_memory)
        timer.daemon = True
        timer.start()


def settle_memory() -> None:
    """Collect the start's garbage once, set what is left aside for good (it lives as long as
    the process, so later passes skip it) and give freed heap pages back to the system (glibc)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):
            pass


class Backend:
    """Server plus worker. ``worker`` is ``"process"``, ``"thread"`` or ``"none"``."""

    def __init__(
        self,
        *,
        threads: int = 4,
        grace: float | None = None,
        worker: str = "process",
        host: str = server.HOST,
    ) -> None:
        if worker not in ("process", "thread", "none"):
            raise ValueError(f"worker must be 'process', 'thread' or 'none', not {worker!r}")
        self.threads = threads
        self.grace = stop_grace() if grace is None else grace
        self.worker_mode = worker
        self.host = host
        self.started = time.perf_counter()
        self.info: dict[str, Any] = {}
        self.server: server.WaitressServer | None = None
        self.worker: WorkerSupervisor | WorkerThread | None = None
        self.lock: InstanceLock | None = None
        self.migrated = False

    # -- steps ---------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Set up Django, take the instance lock, check the database, migrate.

        A database that cannot be used raises :class:`dberrors.DatabaseProblem`. Interrupted
        tasks are not recovered here: the worker does it once it holds ``worker.lock`` (a
        worker of a killed backend may still be finishing one)."""
        setup_django()
        from django.conf import settings

        from . import dberrors
        from .migrate import migrate_if_needed, seed_fresh_database

        self.lock = InstanceLock(settings.APP_DATA_DIR)
        if not self.lock.acquire():
            logger.warning("another backend uses %s", settings.APP_DATA_DIR)
        with dberrors.explained():
            seeded = seed_fresh_database()  # frozen, new app data: the build's migrated copy
        # A damaged, read-only, locked or full database: DatabaseProblem, one clear message.
        dberrors.check()
        with dberrors.explained():
            self.migrated = migrate_if_needed() or seeded

    def bind(self, port: int = 0, sock: Any = None) -> dict[str, Any]:
        """Bind the socket (or take ``sock``, a listening one), build the WSGI server and return
        the ready info (not printed)."""
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        sock = sock if sock is not None else server.bind_socket(self.host, port)
        self.server = server.WaitressServer(
            get_wsgi_application(),
            sock,
            threads=self.threads,
            # Bodies only with the token, and at most DESKTOP_MAX_UPLOAD_BYTES (guard.py).
            authorize=functools.partial(auth.headers_carry_token, port=server.socket_port(sock)),
            max_upload_bytes=settings.DESKTOP_MAX_UPLOAD_BYTES,
        )
        self.info = readyline.ready_info(
            port=self.server.port,
            host=self.host,
            app_data_dir=settings.APP_DATA_DIR,
            log_file=logs.log_file(Path(settings.APP_DATA_DIR) / "logs"),
            version=about.VERSION,
            settings=os.environ.get(SETTINGS_ENV, ""),
            migrated=self.migrated,
            start_url=getattr(settings, "DESKTOP_START_URL", "/"),
            startup_ms=round((time.perf_counter() - self.started) * 1000, 1),
        )
        return self.info

    def start_worker(self) -> None:
        """Watch for tasks; a worker runs only while one is due (worker.py)."""
        from django.apps import apps

        if self.worker_mode == "none" or not apps.is_installed("django_tasks_db"):
            return  # no tasks configured: nothing to run
        if self.worker_mode == "process":
            self.worker = WorkerSupervisor(grace=self.grace).start()
        else:
            self.worker = WorkerThread(grace=self.grace).start()
        from django_tasks_db.compat import task_enqueued

        task_enqueued.connect(self._on_enqueued, dispatch_uid=f"desktop-wake-{id(self)}")

    def _on_enqueued(self, sender=None, **kwargs) -> None:
        from django.db import router, transaction
        from django_tasks_db.models import DBTaskResult

        worker = self.worker
        if worker is not None:
            # After the commit: a worker woken earlier could look, find nothing and exit.
            transaction.on_commit(worker.wake, using=router.db_for_write(DBTaskResult))

    @property
    def url(self) -> str:
        return self.info["url"]

    def bootstrap_url(self, next_path: str = "/") -> str:
        from django.conf import settings

        return auth.bootstrap_url(self.url, settings.DESKTOP_AUTH_TOKEN, next_path)

    # -- the backend process ---------------------------------------------------------------------

    def serve_forever(self, stop: StopController) -> None:
        """Print the ready line, start the worker, serve until ``stop``; then stop everything."""
        readyline.emit_ready_line(self.info)
        end_startup(settle_after=1.0)
        logs.capture_stdout()
        logger.info("ready on %s (startup %.0f ms)", self.url, self.info["startup_ms"])
        from django.conf import settings

        if getattr(settings, "DESKTOP_AUTH_TOKEN_GENERATED", False):  # dev run by hand
            print(f"Open {self.bootstrap_url()}", file=sys.stderr, flush=True)
        self.start_worker()
        stopper: list[threading.Thread] = []

        def stop_worker_in_parallel() -> None:
            logger.info("stopping (%s)", stop.reason)
            thread = threading.Thread(target=self._stop_worker, name="worker-stop")
            thread.start()
            stopper.append(thread)

        assert self.server is not None
        self.server.serve(
            should_stop=lambda: stop.requested,
            grace=min(self.grace, 5.0),
            on_stopping=stop_worker_in_parallel,
        )
        for thread in stopper:
            thread.join(self.grace + 5)
        self._release()
        logger.info("stopped")

    # -- in-process ------------------------------------------------------------------------------

    def start(self, sock: Any = None) -> dict[str, Any]:
        """Prepare, bind (or take ``sock``), serve on a thread, start the worker; returns the
        ready info."""
        self.prepare()
        info = self.bind(sock=sock)
        assert self.server is not None
        self.server.start(grace=min(self.grace, 5.0))
        self.start_worker()
        return info

    def stop(self, grace: float | None = None) -> None:
        """Stop accepting, let in-flight requests and a running task finish, release the lock."""
        grace = self.grace if grace is None else grace
        if self.server is not None:
            self.server.request_stop()
        self._stop_worker(grace)
        if self.server is not None:
            self.server.stop(timeout=min(grace, 5.0) + 2)
        self._release()

    def _stop_worker(self, grace: float | None = None) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop(self.grace if grace is None else grace)

    def _release(self) -> None:
        if self.lock is not None:
            self.lock.release()


def start_in_process(
    *,
    app_data_dir: str | os.PathLike | None = None,
    token: str | None = None,
    settings_module: str | None = None,
    threads: int = 4,
    worker: str = "thread",
    sock: Any = None,
) -> Backend:
    """Run the backend inside the calling process (Positron). Returns the started :class:`Backend`.

    Without a ``token`` (and no ``DESKTOP_DJANGO_AUTH_TOKEN``), a fresh one is generated.
    ``sock``: a socket already listening on 127.0.0.1 (:func:`server.bind_socket`), so the
    caller knows the address before Django loads; connections wait in its backlog meanwhile.
    """
    if not token and not os.environ.get(auth.TOKEN_ENV):
        token = auth.new_token()
    configure_environment(
        settings_module=settings_module,
        app_data_dir=app_data_dir,
        token=token,
        process_name="app",
    )
    backend = Backend(threads=threads, worker=worker)
    backend.start(sock=sock)
    return backend
