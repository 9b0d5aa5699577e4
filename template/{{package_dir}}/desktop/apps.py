from django.apps import AppConfig


class DesktopConfig(AppConfig):
    """The desktop layer as an app: its templates and its system checks."""

    name = __name__.rpartition(".")[0]
    label = "desktop_layer"
    verbose_name = "Desktop layer"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the checks
