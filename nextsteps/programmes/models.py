"""Who runs the work: organisations, programmes, their pillars, and what a coordinator writes per period."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from nextsteps.i18n import localized


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Organisation(TimeStamped):
    class Kind(models.TextChoices):
        COUNTRY_OFFICE = "country_office", _("country office")
        PARTNER = "partner", _("partner organisation")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PARTNER)
    # ISO 3166-1 alpha-2, e.g. "RO", "NL".
    country = models.CharField(_("country"), max_length=2)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.short_name or self.name


class Programme(TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    start_date = models.DateField(_("start date"))
    countries = models.JSONField(_("countries"), default=list, help_text=_("ISO country codes, e.g. RO, NL."))
    organisations = models.ManyToManyField(
        Organisation, related_name="programmes", verbose_name=_("organisations"), blank=True
    )
    description = models.TextField(_("description"), blank=True)
    # Reports that leave the organisation show person counts below this as a phrase, not a number.
    suppression_threshold = models.PositiveSmallIntegerField(_("small-number threshold"), default=5)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class Pillar(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="pillars")
    number = models.PositiveSmallIntegerField(_("number"))
    title_nl = models.CharField(_("title (Dutch)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ro = models.CharField(_("title (Romanian)"), max_length=200, blank=True)

    class Meta:
        ordering = ["programme", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="unique_pillar_number")]
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")

    def __str__(self) -> str:
        return f"{self.number}. {self.title()}"

    def title(self, lang: str | None = None) -> str:
        return localized(self, "title", lang)


class Milestone(TimeStamped):
    """Something that happened once and belongs in the report, e.g. a school programme that started."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="milestones")
    pillar = models.ForeignKey(Pillar, on_delete=models.SET_NULL, null=True, blank=True)
    date = models.DateField(_("date"))
    text_nl = models.TextField(_("text (Dutch)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_ro = models.TextField(_("text (Romanian)"), blank=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return f"{self.date}: {self.text()[:60]}"

    def text(self, lang: str | None = None) -> str:
        return localized(self, "text", lang)


class PeriodNarrative(TimeStamped):
    """The coordinator's introduction to a reporting period, written per language."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="narratives")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    language = models.CharField(
        _("language"), max_length=2, choices=[("nl", "nl"), ("en", "en"), ("ro", "ro")]
    )
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["programme", "start", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "start", "end", "language"], name="unique_narrative"
            ),
        ]
        verbose_name = _("period narrative")
        verbose_name_plural = _("period narratives")

    def __str__(self) -> str:
        return f"{self.programme} {self.start}–{self.end} ({self.language})"
