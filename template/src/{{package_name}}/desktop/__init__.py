"""The desktop runtime contract: app data, auth, CSP, server, worker, ready line, stop.

Each module is small and has a plain API so that every way of running the app reuses it:
the backend process (``python -m <package>.backend``), a frozen build of it, and shells that run
Django in-process (Positron). See docs/architecture.md.
"""
