"""Bind 127.0.0.1:0 ourselves and serve a WSGI app on that socket with waitress.

Binding first and serving the bound socket means the port is known before anything else can take
it: no "pick a free port, then bind" race. The same class serves in the main thread (the backend
process) or on a thread (a shell that runs Django in-process)::

    sock = bind_socket()
    server = WaitressServer(app, sock)
    server.start()           # on a thread; or server.serve(stop) to block
    ...
    server.stop(grace=5)     # stop accepting, finish in-flight requests, close

Local abuse: any local process can connect to 127.0.0.1. Given ``authorize`` (a check of a
request's raw headers; the backend passes :func:`.auth.headers_carry_token`), only requests with
the token may send a body, and connections that never showed the token make room for new ones
(see ``guard.py``). ``max_upload_bytes`` caps a body that carries the token (413 above it).
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
POLL_SECONDS = 0.2

Authorize = Callable[[Mapping[str, str]], bool]


def bind_socket(host: str = HOST, port: int = 0, backlog: int = 64) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: the OS picks a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if sys.platform.startswith("win"):
            # Nobody else may bind the same port while we hold it.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        elif port:
            # A given port (a development restart): the last run's closed connections in
            # TIME_WAIT must not keep us from listening again. Two listeners stay impossible.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock


def socket_port(sock: socket.socket) -> int:
    return sock.getsockname()[1]


class WaitressServer:
    """waitress serving an already-bound socket, with a stop that drains in-flight requests."""

    def __init__(
        self,
        app,
        sock: socket.socket,
        *,
        threads: int = 4,
        authorize: Authorize | None = None,
        max_upload_bytes: int | None = None,
        **adjustments,
    ):
        from waitress.adjustments import Adjustments
        from waitress.task import ThreadedTaskDispatcher

        from .guard import CONNECTION_LIMIT, USE_POLL, GuardedServer, fd_room

        self.port = socket_port(sock)
        self.host = sock.getsockname()[0]
        adjustments.setdefault("channel_timeout", 60)
        adjustments["connection_limit"] = fd_room(
            adjustments.get("connection_limit", CONNECTION_LIMIT)
        )
        adjustments.setdefault("asyncore_use_poll", USE_POLL)
        adjustments.setdefault("expose_tracebacks", False)
        adjustments.setdefault("ident", "desktop-django")
        if max_upload_bytes is not None:
            # waitress refuses a body of max_request_body_size bytes or more: allow the cap itself.
            adjustments["max_request_body_size"] = max_upload_bytes + 1
        adj = Adjustments(sockets=[sock], threads=threads, **adjustments)
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(adj.threads)
        # What waitress.create_server does for one bound socket, with our server class.
        self._server = GuardedServer(
            app,
            {},
            True,
            sock,
            dispatcher=dispatcher,
            adj=adj,
            bind_socket=False,
            sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
        )
        self._server.authorize = authorize
        self._stop_requested = False
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def serve(
        self,
        should_stop: Callable[[], bool] | None = None,
        grace: float = 5.0,
        on_stopping: Callable[[], None] | None = None,
    ) -> None:
        """Serve until :meth:`request_stop` or ``should_stop()``; then drain and close."""
        from waitress import wasyncore

        server = self._server
        socket_map = server._map
        poll = server.adj.asyncore_use_poll
        try:
            while not self._stop_requested and not (should_stop and should_stop()):
                wasyncore.loop(timeout=POLL_SECONDS, map=socket_map, use_poll=poll, count=1)
            if on_stopping is not None:
                on_stopping()
            self._drain(wasyncore, grace)
        finally:
            self._stopped.set()

    def _drain(self, wasyncore, grace: float) -> None:
        server = self._server
        dispatcher = server.task_dispatcher
        # Stop accepting: close the listening socket only (the trigger still wakes the loop).
        wasyncore.dispatcher.close(server)
        deadline = time.monotonic() + max(grace, 0.0)
        while time.monotonic() < deadline:
            busy = dispatcher.active_count or dispatcher.queue
            busy = busy or any(
                channel.requests or channel.total_outbufs_len
                for channel in list(server.active_channels.values())
            )
            if not busy:
                break
            wasyncore.loop(
                timeout=0.05, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1
            )
        dispatcher.shutdown(cancel_pending=True, timeout=max(0.1, deadline - time.monotonic()))
        wasyncore.close_all(server._map)

    def request_stop(self) -> None:
        """Ask :meth:`serve` to return (safe from any thread)."""
        self._stop_requested = True
        try:
            self._server.pull_trigger()
        except OSError:
            pass

    # -- on a thread (in-process shells) ---------------------------------------------------------

    def start(self, grace: float = 5.0) -> threading.Thread:
        self._thread = threading.Thread(
            target=self.serve, kwargs={"grace": grace}, name="waitress", daemon=True
        )
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 10.0) -> bool:
        """Request a stop and wait for :meth:`serve` to finish; ``True`` if it did."""
        self.request_stop()
        if self._thread is None:
            return self._stopped.wait(timeout)
        self._thread.join(timeout)
        return not self._thread.is_alive()
