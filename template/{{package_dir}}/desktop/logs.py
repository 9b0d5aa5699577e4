"""Logging: rotating files under ``<app data>/logs/``, warnings and errors also on stderr.

Each process writes its own file (``backend.log``, ``worker.log``, ...): two processes rotating
one file breaks on Windows. The process name comes from ``DESKTOP_DJANGO_PROCESS``, which the
backend sets for itself and for the worker child.
"""

from __future__ import annotations

import io
import logging
import os
import re
import sys
from pathlib import Path

PROCESS_ENV = "DESKTOP_DJANGO_PROCESS"
LEVEL_ENV = "DESKTOP_DJANGO_LOG_LEVEL"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5


def process_name(default: str = "django") -> str:
    name = os.environ.get(PROCESS_ENV, "").strip().lower()
    return name if re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", name) else default


def log_file(directory: Path, name: str | None = None) -> Path:
    return Path(directory) / f"{name or process_name()}.log"


def logging_config(directory: Path, name: str | None = None, level: str | None = None) -> dict:
    """A ``LOGGING`` dict for Django settings."""
    level = (level or os.environ.get(LEVEL_ENV) or "INFO").upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {
                "format": "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s",
            },
        },
        "handlers": {
            "file": {
                "class": "logging.handlers.RotatingFileHandler",
                "filename": str(log_file(directory, name)),
                "maxBytes": MAX_BYTES,
                "backupCount": BACKUP_COUNT,
                "encoding": "utf-8",
                "delay": True,
                "formatter": "plain",
            },
            "stderr": {
                "class": "logging.StreamHandler",
                "level": "WARNING",
                "formatter": "plain",
            },
        },
        "root": {"handlers": ["file", "stderr"], "level": level},
        "loggers": {
            # Each worker pass logs "starting"/"no more tasks" at INFO: keep only problems.
            "django_tasks_db": {"level": "WARNING"},
            "django.db.backends": {"level": "INFO"},
        },
    }


class LogStream(io.TextIOBase):
    """A text stream that writes each line to a logger: stdout once the ready line is out.

    The shell reads the backend's stdout for the ready line; a stray ``print()`` or Django's
    console mail backend must not write there afterwards, so their lines land in the log.
    """

    def __init__(self, logger: logging.Logger, level: int = logging.INFO) -> None:
        super().__init__()
        self.logger = logger
        self.level = level
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        lines = (self._pending + text).split("\n")
        self._pending = lines.pop()
        for line in lines:
            self.logger.log(self.level, "%s", line)
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.logger.log(self.level, "%s", self._pending)
            self._pending = ""


def capture_stdout(name: str = "stdout") -> None:
    """From now on, ``sys.stdout`` writes go to the log (logger ``name``), not the shell."""
    sys.stdout.flush()
    sys.stdout = LogStream(logging.getLogger(name))
