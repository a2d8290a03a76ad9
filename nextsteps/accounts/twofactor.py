"""Second factor: set up a TOTP authenticator with recovery codes, and verify it after each sign-in."""

from __future__ import annotations

import base64
import io
import secrets
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry

RECOVERY_CODES = 10


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """First sign-in of a role that needs a second factor: link an authenticator app, then save recovery codes."""
    user: Any = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:2fa-verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=False
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            codes = _confirm(user, device)
            otp_login(request, device)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
            )
        form.add_error(
            "code", _("That code is not right. Check the time on your phone and try the newest code.")
        )
    return render(
        request,
        "accounts/2fa_setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret": _base32_secret(device),
            "next": _next_url(request),
        },
    )


@transaction.atomic
def _confirm(user: Any, device: TOTPDevice) -> list[str]:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    log(AuditEntry.Action.CHANGE, user, user=user, fields=["second_factor"])
    return codes


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or one of the recovery codes (each works once)."""
    user: Any = request.user
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:2fa-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "code", _("That code is not right. Try the newest code, or one of your recovery codes.")
        )
    return render(request, "accounts/2fa_verify.html", {"form": form, "next": _next_url(request)})
