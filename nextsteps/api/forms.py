from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label=_("name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the program that uses it."),
    )
