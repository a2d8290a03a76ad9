"""The import templates as data: one record type per template, each a list of documented columns.

A column has a name (the header cell), a kind (how a cell is read), whether it is required, the model field
it fills, the list its values come from, the record type it refers to and an example. Templates, the column
reference (docs/import-columns.md), the importer and the exporter all read these definitions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nextsteps.privacy.fields import EncryptedMixin

# How a cell is read; the words are also what the column reference calls them.
ID = "id"
TEXT = "text"
INTEGER = "integer"
YEAR = "year"
DATE = "date"
CHOICE = "choice"
CHOICES = "choices"
COUNTRY = "country"
REFERENCE = "reference"
NAMES = "names"
USER = "user"
COUNTRIES = "countries"
MONTH = "month"

KIND_LABELS: dict[str, Promise] = {
    ID: _("identifier"),
    TEXT: _("text"),
    INTEGER: _("whole number"),
    YEAR: _("year (four digits)"),
    DATE: _("date"),
    CHOICE: _("one value of a list"),
    CHOICES: _("values of a list, separated by semicolons"),
    COUNTRY: _("two-letter country code (ISO 3166-1)"),
    REFERENCE: _("external id of another record"),
    NAMES: _("names of external organisations, separated by semicolons"),
    USER: _("user name of someone who works on your organisation's cases"),
    COUNTRIES: _("two-letter country codes (ISO 3166-1), separated by semicolons"),
    MONTH: _("month (YYYY-MM, or any date of the month)"),
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: str | Promise
    example: str = ""
    required: bool = False
    # The model field the column fills; None when the import works it out (references, lists).
    field: str | None = None
    vocabulary: str | None = None
    references: str | None = None
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class RecordType:
    key: str
    label: str | Promise
    description: str | Promise
    model_label: str
    columns: tuple[Column, ...]
    # The column that identifies a row's record within the organisation; None for rows that link two records.
    key_column: str | None = "external_id"

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.model_label)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def external_id(example: str) -> Column:
    return Column(
        "external_id",
        ID,
        _(
            "Your organisation's own identifier of the record. Importing a row whose external id is already "
            "known updates that record instead of adding a new one."
        ),
        example,
        required=True,
        field="external_id",
    )


def locality(required: bool = True, example: str = "Bucharest") -> Column:
    return Column(
        "locality",
        TEXT,
        _("Town, city or neighbourhood."),
        example,
        required=required,
        field="locality",
    )


PERSON_REF = _("External id of a person of your organisation, from the persons template or already imported.")


def case_or_person() -> tuple[Column, Column]:
    """Services and outcomes name their case, or only the person (whose case in the programme is used)."""
    return (
        Column(
            "case",
            REFERENCE,
            _("External id of the case; leave empty when you give the person."),
            "C-0001",
            references="cases",
        ),
        Column(
            "person",
            REFERENCE,
            _("External id of the person; leave empty when you give the case."),
            "",
            references="persons",
        ),
    )


RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType(
        "persons",
        _("persons"),
        _(
            "People your organisation works with. Reports never show names or phone numbers; they count "
            "people by sex and age."
        ),
        "records.Person",
        (
            external_id("P-0001"),
            Column(
                "code",
                TEXT,
                _("Pseudonymous code shown instead of the name; the external id when left empty."),
                "BUC-0001",
                field="code",
            ),
            Column("sex", CHOICE, _("Sex."), "female", field="sex", vocabulary="sex"),
            Column("birth_date", DATE, _("Date of birth, when known."), "1990-03-15", field="birth_date"),
            Column(
                "birth_year",
                YEAR,
                _("Year of birth, when only the year is known."),
                "1990",
                field="birth_year",
                minimum=1900,
            ),
            Column("nationality", COUNTRY, _("Nationality."), "RO", field="nationality"),
            Column(
                "survivor_status",
                CHOICE,
                _("Whether the person is an identified or presumed trafficking survivor."),
                "identified",
                field="survivor_status",
                vocabulary="survivor_status",
            ),
            Column("given_name", TEXT, _("Given name (identifying; optional)."), "Ana", field="given_name"),
            Column(
                "family_name", TEXT, _("Family name (identifying; optional)."), "Popescu", field="family_name"
            ),
            Column(
                "phone", TEXT, _("Phone number (identifying; optional)."), "+40 700 000 000", field="phone"
            ),
        ),
    ),
    RecordType(
        "households",
        _("households"),
        _("Households that outreach workers visit. List their members in the household members template."),
        "records.Household",
        (
            external_id("H-001"),
            Column(
                "code",
                TEXT,
                _("Code shown for the household; the external id when left empty."),
                "BUC-001",
                field="code",
            ),
            locality(),
        ),
    ),
    RecordType(
        "household_members",
        _("household members"),
        _("One row per person in a household. Importing adds members; it never removes any."),
        "records.Household",
        (
            Column(
                "household",
                REFERENCE,
                _("External id of the household."),
                "H-001",
                required=True,
                references="households",
            ),
            Column("person", REFERENCE, PERSON_REF, "P-0001", required=True, references="persons"),
        ),
        key_column=None,
    ),
    RecordType(
        "cases",
        _("cases"),
        _("A person followed by your organisation in this programme."),
        "records.Case",
        (
            external_id("C-0001"),
            Column(
                "person",
                REFERENCE,
                _(
                    "External id of a person of your organisation, from the persons template or already "
                    "imported; leave empty when you give the referral."
                ),
                "P-0001",
                references="persons",
            ),
            Column(
                "opened", DATE, _("Date the case was opened."), "2021-08-03", required=True, field="opened"
            ),
            Column("closed", DATE, _("Date the case was closed, if it was."), "", field="closed"),
            Column(
                "status",
                CHOICE,
                _("Open or closed; when left empty, closed if there is a closing date, otherwise open."),
                "open",
                field="status",
                vocabulary="case_status",
            ),
            Column(
                "closure_reason",
                CHOICE,
                _("Why the case was closed; required for a closed case, empty for an open one."),
                "",
                field="closure_reason",
                vocabulary="closure_reason",
            ),
            Column(
                "caseworker",
                USER,
                _(
                    "User name of the caseworker responsible for the case: someone whose role in your "
                    "organisation lets them change cases."
                ),
                "",
            ),
            Column(
                "consent_not_asked_reason",
                TEXT,
                _(
                    "Why the person's consent for receiving services could not be asked; required for a new "
                    "case unless the consent was recorded on or before the opening date."
                ),
                "In shock at intake; to be asked at the next meeting.",
                field="consent_not_asked_reason",
            ),
            Column(
                "referral",
                TEXT,
                _(
                    "Only for a case your organisation opened on a referral it accepted: the sending "
                    "organisation's short name (slug), a slash and the referral's external id there. The "
                    "person is the referral's; leave the person empty."
                ),
                "",
            ),
        ),
    ),
    RecordType(
        "campaigns",
        _("campaigns"),
        _("Campaigns that recruit volunteers or distribute items. Rows are matched by their slug."),
        "records.Campaign",
        (
            Column(
                "slug",
                ID,
                _(
                    "Short name of the campaign in this programme (letters, digits, hyphens). Importing a known "
                    "slug updates that campaign."
                ),
                "women-for-women-2021",
                required=True,
                field="slug",
            ),
            Column("name", TEXT, _("Name of the campaign."), "Women for women", required=True, field="name"),
            Column("start", DATE, _("First day."), "2021-11-15", required=True, field="start"),
            Column("end", DATE, _("Last day."), "2021-12-31", required=True, field="end"),
            Column("purpose", TEXT, _("What the campaign is for."), "Christmas gifts", field="purpose"),
            Column(
                "kind",
                CHOICE,
                _(
                    "Kind of campaign, if any: indicators can count every campaign of a kind, year after year."
                ),
                "women_for_women_christmas",
                field="kind",
                vocabulary="campaign_kind",
            ),
        ),
        key_column="slug",
    ),
    RecordType(
        "partner_contacts",
        _("partner contacts"),
        _(
            "Contacts and collaborations with organisations outside the programme: police, NGOs, universities, "
            "government. An external organisation named for the first time is added."
        ),
        "records.PartnerContact",
        (
            external_id("PC-001"),
            Column(
                "external_organisation",
                TEXT,
                _("Name of the external organisation."),
                "Bihor County Police",
                required=True,
            ),
            Column(
                "kind",
                CHOICE,
                _("Kind of organisation."),
                "law_enforcement",
                required=True,
                field="kind",
                vocabulary="organisation_kind",
            ),
            Column(
                "established",
                DATE,
                _("Date the contact was made."),
                "2021-08-10",
                required=True,
                field="established",
            ),
            Column(
                "status",
                CHOICE,
                _("Whether the collaboration is active."),
                "active",
                field="status",
                vocabulary="partner_status",
            ),
            locality(required=False, example="Oradea"),
            Column("note", TEXT, _("Note."), "", field="note"),
            Column(
                "country",
                COUNTRY,
                _("Country of the external organisation, used when it is added."),
                "RO",
            ),
        ),
    ),
    RecordType(
        "outreach_visits",
        _("outreach visits"),
        _("Visits to households, shelters or the street. List the persons reached in the next template."),
        "records.OutreachVisit",
        (
            external_id("V-000001"),
            Column("date", DATE, _("Date of the visit."), "2021-08-03", required=True, field="date"),
            locality(),
            Column(
                "site_type",
                CHOICE,
                _("Where the visit took place."),
                "household",
                required=True,
                field="site_type",
                vocabulary="site_type",
            ),
            Column(
                "household",
                REFERENCE,
                _("External id of the household visited, if it was a household."),
                "H-001",
                references="households",
            ),
        ),
    ),
    RecordType(
        "visit_persons",
        _("persons reached"),
        _("One row per person reached on a visit. Importing adds persons reached; it never removes any."),
        "records.VisitPerson",
        (
            Column(
                "visit",
                REFERENCE,
                _("External id of the outreach visit."),
                "V-000001",
                required=True,
                references="outreach_visits",
            ),
            Column("person", REFERENCE, PERSON_REF, "P-0001", required=True, references="persons"),
        ),
        key_column=None,
    ),
    RecordType(
        "activities",
        _("activities"),
        _(
            "Prevention sessions, school sessions, conferences, trainings and other events, with their "
            "attendance. The attendance by sex and age group is optional; what it leaves of the total counts "
            "as unknown."
        ),
        "records.Activity",
        (
            external_id("A-001"),
            Column(
                "activity_type",
                CHOICE,
                _("Type of activity."),
                "school_session",
                required=True,
                field="activity_type",
                vocabulary="activity_type",
            ),
            Column("title", TEXT, _("Title."), "Session at school no. 5", required=True, field="title"),
            Column("date", DATE, _("Date."), "2021-10-05", required=True, field="date"),
            locality(),
            Column(
                "attendance_total",
                INTEGER,
                _("Number of people who attended."),
                "38",
                required=True,
                field="attendance_total",
                minimum=0,
            ),
            Column(
                "attendance_women",
                INTEGER,
                _("Women (18 or older)."),
                "2",
                field="attendance_women",
                minimum=0,
            ),
            Column(
                "attendance_girls", INTEGER, _("Girls (under 18)."), "19", field="attendance_girls", minimum=0
            ),
            Column(
                "attendance_men", INTEGER, _("Men (18 or older)."), "0", field="attendance_men", minimum=0
            ),
            Column(
                "attendance_boys", INTEGER, _("Boys (under 18)."), "17", field="attendance_boys", minimum=0
            ),
            Column(
                "pillar",
                CHOICE,
                _("Number of the programme pillar whose section of the report names this activity."),
                "3",
                field="pillar",
                vocabulary="pillar",
            ),
            Column(
                "participant_groups",
                CHOICES,
                _("Groups that took part."),
                "police; students",
                field="participant_groups",
                vocabulary="participant_group",
            ),
            Column(
                "participating_organisations",
                NAMES,
                _("External organisations that took part, as named in partner contacts."),
                "Bihor County Police",
                field="participating_organisations",
            ),
        ),
    ),
    RecordType(
        "volunteers",
        _("volunteers"),
        _("Volunteers and the date they signed up."),
        "records.Volunteer",
        (
            external_id("VOL-001"),
            Column(
                "code",
                TEXT,
                _("Code shown for the volunteer; the external id when left empty."),
                "VOL-001",
                field="code",
            ),
            Column(
                "signed_up", DATE, _("Date of signing up."), "2021-08-02", required=True, field="signed_up"
            ),
            # Named "status" before the pipeline had stages: files written then still import.
            Column(
                "status",
                CHOICE,
                _("Stage in the volunteer pipeline (inactive, the former status, is read as paused)."),
                "active",
                field="stage",
                vocabulary="volunteer_stage",
            ),
            Column(
                "references_checked",
                DATE,
                _("Date the references were checked."),
                "2021-08-09",
                field="references_checked",
            ),
            Column(
                "certificate_checked",
                DATE,
                _("Date the criminal-record certificate was checked; needed before active."),
                "2021-08-16",
                field="certificate_checked",
            ),
            Column(
                "safeguarding_signed",
                DATE,
                _("Date the safeguarding agreement was signed; needed before active."),
                "2021-08-16",
                field="safeguarding_signed",
            ),
            Column(
                "confidentiality_signed",
                DATE,
                _("Date the confidentiality agreement was signed; needed before active."),
                "2021-08-16",
                field="confidentiality_signed",
            ),
            Column(
                "training_sessions",
                INTEGER,
                _("Number of training sessions attended."),
                "2",
                field="training_sessions",
            ),
            Column(
                "last_training",
                DATE,
                _("Date of the last training session attended."),
                "2021-08-30",
                field="last_training",
            ),
            Column(
                "campaign",
                REFERENCE,
                _("Slug of the campaign that recruited the volunteer, if any."),
                "women-for-women-2021",
                references="campaigns",
            ),
            locality(required=False),
            Column("name", TEXT, _("Name (identifying; optional)."), "Elena Stan", field="name"),
            Column(
                "phone", TEXT, _("Phone number (identifying; optional)."), "+40 700 000 001", field="phone"
            ),
        ),
    ),
    RecordType(
        "volunteer_hours",
        _("volunteer hours"),
        _(
            "The hours each volunteer gave per month: one row per volunteer and month. Importing a month "
            "that is already recorded replaces its hours."
        ),
        "records.VolunteerHours",
        (
            Column(
                "volunteer",
                ID,
                _(
                    "External id of a volunteer of your organisation, from the volunteers template or already "
                    "imported; or the volunteer's code."
                ),
                "VOL-001",
                required=True,
            ),
            Column("month", MONTH, _("Month, not after this one."), "2021-09", required=True, field="month"),
            Column(
                "hours",
                INTEGER,
                _("Hours given in that month (0 to 744)."),
                "12",
                required=True,
                field="hours",
                minimum=0,
                maximum=744,
            ),
        ),
        key_column=None,
    ),
    RecordType(
        "distributions",
        _("distributions"),
        _("Items handed out, e.g. gifts of a campaign or food parcels."),
        "records.Distribution",
        (
            external_id("D-001"),
            Column("date", DATE, _("Date."), "2021-12-11", required=True, field="date"),
            Column("item", TEXT, _("What was handed out."), "gift", required=True, field="item"),
            Column("quantity", INTEGER, _("How many."), "70", required=True, field="quantity", minimum=1),
            Column(
                "recipient_group",
                TEXT,
                _("Who received them."),
                "women in prostitution",
                field="recipient_group",
            ),
            locality(required=False),
            Column(
                "campaign",
                REFERENCE,
                _("Slug of the campaign, if any."),
                "women-for-women-2021",
                references="campaigns",
            ),
        ),
    ),
    RecordType(
        "services",
        _("services"),
        _(
            "Services delivered to a person in a case. Name the case, or only the person: the person's case in "
            "this programme is used, and one is opened on the first service date if there is none."
        ),
        "records.ServiceDelivery",
        (
            external_id("S-000001"),
            *case_or_person(),
            Column(
                "service_type",
                CHOICE,
                _("Service delivered."),
                "legal_support",
                required=True,
                field="service_type",
                vocabulary="service_type",
            ),
            Column("date", DATE, _("Date; not in the future."), "2021-08-08", required=True, field="date"),
            Column("note", TEXT, _("Note."), "", field="note"),
        ),
    ),
    RecordType(
        "outcomes",
        _("outcomes"),
        _("Outcomes of a case, e.g. found paid work. Name the case or only the person, as for services."),
        "records.Outcome",
        (
            external_id("O-001"),
            *case_or_person(),
            Column(
                "outcome_type",
                CHOICE,
                _("Outcome."),
                "employed",
                required=True,
                field="outcome_type",
                vocabulary="outcome_type",
            ),
            Column("date", DATE, _("Date."), "2021-11-15", required=True, field="date"),
            Column("note", TEXT, _("Note."), "", field="note"),
        ),
    ),
)


def case_column() -> Column:
    """The case file's records name their case by its external id; they never open one."""
    return Column(
        "case", REFERENCE, _("External id of the case."), "C-0001", required=True, references="cases"
    )


CASE_FILE_TYPES: tuple[RecordType, ...] = (
    RecordType(
        "identifications",
        _("identifications"),
        _(
            "How the person of a case came to be known as a victim of trafficking: one identification per "
            "case. Its trafficking status must agree with the person's survivor status."
        ),
        "identification.CaseIdentification",
        (
            external_id("ID-001"),
            case_column(),
            Column(
                "status",
                CHOICE,
                _("Trafficking status."),
                "presumed",
                required=True,
                field="status",
                vocabulary="trafficking_status",
            ),
            Column(
                "decided_by",
                CHOICE,
                _("Who decided the trafficking status; required for an identified victim or a non-victim."),
                "",
                field="decided_by",
                vocabulary="decider",
            ),
            Column(
                "decided_on",
                DATE,
                _("Date the trafficking status was decided; not in the future."),
                "",
                field="decided_on",
            ),
            Column(
                "exploitation_types",
                CHOICES,
                _("Types of exploitation."),
                "forced_labour",
                field="exploitation_types",
                vocabulary="exploitation_type",
            ),
            Column(
                "labour_sector",
                CHOICE,
                _("Sector of forced labour; only with forced labour as a type of exploitation."),
                "",
                field="labour_sector",
                vocabulary="labour_sector",
            ),
            Column(
                "recruitment_countries",
                COUNTRIES,
                _("Countries of recruitment."),
                "RO",
                field="recruitment_countries",
            ),
            Column(
                "recruitment_locality",
                TEXT,
                _("Locality of recruitment (identifying; optional)."),
                "",
                field="recruitment_locality",
            ),
            Column(
                "exploitation_countries",
                COUNTRIES,
                _("Countries of exploitation."),
                "DE; NL",
                field="exploitation_countries",
            ),
            Column(
                "exploitation_locality",
                TEXT,
                _("Locality of exploitation (identifying; optional)."),
                "",
                field="exploitation_locality",
            ),
            Column(
                "recruitment_method",
                CHOICE,
                _("Method of recruitment."),
                "",
                field="recruitment_method",
                vocabulary="recruitment_method",
            ),
            Column(
                "recruiter_relationship",
                CHOICE,
                _("Relationship to the recruiter."),
                "",
                field="recruiter_relationship",
                vocabulary="recruiter_relationship",
            ),
            Column(
                "means_of_control",
                CHOICES,
                _("Means of control."),
                "",
                field="means_of_control",
                vocabulary="control_means",
            ),
            Column(
                "referral_source",
                CHOICE,
                _("Who referred the person in."),
                "",
                field="referral_source",
                vocabulary="referral_source",
            ),
            Column("account", TEXT, _("What happened (identifying; optional)."), "", field="account"),
        ),
    ),
    RecordType(
        "assessments",
        _("assessments"),
        _("Assessments of a case's risks and needs, dated inside the case's open period."),
        "casework.Assessment",
        (
            external_id("AS-001"),
            case_column(),
            Column("date", DATE, _("Date of the assessment."), "2021-08-05", required=True, field="date"),
            Column(
                "risk_level",
                CHOICE,
                _("Risk level."),
                "medium",
                required=True,
                field="risk_level",
                vocabulary="risk_level",
            ),
            Column(
                "safety_concerns",
                TEXT,
                _("Safety concerns (identifying; optional)."),
                "",
                field="safety_concerns",
            ),
            Column("needs", CHOICES, _("Areas of need."), "housing", field="needs", vocabulary="need_area"),
            Column("needs_note", TEXT, _("About the needs (identifying; optional)."), "", field="needs_note"),
        ),
    ),
    RecordType(
        "goals",
        _("goals"),
        _("Goals of a case's plan. List what is planned for each in the planned actions template."),
        "casework.Goal",
        (
            external_id("G-001"),
            case_column(),
            Column("text", TEXT, _("The goal (identifying)."), "Find paid work", required=True, field="text"),
            Column("status", CHOICE, _("Status."), "open", field="status", vocabulary="goal_status"),
        ),
    ),
    RecordType(
        "planned_actions",
        _("planned actions"),
        _("What is planned for a goal: a service, when it is due and who delivers it."),
        "casework.PlannedAction",
        (
            external_id("PA-001"),
            Column(
                "goal",
                REFERENCE,
                _("External id of the goal."),
                "G-001",
                required=True,
                references="goals",
            ),
            Column(
                "service_type",
                CHOICE,
                _("Service planned."),
                "vocational_training",
                required=True,
                field="service_type",
                vocabulary="service_type",
            ),
            Column("due", DATE, _("Due date."), "2021-10-01", field="due"),
            Column(
                "status", CHOICE, _("Status."), "planned", field="status", vocabulary="planned_action_status"
            ),
            Column(
                "partner",
                TEXT,
                _("External organisation that delivers it, as named in partner contacts; optional."),
                "",
            ),
        ),
    ),
    RecordType(
        "follow_ups",
        _("follow-ups"),
        _("What is to be done for a case and by when; a follow-up with a done date is done."),
        "casework.FollowUp",
        (
            external_id("F-001"),
            case_column(),
            Column(
                "what",
                TEXT,
                _("What is to be done (identifying)."),
                "Call the lawyer",
                required=True,
                field="what",
            ),
            Column(
                "due",
                DATE,
                _("Due date; not before the case opened."),
                "2021-08-20",
                required=True,
                field="due",
            ),
            Column("done", DATE, _("Date it was done, inside the case's open period."), "", field="done"),
        ),
    ),
    RecordType(
        "case_notes",
        _("case notes"),
        _("Notes of a case, dated inside the case's open period. The importing user is their author."),
        "casework.CaseNote",
        (
            external_id("N-001"),
            case_column(),
            Column("date", DATE, _("Date of the note."), "2021-08-05", required=True, field="date"),
            Column("text", TEXT, _("The note (identifying)."), "First meeting", required=True, field="text"),
        ),
    ),
)

CONSENTS = RecordType(
    "consents",
    _("consents"),
    _(
        "Consents your organisation recorded for its persons: to receive services, to share their case with "
        "one named organisation, to use their story. A referral needs the consent to share with the "
        "organisation it goes to."
    ),
    "privacy.Consent",
    (
        external_id("CON-001"),
        Column("person", REFERENCE, PERSON_REF, "P-0001", required=True, references="persons"),
        Column(
            "purpose",
            CHOICE,
            _("What the person agreed to."),
            "sharing",
            required=True,
            field="purpose",
            vocabulary="consent_purpose",
        ),
        Column(
            "shared_with",
            TEXT,
            _(
                "Only for sharing: the organisation of the programme the person agreed to share their case "
                "with, by its short name (slug) or its name."
            ),
            "ijm-ro",
        ),
        Column(
            "given_by",
            CHOICE,
            _("Who gave the consent; the person when left empty."),
            "person",
            field="given_by",
            vocabulary="consent_given_by",
        ),
        Column(
            "given_on", DATE, _("Date the consent was given."), "2021-08-03", required=True, field="given_on"
        ),
        Column("expires_on", DATE, _("The last day the consent holds, if it ends."), "", field="expires_on"),
        Column("withdrawn_on", DATE, _("Date it was withdrawn, if it was."), "", field="withdrawn_on"),
    ),
)

REFERRALS = RecordType(
    "referrals",
    _("referrals"),
    _(
        "Referrals your organisation sent to another organisation of the programme, with their answer. "
        "Import them before the receiving organisation imports its cases for the referred persons. Each "
        "needs the person's consent to share with exactly that organisation on the day it was sent."
    ),
    "referrals.Referral",
    (
        external_id("R-001"),
        Column(
            "case",
            REFERENCE,
            _("External id of your organisation's case that is referred."),
            "C-0001",
            required=True,
            references="cases",
        ),
        Column(
            "to_organisation",
            TEXT,
            _(
                "The organisation of the programme the case is referred to: its short name (slug) or its name."
            ),
            "ijm-ro",
            required=True,
        ),
        Column(
            "services",
            CHOICES,
            _("Services asked for."),
            "return_assistance; legal_support",
            required=True,
            field="services",
            vocabulary="service_type",
        ),
        Column(
            "reason",
            CHOICE,
            _("Why the case is referred."),
            "return",
            required=True,
            field="reason",
            vocabulary="referral_reason",
        ),
        Column(
            "urgency",
            CHOICE,
            _("Urgency; normal when left empty."),
            "normal",
            field="urgency",
            vocabulary="referral_urgency",
        ),
        Column("message", TEXT, _("Message to the receiving organisation."), "", field="message"),
        Column(
            "state",
            CHOICE,
            _("Where the referral stands; sent when left empty."),
            "completed",
            field="state",
            vocabulary="referral_state",
        ),
        Column(
            "sent_on", DATE, _("Date the referral was sent."), "2021-10-01", required=True, field="sent_on"
        ),
        Column(
            "answered_on",
            DATE,
            _("Date it was accepted or declined."),
            "2021-10-04",
            field="answered_on",
        ),
        Column(
            "decline_reason",
            TEXT,
            _("Why it was declined, if it was."),
            "",
            field="decline_reason",
        ),
        Column(
            "completed_on", DATE, _("Date it was completed, if it was."), "2021-11-30", field="completed_on"
        ),
        Column("withdrawn_on", DATE, _("Date it was withdrawn, if it was."), "", field="withdrawn_on"),
    ),
)

# Files are handled in this order. Consents come right after persons: a case opens only with the person's
# consent for services (or a reason why it could not be asked), and a referral with the consent to share.
# The case file follows its cases; referrals come last, after the cases they refer.
assert RECORD_TYPES[0].key == "persons"
RECORD_TYPES = (RECORD_TYPES[0], CONSENTS, *RECORD_TYPES[1:], *CASE_FILE_TYPES, REFERRALS)

TYPES: dict[str, RecordType] = {t.key: t for t in RECORD_TYPES}
# Files are validated and written in this order, so that every reference points backwards.
ORDER = {t.key: i for i, t in enumerate(RECORD_TYPES)}


def max_length(record_type: RecordType, column: Column) -> int | None:
    if column.name in ("external_organisation", "partner"):
        return 200
    if column.field is None:
        return None
    return getattr(record_type.model._meta.get_field(column.field), "max_length", None)


def year_maximum() -> int:
    return dt.date.today().year


def iter_columns() -> Iterator[tuple[RecordType, Column]]:
    for record_type in RECORD_TYPES:
        for column in record_type.columns:
            yield record_type, column


def quotable(record_type: RecordType | None, name: str | None) -> bool:
    """Whether an error may quote a cell of this column: only a known column that does not identify anyone.

    A column that fills an encrypted field (a name, a phone number, a note) identifies a person or a
    volunteer; a cell under no known column (no header, a misspelt one) may hold anything. The error still
    names the row and the column, which is what the user needs to find the cell."""
    if record_type is None or name is None or name not in record_type.names:
        return False
    column = record_type.column(name)
    if column.field is None:
        return True
    return not isinstance(record_type.model._meta.get_field(column.field), EncryptedMixin)


def letter(index: int) -> str:
    """The spreadsheet's name of the column at this 0-based position: A, B, …, Z, AA, …"""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name
