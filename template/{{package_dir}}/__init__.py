"""Django project that runs as a desktop app (see docs/architecture.md)."""
