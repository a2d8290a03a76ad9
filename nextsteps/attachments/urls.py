from django.urls import path

from nextsteps.attachments import views

app_name = "attachments"

urlpatterns = [
    path("cases/<int:pk>/attachments/", views.attachments_page, name="case"),
    path("attachments/<int:pk>/download/", views.download, name="download"),
    path("attachments/<int:pk>/delete/", views.delete, name="delete"),
]
