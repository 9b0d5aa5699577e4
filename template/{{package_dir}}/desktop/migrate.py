"""Apply migrations at start, cheaply when there is nothing to do.

Loading Django's migration graph costs more than the rest of the start-up. Instead we compare the
migration module names on disk (``pkgutil.iter_modules``, no imports; works in a PyInstaller
build too) with the ``django_migrations`` table. Only when something is missing do we run the
real ``migrate`` command, which is always correct (squashed migrations, dependencies, ...).

Migrating a database that already has data starts with a backup (``backups.py``); if a migration
fails, the backup is put back and :class:`MigrationFailed` says so.

A frozen build's first start on new app data copies the database the build itself migrated
(:func:`seed_fresh_database`) instead of running every migration: the same tables and rows,
about 0.3 s sooner. The comparison above still runs after it.
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import shutil
import sys
from pathlib import Path

from . import backups
from .appdata import SEED_DATABASE_FILE

logger = logging.getLogger(__name__)


class MigrationFailed(RuntimeError):
    """A migration failed; the database was put back as it was. The message says what to do."""


def migrations_on_disk() -> set[tuple[str, str]]:
    """``(app_label, migration_name)`` for every migration module of the installed apps."""
    from django.apps import apps
    from django.conf import settings

    found: set[tuple[str, str]] = set()
    overrides = getattr(settings, "MIGRATION_MODULES", {}) or {}
    for config in apps.get_app_configs():
        module_name = overrides.get(config.label, f"{config.name}.migrations")
        if module_name is None:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # the app has no migrations
            raise
        path = getattr(module, "__path__", None)
        if not path:
            continue
        for info in pkgutil.iter_modules(path):
            if not info.ispkg and info.name[0] not in "_~":
                found.add((config.label, info.name))
    return found


def applied_migrations(using: str = "default") -> set[tuple[str, str]]:
    from django.db import DatabaseError, connections

    connection = connections[using]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            return {(app, name) for app, name in cursor.fetchall()}
    except DatabaseError:
        return set()  # no table yet: a fresh database


def unapplied_migrations(using: str = "default") -> set[tuple[str, str]]:
    return migrations_on_disk() - applied_migrations(using)


def seed_database() -> Path | None:
    """The build's migrated database, in a frozen build that has one."""
    bundle = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or not bundle:
        return None
    seed = Path(bundle) / SEED_DATABASE_FILE
    return seed if seed.is_file() else None


def seed_fresh_database(using: str = "default") -> bool:
    """Copy :func:`seed_database` to a SQLite database that does not exist yet; ``True`` if done.

    Call it before anything opens the database. Not when a ``-wal`` or ``-shm`` file is left
    (SQLite would apply it to the copy), nor with ``DESKTOP_SEED_DATABASE = False`` in settings
    (for data migrations that depend on the machine they run on)."""
    from django.conf import settings
    from django.db import connections

    database = connections[using].settings_dict
    seed = seed_database()
    if seed is None or database["ENGINE"] != "django.db.backends.sqlite3":
        return False
    if not getattr(settings, "DESKTOP_SEED_DATABASE", True):
        return False
    target = Path(database["NAME"])
    if any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-shm", "-journal")):
        return False
    partial = target.with_name(f".{target.name}.seed")
    shutil.copyfile(seed, partial)
    os.replace(partial, target)  # complete or absent, never half a copy
    logger.info("new database: a copy of the one the build migrated")
    return True


def migrate(verbosity: int = 0, using: str = "default") -> None:
    from django.core.management import call_command

    call_command("migrate", database=using, interactive=False, verbosity=verbosity)


def migrate_if_needed(using: str = "default") -> bool:
    """Run ``migrate`` only if a migration on disk is not recorded; ``True`` if it ran.

    An existing SQLite database is backed up first and put back if a migration fails."""
    from django.conf import settings
    from django.db import connections

    missing = unapplied_migrations(using)
    if not missing:
        return False
    backup = None
    database = connections[using].settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3" and applied_migrations(using):
        connections[using].close()
        backup = backups.create_backup(
            Path(database["NAME"]), backups.backup_dir(settings.APP_DATA_DIR)
        )
        logger.info("backed up the database to %s before migrating", backup)
    logger.info("applying %d migration(s)", len(missing))
    try:
        migrate(using=using)
    except Exception as exc:
        if backup is None:
            raise
        connections[using].close()
        backups.restore_backup(backup, Path(database["NAME"]))
        reason = " ".join(str(exc).split())[:200]  # one line
        raise MigrationFailed(
            f"A database migration failed ({type(exc).__name__}: {reason}); the data is as "
            f"before (restored from {backup}). Install the previous version of the app or "
            "report this to its developer."
        ) from exc
    return True
