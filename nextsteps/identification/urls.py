from django.urls import path

from nextsteps.identification import views

app_name = "identification"

urlpatterns = [
    path("cases/<int:pk>/identification/", views.case_identification, name="case"),
    path("cases/<int:pk>/identification/edit/", views.case_identification_edit, name="case-edit"),
]
