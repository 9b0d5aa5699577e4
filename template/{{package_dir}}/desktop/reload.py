"""Development only: restart the backend when its Python code changes, on the same port.

``DESKTOP_DJANGO_DEV=1`` (set by ``python -m <package>.desktop dev`` for itself and the shell it
starts) makes ``serve`` run as two processes:

* the *parent* picks a free port and, unless a shell passed one, the session token, then runs
  ``serve`` again as a child with both in its environment and relays the child's stdout (ready
  lines included). A child that exits with :data:`RESTART` is started again at once; one that
  fails (a syntax error in an edit) is started again after the next change under the source
  folder. The parent prints the bootstrap URL once, for a run by hand.
* the *child* is the ordinary backend (worker included) bound to that port, plus Django's own
  autoreloader on a thread: a changed ``.py`` file stops it cleanly with :data:`RESTART`;
  templates and translations are reloaded in place by Django (no restart).

Same port and same token: the window only has to reload (every shell has Reload in
development). A frozen build never reloads.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import about, auth, readyline
from .stop import StopController

logger = logging.getLogger(__name__)

DEV_ENV = "DESKTOP_DJANGO_DEV"
CHILD_ENV = "DESKTOP_DJANGO_RELOAD_CHILD"
PORT_ENV = "DESKTOP_DJANGO_PORT"
RESTART = 3  # the child's exit code for "start me again"
STARTED_AT = time.time()  # imported before the project's modules are
WATCHING = "backend: watching for changes (Python code restarts, templates reload in place)"
SKIP_DIRS = {"node_modules", "__pycache__", "build", "dist", "shells", "target"}


def enabled() -> bool:
    return os.environ.get(DEV_ENV) == "1" and not getattr(sys, "frozen", False)


def is_child() -> bool:
    return os.environ.get(CHILD_ENV) == "1"


def requested_port() -> int:
    """The port a reload child must bind (0 outside development)."""
    value = os.environ.get(PORT_ENV, "") if is_child() else ""
    return int(value) if value.isdigit() else 0


# -- the parent ----------------------------------------------------------------------------------


def free_port() -> int:
    from .server import bind_socket, socket_port

    sock = bind_socket()
    try:
        return socket_port(sock)
    finally:
        sock.close()


def run_parent(child_args: list[str], source_dir: Path, *, watch_stdin: bool = True) -> int:
    """Run ``python -m <package>.desktop <child_args>`` until it stops for good."""
    env = {**os.environ, CHILD_ENV: "1", PORT_ENV: str(free_port())}
    by_hand = not env.get(auth.TOKEN_ENV, "").strip()
    if by_hand:
        env[auth.TOKEN_ENV] = auth.new_token()
    stop = StopController()
    current: list[subprocess.Popen] = []

    def forward(signum, frame) -> None:
        stop._on_signal(signum, frame)
        for child in current:
            if child.poll() is None:
                child.send_signal(signum)

    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGBREAK"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), forward)
    if watch_stdin:
        stop.watch_stdin()  # children see the same EOF; this only ends a wait for an edit
    command = [sys.executable, "-m", f"{about.PACKAGE}.desktop", *child_args]
    starts = 0
    while True:
        child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE)
        current[:] = [child]
        _relay(child, env[auth.TOKEN_ENV] if by_hand and starts == 0 else None)
        code = child.wait()
        starts += 1
        if code == RESTART and not stop.requested:
            continue
        if code in (0, RESTART) or stop.requested:
            return 0
        print(
            f"backend: stopped with an error (exit {code}, see above); it starts again when a "
            f"file under {source_dir} changes",
            file=sys.stderr,
            flush=True,
        )
        if not _wait_for_change(source_dir, stop):
            return 0


def _relay(child: subprocess.Popen, token: str | None) -> None:
    """Copy the child's stdout to ours; after the first ready line of a run by hand, the URL."""
    assert child.stdout is not None
    for raw in child.stdout:
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
        info = readyline.parse_ready_line(raw)
        if info is not None and token:
            url = auth.bootstrap_url(info["url"], token, info.get("start_url") or "/")
            print(f"Open {url}", file=sys.stderr, flush=True)
            token = None


def _snapshot(folder: Path) -> dict[str, float]:
    found: dict[str, float] = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS]
        for name in files:
            if name.endswith((".py", ".html", ".txt")):
                path = os.path.join(root, name)
                try:
                    found[path] = os.stat(path).st_mtime
                except OSError:
                    pass
    return found


def _wait_for_change(folder: Path, stop: StopController) -> bool:
    """Poll ``folder`` until a source file changes (True) or a stop is requested (False)."""
    before = _snapshot(folder)
    while not stop.wait(0.5):
        if _snapshot(folder) != before:
            return True
    return False


# -- the child -----------------------------------------------------------------------------------


class Restarter:
    """Django's autoreloader on a thread; a changed ``.py`` file asks ``stop`` to restart."""

    def __init__(self, stop: StopController) -> None:
        self.stop = stop
        self.changed: str | None = None

    @property
    def restart(self) -> bool:
        return self.changed is not None

    def start(self) -> None:
        from django.utils import autoreload

        autoreload.file_changed.connect(self._on_change, dispatch_uid="desktop-reload")
        threading.Thread(target=self._watch, name="reloader", daemon=True).start()

    def _watch(self) -> None:
        from django.apps import apps
        from django.urls import get_resolver
        from django.utils import autoreload

        reloader = autoreload.get_reloader()
        reloader.wait_for_apps_ready(apps, threading.main_thread())
        try:
            _ = get_resolver().urlconf_module  # imported now, so its views are watched
        except Exception:
            logger.exception("the URLconf does not import")
        autoreload.autoreload_started.send(sender=reloader)
        ticker = reloader.tick()
        next(ticker)  # the first pass records every file's mtime
        self._edited_since_start(reloader)
        print(WATCHING, file=sys.stderr, flush=True)
        while not self.stop.requested:
            next(ticker)

    def _edited_since_start(self, reloader) -> None:
        """A file saved after this process started but before the first pass above looks
        unchanged to Django (its new time is the recorded one): treat it as changed."""
        from django.utils import autoreload

        now = time.time()
        for path, mtime in getattr(reloader, "snapshot_files", lambda: ())():
            if STARTED_AT < mtime <= now:  # not a file dated in the future: that would loop
                autoreload.file_changed.send(sender=reloader, file_path=path)
                if self.restart:
                    return

    def _on_change(self, sender=None, file_path=None, **kwargs) -> bool:
        """Return True so Django does not exit this thread; restart unless Django reloads it."""
        path = Path(file_path)
        if path.suffix == ".mo" or _in_template_dir(path):
            return True  # Django's own receivers reset translations / template loaders
        if self.changed is None:
            self.changed = str(path)
            logger.info("%s changed: restarting the backend", path)
            print(f"backend: {path.name} changed, restarting", file=sys.stderr, flush=True)
            self.stop.request("reload")
        return True


def _in_template_dir(path: Path) -> bool:
    from django.template.autoreload import get_template_directories

    if path.suffix == ".py":
        return False
    return any(folder in path.parents for folder in get_template_directories())


def bind_port(backend, port: int, timeout: float = 5.0) -> None:
    """Bind the reload child's fixed port; the previous child may still be letting go of it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            backend.bind(port)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
