from django.urls import path

from nextsteps.indicators import views

app_name = "indicators"

urlpatterns = [
    path("<slug:slug>/indicators/", views.indicator_list, name="indicator-list"),
    path("<slug:slug>/indicators/<int:indicator>/rule/", views.rule_edit, name="rule-edit"),
    path("<slug:slug>/indicators/<int:indicator>/targets/new/", views.target_create, name="target-create"),
    path("<slug:slug>/targets/<int:pk>/edit/", views.target_edit, name="target-edit"),
    path("<slug:slug>/targets/<int:pk>/delete/", views.target_delete, name="target-delete"),
    path("<slug:slug>/indicators/<int:indicator>/figures/new/", views.value_create, name="value-create"),
    path("<slug:slug>/figures/<int:pk>/edit/", views.value_edit, name="value-edit"),
    path("<slug:slug>/figures/<int:pk>/delete/", views.value_delete, name="value-delete"),
]
