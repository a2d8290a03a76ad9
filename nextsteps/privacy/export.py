"""Everything held about one person, as a file they can read (GDPR right of access): JSON for machines,
HTML for people. Both come from the same data, collected in a fixed number of queries.

It holds the person's own details in clear text, their cases with services, outcomes, identification, case
file, with whom each was shared and the titles, kinds and file names of their attachments (not the files),
the households they belong to, the outreach visits they were reached on, stories about them, their consents,
and the audit trail of who did what with these records: which organisation, when, what action, which fields.
Staff are named by organisation, not by user name: the person is told who holds and uses their data, without
the file becoming a list of staff names that could be pressed out of them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nextsteps.attachments.models import Attachment
from nextsteps.audit.models import AuditEntry
from nextsteps.casework.export import case_files
from nextsteps.identification.export import identification_fields, identifications
from nextsteps.identification.models import CaseIdentification
from nextsteps.privacy.models import CaseShare, Consent, Erasure
from nextsteps.records.models import Case, Household, Outcome, Person, ServiceDelivery, Story, VisitPerson
from nextsteps.referrals.models import Referral

FORMATS = ("json", "html")
CONTENT_TYPES = {"json": "application/json", "html": "text/html; charset=utf-8"}

PERSON_FIELDS = (
    "code",
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "birth_year",
    "nationality",
    "survivor_status",
    "phone",
    "address",
    "identity_number",
    "external_id",
)


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _field(obj: Any, name: str) -> dict[str, Any]:
    """A field as label (in the export's language) and value (choices shown by their label)."""
    field = obj._meta.get_field(name)
    value = getattr(obj, f"get_{name}_display")() if getattr(field, "choices", None) else getattr(obj, name)
    return {"field": name, "label": str(field.verbose_name), "value": _iso(value)}


def person_data(person: Person, language: str) -> dict[str, Any]:
    with translation.override(language):
        return _collect(person, language)


def _collect(person: Person, language: str) -> dict[str, Any]:
    person = Person.objects.select_related("organisation").get(pk=person.pk)
    cases = list(
        Case.objects.filter(person=person).select_related(
            "programme", "organisation", "caseworker", "closure_reason"
        )
    )
    case_ids = [c.pk for c in cases]
    files = case_files(cases, language)
    services = list(
        ServiceDelivery.objects.filter(case__in=case_ids)
        .select_related("service_type")
        .order_by("date", "pk")
    )
    outcomes = list(
        Outcome.objects.filter(case__in=case_ids).select_related("outcome_type").order_by("date", "pk")
    )
    shares = list(CaseShare.objects.filter(case__in=case_ids).select_related("organisation"))
    # Listed by name and kind; the files themselves are downloaded from the case's attachments page.
    attachments = list(Attachment.objects.filter(case__in=case_ids).order_by("uploaded_at", "pk"))
    identified = {i.case_id: i for i in identifications(case_ids)}
    referrals = list(
        Referral.objects.filter(case__in=case_ids)
        .select_related("to_organisation")
        .prefetch_related("services")
        .order_by("sent_on", "pk")
    )
    households = list(Household.objects.filter(members=person).select_related("organisation"))
    reached = list(
        VisitPerson.objects.filter(person=person)
        .select_related("visit__site_type", "visit__organisation", "visit__household")
        .order_by("visit__date", "pk")
    )
    stories = list(Story.objects.filter(person=person).select_related("organisation").order_by("date", "pk"))
    consents = list(
        Consent.objects.filter(person=person)
        .select_related("shared_with", "organisation")
        .order_by("given_on")
    )
    erasure = Erasure.objects.filter(person=person).first()

    about = Q(model=Person._meta.label, object_pk=str(person.pk))
    for model, pks in (
        (Case, case_ids),
        (ServiceDelivery, [s.pk for s in services]),
        (Outcome, [o.pk for o in outcomes]),
        (CaseIdentification, [i.pk for i in identified.values()]),
        (Story, [s.pk for s in stories]),
        (Consent, [c.pk for c in consents]),
        (CaseShare, [s.pk for s in shares]),
        (Attachment, [a.pk for a in attachments]),
        (Referral, [r.pk for r in referrals]),
        (Erasure, [erasure.pk] if erasure else []),
    ):
        if pks:
            about |= Q(model=model._meta.label, object_pk__in=[str(pk) for pk in pks])
    audit = list(
        AuditEntry.objects.filter(about)
        .select_related("organisation", "acting_organisation")
        .order_by("at", "pk")
    )
    labels = {
        m._meta.label: str(m._meta.verbose_name)
        for m in (
            Person,
            Case,
            ServiceDelivery,
            Outcome,
            CaseIdentification,
            Story,
            Consent,
            CaseShare,
            Attachment,
            Referral,
            Erasure,
        )
    }

    def dated(items: list[Any], type_field: str) -> list[dict[str, Any]]:
        return [
            {"date": _iso(i.date), "type": getattr(i, type_field).label(language), "note": i.note}
            for i in items
        ]

    return {
        "title": _("Everything Next Steps holds about %(code)s") % {"code": person.code},
        "exported_at": _iso(timezone.now()),
        "language": language,
        "organisation": str(person.organisation),
        "person": [_field(person, name) for name in PERSON_FIELDS]
        + [
            {"field": "created_at", "label": _("recorded on"), "value": _iso(person.created_at)},
            {"field": "updated_at", "label": _("last changed on"), "value": _iso(person.updated_at)},
        ],
        "erasure": None
        if erasure is None
        else {"erased_at": _iso(erasure.erased_at), "reason": erasure.get_reason_display()},
        "cases": [
            {
                "programme": case.programme.name,
                "organisation": str(case.organisation),
                "opened": _iso(case.opened),
                "closed": _iso(case.closed),
                "status": case.get_status_display(),
                "services": dated([s for s in services if s.case_id == case.pk], "service_type"),
                "outcomes": dated([o for o in outcomes if o.case_id == case.pk], "outcome_type"),
                "identification": identification_fields(identified.get(case.pk), language),
                "shared_with": [
                    {"organisation": str(s.organisation), "shared_on": _iso(s.shared_on)}
                    for s in shares
                    if s.case_id == case.pk
                ],
                "attachments": [
                    {
                        "title": a.title,
                        "kind": a.get_kind_display(),
                        "file_name": a.file_name,
                        "file_type": a.get_content_type_display(),
                        "size": a.size,
                        "uploaded_at": _iso(a.uploaded_at),
                    }
                    for a in attachments
                    if a.case_id == case.pk
                ],
                # The case file (nextsteps/casework): assessments, plan, follow-ups and notes.
                **files[case.pk],
                "referrals": [
                    {
                        "organisation": str(r.to_organisation),
                        "services": [t.label(language) for t in r.services.all()],
                        "reason": r.get_reason_display(),
                        "urgency": r.get_urgency_display(),
                        "state": r.get_state_display(),
                        "sent_on": _iso(r.sent_on),
                        "answered_on": _iso(r.answered_on),
                        "completed_on": _iso(r.completed_on),
                        "withdrawn_on": _iso(r.withdrawn_on),
                        "message": r.message,
                        "decline_reason": r.decline_reason,
                    }
                    for r in referrals
                    if r.case_id == case.pk
                ],
            }
            for case in cases
        ],
        "households": [
            {"code": h.code, "locality": h.locality, "organisation": str(h.organisation)} for h in households
        ],
        "visits": [
            {
                "date": _iso(r.visit.date),
                "locality": r.visit.locality,
                "site_type": r.visit.site_type.label(language),
                "organisation": str(r.visit.organisation),
                "household": r.visit.household.code if r.visit.household else None,
            }
            for r in reached
        ],
        "stories": [
            {
                "date": _iso(s.date),
                "organisation": str(s.organisation),
                "published": s.consent_to_publish,
                "text_nl": s.text_nl,
                "text_en": s.text_en,
                "text_ro": s.text_ro,
            }
            for s in stories
        ],
        "consents": [
            {
                "purpose": c.get_purpose_display(),
                "shared_with": str(c.shared_with) if c.shared_with else None,
                "given_by": c.get_given_by_display(),
                "given_on": _iso(c.given_on),
                "expires_on": _iso(c.expires_on),
                "withdrawn_on": _iso(c.withdrawn_on),
                "recorded_by": str(c.organisation),
            }
            for c in consents
        ],
        "audit": [
            {
                "at": _iso(e.at),
                "action": e.get_action_display(),
                "record": labels.get(e.model, e.model),
                # Who acted: another organisation when a case was shared with it. Entries that do not say
                # (older ones, bulk imports) were written by the record's own organisation.
                "organisation": str(e.acting_organisation or e.organisation or _("the system")),
                "fields": e.fields,
            }
            for e in audit
        ],
    }


def render(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        with translation.override(data["language"]):
            return render_to_string("privacy/person_export.html", {"data": data})
    raise ValueError(fmt)
