from django.urls import path

from nextsteps.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("templates/<slug:key>.<slug:fmt>", views.template, name="template"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job-progress"),
]
