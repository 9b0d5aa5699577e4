"""Replaces PyInstaller's hook for Django, which collects all of Django: every submodule, every
translation and the admin's assets (about 90 MB), and guesses the project from ``manage.py``.

``packaging/freeze.py`` collects what this project's settings use instead; PyInstaller follows
Django's own imports from there.
"""
