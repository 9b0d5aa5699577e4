"""Start the backend as a separate process the way a shell does, from Python.

Used by the tests, ``scripts/bench_backend.py`` and smoke tests of a frozen build::

    backend = launch_backend(app_data_dir=tmp, token=auth.new_token())
    status, headers, body = backend.get("/health/")
    backend.stop()                     # closes stdin, like a shell; returns the exit code

The process helpers at the end (:func:`child_pids`, :func:`rss_kib`) read ``/proc`` and so
only work on Linux; :func:`pid_alive` works everywhere.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from . import about
from .auth import TOKEN_ENV, TOKEN_HEADER, bootstrap_url
from .readyline import parse_ready_line

FIRST_ACCOUNT_PATH = "/desktop/first-account/"

SRC_DIR = Path(__file__).resolve().parents[2]  # the folder that holds the package


def put_source_on_path(env: dict[str, str]) -> dict[str, str]:
    """``env`` with :data:`SRC_DIR` first on ``PYTHONPATH``: from source, a child process (backend,
    worker) imports the project without its being installed, whatever its working folder."""
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(SRC_DIR) not in paths:
        env["PYTHONPATH"] = os.pathsep.join([str(SRC_DIR), *paths])
    return env


def backend_command(executable: str | os.PathLike | None = None) -> list[str]:
    """``[python, -m, <package>.desktop]``, or a frozen backend program if given."""
    if executable is not None:
        return [str(executable)]
    return [sys.executable, "-m", f"{about.PACKAGE}.desktop"]


def backend_environment(
    *,
    app_data_dir: str | os.PathLike,
    token: str,
    settings_module: str | None = None,
    extra: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["DESKTOP_DJANGO_APP_DATA_DIR"] = str(app_data_dir)
    env[TOKEN_ENV] = token
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    put_source_on_path(env)
    env.update(extra or {})
    return env


class BackendStartError(RuntimeError):
    pass


class LaunchedBackend:
    """A running backend process and what its ready line said."""

    def __init__(self, proc: subprocess.Popen, info: dict[str, Any], token: str, stderr: deque):
        self.proc = proc
        self.info = info
        self.token = token
        self._stderr = stderr

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def url(self) -> str:
        return self.info["url"]

    @property
    def stderr_text(self) -> str:
        return "".join(self._stderr)

    def bootstrap_url(self, next_path: str = "/") -> str:
        """The URL a window opens first: it sets the token cookie, then shows ``next_path``."""
        return bootstrap_url(self.url, self.token, next_path)

    def post_form(self, path: str, fields: Mapping[str, str]) -> int:
        """GET the form at ``path`` for its CSRF cookie and token, POST ``fields``; the status."""
        status, headers, body = self.get(path)
        if status != 200:
            return status
        cookie = re.search(r"([A-Za-z0-9_]+csrftoken=[^;]+)", headers.get("Set-Cookie", ""))
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not (cookie and token):
            raise ValueError(f"{path} has no CSRF cookie and form token")
        data = urlencode({"csrfmiddlewaretoken": token.group(1).decode(), **fields}).encode()
        return self.get(
            path,
            data=data,
            headers={
                "Cookie": cookie.group(1),
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.url.rstrip("/"),
            },
        )[0]

    def create_first_account(
        self, username: str = "ada", password: str = "a-long-Passphrase-9"
    ) -> bool:
        """What the first window of a fresh ``accounts`` install does: create the first account
        on the app's own page (until then every page leads there). False if there is none to
        create (a ``local`` install, or an account exists)."""
        if self.get(FIRST_ACCOUNT_PATH)[0] != 200:
            return False
        fields = {"username": username, "password1": password, "password2": password}
        status = self.post_form(FIRST_ACCOUNT_PATH, fields)
        if status != 302:
            raise BackendStartError(f"creating the first account answered {status}, not 302")
        return True

    def get(
        self,
        path: str,
        *,
        token: str | None | bool = True,
        headers: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        data: bytes | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """One HTTP request; ``token=True`` sends the session token header, a str sends that."""
        return http_request(
            self.url.rstrip("/") + path,
            token=self.token if token is True else (token or None),
            headers=headers,
            timeout=timeout,
            data=data,
        )

    def stop(self, timeout: float = 20.0) -> int:
        """Close stdin (what a shell does) and wait for the exit code."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        return self.proc.wait(timeout)

    def kill(self) -> None:
        for pid in child_pids(self.pid):
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        self.proc.kill()
        self.proc.wait(10)


def http_request(
    url: str,
    *,
    token: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
    data: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}))
    if token:
        request.add_header(TOKEN_HEADER, token)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers.items()), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _pump(stream, lines: queue.Queue) -> None:
    for line in iter(stream.readline, b""):
        lines.put(line)
    lines.put(None)


def _collect(stream, sink: deque) -> None:
    for line in iter(stream.readline, b""):
        sink.append(line.decode("utf-8", "replace"))


def launch_backend(
    *,
    app_data_dir: str | os.PathLike,
    token: str,
    command: Sequence[str] | None = None,
    args: Sequence[str] = (),
    settings_module: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike | None = None,
    timeout: float = 60.0,
    echo_stderr: bool = False,
) -> LaunchedBackend:
    """Start the backend, wait for its ready line, return it running.

    ``echo_stderr`` leaves the backend's stderr on ours (development) instead of keeping it."""
    env = backend_environment(
        app_data_dir=app_data_dir, token=token, settings_module=settings_module, extra=extra_env
    )
    proc = subprocess.Popen(
        [*(command or backend_command()), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None if echo_stderr else subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    lines: queue.Queue = queue.Queue()
    stderr: deque = deque(maxlen=200)
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    if not echo_stderr:
        threading.Thread(target=_collect, args=(proc.stderr, stderr), daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        line = None
        if remaining > 0:
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
        if line is None:  # timed out, or stdout closed: the backend died
            proc.kill()
            proc.wait(10)
            time.sleep(0.1)  # let the stderr reader catch up
            raise BackendStartError(
                f"backend gave no ready line (exit {proc.returncode}):\n{''.join(stderr)}"
            )
        info = parse_ready_line(line)
        if info is not None:
            return LaunchedBackend(proc, info, token, stderr)


# -- process helpers ---------------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    if sys.platform.startswith("linux"):
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return False
        return state not in (b"Z", b"X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def wait_gone(pids: Sequence[int | None], timeout: float) -> bool:
    """True once none of ``pids`` runs (``None`` entries, e.g. no worker, are skipped)."""
    pids = [pid for pid in pids if pid is not None]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(pid_alive(pid) for pid in pids):
            return True
        time.sleep(0.02)
    return not any(pid_alive(pid) for pid in pids)


def child_pids(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux; empty elsewhere)."""
    children = []
    if not os.path.isdir("/proc"):
        return children
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if len(fields) > 1 and int(fields[1]) == pid and fields[0] not in (b"Z", b"X"):
            children.append(int(entry))
    return children


def rss_kib(pid: int) -> int | None:
    """Resident memory of ``pid`` in KiB (Linux ``VmRSS``), ``None`` if unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None
