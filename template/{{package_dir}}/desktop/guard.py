"""Guards in front of waitress against other local processes (used by ``server.py``).

Any local process can connect to 127.0.0.1. Small subclasses of waitress's server, channel and
parser add two rules, given an ``authorize`` check of a request's raw headers (the backend passes
:func:`.auth.headers_carry_token`: the token header or the token cookie):

* **A request body is read only from a request that carries the token.** waitress reads a whole
  body (up to ``max_request_body_size``, buffered to a temp file) before the app runs, so the
  Django middleware alone would 403 a 1 GiB upload only after reading all of it. Here a request
  with a body (Content-Length > 0, or chunked) and without the token gets 403 as soon as its
  headers are complete; its body is never read and the connection closes. Requests without a
  body go on to Django unchanged: the token middleware still decides (bootstrap, dev hint).
* **Strangers make room.** waitress stops accepting at ``connection_limit`` until connections
  close, so ~100 idle or slow-header connections locked the shell out. Here, at the limit, the
  oldest connections that never carried the token are ended instead. A connection that carried
  it once (the shell's keep-alive connections) is never evicted; a new connection is safe
  because it sends its headers at once, long before it could become the oldest.

The limit is kept within the open-files limit (:func:`fd_room` raises the soft limit on POSIX),
and the loop uses ``poll()`` where it exists, which has no 1024-descriptor ceiling.
"""

from __future__ import annotations

import logging
import select
import socket
import sys
from collections.abc import Callable, Mapping

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.utilities import Error

logger = logging.getLogger(__name__)

# Open connections at once. With eviction this is a resource cap, not a lock-out.
CONNECTION_LIMIT = 250
# File descriptors kept for everything else (database, logs, pipes, the worker's lock).
FD_RESERVE = 128
# poll() has no FD_SETSIZE (1024) ceiling; Windows has only select().
USE_POLL = hasattr(select, "poll") and not sys.platform.startswith("win")
BODY_REFUSED = "This app only accepts a request body with its session token."


def fd_room(connections: int) -> int:
    """How many connections fit under the open-files limit, raising its soft value if needed.

    macOS starts processes with a soft limit of 256 (Linux: 1024); the hard limit is higher.
    On Windows (no ``resource`` module) ``connections`` is returned unchanged."""
    try:
        import resource
    except ImportError:
        return connections
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = connections + FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft < want:
        new_soft = want if hard == resource.RLIM_INFINITY else min(want, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
            soft = new_soft
        except (ValueError, OSError):
            logger.warning("could not raise the open-files limit from %s to %s", soft, new_soft)
    if soft == resource.RLIM_INFINITY:
        return connections
    return max(16, min(connections, soft - FD_RESERVE))


class BodyForbidden(Error):
    code = 403
    reason = "Forbidden"


class _GuardedParser(HTTPRequestParser):
    """waitress's request parser, plus one decision the moment the headers are complete."""

    judged = False

    def __init__(self, adj, channel: _GuardedChannel):
        super().__init__(adj)
        self.channel = channel

    def received(self, data: bytes) -> int:
        if self.channel.refused:
            return len(data)  # the connection closes after its 403: drop the rest unread
        consumed = super().received(data)
        if self.headers_finished and not self.judged:
            self.judged = True
            self._judge()
        return consumed

    def _judge(self) -> None:
        authorize = self.channel.server.authorize
        if authorize is None or authorize(self.headers):
            self.channel.proven = True
            return
        if self.body_rcv is None:
            return  # no body: the app decides, as before (the token middleware, bootstrap)
        # A body without the token: answer now and never read it (body_rcv stays unused). Also
        # instead of waitress's 413 for a body over the cap: a stranger does not learn the cap.
        self.error = BodyForbidden(BODY_REFUSED)
        self.completed = True
        self.expect_continue = False  # no "100 Continue" invitation to send the body
        self.connection_close = True
        self.channel.refused = True


class _GuardedChannel(HTTPChannel):
    proven = False  # a request on this connection carried the token
    refused = False  # a body was refused: read nothing more, close after the 403

    def parser_class(self, adj) -> _GuardedParser:  # waitress calls self.parser_class(adj)
        return _GuardedParser(adj, self)

    def readable(self) -> bool:
        return not self.refused and super().readable()


class GuardedServer(TcpWSGIServer):
    channel_class = _GuardedChannel
    # Set by WaitressServer: ``authorize(headers)`` with waitress's header keys ("COOKIE", …).
    authorize: Callable[[Mapping[str, str]], bool] | None = None

    def readable(self) -> bool:
        # Evict a batch a little before the limit: waitress's own check (super) then stops
        # accepting only when the connections left are the shell's.
        batch = max(1, self.adj.connection_limit // 10)
        if self.accepting and len(self._map) >= self.adj.connection_limit - batch:
            self._evict_strangers(len(self._map) - self.adj.connection_limit + 2 * batch)
        return super().readable()

    def _evict_strangers(self, count: int) -> None:
        """End the ``count`` oldest connections that never carried the token.

        ``shutdown()`` (not ``close()``) ends the TCP connection at once but keeps the file
        descriptor valid: this runs while waitress builds the list it is about to poll. The
        channel then sees EOF (or a failed write) and closes itself in this loop pass."""
        strangers = sorted(
            (
                channel
                for channel in self.active_channels.values()
                if not (channel.proven or channel.requests or channel.will_close)
            ),
            key=lambda channel: channel.creation_time,
        )
        for channel in strangers[:count]:
            channel.will_close = True
            try:
                channel.socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if strangers:
            logger.debug("connection limit: ended %d connections", min(count, len(strangers)))
