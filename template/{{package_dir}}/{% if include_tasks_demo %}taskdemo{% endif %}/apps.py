from django.apps import AppConfig


class TaskDemoConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "taskdemo"
    verbose_name = "Background tasks demo"
