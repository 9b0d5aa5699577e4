"""Where the app keeps its data, and the per-install secret key.

The app data directory comes from ``DESKTOP_DJANGO_APP_DATA_DIR`` (shells set it), else a per-user
default: ``%LOCALAPPDATA%\\<app id>`` on Windows, ``~/Library/Application Support/<app id>`` on
macOS, ``$XDG_DATA_HOME/<app id>`` or ``~/.local/share/<app id>`` elsewhere. It survives reinstalls
and updates. Only the standard library is imported here: settings import this module.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

APP_DATA_ENV = "DESKTOP_DJANGO_APP_DATA_DIR"
PREVIOUS_ENV = "DESKTOP_DJANGO_PREVIOUS_APP_DATA_DIR"
DATABASE_FILE = "app.sqlite3"
# In a frozen build: the database `migrate` made at build time (scripts/stage_backend.py), which a
# first start copies instead of running every migration (migrate.seed_fresh_database).
SEED_DATABASE_FILE = "seed-database.sqlite3"
SECRET_KEY_FILE = "secret_key"
LOG_DIR = "logs"
LOCK_FILE = "backend.lock"
WORKER_LOCK_FILE = "worker.lock"
# What an earlier release's folder holds besides the database (see adopt_previous).
PREVIOUS_DATA = (SECRET_KEY_FILE, "mail", "backups")

_MIN_SECRET_KEY_LENGTH = 50


class AppDataError(RuntimeError):
    """The app data directory cannot be used; the message says why and what to do."""


def default_app_data_dir(
    app_id: str,
    *,
    platform: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> Path:
    """The per-user data directory for ``app_id`` on ``platform`` (default: this machine)."""
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    home = Path.home() if home is None else Path(home)
    if platform.startswith("win"):
        base = environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / app_id
    if platform == "darwin":
        return home / "Library" / "Application Support" / app_id
    xdg = environ.get("XDG_DATA_HOME", "")
    # The XDG spec says relative values are invalid and must be ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else home / ".local" / "share"
    return base / app_id


def app_data_dir(app_id: str, environ: Mapping[str, str] | None = None) -> Path:
    """``DESKTOP_DJANGO_APP_DATA_DIR`` if set, else :func:`default_app_data_dir`; absolute."""
    environ = os.environ if environ is None else environ
    configured = environ.get(APP_DATA_ENV, "").strip()
    path = Path(configured).expanduser() if configured else default_app_data_dir(app_id)
    return path.absolute()


PRIVATE_DIRS = (LOG_DIR, "mail", "backups")  # what the backend writes, besides top-level files


def make_private(directory: Path) -> None:
    """This user only (POSIX): new files 0600 and folders 0700 from now on (the process umask),
    and the folder and what the backend keeps in it, even if an older release or a copy left
    them readable by others. Chromium's profile (``electron/``) manages its own modes."""
    if os.name != "posix":
        return  # Windows: the per-user profile folder's ACL already keeps other users out
    os.umask(0o077)
    directory = Path(directory)
    _chmod(directory, 0o700)
    for entry in _entries(directory):
        _chmod(entry, 0o600)
    for name in PRIVATE_DIRS:
        for root, _dirs, files in os.walk(directory / name):  # never follows links
            _chmod(Path(root), 0o700)
            for file in files:
                _chmod(Path(root) / file, 0o600)


def _entries(directory: Path) -> list[Path]:
    try:
        return [entry for entry in directory.iterdir() if not entry.is_dir()]
    except OSError:
        return []


def _chmod(path: Path, mode: int) -> None:
    try:
        info = os.lstat(path)
        if not stat.S_ISLNK(info.st_mode) and stat.S_IMODE(info.st_mode) != mode:
            os.chmod(path, mode)
    except OSError:
        pass  # gone meanwhile, or not ours: nothing to tighten here


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (private to the user where the OS supports it) or explain why not."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise AppDataError(
            f"Cannot create the app data directory {str(path)!r}: {exc.strerror or exc}. "
            f"Set {APP_DATA_ENV} to a writable directory."
        ) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise AppDataError(
            f"The app data directory {str(path)!r} is not writable. "
            f"Fix its permissions or set {APP_DATA_ENV} to a writable directory."
        )
    return path


def adopt_previous(directory: Path, environ: Mapping[str, str] | None = None) -> bool:
    """Move the data of an earlier release's folder here, once; True if it did.

    Shells once kept the data in folders of their own (Electron ``<appData>/<product name>``,
    Positron Toga's ``paths.data``). They pass that folder in :data:`PREVIOUS_ENV`; when it
    holds a database and this folder does not, the data moves here. The database goes
    last (its ``-wal`` first): a start interrupted half-way finishes the move the next time.
    """
    environ = os.environ if environ is None else environ
    previous = environ.get(PREVIOUS_ENV, "").strip()
    if not previous:
        return False
    old, new = Path(previous).expanduser().absolute(), Path(directory)
    if old == new.absolute() or not (old / DATABASE_FILE).is_file():
        return False
    if database_path(new).exists():
        return False  # this folder is in use already: never mix two databases
    for name in (*(DATABASE_FILE + end for end in ("-wal", "-shm")), *PREVIOUS_DATA, DATABASE_FILE):
        if (old / name).exists() and not (new / name).is_dir():
            try:
                shutil.move(str(old / name), str(new / name))
            except OSError as exc:
                raise AppDataError(
                    f"Cannot move {name} from the earlier data folder {str(old)!r} to "
                    f"{str(new)!r}: {exc.strerror or exc}. Move it by hand, then start again."
                ) from exc
    return True


def database_path(directory: Path) -> Path:
    return Path(directory) / DATABASE_FILE


def log_dir(directory: Path) -> Path:
    return Path(directory) / LOG_DIR


def _read_secret_key(path: Path) -> str | None:
    try:
        value = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return ""
    return value if len(value) >= _MIN_SECRET_KEY_LENGTH else ""


def load_or_create_secret_key(directory: Path) -> str:
    """The install's secret key: created once (mode 0600, atomically), then reused.

    Several processes may start at once on a fresh install (backend and worker, two windows):
    the key is written to a private temporary file and then hard-linked into place, which fails
    if another process won the race; everybody then reads the winner's key.
    """
    path = Path(directory) / SECRET_KEY_FILE
    current = _read_secret_key(path)
    if current:
        return current
    key = secrets.token_urlsafe(64)
    tmp = path.with_name(f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if current is None:
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process created it first: use theirs
            except OSError:
                # No hard links here (e.g. FAT): rename does not replace on Windows.
                try:
                    os.rename(tmp, path)
                except FileExistsError:
                    pass
        else:
            os.replace(tmp, path)  # the file was empty or damaged: replace it
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
    return _read_secret_key(path) or key


class InstanceLock:
    """An advisory lock on a file in the app data folder; the OS drops it when its holder ends,
    however it ends.

    ``backend.lock`` (the default) is held while a backend runs: shells find a running instance
    by it. ``worker.lock`` is held while a tasks worker runs: one worker per app data folder, and
    only the holder may treat tasks marked RUNNING as interrupted (no other worker can be alive).
    """

    def __init__(self, directory: Path, name: str = LOCK_FILE):
        self.path = Path(directory) / name
        self._handle = None

    def acquire(self) -> bool:
        handle = open(self.path, "a+b")  # noqa: SIM115 - kept open while the lock is held
        try:
            if sys.platform.startswith("win"):
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing releases the lock on every OS
            self._handle = None
