"""How a case's person came to be known as a victim of trafficking, after HTCDS 2.0's victim context:
the trafficking status and who decided it, the exploitation, where the person was recruited and exploited,
how, and how the person was referred in. One identification per case, recorded by the case's organisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from nextsteps.privacy.fields import EncryptedCharField, EncryptedTextField
from nextsteps.programmes.models import TimeStamped
from nextsteps.records.models import EARLIEST_BIRTH_YEAR, Case, ExternalId, ManagedList, Person
from nextsteps.records.versions import Versioned

# The exploitation type whose sector is recorded with it.
FORCED_LABOUR = "forced_labour"
COUNTRY_FIELDS = ("recruitment_countries", "exploitation_countries")
COUNTRY_ERRORS = {"invalid_choice": _("“%(value)s” is not a country code of ISO 3166-1 (such as NL or RO).")}


class ExploitationType(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("type of exploitation")
        verbose_name_plural = _("types of exploitation")


class LabourSector(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("sector of forced labour")
        verbose_name_plural = _("sectors of forced labour")


class RecruitmentMethod(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("method of recruitment")
        verbose_name_plural = _("methods of recruitment")


class RecruiterRelationship(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("relationship to the recruiter")
        verbose_name_plural = _("relationships to the recruiter")


class ControlMeans(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("means of control")
        verbose_name_plural = _("means of control")


class ReferralSource(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("referral source")
        verbose_name_plural = _("referral sources")


class TraffickingStatus(models.TextChoices):
    PRESUMED = "presumed", _("presumed victim of trafficking")
    IDENTIFIED = "identified", _("identified victim of trafficking")
    NOT_A_VICTIM = "not_a_victim", _("not a victim of trafficking")


class Decider(models.TextChoices):
    POLICE = "police", _("police")
    NGO = "ngo", _("non-governmental organisation")
    COURT = "court", _("court or prosecution")
    GOVERNMENT = "government", _("other government body")
    OTHER = "other", _("other")


S = Person.SurvivorStatus
T = TraffickingStatus
# Which trafficking status of an identification agrees with which survivor status of its person. The line
# that matters is victim or not: "not a victim" goes only with "not a trafficking survivor", and the other
# way round. Presumed and identified agree with each other both ways: a presumption is how identification
# starts, a person's status is kept by her organisation across all her cases, and an identification
# recorded on an older case may well lag behind or run ahead of it.
#
#                         presumed   identified   not a victim
#   not a survivor        no         no           yes
#   presumed survivor     yes        yes          no
#   identified survivor   yes        yes          no
AGREES: dict[str, frozenset[str]] = {
    S.NO: frozenset({T.NOT_A_VICTIM}),
    S.PRESUMED: frozenset({T.PRESUMED, T.IDENTIFIED}),
    S.IDENTIFIED: frozenset({T.PRESUMED, T.IDENTIFIED}),
}


def agrees(survivor_status: str, trafficking_status: str) -> bool:
    return trafficking_status in AGREES.get(survivor_status, frozenset())


def contradiction_message(survivor_status: str, trafficking_status: str) -> Any:
    return _(
        "The person is recorded as “%(survivor_status)s” while the case's identification says “%(status)s”: "
        "change one of them first so that they agree."
    ) % {
        "survivor_status": S(survivor_status).label,
        "status": T(trafficking_status).label,
    }


def person_contradictions(person: Person) -> list[Any]:
    """Why the person's (possibly unsaved) survivor status contradicts the identifications of her cases:
    Person.clean asks, so that changing the person cannot create what the identification refuses."""
    if person.pk is None:
        return []
    statuses = set(
        CaseIdentification.objects.filter(case__person_id=person.pk).values_list("status", flat=True)
    )
    return [
        contradiction_message(person.survivor_status, status)
        for status in sorted(statuses)
        if not agrees(person.survivor_status, status)
    ]


class CaseIdentification(Versioned, ExternalId, TimeStamped):
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="identification", verbose_name=_("case")
    )
    status = models.CharField(_("trafficking status"), max_length=14, choices=TraffickingStatus.choices)
    decided_by = models.CharField(_("decided by"), max_length=12, choices=Decider.choices, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    exploitation_types = models.ManyToManyField(
        ExploitationType, blank=True, related_name="+", verbose_name=_("types of exploitation")
    )
    labour_sector = models.ForeignKey(
        LabourSector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector of forced labour"),
    )
    recruitment_countries = CountryField(
        _("countries of recruitment"), multiple=True, blank=True, error_messages=COUNTRY_ERRORS
    )
    # Localities can be small enough to point at one family: encrypted like a person's address.
    recruitment_locality = EncryptedCharField(_("locality of recruitment"), max_length=120, blank=True)
    exploitation_countries = CountryField(
        _("countries of exploitation"), multiple=True, blank=True, error_messages=COUNTRY_ERRORS
    )
    exploitation_locality = EncryptedCharField(_("locality of exploitation"), max_length=120, blank=True)
    recruitment_method = models.ForeignKey(
        RecruitmentMethod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("method of recruitment"),
    )
    recruiter_relationship = models.ForeignKey(
        RecruiterRelationship,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("relationship to the recruiter"),
    )
    means_of_control = models.ManyToManyField(
        ControlMeans, blank=True, related_name="+", verbose_name=_("means of control")
    )
    referral_source = models.ForeignKey(
        ReferralSource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred in by"),
    )
    account = EncryptedTextField(_("what happened"), blank=True)

    class Meta:
        verbose_name = _("identification")
        verbose_name_plural = _("identifications")

    def __str__(self) -> str:
        return str(_("Identification of %(case)s") % {"case": self.case})

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        # Codes typed or imported in lower case ("ro") are the same country: stored as ISO writes them.
        for name in COUNTRY_FIELDS:
            codes = [str(getattr(c, "code", c)).strip().upper() for c in getattr(self, name) or ()]
            setattr(self, name, [code for code in codes if code])
        super().clean_fields(exclude)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        today = dt.date.today()
        if self.status in (T.IDENTIFIED, T.NOT_A_VICTIM):
            # A formal decision either way has a decider and a date; a presumption may not yet.
            if not self.decided_by:
                errors["decided_by"] = _("Say who decided the trafficking status.")
            if not self.decided_on:
                errors["decided_on"] = _("Say on which date the trafficking status was decided.")
        if self.decided_on:
            errors.update(self._date_errors(self.decided_on, today))
        if self.case_id and self.status and not agrees(self.case.person.survivor_status, self.status):
            errors["status"] = contradiction_message(self.case.person.survivor_status, self.status)
        if errors:
            raise ValidationError(errors)

    def _date_errors(self, decided_on: dt.date, today: dt.date) -> dict[str, Any]:
        if decided_on > today:
            return {"decided_on": _("The trafficking status cannot be decided in the future.")}
        if decided_on.year < EARLIEST_BIRTH_YEAR:
            return {
                "decided_on": _("The trafficking status cannot be decided before %(year)s.")
                % {"year": EARLIEST_BIRTH_YEAR}
            }
        person = self.case.person if self.case_id else None
        born = person.birth_date if person else None
        if born and decided_on < born:
            return {"decided_on": _("The trafficking status cannot be decided before the person was born.")}
        if person and not born and person.birth_year and decided_on.year < person.birth_year:
            return {"decided_on": _("The trafficking status cannot be decided before the person was born.")}
        return {}

    @staticmethod
    def exploitation_errors(
        exploitation_types: Iterable[ExploitationType], labour_sector: Any
    ) -> dict[str, Any]:
        """The rule between the many-to-many types and the sector, which clean() cannot see (the types are
        set after the row is saved): a sector only with forced labour. The actions check it on every path."""
        if labour_sector is not None and FORCED_LABOUR not in {t.code for t in exploitation_types}:
            return {
                "labour_sector": _(
                    "A sector of forced labour goes only with forced labour as a type of exploitation."
                )
            }
        return {}
