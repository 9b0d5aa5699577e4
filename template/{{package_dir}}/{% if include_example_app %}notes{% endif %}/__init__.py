"""Example app: a list of notes with create, edit and delete (Django forms, CSRF on)."""
