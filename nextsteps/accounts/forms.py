"""Forms of the Team page, where administrators manage the people of their organisations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from nextsteps.accounts.models import Role


class NewUserForm(forms.Form):
    GENERATE, CHOOSE = "generate", "choose"

    username = forms.CharField(
        label=_("user name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and . @ + - _ only."),
    )
    first_name = forms.CharField(label=_("given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("family name"), max_length=150, required=False)
    email = forms.EmailField(label=_("e-mail address"), required=False)
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)
    roles = forms.MultipleChoiceField(
        label=_("roles in this organisation"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    password_choice = forms.ChoiceField(
        label=_("initial password"),
        choices=[
            (GENERATE, _("Make one up: it is shown once, on the next page")),
            (CHOOSE, _("I choose it")),
        ],
        initial=GENERATE,
        widget=forms.RadioSelect,
    )
    password1 = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password_choice") == self.CHOOSE:
            first, second = data.get("password1") or "", data.get("password2") or ""
            if not first:
                self.add_error("password1", _("Type the password you chose, or let the app make one up."))
            elif first != second:
                self.add_error("password2", _("The two passwords differ."))
        return data


class UserDetailsForm(forms.Form):
    first_name = forms.CharField(label=_("given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("family name"), max_length=150, required=False)
    email = forms.EmailField(label=_("e-mail address"), required=False)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)

    def __init__(self, *args: Any, held: set[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if held is not None:
            field = self.fields["role"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(value, label) for value, label in Role.choices if value not in held]
