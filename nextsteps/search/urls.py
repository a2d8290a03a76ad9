from django.urls import path

from nextsteps.search import views

app_name = "search"

urlpatterns = [
    path("pick/<slug:kind>/", views.pick, name="pick"),
    path("search/", views.results, name="results"),
]
