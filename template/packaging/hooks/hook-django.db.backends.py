"""Replaces PyInstaller's hook for ``django.db.backends``, which adds every database backend
(PostgreSQL, MySQL, Oracle: missing drivers, warnings). ``packaging/freeze.py`` adds the
``<ENGINE>.base`` of each database in the settings.
"""

hiddenimports = ["django.db.models.sql.compiler"]
