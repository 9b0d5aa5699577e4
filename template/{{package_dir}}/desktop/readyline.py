"""The one JSON line the backend prints on stdout when it accepts requests.

Example::

    {"event": "ready", "port": 50123, "pid": 4242, "url": "http://127.0.0.1:50123/", ...}

Shells read the port from it (the backend binds port 0 itself, so there is no port race). The
line never contains the auth token. Fields: see :func:`ready_info` and the architecture doc
in docs/.
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO, Any

READY_EVENT = "ready"
REQUIRED_FIELDS = ("event", "port", "pid", "url", "log_file", "app_data_dir")


def ready_info(
    *,
    port: int,
    app_data_dir: str | os.PathLike,
    log_file: str | os.PathLike,
    host: str = "127.0.0.1",
    **extra: Any,
) -> dict[str, Any]:
    """The ready-line fields; ``extra`` adds more (``version``, ``startup_ms``, ...)."""
    url = f"http://{host}:{port}/"
    info: dict[str, Any] = {
        "event": READY_EVENT,
        "port": int(port),
        "pid": os.getpid(),
        "url": url,
        "health_url": url + "health/",
        "bootstrap_path": "/desktop-auth/bootstrap/",
        "log_file": str(log_file),
        "app_data_dir": str(app_data_dir),
    }
    info.update(extra)
    return info


def format_ready_line(info: dict[str, Any]) -> str:
    """One line of ASCII JSON (non-ASCII paths are escaped, so no newline can sneak in)."""
    return json.dumps(info, ensure_ascii=True, separators=(",", ":"), sort_keys=False)


def emit_ready_line(info: dict[str, Any], stream: IO[str] | None = None) -> None:
    stream = sys.stdout if stream is None else stream
    stream.write(format_ready_line(info) + "\n")
    stream.flush()


def parse_ready_line(line: str | bytes) -> dict[str, Any] | None:
    """The ready info if ``line`` is a valid ready line, else ``None``."""
    if isinstance(line, bytes):
        line = line.decode("utf-8", "replace")
    try:
        info = json.loads(line)
    except ValueError:
        return None
    if not isinstance(info, dict) or info.get("event") != READY_EVENT:
        return None
    if any(field not in info for field in REQUIRED_FIELDS):
        return None
    port = info["port"]
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        return None
    return info
