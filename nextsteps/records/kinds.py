"""The kinds of record staff work with in the app: how each is found, scoped and shown.

The access module decides rights per kind; the generic record views use the rest. A kind is
"person-level" when it identifies or describes a person: such records are visible only to roles that need
them, and every view of one is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RecordKind:
    key: str
    slug: str
    model_label: str
    label: str | Promise
    label_plural: str | Promise
    organisation_path: str = "organisation"
    programme_path: str | None = "programme"
    person_level: bool = False
    date_field: str | None = "date"
    type_field: str | None = None
    # A field with fixed choices (not a managed list) that the list filters by, as "kind".
    choice_field: str | None = None
    locality_field: str | None = None
    search_fields: tuple[str, ...] = ()
    list_columns: tuple[str, ...] = ()
    select_related: tuple[str, ...] = field(default_factory=tuple)

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.model_label)


KINDS: dict[str, RecordKind] = {
    k.key: k
    for k in [
        RecordKind(
            "person",
            "persons",
            "records.Person",
            _("person"),
            _("persons"),
            programme_path=None,
            person_level=True,
            date_field=None,
            search_fields=("code",),
            list_columns=("code", "sex", "birth_year", "survivor_status"),
            select_related=("organisation",),
        ),
        RecordKind(
            "household",
            "households",
            "records.Household",
            _("household"),
            _("households"),
            programme_path=None,
            person_level=True,
            date_field=None,
            locality_field="locality",
            search_fields=("code", "locality"),
            list_columns=("code", "locality"),
            select_related=("organisation",),
        ),
        RecordKind(
            "case",
            "cases",
            "records.Case",
            _("case"),
            _("cases"),
            person_level=True,
            date_field="opened",
            search_fields=("person__code",),
            list_columns=("person", "opened", "status"),
            select_related=("person", "organisation"),
        ),
        RecordKind(
            "service",
            "services",
            "records.ServiceDelivery",
            _("service delivery"),
            _("services"),
            organisation_path="case__organisation",
            programme_path="case__programme",
            person_level=True,
            type_field="service_type",
            search_fields=("case__person__code",),
            list_columns=("date", "service_type", "case"),
            select_related=("service_type", "case__person"),
        ),
        RecordKind(
            "outcome",
            "outcomes",
            "records.Outcome",
            _("outcome"),
            _("outcomes"),
            organisation_path="case__organisation",
            programme_path="case__programme",
            person_level=True,
            type_field="outcome_type",
            search_fields=("case__person__code",),
            list_columns=("date", "outcome_type", "case"),
            select_related=("outcome_type", "case__person"),
        ),
        RecordKind(
            "visit",
            "visits",
            "records.OutreachVisit",
            _("outreach visit"),
            _("outreach visits"),
            person_level=True,
            type_field="site_type",
            locality_field="locality",
            search_fields=("locality", "household__code"),
            list_columns=("date", "site_type", "locality", "household"),
            select_related=("site_type", "household", "organisation"),
        ),
        RecordKind(
            "activity",
            "activities",
            "records.Activity",
            _("activity"),
            _("activities"),
            type_field="activity_type",
            locality_field="locality",
            search_fields=("title", "locality"),
            list_columns=("date", "activity_type", "title", "locality", "attendance_total"),
            select_related=("activity_type", "organisation"),
        ),
        RecordKind(
            "volunteer",
            "volunteers",
            "records.Volunteer",
            _("volunteer"),
            _("volunteers"),
            person_level=True,
            date_field="signed_up",
            locality_field="locality",
            search_fields=("code", "locality"),
            choice_field="stage",
            list_columns=("code", "signed_up", "stage", "locality"),
            select_related=("organisation",),
        ),
        RecordKind(
            "campaign",
            "campaigns",
            "records.Campaign",
            _("campaign"),
            _("campaigns"),
            date_field="start",
            search_fields=("name",),
            list_columns=("name", "start", "end"),
        ),
        RecordKind(
            "distribution",
            "distributions",
            "records.Distribution",
            _("distribution"),
            _("distributions"),
            locality_field="locality",
            search_fields=("item", "recipient_group"),
            list_columns=("date", "item", "quantity", "campaign"),
            select_related=("campaign",),
        ),
        RecordKind(
            "partner_contact",
            "partners",
            "records.PartnerContact",
            _("partner contact"),
            _("partner contacts"),
            date_field="established",
            choice_field="kind",
            locality_field="locality",
            search_fields=("external_organisation__name",),
            list_columns=("established", "external_organisation", "kind", "status"),
            select_related=("external_organisation",),
        ),
        RecordKind(
            "milestone",
            "milestones",
            "programmes.Milestone",
            _("milestone"),
            _("milestones"),
            search_fields=("text_en", "text_nl", "text_ro"),
            list_columns=("date", "pillar", "organisation"),
            select_related=("pillar", "organisation"),
        ),
        RecordKind(
            "story",
            "stories",
            "records.Story",
            _("story"),
            _("stories"),
            person_level=True,
            search_fields=("person__code",),
            list_columns=("date", "person", "consent_to_publish"),
            select_related=("person",),
        ),
    ]
}


def follow(obj: Any, path: str) -> Any:
    """The record at the end of a kind's path (`case__organisation`) from one of its records."""
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def kind_of(instance: Model) -> str | None:
    """The key of the kind whose records `instance` is one of, or None for anything else."""
    return next((key for key, spec in KINDS.items() if spec.model is type(instance)), None)
