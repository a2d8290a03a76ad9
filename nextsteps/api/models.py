"""API tokens: how programs (a data pipeline, a donor's dashboard) act as one user through the JSON API."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """One token of one user. Only a hash of the token is stored: whoever reads the database cannot use it.

    The prefix (the token's first characters) is kept in clear so that people can tell their tokens apart
    and recognise one found in a log or a script.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. the program that uses it.")
    )
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        # Never the token itself: only its hash is stored, and the prefix is what people recognise.
        return f"{self.prefix}… ({self.name})"

    @property
    def active(self) -> bool:
        return self.revoked is None
