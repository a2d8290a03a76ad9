from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nextsteps.accounts import actions
from nextsteps.accounts.models import User
from nextsteps.i18n import LANGUAGE_CODES

# Whole sentences per language: a language's name changes form inside a sentence (Romanian "limba română").
CONFIRMATIONS = {
    "nl": gettext_lazy("From now on you see Next Steps in Dutch."),
    "en": gettext_lazy("From now on you see Next Steps in English."),
    "ro": gettext_lazy("From now on you see Next Steps in Romanian."),
}


@login_required
def set_language(request: HttpRequest) -> HttpResponse:
    """Store the user's language, so that every page, message and report opens in it from now on."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = request.POST.get("language", "")
    if language in LANGUAGE_CODES:
        user = request.user
        assert isinstance(user, User)
        user.language = language
        user.save(update_fields=["language"])
        translation.activate(language)
        messages.success(request, str(CONFIRMATIONS[language]))
    else:
        messages.error(request, _("That language is not available."))
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


class SignInView(auth_views.LoginView):
    """Signing in lands a caseworker on My cases, the page of their day; everyone else on the dashboard.
    A page asked for before signing in (`next`) still comes first."""

    def get_default_redirect_url(self) -> str:
        from django.urls import reverse

        from nextsteps.accounts import access

        if access.casework_home(self.request.user):
            return reverse("casework:mine")
        return super().get_default_redirect_url()


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, with the change made (and audited) by the action instead of the form's save()."""

    def form_valid(self, form: Any) -> HttpResponse:
        actions.change_password(
            acting_user=self.request.user, user=form.user, password=form.cleaned_data["new_password1"]
        )
        # The session stays signed in (and its second factor verified) under the new password.
        update_session_auth_hash(self.request, form.user)
        return redirect(self.get_success_url())
