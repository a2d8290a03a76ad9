"""What staff record: people, households, cases with services and outcomes, visits, activities, volunteers,
campaigns, partner contacts and stories. Every record names the organisation that recorded it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, router
from django.db.models.functions import Lower
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from nextsteps.i18n import localized
from nextsteps.privacy.fields import EncryptedCharField, EncryptedTextField
from nextsteps.privacy.search import HASH_FIELDS, name_hashes
from nextsteps.programmes.models import Organisation, Programme, TimeStamped
from nextsteps.records.rules import CountryCodeField, Problem, RecordRules, date_problem
from nextsteps.records.versions import Versioned
from nextsteps.search.codes import CodeKey

ADULT_AGE = 18
# Years of birth before this are typing errors, not people.
EARLIEST_BIRTH_YEAR = 1900


def day(value: dt.date | None) -> str:
    """A date as the reader's language writes it: record names appear in headings, lists and questions."""
    return formats.date_format(value) if value else ""


# Managed lists ------------------------------------------------------------------------------------


class ManagedList(models.Model):
    """A list of values that programmes edit in the admin, labelled in each language."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_nl = models.CharField(_("label (Dutch)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120)
    label_ro = models.CharField(_("label (Romanian)"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label()

    def label(self, lang: str | None = None) -> str:
        return localized(self, "label", lang)


class ServiceType(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("service type")
        verbose_name_plural = _("service types")


class OutcomeType(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("outcome type")
        verbose_name_plural = _("outcome types")


class ActivityType(ManagedList):
    # Notable activities (a conference, a work visit) are named one by one in the report.
    notable = models.BooleanField(_("named in reports"), default=False)

    class Meta(ManagedList.Meta):
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")


class SiteType(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("site type")
        verbose_name_plural = _("site types")


class ParticipantGroup(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("participant group")
        verbose_name_plural = _("participant groups")


class ConstraintErrorsOnFields:
    """Django reports a unique constraint over several fields as an error of the whole form, in a sentence
    it builds from field names. Ours have whole-sentence messages, and belong next to the constraint's last
    field (the code, beside the organisation it is unique in)."""

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        errors: dict[str, list[ValidationError]] = {}
        for model_class, constraints in self.get_constraints():  # type: ignore[attr-defined]
            for constraint in constraints:
                try:
                    constraint.validate(
                        model_class,
                        self,
                        exclude=exclude,
                        using=router.db_for_write(model_class, instance=self),
                    )
                except ValidationError as error:
                    errors.setdefault(_error_field(constraint), []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)


def _error_field(constraint: Any) -> str:
    if fields := getattr(constraint, "fields", ()):
        return str(fields[-1])
    # A constraint on an expression (the code whatever its case): the field the expression transforms.
    for expression in getattr(constraint, "expressions", ()):
        if not isinstance(expression, models.F):
            for part in expression.flatten():
                if isinstance(part, models.F):
                    return str(part.name)
    return NON_FIELD_ERRORS


class ExternalId(ConstraintErrorsOnFields, models.Model):
    """The recording organisation's own identifier, so that importing the same file twice updates records."""

    external_id = models.CharField(_("external id"), max_length=80, blank=True, db_index=True)

    class Meta:
        abstract = True


class OrganisationExternalId(ExternalId):
    """An external id unique in the record's organisation (unique_external_id), whose unique index serves the
    lookups: each names the organisation and leaves out empty ids (records_by_key). An index of the id alone
    as well would cost each imported record one more write for nothing."""

    external_id = models.CharField(_("external id"), max_length=80, blank=True)

    class Meta:
        abstract = True


def unique_external_id(model_name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["organisation", "external_id"],
        condition=~models.Q(external_id=""),
        name=f"unique_{model_name}_external_id",
        violation_error_message=_("Another record of this organisation already has this external id."),
    )


def unique_code(model_name: str, message: Any) -> models.UniqueConstraint:
    """`ijm-0001` beside `IJM-0001` would be two people to a reader and one to whoever types the code:
    a code is unique in its organisation whatever its case (and CodeField trims its spaces)."""
    return models.UniqueConstraint(
        models.F("organisation"),
        Lower("code"),
        name=f"unique_{model_name}_code_any_case",
        violation_error_message=message,
    )


class CodeField(models.CharField):  # type: ignore[type-arg]
    """A record's code, without the spaces around it, whichever path saves it."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return value.strip() if isinstance(value, str) else value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if isinstance(value, str) and value != value.strip():
            value = value.strip()
            setattr(model_instance, self.attname, value)
        return value


# People ---------------------------------------------------------------------------------------------


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    OTHER = "other", _("other")
    UNKNOWN = "unknown", _("unknown")


def eighteenth_birthday(birth_date: dt.date | None, birth_year: int | None) -> dt.date | None:
    """The day a person counts as an adult, or None when the age is unknown.

    With only a birth year we take 1 July of that year, the middle of the year, so that the error is at
    most six months either way. 29 February birthdays come of age on 1 March.
    """
    if birth_date is None:
        if birth_year is None:
            return None
        birth_date = dt.date(birth_year, 7, 1)
    year = birth_date.year + ADULT_AGE
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return dt.date(year, 3, 1)


class Person(Versioned, OrganisationExternalId, TimeStamped):
    class SurvivorStatus(models.TextChoices):
        NO = "no", _("not a trafficking survivor")
        PRESUMED = "presumed", _("presumed trafficking survivor")
        IDENTIFIED = "identified", _("identified trafficking survivor")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="persons", verbose_name=_("organisation")
    )
    # Pseudonymous code: what reports and most pages show instead of a name.
    code = CodeField(_("code"), max_length=40)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    # Derived from the two above on save, so that age on any record's date is one comparison in SQL.
    adult_on = models.DateField(_("adult from"), null=True, blank=True, editable=False)
    nationality = CountryCodeField(_("nationality"), max_length=2, blank=True)
    survivor_status = models.CharField(
        _("trafficking survivor"), max_length=12, choices=SurvivorStatus.choices, default=SurvivorStatus.NO
    )
    # Identifying details: never shown in reports, encrypted in the database.
    given_name = EncryptedCharField(_("given name"), max_length=120, blank=True)
    family_name = EncryptedCharField(_("family name"), max_length=120, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    identity_number = EncryptedCharField(_("identity document number"), max_length=40, blank=True)
    # Keyed hashes of the normalised names (see nextsteps/privacy/search.py), set on save: they let staff
    # find a person by name while the names themselves stay encrypted.
    given_name_hash = models.CharField(max_length=64, blank=True, editable=False)
    family_name_hash = models.CharField(max_length=64, blank=True, editable=False)
    full_name_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            unique_external_id("person"),
            unique_code("person", _("Another person of this organisation already has this code.")),
        ]
        # What every person-level figure needs from a person, readable without touching the wide row.
        indexes = [
            models.Index(fields=["id", "sex", "adult_on", "survivor_status"], name="person_report_idx"),
            # Lists sorted by code, and codes looked up as typed: the unique index is on the lower-case code.
            models.Index(fields=["organisation", "code"], name="person_code_idx"),
            # Pickers and the search find codes by their first letters in any case (nextsteps/search/codes.py).
            models.Index(models.F("organisation"), CodeKey("code"), name="person_code_key_idx"),
            # A name's persons newest first (the pickers): each hash with the key, so that PostgreSQL walks
            # one name's entries backwards instead of every person's key until it has found enough (330 ms
            # for a name nobody has, at a million persons). SQLite's indexes hold the key anyway.
            *(models.Index(fields=[field, "id"], name=f"person_{field}_idx") for field in HASH_FIELDS),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.set_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"given_name", "family_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *HASH_FIELDS}
        super().save(*args, **kwargs)

    def set_derived_fields(self) -> None:
        """What save() derives; bulk writes, which bypass save(), call it themselves."""
        if self.birth_date:
            self.birth_year = self.birth_date.year
        self.adult_on = eighteenth_birthday(self.birth_date, self.birth_year)
        for name, value in name_hashes(self.given_name, self.family_name).items():
            setattr(self, name, value)

    @property
    def is_survivor(self) -> bool:
        return self.survivor_status != self.SurvivorStatus.NO

    def clean(self) -> None:
        if self.birth_date and self.birth_year and self.birth_date.year != self.birth_year:
            raise ValidationError({"birth_year": _("The year of birth does not match the date of birth.")})
        if self.birth_date and self.birth_date > dt.date.today():
            raise ValidationError({"birth_date": _("The date of birth is in the future.")})
        if self.birth_date and self.birth_date.year < EARLIEST_BIRTH_YEAR:
            raise ValidationError(
                {
                    "birth_date": _("The date of birth cannot be before %(year)s.")
                    % {"year": EARLIEST_BIRTH_YEAR}
                }
            )
        if self.birth_year is not None and self.birth_year > dt.date.today().year:
            raise ValidationError({"birth_year": _("The year of birth is in the future.")})
        if self.birth_year is not None and self.birth_year < EARLIEST_BIRTH_YEAR:
            raise ValidationError(
                {
                    "birth_year": _("The year of birth cannot be before %(year)s.")
                    % {"year": EARLIEST_BIRTH_YEAR}
                }
            )
        # The rule spans the person and her cases' identifications (nextsteps/identification/models.py, where
        # its table is): checked here too, so that changing the person cannot contradict them either.
        from nextsteps.identification.models import person_contradictions

        if contradictions := person_contradictions(self):
            raise ValidationError({"survivor_status": contradictions})


class Household(Versioned, OrganisationExternalId, TimeStamped):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="households", verbose_name=_("organisation")
    )
    code = CodeField(_("code"), max_length=40)
    locality = models.CharField(_("locality"), max_length=100)
    members = models.ManyToManyField(Person, related_name="households", blank=True, verbose_name=_("members"))

    class Meta:
        ordering = ["code"]
        constraints = [
            unique_external_id("household"),
            unique_code("household", _("Another household of this organisation already has this code.")),
        ]
        indexes = [
            models.Index(fields=["organisation", "code"], name="household_code_idx"),
            models.Index(models.F("organisation"), CodeKey("code"), name="household_code_key_idx"),
        ]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.code


# Casework -------------------------------------------------------------------------------------------


class ClosureReason(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("closure reason")
        verbose_name_plural = _("closure reasons")


class Case(Versioned, OrganisationExternalId, TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cases", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cases", verbose_name=_("organisation")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    opened = models.DateField(_("opened"))
    closed = models.DateField(_("closed"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # The earliest due date of the case's open follow-ups, kept by database triggers whoever writes
    # (casework/next_follow_up.py): My cases sorts by it from an index. Never set by hand.
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True, editable=False)
    closure_reason = models.ForeignKey(
        ClosureReason, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("closure reason")
    )
    # Optional in the table: cases imported or recorded before assignment existed have nobody yet.
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_responsible",
        verbose_name=_("responsible caseworker"),
    )
    co_workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cases_helping", verbose_name=_("co-workers")
    )
    # Encrypted: why consent could not be asked often describes the person's state (in shock, a minor alone).
    consent_not_asked_reason = EncryptedTextField(
        _("why consent for services was not asked"),
        blank=True,
        help_text=_(
            "Only when the person's consent for receiving services could not be asked when the case opened."
        ),
    )

    class Meta:
        ordering = ["-opened", "pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            unique_external_id("case"),
            models.UniqueConstraint(
                fields=["programme", "organisation", "person"],
                condition=models.Q(status="open"),
                name="one_open_case_per_person",
                violation_error_message=_(
                    "This person already has an open case with this organisation in this programme."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["id", "programme", "organisation", "person"], name="case_report_idx"),
            # My cases: a caseworker's cases by status, their organisation checked from the index alone, in
            # the order of their next follow-up (a page of the list is the first entries).
            models.Index(
                fields=["caseworker", "status", "organisation", "next_follow_up", "id"],
                name="case_caseworker_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.code} ({day(self.opened)})"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Case:
        instance = super().from_db(db, field_names, values)
        # The consent rule applies when a case opens, or is moved to another person or opening day: what the
        # case was loaded with tells the two apart from any other edit.
        instance._opened_as = {  # type: ignore[attr-defined]
            name: instance.__dict__[name] for name in ("person_id", "opened") if name in instance.__dict__
        }
        return instance

    def consent_rule_applies(self) -> bool:
        """Whether this save opens the case (or re-opens it for another person or day). Cases stored before
        the rule existed stay editable without a consent until one of those two changes."""
        loaded = getattr(self, "_opened_as", None)
        if self._state.adding or loaded is None:
            return True
        return any(getattr(self, name) != value for name, value in loaded.items())

    def has_services_consent(self) -> bool:
        """Whether the person's consent for receiving services held on the opening day. Bulk writers hand
        over the consents of a batch's persons (`_batch_consents`), read in one query for all rows."""
        from nextsteps.privacy.models import Consent, valid_on

        known = getattr(self, "_batch_consents", None)
        if known is not None:
            return any(c.is_valid_on(self.opened) for c in known.get(self.person_id, ()))
        return Consent.objects.filter(
            valid_on(self.opened), person_id=self.person_id, purpose=Consent.Purpose.SERVICES
        ).exists()

    def consent_error(self) -> Any:
        """Why the case cannot open for lack of consent (translated), or None."""
        if not (self.person_id and self.opened) or self.consent_not_asked_reason.strip():
            return None
        # A form that records the consent in the same step says so; the save re-checks once it is stored.
        if getattr(self, "consent_at_intake", False) or not self.consent_rule_applies():
            return None
        if self.has_services_consent():
            return None
        return _(
            "A case opens with the person's consent for receiving services, given on or before the day it "
            "opens. Record the consent, or say why it could not be asked."
        )

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.opened and self.opened > dt.date.today():
            errors["opened"] = _("A case cannot open in the future.")
        if self.closed and self.closed > dt.date.today():
            errors["closed"] = _("A case cannot close in the future.")
        elif self.closed and self.opened and self.closed < self.opened:
            errors["closed"] = _("A case cannot close before it opened.")
        if self.status == self.Status.CLOSED and not self.closed:
            errors.setdefault("closed", _("A closed case needs the date it was closed."))
        if self.status == self.Status.OPEN and self.closed:
            errors.setdefault(
                "closed", _("An open case has no closing date: leave it empty or close the case.")
            )
        if self.status == self.Status.OPEN and self.closure_reason_id:
            errors["closure_reason"] = _("An open case has no closure reason.")
        # A rule of the record, not of one form: imports and the API close cases too.
        if self.status == self.Status.CLOSED and not self.closure_reason_id:
            errors["closure_reason"] = _("Choose why the case is closed.")
        if self.caseworker_id and self.organisation_id:
            from nextsteps.accounts.access import case_writers

            if not case_writers(self.organisation_id).filter(pk=self.caseworker_id).exists():
                errors["caseworker"] = _(
                    "The responsible caseworker must work on cases for the case's organisation."
                )
        if not errors.get("opened") and (problem := self.consent_error()):
            errors["consent_not_asked_reason"] = problem
        if errors:
            raise ValidationError(errors)

    def open_on(self, date: dt.date | None) -> str | None:
        """Why a record of the case cannot be dated `date` (translated), or None: services, outcomes,
        notes and follow-ups happen while the case is open, and not in the future."""
        if date is None:
            return None
        if date > dt.date.today():
            return str(_("This date is in the future."))
        if problem := period_problem(date, self.opened, self.closed):
            return str(problem[0]) % problem[1]
        return None


def period_problem(date: dt.date, opened: dt.date | None, closed: dt.date | None) -> Problem | None:
    """Why a record of a case open from `opened` to `closed` cannot be dated `date`, as a translatable
    sentence and its values (the import reports it per row), or None."""
    if opened and date < opened:
        return _("The case opened on %(opened)s: this date is before it."), {"opened": day(opened)}
    if closed and date > closed:
        return _("The case closed on %(closed)s: this date is after it."), {"closed": day(closed)}
    return None


def case_period_errors(record: Any, field: str = "date") -> dict[str, Any]:
    """The error of a case's record dated outside the case's open period, by field."""
    case = getattr(record, "case", None) if getattr(record, "case_id", None) else None
    problem = case.open_on(getattr(record, field)) if case is not None else None
    return {field: problem} if problem else {}


class DatedInCase:
    """A record of a case (a service, an outcome) dated while the case is open."""

    date: dt.date

    def clean(self) -> None:
        if date_problem(self.date, ""):
            return  # `record_dates` refuses it, with the sentence for this kind of record
        errors = case_period_errors(self)
        if errors:
            raise ValidationError(errors)


class ServiceDelivery(DatedInCase, RecordRules, Versioned, ExternalId, TimeStamped):
    record_dates = {"date": _("A service cannot be delivered in the future.")}

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services", verbose_name=_("case"))
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, verbose_name=_("service"))
    date = models.DateField(_("date"), db_index=True)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("service delivery")
        verbose_name_plural = _("service deliveries")
        # Covering indexes for the report: a period's services by date, or by type then date. The key comes
        # last so that PostgreSQL, unlike SQLite, need not read the table for it either.
        indexes = [
            models.Index(fields=["date", "service_type", "case", "id"], name="service_report_idx"),
            models.Index(fields=["service_type", "date", "case", "id"], name="service_type_report_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} {day(self.date)}"


class Outcome(DatedInCase, RecordRules, Versioned, ExternalId, TimeStamped):
    record_dates = {"date": _("An outcome cannot be recorded for a future date.")}

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("case"))
    outcome_type = models.ForeignKey(OutcomeType, on_delete=models.PROTECT, verbose_name=_("outcome"))
    date = models.DateField(_("date"), db_index=True)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        indexes = [models.Index(fields=["date", "outcome_type", "case", "id"], name="outcome_report_idx")]

    def __str__(self) -> str:
        return f"{self.outcome_type} {day(self.date)}"


# Outreach -------------------------------------------------------------------------------------------


class OutreachVisit(RecordRules, Versioned, OrganisationExternalId, TimeStamped):
    record_dates = {"date": _("A visit cannot be dated in the future.")}

    # No index of their own for the programme, the organisation and the date: the report index starts with
    # the programme and its date, the list index with the organisation and its date, and every index a visit
    # has costs each imported visit a write (three fewer: a first import of a million visits 11% faster).
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("programme"),
        db_index=False,
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("organisation"),
        db_index=False,
    )
    date = models.DateField(_("date"))
    locality = models.CharField(_("locality"), max_length=100)
    site_type = models.ForeignKey(SiteType, on_delete=models.PROTECT, verbose_name=_("site type"))
    # Indexed for household visits only (visit_household_idx): most visits (streets, shelters) have no
    # household, and a full index would cost each of them a write for nothing.
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("household"),
        db_index=False,
    )
    persons: models.ManyToManyField[Person, VisitPerson] = models.ManyToManyField(
        Person, through="VisitPerson", related_name="visits", blank=True, verbose_name=_("persons reached")
    )

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("outreach visit")
        verbose_name_plural = _("outreach visits")
        constraints = [
            unique_external_id("visit"),
            # A second visit of one household on one day is a round submitted twice, or typed twice: it
            # would count the household's members twice in the day's figures.
            models.UniqueConstraint(
                fields=["organisation", "date", "household"],
                condition=models.Q(household__isnull=False),
                name="unique_household_visit_per_day",
                violation_error_message=_("This household already has a visit on this day."),
            ),
        ]
        # Everything the outreach figures read from a visit, in one index: a period's visits are one range.
        # (A second one led by site type made PostgreSQL give up its parallel plan: slower in all.)
        indexes = [
            models.Index(
                fields=["programme", "date", "site_type", "locality", "organisation", "household", "id"],
                name="visit_report_idx",
            ),
            # The visits list: an organisation's visits newest first, a page without sorting them all.
            models.Index(fields=["organisation", "-date", "-id"], name="visit_list_idx"),
            models.Index(
                fields=["household"], condition=models.Q(household__isnull=False), name="visit_household_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_type} {self.locality} {day(self.date)}"

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        """A household of Bucharest ticked on a round in Oradea would count as reached in Oradea. Checked with
        the fields, as the record rules are: an import checks it per row in its first pass (reading each
        row's household here would cost a query per row), the forms, the round and the API here."""
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        skip = set(exclude or ()) | set(errors)
        elsewhere = self.household_elsewhere() if not {"household", "locality"} & skip else None
        if elsewhere is not None:
            errors["household"] = [elsewhere]
        if errors:
            raise ValidationError(errors)

    def household_elsewhere(self) -> ValidationError | None:
        """The household rule alone, for the outreach round: it checks the rest once for all its visits."""
        household = self.household if self.household_id else None
        if household is None or same_locality(household.locality, self.locality):
            return None
        return ValidationError(
            str(_("This household is in %(household)s, not in %(locality)s.")),
            params={"household": household.locality, "locality": self.locality},
        )


def locality_key(locality: str) -> str:
    """Localities are typed by hand: "Oradea " and "oradea" are one place, with this key."""
    return " ".join(locality.split()).casefold()


def same_locality(first: str, second: str) -> bool:
    return locality_key(first) == locality_key(second)


class VisitPerson(ConstraintErrorsOnFields, models.Model):
    """One person reached on one visit: the row that person-level outreach indicators count."""

    visit = models.ForeignKey(
        OutreachVisit, on_delete=models.CASCADE, related_name="reached", verbose_name=_("visit")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="reached_on", verbose_name=_("person")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "person"],
                name="unique_visit_person",
                violation_error_message=_("This person is already counted on this visit."),
            )
        ]
        verbose_name = _("person reached")
        verbose_name_plural = _("persons reached")

    def __str__(self) -> str:
        return f"{self.person_id}@{self.visit_id}"


# Activities -----------------------------------------------------------------------------------------


class ExternalOrganisation(TimeStamped):
    """An organisation outside the programme: police, a university, another NGO."""

    class Kind(models.TextChoices):
        LAW_ENFORCEMENT = "law_enforcement", _("law enforcement")
        NGO = "ngo", _("NGO")
        UNIVERSITY = "university", _("university")
        GOVERNMENT = "government", _("government")
        OTHER = "other", _("other")

    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        error_messages={"unique": _("An external organisation with this name already exists.")},
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryCodeField(_("country"), max_length=2, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("external organisation")
        verbose_name_plural = _("external organisations")

    def __str__(self) -> str:
        return self.name


class Activity(RecordRules, Versioned, OrganisationExternalId, TimeStamped):
    record_dates = {"date": _("An activity cannot be dated in the future.")}
    record_counts = (
        "attendance_total",
        "attendance_women",
        "attendance_girls",
        "attendance_men",
        "attendance_boys",
    )

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="activities", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="activities", verbose_name=_("organisation")
    )
    activity_type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, verbose_name=_("type"))
    # Which pillar's section of the report names this activity, when its type is a notable one.
    pillar = models.ForeignKey(
        "programmes.Pillar", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("pillar")
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"), db_index=True)
    locality = models.CharField(_("locality"), max_length=100)
    attendance_total = models.PositiveIntegerField(_("attendance"), default=0)
    # Optional breakdown; whatever the cells leave of the total counts as "unknown".
    attendance_women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    attendance_girls = models.PositiveIntegerField(_("girls"), null=True, blank=True)
    attendance_men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    attendance_boys = models.PositiveIntegerField(_("boys"), null=True, blank=True)
    participant_groups = models.ManyToManyField(
        ParticipantGroup, blank=True, verbose_name=_("participant groups")
    )
    participating_organisations = models.ManyToManyField(
        ExternalOrganisation, blank=True, verbose_name=_("participating organisations")
    )

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [unique_external_id("activity")]

    def __str__(self) -> str:
        return f"{self.title} ({day(self.date)})"

    def clean(self) -> None:
        cells = [
            self.attendance_women,
            self.attendance_girls,
            self.attendance_men,
            self.attendance_boys,
        ]
        if sum(c or 0 for c in cells) > (self.attendance_total or 0):
            raise ValidationError(
                {"attendance_total": _("The attendance breakdown adds up to more than the total.")}
            )


# Volunteers and campaigns ----------------------------------------------------------------------------


class CampaignKind(ManagedList):
    """What kind of campaign it is (the yearly "Women for women" Christmas campaign): a counting rule that names
    the kind counts every year's campaign of it, so next year's campaign counts without touching the rule."""

    class Meta(ManagedList.Meta):
        verbose_name = _("campaign kind")
        verbose_name_plural = _("campaign kinds")


class Campaign(Versioned, ConstraintErrorsOnFields, TimeStamped):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"))
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    purpose = models.TextField(_("purpose"), blank=True)
    kind = models.ForeignKey(
        CampaignKind,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("campaign kind"),
    )

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "slug"],
                name="unique_campaign_slug",
                violation_error_message=_("Another campaign of this programme already has this slug."),
            )
        ]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("A campaign cannot end before it starts.")})


class Volunteer(RecordRules, Versioned, OrganisationExternalId, TimeStamped):
    record_dates = {
        "signed_up": _("A volunteer cannot sign up in the future."),
        "references_checked": _("References cannot be checked in the future."),
        "certificate_checked": _("A criminal-record certificate cannot be checked in the future."),
        "safeguarding_signed": _("An agreement cannot be signed in the future."),
        "confidentiality_signed": _("An agreement cannot be signed in the future."),
        "last_training": _("A training session cannot be attended in the future."),
    }
    # What a volunteer needs before they become active: checked by a volunteer coordinator, on a date.
    ACTIVE_NEEDS = ("certificate_checked", "safeguarding_signed", "confidentiality_signed")
    # The stage as stored when the record was read: the rule below is on becoming active.
    _stored_stage: str | None = None

    class Stage(models.TextChoices):
        APPLIED = "applied", _("applied")
        SCREENING = "screening", _("screening")
        TRAINING = "training", _("in training")
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        LEFT = "left", _("left")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("organisation")
    )
    code = CodeField(_("code"), max_length=40)
    signed_up = models.DateField(_("signed up"), db_index=True)
    # A new volunteer starts at the application: active needs the screening below.
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.APPLIED)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteers",
        verbose_name=_("recruited through"),
    )
    locality = models.CharField(_("locality"), max_length=100, blank=True)
    # Identifying details, encrypted in the database.
    name = EncryptedCharField(_("name"), max_length=200, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    # Screening, each on the day it was done.
    references_checked = models.DateField(_("references checked on"), null=True, blank=True)
    certificate_checked = models.DateField(_("criminal-record certificate checked on"), null=True, blank=True)
    safeguarding_signed = models.DateField(_("safeguarding agreement signed on"), null=True, blank=True)
    confidentiality_signed = models.DateField(_("confidentiality agreement signed on"), null=True, blank=True)
    # Training as a coordinator keeps it: how many sessions, and the last one.
    training_sessions = models.PositiveSmallIntegerField(_("training sessions attended"), default=0)
    last_training = models.DateField(_("last training session"), null=True, blank=True)

    class Meta:
        ordering = ["-signed_up", "pk"]
        constraints = [
            unique_external_id("volunteer"),
            unique_code("volunteer", _("Another volunteer of this organisation already has this code.")),
        ]
        indexes = [models.Index(fields=["organisation", "code"], name="volunteer_code_idx")]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self._stored_stage = self.stage

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any]) -> Volunteer:
        instance = super().from_db(db, field_names, values)  # type: ignore[misc]
        instance._stored_stage = instance.__dict__.get("stage")
        return instance  # type: ignore[no-any-return]

    def missing_for_active(self) -> list[str]:
        """The screening steps not yet done that an active volunteer needs, as field names."""
        return [name for name in self.ACTIVE_NEEDS if not getattr(self, name)]

    def clean(self) -> None:
        super().clean()
        # The rule is on becoming active: volunteers stored as active before screening was recorded stay
        # editable, and their page says what is missing.
        becoming_active = (
            self.stage == self.Stage.ACTIVE and getattr(self, "_stored_stage", None) != self.stage
        )
        if becoming_active and (missing := self.missing_for_active()):
            raise ValidationError(
                {
                    "stage": ValidationError(
                        _(
                            "A volunteer becomes active only once the criminal-record certificate is checked "
                            "and the safeguarding and confidentiality agreements are signed; missing: "
                            "%(missing)s."
                        ),
                        params={
                            "missing": ", ".join(
                                str(getattr(self._meta.get_field(name), "verbose_name", name))
                                for name in missing
                            )
                        },
                    )
                }
            )


class VolunteerHours(RecordRules, TimeStamped):
    """The hours a volunteer gave in one month, as their coordinator records them."""

    MAX_HOURS = 744  # 31 days of 24 hours
    record_dates = {"month": _("Hours cannot be recorded for a month that has not started.")}

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="hours", verbose_name=_("volunteer")
    )
    month = models.DateField(_("month"))
    hours = models.PositiveSmallIntegerField(_("hours"), validators=[MaxValueValidator(MAX_HOURS)])

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "month"],
                name="unique_volunteer_hours_month",
                violation_error_message=_("The hours of this volunteer for this month are already recorded."),
            ),
            models.CheckConstraint(
                condition=models.Q(hours__lte=744), name="volunteer_hours_at_most_a_month"
            ),
        ]
        verbose_name = _("volunteer hours")
        verbose_name_plural = _("volunteer hours")

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.month:%Y-%m}"

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        # A month is stored as its first day, whichever day of it was given.
        if isinstance(self.month, dt.date):
            self.month = self.month.replace(day=1)
        super().clean_fields(exclude)


class Distribution(RecordRules, Versioned, OrganisationExternalId, TimeStamped):
    record_dates = {"date": _("A distribution cannot be dated in the future.")}
    record_counts = ("quantity",)

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="distributions", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="distributions", verbose_name=_("organisation")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distributions",
        verbose_name=_("campaign"),
    )
    date = models.DateField(_("date"), db_index=True)
    item = models.CharField(_("item"), max_length=100)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    recipient_group = models.CharField(_("recipient group"), max_length=120, blank=True)
    locality = models.CharField(_("locality"), max_length=100, blank=True)

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        constraints = [unique_external_id("distribution")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item} ({day(self.date)})"

    def clean(self) -> None:
        campaign = self.campaign if self.campaign_id else None
        if campaign is not None and self.date and not campaign.start <= self.date <= campaign.end:
            raise ValidationError(
                {
                    "date": _(
                        "The campaign %(campaign)s ran from %(start)s to %(end)s: a distribution of it "
                        "falls within those dates."
                    )
                    % {"campaign": campaign.name, "start": day(campaign.start), "end": day(campaign.end)}
                }
            )


# Partnerships ---------------------------------------------------------------------------------------


class PartnerContact(RecordRules, Versioned, OrganisationExternalId, TimeStamped):
    record_dates = {"established": _("A partnership cannot start in the future.")}

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="partner_contacts", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="partner_contacts",
        verbose_name=_("organisation"),
    )
    external_organisation = models.ForeignKey(
        ExternalOrganisation, on_delete=models.PROTECT, verbose_name=_("external organisation")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ExternalOrganisation.Kind.choices)
    established = models.DateField(_("established"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    locality = models.CharField(_("locality"), max_length=100, blank=True)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        ordering = ["-established", "pk"]
        verbose_name = _("partner contact")
        verbose_name_plural = _("partner contacts")
        constraints = [unique_external_id("partner_contact")]

    def __str__(self) -> str:
        return f"{self.external_organisation} ({day(self.established)})"


class Story(RecordRules, Versioned, TimeStamped):
    record_dates = {"date": _("A story cannot be dated in the future.")}

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="stories", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="stories", verbose_name=_("organisation")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stories",
        verbose_name=_("person"),
    )
    date = models.DateField(_("date"))
    # A story is about a person and often identifies them: encrypted in the database.
    text_nl = EncryptedTextField(_("text (Dutch)"), blank=True)
    text_en = EncryptedTextField(_("text (English)"), blank=True)
    text_ro = EncryptedTextField(_("text (Romanian)"), blank=True)
    consent_to_publish = models.BooleanField(_("consent to publish"), default=False)

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def __str__(self) -> str:
        # Not the text: a record's string form ends up in logs and the admin's history, unencrypted.
        return f"{day(self.date)} ({self.organisation})"

    def text(self, lang: str | None = None) -> str:
        return localized(self, "text", lang)

    def clean(self) -> None:
        if not any((getattr(self, f"text_{lang}") or "").strip() for lang in ("nl", "en", "ro")):
            raise ValidationError(_("Write the story in at least one language."))
        # Here rather than in a form, so that every way of saving a story (pages, imports, the demo) asks.
        from nextsteps.privacy.consents import publication_refusal

        if self.consent_to_publish and self.person_id is not None and self.date:
            refusal = publication_refusal(self.person, self.date)
            if refusal:
                raise ValidationError({"consent_to_publish": refusal})


class RoundSubmission(models.Model):
    """The token of an outreach round's form, stored with the round's visits: a second submit of the same
    form (a double click, a reload) finds it and is told the round is saved, rather than saving it again.
    It holds no one's details: a user, a place and a day."""

    token = models.UUIDField(_("token"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    date = models.DateField(_("date"))
    locality = models.CharField(_("locality"), max_length=100)
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outreach round submission")
        verbose_name_plural = _("outreach round submissions")

    def __str__(self) -> str:
        return f"{self.locality} {day(self.date)}"
