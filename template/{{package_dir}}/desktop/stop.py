"""When to stop: stdin EOF, SIGTERM, SIGINT (and SIGHUP / SIGBREAK where they exist).

Stdin EOF is the signal that works on every OS, and it also fires when the parent dies (even by
``kill -9``): the parent holds the only write end of our stdin pipe. So the backend watches its
stdin, and the worker child watches the pipe the backend gives it.

Signal handlers only set a flag (no locks in a handler); loops poll :attr:`StopController.requested`
every few hundred milliseconds, or wait with :meth:`StopController.wait`.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2


class StopController:
    def __init__(self) -> None:
        self.reason: str | None = None
        self._event = threading.Event()
        self._callbacks: list[Callable[[str], None]] = []

    @property
    def requested(self) -> bool:
        return self.reason is not None

    def request(self, reason: str) -> None:
        """Ask to stop (from any thread, not from a signal handler)."""
        first = self.reason is None
        if first:
            self.reason = reason
        self._event.set()
        if first:
            for callback in list(self._callbacks):
                try:
                    callback(reason)
                except Exception:  # a failing callback must not block the stop
                    logger.exception("stop callback failed")

    def on_request(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(reason)`` from the thread that requests the stop (not for signals)."""
        self._callbacks.append(callback)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until a stop is requested (signals included); ``True`` if it was."""
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.requested:
            remaining = POLL_SECONDS if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._event.wait(min(POLL_SECONDS, remaining))
        return True

    # -- signals -------------------------------------------------------------------------------

    def _on_signal(self, signum, frame) -> None:
        if self.reason is None:
            self.reason = f"signal {signal.Signals(signum).name}"

    def install_signal_handlers(self) -> None:
        """SIGTERM, SIGINT, SIGHUP, SIGBREAK → stop. Only possible in the main thread."""
        if threading.current_thread() is not threading.main_thread():
            return
        for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGBREAK"):
            signum = getattr(signal, name, None)
            if signum is not None:
                signal.signal(signum, self._on_signal)

    # -- stdin ---------------------------------------------------------------------------------

    def watch_stdin(
        self,
        fd: int | None = None,
        on_data: Callable[[bytes], None] | None = None,
    ) -> threading.Thread | None:
        """Read file descriptor ``fd`` (default: stdin) on a daemon thread; EOF → stop.

        ``on_data`` gets every chunk read before EOF (the worker uses them as wake-ups).
        Reads the raw descriptor with ``os.read``: a daemon thread blocked inside
        ``sys.stdin.buffer`` would hold its lock and abort the interpreter at exit.
        Returns ``None`` when there is no stdin to watch.
        """
        if fd is None:
            try:
                fd = sys.stdin.fileno()
            except (AttributeError, OSError, ValueError):
                logger.warning("no stdin to watch: stop with SIGTERM/SIGINT")
                return None

        def run() -> None:
            try:
                while True:
                    chunk = os.read(fd, 4096)
                    if not chunk:
                        break
                    if on_data is not None:
                        on_data(chunk)
            except OSError:
                pass
            self.request("stdin closed")

        thread = threading.Thread(target=run, name="stdin-watch", daemon=True)
        thread.start()
        return thread
