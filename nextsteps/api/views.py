"""The API tokens page: a signed-in user makes and revokes their own tokens, and nobody else's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from nextsteps.accounts.models import User
from nextsteps.api import actions
from nextsteps.api.forms import NewTokenForm
from nextsteps.api.models import ApiToken


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    form = NewTokenForm()
    new_token = ""
    if request.method == "POST" and "revoke" in request.POST:
        token = get_object_or_404(ApiToken, user=user, pk=_int(request.POST["revoke"]))
        actions.revoke_token(token, acting_user=user)
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
        return redirect("tokens:list")
    if request.method == "POST":
        form = NewTokenForm(request.POST)
        if form.is_valid():
            _record, new_token = actions.issue_token(user, name=form.cleaned_data["name"], acting_user=user)
            form = NewTokenForm()
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": ApiToken.objects.filter(user=user), "new_token": new_token},
    )
    # The page shows a new token once: no cache may keep a copy of it.
    add_never_cache_headers(response)
    return response


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0
