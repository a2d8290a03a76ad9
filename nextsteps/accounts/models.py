"""People who use Next Steps, the organisations they work for, and their role in each."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of every page, message and report you open."),
    )


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
