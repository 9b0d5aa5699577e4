"""Copies of the database taken before migrations, and putting one back.

An app update can ship a migration that fails on the user's data, and the database is the user's
only copy. So before migrating an existing database, the backend writes a consistent copy with
SQLite's online backup API to ``<app data>/backups/`` (the newest :data:`KEEP` are kept); if a
migration fails it puts that copy back, so the data is exactly as before, and reports the
failure. ``python -m <package>.desktop restore --list | FILE`` does the same by hand.
"""

from __future__ import annotations

import datetime
import logging
import os
import sqlite3
from pathlib import Path

logger = logging.getLogger(__name__)

BACKUP_DIR = "backups"
KEEP = 5
SUFFIX = ".sqlite3"


class BackupError(RuntimeError):
    """A backup cannot be written or restored; the message says why and what to do."""


def backup_dir(app_data_dir: str | os.PathLike) -> Path:
    return Path(app_data_dir) / BACKUP_DIR


def _read_only(path: Path) -> str:
    return Path(path).absolute().as_uri() + "?mode=ro"  # percent-encoded: spaces, ? and # are safe


def list_backups(folder: Path) -> list[Path]:
    """The backups in ``folder``, newest first (their names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.name.endswith(SUFFIX)), reverse=True)


def create_backup(database: Path, folder: Path, reason: str = "before-migrate") -> Path:
    """A consistent copy of ``database`` (WAL included) in ``folder``; returns its path."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"app-{stamp}-{reason}{SUFFIX}"
    partial = target.with_name(target.name + ".part")
    try:
        source = sqlite3.connect(_read_only(database), uri=True)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # SQLite's online backup: a consistent snapshot
            finally:
                copy.close()
        finally:
            source.close()
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)  # only complete copies carry the final name
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(
            f"Cannot back up {database} to {folder} before migrating: {exc}. Free some disk "
            "space or fix the folder's permissions, then start again (nothing was changed)."
        ) from exc
    for old in list_backups(folder)[KEEP:]:
        old.unlink(missing_ok=True)
    return target


def restore_backup(backup: Path, database: Path) -> None:
    """Put ``backup`` back into ``database`` (through SQLite, so its WAL stays consistent).

    Nothing may be using the database meanwhile (the backend restores before it serves)."""
    try:
        source = sqlite3.connect(_read_only(backup), uri=True)
        try:
            check = source.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"The backup {backup} is damaged ({check}): pick another one.")
            live = sqlite3.connect(database)
            try:
                source.backup(live)
            finally:
                live.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot restore {backup} into {database}: {exc}.") from exc
    logger.warning("restored %s from %s", database, backup)
