"""Writing an organisation's records of a programme as filled-in import templates, one file per record type.

Exported files import again as they are: into the same database they update the records (the exporter first
gives an external id to every record without one, so that rows and records stay paired), into another
database they recreate them. Names and phone numbers are left out unless asked for; their columns are then
absent, so importing the files back never clears them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat

from nextsteps.accounts import access
from nextsteps.audit.log import log_each
from nextsteps.audit.models import AuditEntry
from nextsteps.casework.models import Assessment, CaseNote, FollowUp, Goal, PlannedAction
from nextsteps.identification.models import CaseIdentification
from nextsteps.imports import columns as c
from nextsteps.imports import templates, vocabularies
from nextsteps.privacy.models import Consent
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records.models import (
    Activity,
    Campaign,
    Case,
    Distribution,
    Household,
    Outcome,
    OutreachVisit,
    PartnerContact,
    Person,
    ServiceDelivery,
    VisitPerson,
    Volunteer,
    VolunteerHours,
)
from nextsteps.referrals.models import Referral

IDENTIFYING = {"persons": ("given_name", "family_name", "phone"), "volunteers": ("name", "phone")}
CHUNK = 2000


@dataclass(frozen=True)
class Export:
    """How one record type is read back out: the records, and the value lookup of each column."""

    queryset: Callable[[Programme, Organisation], QuerySet[Any]]
    values: dict[str, str]  # column → lookup; columns not listed are written empty
    id_prefix: str | None = None
    # Many-to-many columns: column → (the link table, its column of this record, the lookup of the value).
    lists: dict[str, tuple[Callable[[], Any], str, str]] = field(default_factory=dict)


def _own(model: Any) -> Callable[[Programme, Organisation], QuerySet[Any]]:
    return lambda programme, organisation: model.objects.filter(
        programme=programme, organisation=organisation
    )


def _casework(model: Any) -> Callable[[Programme, Organisation], QuerySet[Any]]:
    return lambda programme, organisation: model.objects.filter(
        case__programme=programme, case__organisation=organisation
    )


# The referral a receiving organisation's case was opened on: the first, if the person was referred to it again.
first_referral = Referral.objects.filter(receiving_case=OuterRef("pk")).order_by("sent_on", "pk")


EXPORTS: dict[str, Export] = {
    "persons": Export(
        lambda programme, organisation: Person.objects.filter(organisation=organisation),
        {
            name: name
            for name in (
                "external_id",
                "code",
                "sex",
                "birth_date",
                "birth_year",
                "nationality",
                "survivor_status",
                "given_name",
                "family_name",
                "phone",
            )
        },
        "person-",
    ),
    "households": Export(
        lambda programme, organisation: Household.objects.filter(organisation=organisation),
        {"external_id": "external_id", "code": "code", "locality": "locality"},
        "household-",
    ),
    "household_members": Export(
        lambda programme, organisation: Household.members.through.objects.filter(
            household__organisation=organisation
        ),
        {"household": "household__external_id", "person": "person__external_id"},
    ),
    "cases": Export(
        # A case opened on a referral names the referral (the first, when the person was referred to the
        # organisation again), whose person is another organisation's.
        lambda programme, organisation: _own(Case)(programme, organisation).annotate(
            referral_key=Coalesce(
                Subquery(
                    first_referral.annotate(
                        key=Concat(F("from_organisation__slug"), Value("/"), F("external_id"))
                    ).values("key")[:1]
                ),
                Value(""),
            ),
            own_person=DbCase(When(Exists(first_referral), then=Value("")), default=F("person__external_id")),
        ),
        {
            "external_id": "external_id",
            "person": "own_person",
            "referral": "referral_key",
            "opened": "opened",
            "closed": "closed",
            "status": "status",
            "closure_reason": "closure_reason__code",
            "caseworker": "caseworker__username",
        },
        "case-",
    ),
    "campaigns": Export(
        _own(Campaign),
        {
            "slug": "slug",
            "name": "name",
            "start": "start",
            "end": "end",
            "purpose": "purpose",
            "kind": "kind__code",
        },
    ),
    "partner_contacts": Export(
        _own(PartnerContact),
        {
            "external_id": "external_id",
            "external_organisation": "external_organisation__name",
            "kind": "kind",
            "established": "established",
            "status": "status",
            "locality": "locality",
            "note": "note",
            "country": "external_organisation__country",
        },
        "partner-contact-",
    ),
    "outreach_visits": Export(
        _own(OutreachVisit),
        {
            "external_id": "external_id",
            "date": "date",
            "locality": "locality",
            "site_type": "site_type__code",
            "household": "household__external_id",
        },
        "visit-",
    ),
    "visit_persons": Export(
        lambda programme, organisation: VisitPerson.objects.filter(
            visit__programme=programme, visit__organisation=organisation
        ),
        {"visit": "visit__external_id", "person": "person__external_id"},
    ),
    "activities": Export(
        _own(Activity),
        {
            "external_id": "external_id",
            "activity_type": "activity_type__code",
            "title": "title",
            "date": "date",
            "locality": "locality",
            "attendance_total": "attendance_total",
            "attendance_women": "attendance_women",
            "attendance_girls": "attendance_girls",
            "attendance_men": "attendance_men",
            "attendance_boys": "attendance_boys",
            "pillar": "pillar__number",
        },
        "activity-",
        {
            "participant_groups": (
                lambda: Activity.participant_groups.through,
                "activity_id",
                "participantgroup__code",
            ),
            "participating_organisations": (
                lambda: Activity.participating_organisations.through,
                "activity_id",
                "externalorganisation__name",
            ),
        },
    ),
    "volunteers": Export(
        _own(Volunteer),
        {
            "external_id": "external_id",
            "code": "code",
            "signed_up": "signed_up",
            "status": "stage",
            "references_checked": "references_checked",
            "certificate_checked": "certificate_checked",
            "safeguarding_signed": "safeguarding_signed",
            "confidentiality_signed": "confidentiality_signed",
            "training_sessions": "training_sessions",
            "last_training": "last_training",
            "campaign": "campaign__slug",
            "locality": "locality",
            "name": "name",
            "phone": "phone",
        },
        "volunteer-",
    ),
    "volunteer_hours": Export(
        lambda programme, organisation: VolunteerHours.objects.filter(
            volunteer__programme=programme, volunteer__organisation=organisation
        ),
        # The volunteers' file, exported first, gives every volunteer an external id.
        {"volunteer": "volunteer__external_id", "month": "month", "hours": "hours"},
    ),
    "distributions": Export(
        _own(Distribution),
        {
            "external_id": "external_id",
            "date": "date",
            "item": "item",
            "quantity": "quantity",
            "recipient_group": "recipient_group",
            "locality": "locality",
            "campaign": "campaign__slug",
        },
        "distribution-",
    ),
    "services": Export(
        _casework(ServiceDelivery),
        {
            "external_id": "external_id",
            "case": "case__external_id",
            "service_type": "service_type__code",
            "date": "date",
            "note": "note",
        },
        "service-",
    ),
    "outcomes": Export(
        _casework(Outcome),
        {
            "external_id": "external_id",
            "case": "case__external_id",
            "outcome_type": "outcome_type__code",
            "date": "date",
            "note": "note",
        },
        "outcome-",
    ),
    "identifications": Export(
        _casework(CaseIdentification),
        {
            "external_id": "external_id",
            "case": "case__external_id",
            "status": "status",
            "decided_by": "decided_by",
            "decided_on": "decided_on",
            "labour_sector": "labour_sector__code",
            "recruitment_countries": "recruitment_countries",
            "recruitment_locality": "recruitment_locality",
            "exploitation_countries": "exploitation_countries",
            "exploitation_locality": "exploitation_locality",
            "recruitment_method": "recruitment_method__code",
            "recruiter_relationship": "recruiter_relationship__code",
            "referral_source": "referral_source__code",
            "account": "account",
        },
        "identification-",
        {
            "exploitation_types": (
                lambda: CaseIdentification.exploitation_types.through,
                "caseidentification_id",
                "exploitationtype__code",
            ),
            "means_of_control": (
                lambda: CaseIdentification.means_of_control.through,
                "caseidentification_id",
                "controlmeans__code",
            ),
        },
    ),
    "assessments": Export(
        _casework(Assessment),
        {
            "external_id": "external_id",
            "case": "case__external_id",
            "date": "date",
            "risk_level": "risk_level",
            "safety_concerns": "safety_concerns",
            "needs_note": "needs_note",
        },
        "assessment-",
        {"needs": (lambda: Assessment.needs.through, "assessment_id", "needarea__code")},
    ),
    "goals": Export(
        _casework(Goal),
        {"external_id": "external_id", "case": "case__external_id", "text": "text", "status": "status"},
        "goal-",
    ),
    "planned_actions": Export(
        lambda programme, organisation: PlannedAction.objects.filter(
            goal__case__programme=programme, goal__case__organisation=organisation
        ),
        {
            "external_id": "external_id",
            "goal": "goal__external_id",
            "service_type": "service_type__code",
            "due": "due",
            "status": "status",
            "partner": "partner__name",
        },
        "planned-action-",
    ),
    "follow_ups": Export(
        _casework(FollowUp),
        {
            "external_id": "external_id",
            "case": "case__external_id",
            "what": "what",
            "due": "due",
            "done": "done",
        },
        "follow-up-",
    ),
    "case_notes": Export(
        _casework(CaseNote),
        {"external_id": "external_id", "case": "case__external_id", "date": "date", "text": "text"},
        "note-",
    ),
}

EXPORTS["consents"] = Export(
    # A consent belongs to the person's organisation, whatever the programme.
    lambda programme, organisation: Consent.objects.filter(organisation=organisation),
    {name: name for name in ("external_id", "purpose", "given_by", "given_on", "expires_on", "withdrawn_on")}
    | {"person": "person__external_id", "shared_with": "shared_with__slug"},
    "consent-",
)
EXPORTS["referrals"] = Export(
    lambda programme, organisation: Referral.objects.filter(
        case__programme=programme, from_organisation=organisation
    ),
    {
        name: name
        for name in (
            "external_id",
            "reason",
            "urgency",
            "message",
            "state",
            "sent_on",
            "answered_on",
            "decline_reason",
            "completed_on",
            "withdrawn_on",
        )
    }
    | {"case": "case__external_id", "to_organisation": "to_organisation__slug"},
    "referral-",
    {"services": (lambda: Referral.services.through, "referral_id", "servicetype__code")},
)


def _cell(value: Any) -> Any:
    # Dates stay dates: a workbook gets date cells, a CSV file their ISO form (str() of a date).
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        # Several countries: the codes, as the import reads them.
        return "; ".join(str(getattr(item, "code", item)) for item in value)
    return value


def header(type_key: str, include_identifying: bool) -> list[str]:
    hidden = () if include_identifying else IDENTIFYING.get(type_key, ())
    return [name for name in c.TYPES[type_key].names if name not in hidden]


def rows(
    type_key: str,
    programme: Programme,
    organisation: Organisation,
    names: Sequence[str],
    upto: int | None = None,
) -> Iterator[list[Any]]:
    """The file's rows; `upto` leaves out records added after the export was audited (keys only grow)."""
    spec = EXPORTS[type_key]
    lookups = [spec.values[name] for name in names if name in spec.values]
    queryset = spec.queryset(programme, organisation)
    if upto is not None:
        queryset = queryset.filter(pk__lte=upto)
    queryset = queryset.order_by("pk").values_list("pk", *lookups)
    if not spec.lists:
        for _pk, *values in queryset.iterator(chunk_size=CHUNK):
            found = dict(zip([n for n in names if n in spec.values], values, strict=True))
            yield [_cell(found.get(name)) for name in names]
        return
    chunk: list[tuple[Any, ...]] = []
    for record in queryset.iterator(chunk_size=CHUNK):
        chunk.append(record)
        if len(chunk) >= CHUNK:
            yield from _list_rows(chunk, names, spec)
            chunk = []
    yield from _list_rows(chunk, names, spec)


def _list_rows(chunk: list[tuple[Any, ...]], names: Sequence[str], spec: Export) -> Iterator[list[Any]]:
    """Rows of records with many-to-many columns: each list read once for a chunk of records."""
    pks = [record[0] for record in chunk]
    lists: dict[str, dict[int, list[str]]] = {}
    for name, (through, owner, lookup) in spec.lists.items():
        found: dict[int, list[str]] = defaultdict(list)
        for record, value in (
            through()
            ._default_manager.filter(**{f"{owner}__in": pks})
            .order_by(lookup)
            .values_list(owner, lookup)
        ):
            found[record].append(value)
        lists[name] = found
    plain = [n for n in names if n in spec.values]
    for pk, *values in chunk:
        found_values = dict(zip(plain, values, strict=True))
        for name in spec.lists:
            found_values[name] = "; ".join(lists[name].get(pk, []))
        yield [_cell(found_values.get(name)) for name in names]


# The record kinds (records/kinds.py) whose records each file shows: a user who acts for the export must
# be able to read them all in the organisation, as on the pages (accounts/access.py).
KINDS_READ: dict[str, tuple[str, ...]] = {
    "persons": ("person",),
    "households": ("household",),
    "household_members": ("household", "person"),
    "cases": ("case",),
    "campaigns": ("campaign",),
    "partner_contacts": ("partner_contact",),
    "outreach_visits": ("visit",),
    "visit_persons": ("visit", "person"),
    "activities": ("activity",),
    "volunteers": ("volunteer",),
    "volunteer_hours": ("volunteer",),
    "distributions": ("distribution",),
    "services": ("service",),
    "outcomes": ("outcome",),
    # The case file is read by those who read cases, in the case's own organisation (accounts/access.py).
    "identifications": ("case",),
    "assessments": ("case",),
    "goals": ("case",),
    "planned_actions": ("case",),
    "follow_ups": ("case",),
    "case_notes": ("case",),
    "referrals": ("case",),
    "consents": ("person",),
}


def readable_types(user: Any, organisation: Organisation) -> list[str]:
    """The files the user may take out of the organisation: every type when the system itself exports
    (no user: an operator's command, audited as such), else those whose records the user may read."""
    if user is None:
        return [t.key for t in c.RECORD_TYPES]
    return [
        t.key
        for t in c.RECORD_TYPES
        if all(access.can(user, kind, access.VIEW, organisation.pk) for kind in KINDS_READ[t.key])
    ]


def assign_ids(
    programme: Programme,
    organisation: Organisation,
    acting_user: Any = None,
    types: Iterable[str] | None = None,
) -> int:
    """Give each exported record without an external id one, through the actions layer (audited)."""
    assigned = 0
    for key in types if types is not None else EXPORTS:
        spec = EXPORTS[key]
        if spec.id_prefix:
            assigned += actions.assign_missing_external_ids(
                spec.queryset(programme, organisation),
                acting_user=acting_user,
                organisation=organisation,
                prefix=spec.id_prefix,
            )
    if types is None or "cases" in types:
        assigned += _name_received_referrals(programme, organisation, acting_user)
    return assigned


def _name_received_referrals(programme: Programme, organisation: Organisation, acting_user: Any) -> int:
    """A case opened on a referral names it by the sender's external id for it: referrals without one get
    it now, as the sender's own export would give them, even when the receiver's folder is written first."""
    received = Referral.objects.filter(
        case__programme=programme, to_organisation=organisation, receiving_case__isnull=False, external_id=""
    )
    assigned = 0
    for sender in Organisation.objects.filter(pk__in=received.values("from_organisation")):
        assigned += actions.assign_missing_external_ids(
            received.filter(from_organisation=sender),
            acting_user=acting_user,
            organisation=sender,
            prefix=EXPORTS["referrals"].id_prefix or "",
        )
    return assigned


def export_records(
    programme: Programme,
    organisation: Organisation,
    directory: Path,
    *,
    fmt: str = "csv",
    include_identifying: bool = False,
    acting_user: Any = None,
    lang: str = "en",
) -> dict[str, int]:
    """Write one file per record type that has records (and that `acting_user` may read); returns the
    number of rows of each file."""
    types = readable_types(acting_user, organisation)
    directory.mkdir(parents=True, exist_ok=True)
    assign_ids(programme, organisation, acting_user, types)
    lists = vocabularies.load(programme) if fmt == "xlsx" else None
    written: dict[str, int] = {}
    for record_type in c.RECORD_TYPES:
        if record_type.key not in types:
            continue
        names = header(record_type.key, include_identifying)
        if not EXPORTS[record_type.key].queryset(programme, organisation).exists():
            continue
        # The audit trail first: an export is never unaudited, even one whose file could not be written.
        upto = _audit_export(record_type.key, programme, organisation, names, acting_user)
        path = directory / f"{record_type.key}.{fmt}"
        count = templates.write_file(
            path,
            record_type,
            rows(record_type.key, programme, organisation, names, upto),
            header=names,
            fmt=fmt,
            vocabularies=lists,
            lang=lang,
        )
        written[record_type.key] = count
    return written


CASE_FILE_FILES = ("identifications", "assessments", "goals", "planned_actions", "follow_ups", "case_notes")
# Files whose rows are the person-level records themselves (not links between them): each exported record
# gets its own entry, so that a person's, household's or case's trail shows that it left the application.
PERSON_LEVEL_FILES = {
    "persons",
    "households",
    "cases",
    "outreach_visits",
    "volunteers",
    "services",
    "outcomes",
    *CASE_FILE_FILES,
    "referrals",
    "consents",
}


def _audit_export(
    type_key: str, programme: Programme, organisation: Organisation, names: Sequence[str], acting_user: Any
) -> int | None:
    """Which columns of which records leave the application, and who takes them. Returns the largest key
    audited, so that the file holds no record added since (None: the file is audited as a whole)."""
    model = c.TYPES[type_key].model
    if type_key not in PERSON_LEVEL_FILES:
        AuditEntry.objects.create(
            action=AuditEntry.Action.EXPORT,
            model=model._meta.label,
            object_pk="*",
            user=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            organisation=organisation,
            fields=sorted(names),
        )
        return None
    return (
        log_each(
            EXPORTS[type_key].queryset(programme, organisation),
            AuditEntry.Action.EXPORT,
            user=acting_user,
            organisation=organisation,
            fields=names,
        )
        or 0
    )


ORDER_FILE = "import-order.txt"


def import_order(programme: Programme, slugs: Sequence[str]) -> list[str]:
    """The organisations' folders in the order to import them: an organisation that sent referrals before
    the ones that opened cases on them (a receiving case names its referral, which must be there first);
    otherwise by slug. Organisations that referred to each other both ways come last, by slug."""
    before: dict[str, set[str]] = {slug: set() for slug in slugs}
    for sender, receiver in (
        Referral.objects.filter(case__programme=programme, receiving_case__isnull=False)
        .order_by()
        .values_list("from_organisation__slug", "to_organisation__slug")
        .distinct()
    ):
        if sender in before and receiver in before:
            before[receiver].add(sender)
    order: list[str] = []
    waiting = sorted(slugs)
    while waiting:
        ready = [slug for slug in waiting if before[slug] <= set(order)]
        if not ready:
            order += waiting
            break
        order.append(ready[0])
        waiting.remove(ready[0])
    return order
