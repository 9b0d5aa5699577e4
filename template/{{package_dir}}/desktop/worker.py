"""The django-tasks-db worker: its loop, and a worker that runs only while there is work.

* :class:`WorkerLoop` runs the ``db_worker`` command's own ``Worker`` (django-tasks-db) in batch
  passes, waiting between passes on an event, so it can be woken (a task was enqueued) and
  stopped at once from another thread. A running task is never interrupted by a stop request.
  With ``idle_exit`` it ends by itself once no task has run for that many seconds.
* On demand: no worker while nothing is queued. :class:`WorkerSupervisor` (the backend process)
  and :class:`WorkerThread` (shells that run Django in-process) look in the database at start,
  when woken (a task was enqueued: :meth:`wake`), when a scheduled task's ``run_after`` comes due,
  and every ``DESKTOP_DJANGO_WORKER_POLL`` seconds (tasks enqueued by another process). When a
  task is due (or was left RUNNING by a crash) they start a worker: the supervisor a child
  process ``<backend> worker`` with a stdin pipe, the thread a loop of its own. The worker exits
  after ``DESKTOP_DJANGO_WORKER_IDLE`` seconds without a task; a crashed one is started again
  (with backoff) only while work is due. The child exits on its own when the pipe hits EOF, so
  even a ``kill -9`` of the backend ends the worker.
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
IDLE_ENV = "DESKTOP_DJANGO_WORKER_IDLE"
POLL_ENV = "DESKTOP_DJANGO_WORKER_POLL"
PARENT_PID_ENV = "DESKTOP_DJANGO_PARENT_PID"
DEFAULT_GRACE = 10.0
DEFAULT_IDLE = 30.0  # a worker costs ~45 MiB; starting one costs ~0.5 s of CPU
DEFAULT_POLL = 60.0
DEFAULT_INTERVAL = 2.0
INTERRUPTED_MESSAGE = (
    "The app stopped while this task was running (crash, power loss or forced quit); "
    "it was marked failed when the tasks worker started again."
)


class InterruptedTask(Exception):
    """Recorded as the error of tasks that were RUNNING when the app last stopped abruptly."""


def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if 0 <= value <= 3600 else default


def stop_grace(default: float = DEFAULT_GRACE) -> float:
    """Seconds a running task may take after a stop request (``DESKTOP_DJANGO_STOP_GRACE``)."""
    return _seconds(GRACE_ENV, default)


def idle_exit() -> float:
    """Seconds without a task before a worker exits (``DESKTOP_DJANGO_WORKER_IDLE``)."""
    return _seconds(IDLE_ENV, DEFAULT_IDLE)


def poll_interval() -> float:
    """Seconds between looks for tasks enqueued elsewhere (``DESKTOP_DJANGO_WORKER_POLL``)."""
    return max(0.05, _seconds(POLL_ENV, DEFAULT_POLL))


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


def pending_work() -> tuple[bool, float | None]:
    """``(a worker is needed now, seconds until the next scheduled task or None)``.

    Needed now: a task is ready, or one was left RUNNING (only a worker holding ``worker.lock``
    may mark it failed). Closes this thread's connection: the caller waits a long time.
    """
    from django.db import connections
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult, get_date_max

    results = DBTaskResult.objects
    try:
        if results.ready().exists() or results.filter(status=_status().RUNNING).exists():
            return True, None
        scheduled = (
            results.filter(status=_status().READY)
            .exclude(run_after=get_date_max())
            .order_by("run_after")
            .values_list("run_after", flat=True)
            .first()
        )
    finally:
        connections[results.db].close()
    if scheduled is None:
        return False, None
    return False, max(0.0, (scheduled - timezone.now()).total_seconds())


class WorkerLoop:
    """django-tasks-db's worker, run in batch passes until :meth:`stop`.

    Call :meth:`run` on the thread that should execute tasks: it holds ``worker.lock`` in
    ``lock_dir`` (default: the app data folder) while it runs, waiting for it first if another
    worker holds it, and recovers interrupted tasks before its first pass. :meth:`wake` starts
    the next pass now (instead of after ``interval`` seconds); :meth:`stop` ends the loop (or
    the wait) after the running task, if any, finishes. With ``idle_exit``, the loop ends by
    itself once no task has started or finished for that many seconds.
    """

    def __init__(
        self,
        *,
        interval: float = DEFAULT_INTERVAL,
        queue_names: Sequence[str] = ("*",),
        backend_name: str = "default",
        worker_id: str | None = None,
        lock_dir: Path | None = None,
        idle_exit: float | None = None,
    ) -> None:
        self.interval = interval
        self.idle_exit = idle_exit
        self.queue_names = list(queue_names)
        self.backend_name = backend_name
        self.worker_id = worker_id or f"{about.PACKAGE[:40]}-{os.getpid()}-{id(self) % 10_000}"
        self.lock_dir = lock_dir
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._worker = None
        self._active_at = time.monotonic()
        self.passes = 0
        self.tasks = 0  # started by this loop

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

    def _on_task(self, sender=None, **kwargs) -> None:
        if kwargs.get("signal") is _signals()[0]:
            self.tasks += 1
        self._active_at = time.monotonic()

    def _idle_for(self) -> float:
        return time.monotonic() - self._active_at

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
        uid = f"desktop-worker-{id(self)}"
        for signal in _signals():
            signal.connect(self._on_task, dispatch_uid=uid, weak=False)
        self._active_at = time.monotonic()
        failures, recover, reason = 0, True, "stopped"
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
                if self.idle_exit is not None and not failures:
                    if self._idle_for() >= self.idle_exit:
                        reason = f"idle for {self.idle_exit:g} s"
                        break
                delay = self.interval if not failures else min(30.0, 0.5 * 2**failures)
                if self.idle_exit is not None:
                    delay = min(delay, max(0.0, self.idle_exit - self._idle_for()))
                self._wake.wait(delay)
        finally:
            self._worker = None
            for signal in _signals():
                signal.disconnect(dispatch_uid=uid)
            connections.close_all()
            logger.info("worker %s stopped (%s, %d task(s))", self.worker_id, reason, self.tasks)
            lock.release()


def _signals():
    """django-tasks' task_started and task_finished (Django's own from 6.0)."""
    from django_tasks_db.compat import task_finished, task_started

    return task_started, task_finished


class OnDemand:
    """Starts a worker when a task is due and lets it end when idle (the module docstring).

    Subclasses run one worker to its end in :meth:`_run_worker` (``True``: it ended as asked or
    idle; ``False``: it failed) and pass a wake to a running one in :meth:`_nudge`.
    """

    def __init__(
        self,
        *,
        grace: float | None = None,
        idle: float | None = None,
        poll: float | None = None,
        min_backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        self.grace = stop_grace() if grace is None else grace
        self.idle = idle_exit() if idle is None else idle
        self.poll = poll_interval() if poll is None else poll
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.starts = 0  # workers started
        self.restarts = 0  # of those, after a failure
        self._demand = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.running = False  # a worker runs now

    def start(self):
        # This thread also spawns the worker child: on Linux the child's parent-death signal
        # fires when the spawning *thread* ends, so it lives as long as the backend.
        self._thread = threading.Thread(target=self._watch, name="tasks-on-demand", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        """A task was enqueued (and committed): start a worker, or wake the running one."""
        self._demand.set()
        self._nudge()

    def _watch(self) -> None:
        from django.db import DatabaseError

        backoff = self.min_backoff
        while not self._stopping.is_set():
            self._demand.clear()
            try:
                due, wait = pending_work()
            except DatabaseError as exc:  # e.g. locked for longer than the timeout
                logger.warning("cannot look for tasks (%s); looking again soon", exc)
                due, wait = False, min(self.poll, 5.0)
            if not due:
                self._demand.wait(self.poll if wait is None else min(self.poll, wait))
                continue
            self.starts += 1
            self.running = True
            try:
                ended_well = self._run_worker()
            finally:
                self.running = False
            if ended_well:
                backoff = self.min_backoff
                continue
            logger.warning("the tasks worker failed; starting it again in %.1fs", backoff)
            if self._stopping.wait(backoff):
                break
            backoff = min(backoff * 2, self.max_backoff)
            self.restarts += 1

    def _run_worker(self) -> bool:
        raise NotImplementedError

    def _nudge(self) -> None:
        raise NotImplementedError

    def _stop_worker(self, grace: float) -> None:
        raise NotImplementedError

    def stop(self, grace: float | None = None) -> bool:
        """Stop the worker after its running task (``grace`` s at most); ``True`` if all ended."""
        grace = self.grace if grace is None else grace
        self._stopping.set()
        self._demand.set()
        self._stop_worker(grace)
        if self._thread is not None:
            self._thread.join(grace + 5)
            return not self._thread.is_alive()
        return True

    @property
    def alive(self) -> bool:
        """True while the watching thread runs (whether or not a worker does)."""
        return self._thread is not None and self._thread.is_alive()


class WorkerThread(OnDemand):
    """On-demand :class:`WorkerLoop` runs on a thread of this process, for shells that run Django
    in-process (the same ``worker.lock`` rule: it waits while a worker process of an earlier run
    finishes). ``loop_options`` go to each :class:`WorkerLoop`."""

    def __init__(self, *, grace=None, idle=None, poll=None, **loop_options) -> None:
        super().__init__(grace=grace, idle=idle, poll=poll)
        self.loop_options = loop_options
        self.loop: WorkerLoop | None = None
        self._loop_lock = threading.Lock()

    def _run_worker(self) -> bool:
        with self._loop_lock:
            if self._stopping.is_set():
                return True
            self.loop = loop = WorkerLoop(idle_exit=self.idle, **self.loop_options)
        try:
            loop.run()
        except Exception:
            logger.exception("the tasks worker thread failed")
            return False
        return True

    def _nudge(self) -> None:
        if self.loop is not None:
            self.loop.wake()

    def _stop_worker(self, grace: float) -> None:
        with self._loop_lock:
            if self.loop is not None:
                self.loop.stop()  # the watching thread then ends within ``grace``


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
        from .launch import put_source_on_path

        put_source_on_path(env)
    return env


def _popen_platform_options() -> dict:
    if sys.platform.startswith("win"):
        flags = subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "CREATE_NO_WINDOW", 0)
        return {"creationflags": flags}
    # Own session: a terminal's Ctrl+C reaches the backend only, which then stops the worker.
    return {"start_new_session": True}


class WorkerSupervisor(OnDemand):
    """On demand, the worker as a child process ``<backend> worker``; stopped by closing its
    stdin (then terminate / kill after the grace period)."""

    def __init__(
        self,
        command: Sequence[str] | None = None,
        *,
        env: dict[str, str] | None = None,
        **options,
    ) -> None:
        super().__init__(**options)
        self.command = list(command) if command else worker_command()
        self.env = env if env is not None else worker_environment()
        self.env.setdefault(IDLE_ENV, str(self.idle))
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

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

    def _run_worker(self) -> bool:
        try:
            proc = self._spawn()
        except OSError:
            logger.exception("cannot start the worker child")
            return False
        if proc is None:
            return True
        code = proc.wait()
        if code == 0 or self._stopping.is_set():
            logger.info("worker child %d ended (%s)", proc.pid, code)
            return True
        logger.warning("worker child %d exited unexpectedly (%s)", proc.pid, code)
        return False

    def _nudge(self) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or proc.poll() is not None:
            return
        try:
            proc.stdin.write(b"\n")
            proc.stdin.flush()
        except (OSError, ValueError):
            pass

    def _stop_worker(self, grace: float) -> None:
        """Close the child's stdin, wait ``grace`` s for it, then terminate / kill it."""
        with self._lock:
            proc = self._proc
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            logger.warning("worker still busy after %.1fs grace: terminating it", grace)
            proc.terminate()
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


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

    Exits 0 after ``DESKTOP_DJANGO_WORKER_IDLE`` seconds without a task (the backend starts
    another when work comes). Stops on stdin EOF (the backend closed the pipe or died), SIGTERM or
    SIGINT; a running task
    gets ``grace`` seconds to finish, then the process exits anyway (the next worker marks that
    task failed). A new worker waits for this one to end (``worker.lock``).
    """
    from .stop import StopController

    grace = stop_grace() if grace is None else grace
    stop = StopController()
    stop.install_signal_handlers()
    loop = WorkerLoop(idle_exit=idle_exit())
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
