from django.urls import path

from nextsteps.programmes import views

app_name = "programmes"

urlpatterns = [
    path("<slug:slug>/narratives/", views.narrative_list, name="narrative-list"),
    path("<slug:slug>/narratives/new/", views.narrative_create, name="narrative-create"),
    path("<slug:slug>/narratives/<int:pk>/edit/", views.narrative_edit, name="narrative-edit"),
    path("<slug:slug>/narratives/<int:pk>/delete/", views.narrative_delete, name="narrative-delete"),
]
