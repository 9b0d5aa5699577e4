"""The django-tasks-db worker: its loop, a thread for it, and a supervised child process for it.

* :class:`WorkerLoop` runs the ``db_worker`` command's own ``Worker`` (django-tasks-db) in batch
  passes, waiting between passes on an event, so it can be woken (a task was enqueued) and
  stopped at once from another thread. A running task is never interrupted by a stop request.
* :class:`WorkerThread` runs a loop on a thread (shells that run Django in-process).
* :class:`WorkerSupervisor` runs ``<backend> worker`` as a child process with a stdin pipe,
  restarts it with backoff if it dies, nudges it on enqueue and stops it (stdin EOF, grace
  period, then terminate/kill). The child exits on its own when the pipe hits EOF, so even a
  ``kill -9`` of the backend ends the worker.
* One worker per app data folder: a loop first takes ``<app data>/worker.lock``, waiting while
  another worker holds it (e.g. one still finishing its task after its backend was killed), then
  calls :func:`recover_interrupted_tasks`, which marks tasks left RUNNING as failed: with the
  lock held, no worker that could still finish them is alive.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from . import about
from .appdata import WORKER_LOCK_FILE, InstanceLock

logger = logging.getLogger(__name__)

GRACE_ENV = "DESKTOP_DJANGO_STOP_GRACE"
PARENT_PID_ENV = "DESKTOP_DJANGO_PARENT_PID"
DEFAULT_GRACE = 10.0
DEFAULT_INTERVAL = 2.0
INTERRUPTED_MESSAGE = (
    "The app stopped while this task was running (crash, power loss or forced quit); "
    "it was marked failed when the tasks worker started again."
)


class InterruptedTask(Exception):
    """Recorded as the error of tasks that were RUNNING when the app last stopped abruptly."""


def stop_grace(default: float = DEFAULT_GRACE) -> float:
    """Seconds a running task may take after a stop request (``DESKTOP_DJANGO_STOP_GRACE``)."""
    try:
        value = float(os.environ.get(GRACE_ENV, default))
    except ValueError:
        return default
    return value if 0 <= value <= 3600 else default


def _status():
    from django_tasks_db.compat import TaskResultStatus

    return TaskResultStatus


def recover_interrupted_tasks() -> int:
    """Mark tasks still RUNNING as FAILED; returns how many.

    Only for the holder of ``worker.lock`` (:meth:`WorkerLoop.run` calls it): then no worker
    that could still finish them is alive.
    """
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    status = _status()
    count = DBTaskResult.objects.filter(status=status.RUNNING).update(
        status=status.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{InterruptedTask.__module__}.{InterruptedTask.__qualname__}",
        traceback=INTERRUPTED_MESSAGE,
    )
    if count:
        logger.warning("marked %d interrupted task(s) as failed", count)
    return count


class WorkerLoop:
    """django-tasks-db's worker, run in batch passes until :meth:`stop`.

    Call :meth:`run` on the thread that should execute tasks: it holds ``worker.lock`` in
    ``lock_dir`` (default: the app data folder) while it runs, waiting for it first if another
    worker holds it, and recovers interrupted tasks before its first pass. :meth:`wake` starts
    the next pass now (instead of after ``interval`` seconds); :meth:`stop` ends the loop (or
    the wait) after the running task, if any, finishes.
    """

    def __init__(
        self,
        *,
        interval: float = DEFAULT_INTERVAL,
        queue_names: Sequence[str] = ("*",),
        backend_name: str = "default",
        worker_id: str | None = None,
        lock_dir: Path | None = None,
    ) -> None:
        self.interval = interval
        self.queue_names = list(queue_names)
        self.backend_name = backend_name
        self.worker_id = worker_id or f"{about.PACKAGE[:40]}-{os.getpid()}-{id(self) % 10_000}"
        self.lock_dir = lock_dir
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._worker = None
        self.passes = 0

    @property
    def busy(self) -> bool:
        """True while a task runs."""
        return bool(self._worker is not None and self._worker.running_task)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.running = False  # the pass ends after the running task
        self._wake.set()

    def _make_worker(self):
        from django_tasks_db.management.commands.db_worker import Worker

        return Worker(
            queue_names=self.queue_names,
            interval=0.2,  # only used while the database is locked by someone else
            batch=True,
            backend_name=self.backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )

    def _wait_for_lock(self) -> InstanceLock | None:
        """``worker.lock``, once no other worker holds it; ``None`` if stopped before."""
        from django.conf import settings

        lock = InstanceLock(self.lock_dir or settings.APP_DATA_DIR, WORKER_LOCK_FILE)
        if not lock.acquire():
            logger.warning("worker %s waits for the other worker on this app data", self.worker_id)
            while not lock.acquire():
                if self._stop.wait(0.1):
                    return None
        return lock

    def run(self) -> None:
        from django.db import close_old_connections, connections

        lock = self._wait_for_lock()
        if lock is None:
            return
        logger.info("worker %s started (queues %s)", self.worker_id, ",".join(self.queue_names))
        failures, recover = 0, True
        try:
            while not self._stop.is_set():
                self._wake.clear()
                worker = self._make_worker()
                self._worker = worker
                if self._stop.is_set():
                    break
                try:
                    if recover:  # under the lock: their worker is gone
                        recover_interrupted_tasks()
                        recover = False
                    worker.run()
                    failures = 0
                except Exception:
                    failures += 1
                    logger.exception("worker pass failed (%d in a row)", failures)
                    close_old_connections()
                self.passes += 1
                if self._stop.is_set():
                    break
                delay = self.interval if not failures else min(30.0, 0.5 * 2**failures)
                self._wake.wait(delay)
        finally:
            self._worker = None
            connections.close_all()
            logger.info("worker %s stopped", self.worker_id)
            lock.release()


class WorkerThread:
    """A :class:`WorkerLoop` on a daemon thread, for shells that run Django in-process (the same
    ``worker.lock`` rule: it waits while a worker process of an earlier run finishes)."""

    def __init__(self, **loop_options) -> None:
        self.loop = WorkerLoop(**loop_options)
        self._thread: threading.Thread | None = None

    def start(self) -> WorkerThread:
        self._thread = threading.Thread(target=self.loop.run, name="tasks-worker", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        self.loop.wake()

    def stop(self, grace: float | None = None) -> bool:
        """Stop after the running task; wait up to ``grace`` s. ``True`` if the loop ended."""
        self.loop.stop()
        if self._thread is None:
            return True
        self._thread.join(stop_grace() if grace is None else grace)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


# -- the worker as a child process ---------------------------------------------------------------


def worker_command() -> list[str]:
    """How to start the worker child: the same program with the ``worker`` subcommand."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "worker"]
    return [sys.executable, "-m", f"{about.PACKAGE}.desktop", "worker"]


def worker_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["DESKTOP_DJANGO_PROCESS"] = "worker"
    env[PARENT_PID_ENV] = str(os.getpid())
    if not getattr(sys, "frozen", False):
        # Make ``-m <package>.desktop`` importable whatever the child's cwd is.
        src = str(Path(__file__).resolve().parents[2])
        paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        if src not in paths:
            env["PYTHONPATH"] = os.pathsep.join([src, *paths])
    return env


def _popen_platform_options() -> dict:
    if sys.platform.startswith("win"):
        flags = subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "CREATE_NO_WINDOW", 0)
        return {"creationflags": flags}
    # Own session: a terminal's Ctrl+C reaches the backend only, which then stops the worker.
    return {"start_new_session": True}


class WorkerSupervisor:
    """Runs the worker child, restarts it with backoff if it dies, stops it gracefully."""

    def __init__(
        self,
        command: Sequence[str] | None = None,
        *,
        env: dict[str, str] | None = None,
        grace: float | None = None,
        min_backoff: float = 0.5,
        max_backoff: float = 30.0,
        healthy_after: float = 60.0,
    ) -> None:
        self.command = list(command) if command else worker_command()
        self.env = env if env is not None else worker_environment()
        self.grace = stop_grace() if grace is None else grace
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.healthy_after = healthy_after
        self.restarts = 0
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def start(self) -> WorkerSupervisor:
        # The thread that spawns the child lives as long as the supervisor: on Linux the child's
        # parent-death signal fires when the spawning *thread* ends.
        self._thread = threading.Thread(target=self._supervise, name="worker-supervisor")
        self._thread.daemon = True
        self._thread.start()
        return self

    def _spawn(self) -> subprocess.Popen | None:
        with self._lock:
            if self._stopping.is_set():
                return None
            self._proc = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,  # stdout belongs to the backend's ready line
                env=self.env,
                close_fds=True,
                **_popen_platform_options(),
            )
            logger.info("worker child started, pid %d", self._proc.pid)
            return self._proc

    def _supervise(self) -> None:
        backoff = self.min_backoff
        while not self._stopping.is_set():
            try:
                proc = self._spawn()
            except OSError:
                logger.exception("cannot start the worker child")
                proc = None
            if proc is None and self._stopping.is_set():
                break
            started = time.monotonic()
            code = proc.wait() if proc is not None else None
            if self._stopping.is_set():
                break
            if time.monotonic() - started > self.healthy_after:
                backoff = self.min_backoff
            logger.warning("worker child exited unexpectedly (%s); restart in %.1fs", code, backoff)
            if self._stopping.wait(backoff):
                break
            backoff = min(backoff * 2, self.max_backoff)
            self.restarts += 1

    def notify(self) -> None:
        """Wake the worker now (a task was enqueued). Never blocks for long, never raises."""
        proc = self._proc
        if proc is None or proc.stdin is None or proc.poll() is not None:
            return
        try:
            proc.stdin.write(b"\n")
            proc.stdin.flush()
        except (OSError, ValueError):
            pass

    def stop(self, grace: float | None = None) -> int | None:
        """Close the child's stdin, wait ``grace`` s for it, then terminate / kill it."""
        grace = self.grace if grace is None else grace
        with self._lock:
            self._stopping.set()
            proc = self._proc
        code = None
        if proc is not None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
            except OSError:
                pass
            try:
                code = proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                logger.warning("worker still busy after %.1fs grace: terminating it", grace)
                proc.terminate()
                try:
                    code = proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    code = proc.wait()
        if self._thread is not None:
            self._thread.join(5)
        return code


def set_parent_death_signal() -> None:
    """Linux belt and braces: SIGTERM when the parent dies (stdin EOF is the main mechanism)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def parent_is_gone() -> bool:
    """Arm the parent-death signal, then check the backend that started us still exists.

    Called before Django loads (0.5 s or more under load), so a backend killed in that window
    takes its worker with it instead of leaving it until the stdin watch starts.
    """
    set_parent_death_signal()
    parent = os.environ.get(PARENT_PID_ENV)
    return bool(parent and parent.isdigit() and os.name != "nt" and os.getppid() != int(parent))


def run_worker_process(grace: float | None = None) -> int:
    """Body of ``<backend> worker``: Django must be set up (after :func:`parent_is_gone`).

    Stops on stdin EOF (the backend closed the pipe or died), SIGTERM or SIGINT; a running task
    gets ``grace`` seconds to finish, then the process exits anyway (the next worker marks that
    task failed). A new worker waits for this one to end (``worker.lock``).
    """
    from .stop import StopController

    grace = stop_grace() if grace is None else grace
    stop = StopController()
    stop.install_signal_handlers()
    loop = WorkerLoop()
    stop.watch_stdin(on_data=lambda _chunk: loop.wake())
    thread = threading.Thread(target=loop.run, name="tasks-worker", daemon=True)
    thread.start()
    while not stop.requested and thread.is_alive():
        stop.wait(1.0)
    loop.stop()
    thread.join(grace)
    if thread.is_alive():
        logger.error("a task is still running after %.1fs: exiting without it", grace)
        logging.shutdown()
        os._exit(1)
    logger.info("worker process exits (%s)", stop.reason or "loop ended")
    return 0
