from django.urls import path

from . import views

app_name = "taskdemo"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("<uuid:result_id>/status/", views.task_status, name="status"),
]
