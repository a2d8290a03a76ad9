from django.urls import path

from nextsteps.api import views

app_name = "tokens"

urlpatterns = [
    path("", views.tokens, name="list"),
]
