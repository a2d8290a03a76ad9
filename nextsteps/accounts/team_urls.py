from django.urls import path

from nextsteps.accounts import team

app_name = "team"

urlpatterns = [
    path("", team.index, name="index"),
    path("<slug:slug>/new/", team.user_add, name="user-add"),
    path("<slug:slug>/<int:pk>/", team.member, name="member"),
    path("<slug:slug>/<int:pk>/details/", team.details_edit, name="details"),
    path("<slug:slug>/<int:pk>/roles/add/", team.role_add, name="role-add"),
    path("<slug:slug>/<int:pk>/roles/remove/", team.role_remove, name="role-remove"),
    path("<slug:slug>/<int:pk>/deactivate/", team.deactivate, name="deactivate"),
    path("<slug:slug>/<int:pk>/reactivate/", team.reactivate, name="reactivate"),
    path("<slug:slug>/<int:pk>/second-factor/reset/", team.second_factor_reset, name="second-factor-reset"),
]
