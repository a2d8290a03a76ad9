"""Live cache of computed figures: valid for one data version only, so never stale (see livecache.py)."""

from django.db import models


class CachedFigures(models.Model):
    # Which figures: programme, period and whatever else they depend on (see livecache.key).
    key = models.CharField(max_length=200, unique=True)
    # The data version they were computed at (nextsteps.audit.log.data_version); any other is a miss.
    version = models.BigIntegerField()
    figures = models.JSONField(default=dict)
    computed = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.key} @ {self.version}"
