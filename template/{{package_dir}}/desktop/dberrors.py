"""Database problems in words a user can act on, instead of a traceback.

At start (``runtime.Backend.prepare``, ``python -m <package>.desktop migrate`` and ``manage``)
a database that cannot be used ends the backend with ONE line on stderr (``backend: ...``, exit
code 2) that names the file, says what is wrong and what to do; the shells show that line in
their error window, Positron shows the same text (``str()`` of :class:`DatabaseProblem`).

While the app runs, a write that waits for another program's lock past the SQLite timeout
(``OPTIONS["timeout"]``, 20 s) becomes a form error, not a 500: see :func:`save_unless_busy`.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

BUSY_MESSAGE = (
    "The app's data is busy: another program is writing to it. Nothing was saved; "
    "try again in a moment."
)

# SQLite's primary result codes (https://sqlite.org/rescode.html).
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_AUTH = 10, 11, 13, 14, 23
SQLITE_NOTADB = 26

_RESTORE = (
    "restore a backup (the app keeps copies in {backups}), or move the file away to start "
    "with an empty database, then start the app again"
)
# What is wrong, and what to do; "{path}" is the database file.
_KINDS = {
    "notadb": "The database {path} is not a database file (damaged or overwritten): " + _RESTORE,
    "corrupt": "The database {path} is damaged: " + _RESTORE,
    "readonly": (
        "The database {path} is read-only (the file or its folder): give your user permission "
        "to write both, or move them off a read-only disk, then start the app again"
    ),
    "cantopen": (
        "The database {path} cannot be opened: it must be a file your user may read and write, "
        "in a folder your user may write; fix the permissions, then start the app again"
    ),
    "locked": (
        "The database {path} is locked by another program (waited {timeout:g} s): close the "
        "other program (a database browser, a sync or backup tool, another copy of this app), "
        "then start the app again"
    ),
    "full": "Cannot write {path}: the disk is full. Free some space, then start the app again",
    "ioerr": (
        "The database {path} could not be read or written (disk I/O error): check the disk "
        "(full, removed, a network drive gone), then start the app again"
    ),
}
_CODES = {
    SQLITE_NOTADB: "notadb",
    SQLITE_CORRUPT: "corrupt",
    SQLITE_READONLY: "readonly",
    SQLITE_PERM: "readonly",
    SQLITE_AUTH: "readonly",
    SQLITE_CANTOPEN: "cantopen",
    SQLITE_BUSY: "locked",
    SQLITE_LOCKED: "locked",
    SQLITE_FULL: "full",
    SQLITE_IOERR: "ioerr",
}
# The same by SQLite's message, for errors that lost their code on the way.
_TEXTS = (
    ("file is not a database", "notadb"),
    ("malformed", "corrupt"),
    ("readonly database", "readonly"),
    ("unable to open database file", "cantopen"),
    ("is locked", "locked"),
    ("disk is full", "full"),
    ("disk i/o error", "ioerr"),
)
_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class DatabaseProblem(RuntimeError):
    """The database cannot be used; the message names the file, the problem and the remedy."""


def sqlite_error(exc: BaseException) -> sqlite3.Error | None:
    """The :mod:`sqlite3` error behind ``exc`` (Django wraps it in ``django.db.utils``)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, sqlite3.Error):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def kind(exc: BaseException) -> str | None:
    """``"locked"``, ``"corrupt"``, ... for a database error a user can act on, else ``None``."""
    if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
        return "full"  # e.g. a copy of the database (a backup) on a full disk
    error = sqlite_error(exc)
    if error is None:
        from django.db import DatabaseError

        if not isinstance(exc, DatabaseError):
            return None
        error = exc
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in _CODES:
        return _CODES[code & 0xFF]
    text = str(error).lower()
    return next((name for needle, name in _TEXTS if needle in text), None)


def is_locked(exc: BaseException) -> bool:
    return kind(exc) == "locked"


def _database(using: str) -> tuple[str, float]:
    """The database file's path and the lock timeout in seconds, from the settings."""
    try:
        from django.db import connections

        params = connections[using].settings_dict
        return str(params["NAME"]), float((params.get("OPTIONS") or {}).get("timeout", 5))
    except Exception:  # settings not loaded (or not SQLite): still say what happened
        return "of the app", 5.0


def explain(exc: BaseException, using: str = "default") -> str | None:
    """The one-line message for ``exc``, or ``None`` if it is not a database problem we know."""
    if isinstance(exc, DatabaseProblem):
        return str(exc)
    name = kind(exc)
    if name is None:
        return None
    path, timeout = _database(using)
    if isinstance(exc, OSError) and exc.filename:
        path = str(exc.filename)  # e.g. a backup being written
    backups = Path(path).parent / "backups"
    reason = str(sqlite_error(exc) or exc).strip().splitlines()
    message = _KINDS[name].format(path=path, backups=backups, timeout=timeout)
    return f"{message}. (SQLite: {reason[0] if reason else type(exc).__name__})"


@contextmanager
def explained(using: str = "default") -> Iterator[None]:
    """Turn a known database problem inside the block into :class:`DatabaseProblem`."""
    try:
        yield
    except DatabaseProblem:
        raise
    except Exception as exc:
        message = explain(exc, using)
        if message is None:
            raise
        logger.info("database problem at start", exc_info=True)  # the log file only
        raise DatabaseProblem(message) from exc


def check(using: str = "default") -> None:
    """Open the database as the app will, read its schema and try a write that is rolled back.

    Cheap (no full scan), and it fails at once with the real cause: Django's check for
    unapplied migrations treats any error as "no table yet", so a broken or locked file would
    otherwise surface later and less clearly (a locked one after waiting twice). Raises
    :class:`DatabaseProblem`; databases other than SQLite are left alone.
    """
    from django.db import connections, transaction

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with explained(using):
        # BEGIN IMMEDIATE: waits for another writer up to the timeout, like any write would.
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM sqlite_master")  # not a database, damaged
                cursor.execute("PRAGMA user_version")
                (version,) = cursor.fetchone()
                # Writing the same value is a write: a read-only file or folder fails here.
                cursor.execute(f"PRAGMA user_version = {int(version)}")
            transaction.set_rollback(True, using=using)


def save_unless_busy(
    form: Any,
    save: Callable[[], object] | None = None,
    *,
    using: str | None = None,
    message: str = BUSY_MESSAGE,
) -> bool:
    """Run the form's write (``form.save`` unless ``save`` is given) in a transaction; True if
    it was saved. If the database stays locked past the timeout, nothing is written: the form
    gets ``message`` as an error and this returns False, so the view shows it again::

        if request.method == "POST" and form.is_valid() and save_unless_busy(form):
            return redirect("notes:list")
        return render(request, "notes/note_form.html", {"form": form})  # typed text kept

    Why a helper the view calls and not a middleware: only the view knows how to show its form
    again with what the user typed; a middleware catching "database is locked" could only
    answer with a generic error page, and the typed text would be gone. The transaction makes
    the write all or nothing (a ModelForm's many-to-many rows too), so the same POST, sent
    again once the other program lets go, saves it exactly once.
    """
    from django.db import OperationalError, transaction

    try:
        with transaction.atomic(using=using):  # BEGIN IMMEDIATE: the lock wait happens here
            (save or form.save)()
    except OperationalError as exc:
        if not is_locked(exc):
            raise
        logger.warning("database busy, the form was shown again: %s", exc)
        form.add_error(None, message)
        return False
    return True
