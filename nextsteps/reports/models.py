"""Live cache of computed figures: valid for one data version only, so never stale (see livecache.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CachedFigures(models.Model):
    # Which figures: programme, period and whatever else they depend on (see livecache.key).
    key = models.CharField(max_length=200, unique=True)
    # The data version they were computed at (nextsteps.audit.log.data_version); any other is a miss.
    version = models.BigIntegerField()
    figures = models.JSONField(default=dict)
    computed = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.key} @ {self.version}"


class ReportedPeriod(models.Model):
    """A period of a programme whose external report (for donors, the public) has left the app: downloaded
    from the reports page, written by `nextsteps report` or `nextsteps export`, or read through the API.

    Written once, by the first such report (nextsteps/reports/reported.py); a removal or correction of a
    record dated in it then warns that the report already sent will no longer match."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="reported_periods"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    first_reported_at = models.DateTimeField(_("first reported"), auto_now_add=True)
    # Empty when a command wrote the report (commands act for no user) or the account is gone.
    first_reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reported period")
        verbose_name_plural = _("reported periods")
        constraints = [
            models.UniqueConstraint(fields=["programme", "start", "end"], name="reported_period_once"),
            models.CheckConstraint(
                condition=models.Q(start__lte=models.F("end")), name="reported_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.start}–{self.end}"
