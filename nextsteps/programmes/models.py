"""Who runs the work: organisations, programmes, their pillars, and what a coordinator writes per period."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from nextsteps.i18n import localized
from nextsteps.records.rules import CountryCodeField, RecordRules
from nextsteps.records.versions import Versioned

# A threshold of 0 or 1 withholds nothing: suppression would be off without anyone having said so.
MIN_SUPPRESSION_THRESHOLD = 2


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
    country = CountryCodeField(_("country"), max_length=2)

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
    # Reports that leave the organisation show person counts below this as a phrase, not a number. Below 2
    # nothing would be withheld, so 2 is the least (and external reports use 2 for a lower stored value).
    suppression_threshold = models.PositiveSmallIntegerField(
        _("small-number threshold"),
        default=5,
        validators=[MinValueValidator(MIN_SUPPRESSION_THRESHOLD)],
        help_text=_(
            "Reports for donors and the public show counts of people below this number as a phrase such as "
            "“fewer than 5”. At least 2."
        ),
    )
    # Counts above this are possible but rare enough that a form asks the user to confirm them, and an
    # import lists them; MAX_COUNT stays the hard limit.
    unusual_count = models.PositiveIntegerField(
        _("unusual count"),
        default=1000,
        help_text=_(
            "A form asks for confirmation before it saves an attendance or quantity above this number, and "
            "an import lists such rows in its summary."
        ),
    )
    # How long identifying data outlives casework. None keeps it until someone erases it on request.
    retention_months_after_closure = models.PositiveSmallIntegerField(
        _("months identifying data is kept after the last case closed"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty to keep it. “nextsteps apply-retention” anonymises each person whose cases all "
            "closed longer ago than this, and who has no record since."
        ),
    )

    # How the programme is published in IATI (nextsteps export iati). Blank until someone sets them up.
    iati_identifier = models.CharField(
        _("IATI activity identifier"),
        max_length=150,
        blank=True,
        help_text=_("The reporting organisation's identifier, a hyphen, and the activity's own code."),
    )
    iati_reporting_org_ref = models.CharField(
        _("IATI reporting organisation identifier"),
        max_length=100,
        blank=True,
        help_text=_("For example NL-KVK- followed by the Chamber of Commerce number."),
    )
    iati_reporting_org_type = models.CharField(
        _("IATI reporting organisation type"),
        max_length=4,
        blank=True,
        help_text=_("A code from the IATI OrganisationType list, e.g. 21 for an international NGO."),
    )
    iati_reporting_org_name = models.CharField(
        _("IATI reporting organisation name"), max_length=200, blank=True
    )
    iati_sector_code = models.CharField(
        _("IATI sector code"),
        max_length=20,
        blank=True,
        help_text=_("For example 15180 (ending violence against women and girls) in the DAC 5-digit list."),
    )
    iati_sector_vocabulary = models.CharField(
        _("IATI sector vocabulary"),
        max_length=4,
        blank=True,
        default="1",
        help_text=_("A code from the IATI SectorVocabulary list; 1 is the OECD DAC 5-digit list."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        ref, identifier = self.iati_reporting_org_ref.strip(), self.iati_identifier.strip()
        if ref and identifier and not identifier.startswith(f"{ref}-"):
            # IATI's rule: an activity identifier starts with its reporting organisation's identifier.
            raise ValidationError(
                {
                    "iati_identifier": _(
                        "The IATI identifier must start with the reporting organisation's identifier "
                        "(%(ref)s-)."
                    )
                    % {"ref": ref}
                }
            )


class Pillar(models.Model):
    class ResultType(models.TextChoices):
        # Codes of the IATI ResultType codelist: each pillar becomes one IATI result of this type.
        OUTPUT = "1", _("output")
        OUTCOME = "2", _("outcome")
        IMPACT = "3", _("impact")
        OTHER = "9", _("other")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="pillars")
    number = models.PositiveSmallIntegerField(_("number"))
    title_nl = models.CharField(_("title (Dutch)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ro = models.CharField(_("title (Romanian)"), max_length=200, blank=True)
    iati_result_type = models.CharField(
        _("IATI result type"), max_length=1, choices=ResultType.choices, default=ResultType.OUTPUT
    )

    class Meta:
        ordering = ["programme", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="unique_pillar_number")]
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")

    def __str__(self) -> str:
        return f"{self.number}. {self.title()}"

    def title(self, lang: str | None = None) -> str:
        return localized(self, "title", lang)


class Milestone(RecordRules, Versioned, TimeStamped):
    """Something that happened once and belongs in the report, e.g. a school programme that started."""

    record_dates = {"date": _("A milestone cannot be dated in the future.")}

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="milestones", verbose_name=_("organisation")
    )
    pillar = models.ForeignKey(
        Pillar, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("pillar")
    )
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

    def clean(self) -> None:
        if not any((getattr(self, f"text_{lang}") or "").strip() for lang in ("nl", "en", "ro")):
            raise ValidationError(_("Write the milestone in at least one language."))


class PeriodNarrative(Versioned, TimeStamped):
    """The coordinator's introduction to a reporting period, written per language."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="narratives")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    # Each language named in itself, as the language menu names it.
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
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

    def clean(self) -> None:
        if not (self.text or "").strip():
            raise ValidationError({"text": _("Write the introduction: an empty one is not saved.")})
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The period ends before it starts.")})
        if self.programme_id and self.start and self.end and self.language:
            same = PeriodNarrative.objects.filter(
                programme_id=self.programme_id, start=self.start, end=self.end, language=self.language
            ).exclude(pk=self.pk)
            if same.exists():
                raise ValidationError(
                    {"language": _("This period already has an introduction in this language.")}
                )
