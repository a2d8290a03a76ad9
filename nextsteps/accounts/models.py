"""People who use Next Steps, the organisations they work for, and their role in each.

Two kinds of account never mix. Staff of an organisation work through memberships (a role in an
organisation) and never reach the Django admin. Operators (staff or superuser accounts, who run the server
and its set-up in the Django admin) hold no membership, so the admin is never a way into survivors' records.
The rule is checked in clean() for forms, by the actions that give roles, and by database triggers
(migration 0003) for every other path.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

OPERATOR_WITH_ROLES = _(
    "An operator account (Django admin) cannot hold a role in an organisation, and an account with a role "
    "cannot be an operator: use two separate accounts."
)


class User(AbstractUser):
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of every page, message and report you open."),
    )
    # Set with a one-time password (the Team page, `nextsteps user add`): the user chooses their own at the
    # first sign-in before any other page opens (accounts.middleware.PasswordChangeMiddleware).
    must_change_password = models.BooleanField(_("must change the password"), default=False)

    @property
    def is_operator(self) -> bool:
        return bool(self.is_staff or self.is_superuser)

    def clean(self) -> None:
        super().clean()
        if self.is_operator and self.pk is not None and self.memberships.exists():
            raise ValidationError(OPERATOR_WITH_ROLES, code="operator_with_roles")


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("programme coordinator")
    CASEWORKER = "caseworker", _("caseworker")
    OUTREACH_WORKER = "outreach_worker", _("outreach worker")
    VOLUNTEER_COORDINATOR = "volunteer_coordinator", _("volunteer coordinator")
    PREVENTION_OFFICER = "prevention_officer", _("prevention officer")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("data-protection officer")
    VIEWER = "viewer", _("viewer (reports only)")
    ADMINISTRATOR = "administrator", _("administrator")


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "programmes.Organisation",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} @ {self.organisation}"

    def clean(self) -> None:
        super().clean()
        if self.user_id is not None and self.user.is_operator:
            raise ValidationError(OPERATOR_WITH_ROLES, code="operator_with_roles")


class FailedSignIn(models.Model):
    """A failed sign-in, kept for the lockout window: who was tried, from where, when."""

    username = models.CharField(_("user name"), max_length=150, db_index=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self) -> str:
        return f"{self.username} {self.address} {self.at:%Y-%m-%d %H:%M}"
