from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from nextsteps.accounts import twofactor, views
from nextsteps.accounts.security import SignInForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        views.SignInView.as_view(template_name="accounts/login.html", authentication_form=SignInForm),
        name="login",
    ),
    path("2fa/setup/", twofactor.setup, name="2fa-setup"),
    path("2fa/verify/", twofactor.verify, name="2fa-verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password-done")
        ),
        name="password",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_done.html"),
        name="password-done",
    ),
    path("language/", views.set_language, name="language"),
]
