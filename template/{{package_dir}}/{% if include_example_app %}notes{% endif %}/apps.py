from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "notes"
    verbose_name = "Notes"
    default_auto_field = "django.db.models.BigAutoField"
