"""Seed a few notes once, on the first run (a data migration runs exactly once per database)."""

from django.db import migrations

SEED = [
    ("Welcome", "This note was created on first run. Edit it, or delete it."),
    ("Where data lives", "Notes are stored in app.sqlite3 inside the app data directory."),
]


def seed(apps, schema_editor):
    Note = apps.get_model("notes", "Note")
    if not Note.objects.exists():
        Note.objects.bulk_create([Note(title=title, body=body) for title, body in SEED])


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
