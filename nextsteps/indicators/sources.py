"""The records an indicator can count, and the filters each kind of record allows.

An indicator's counting rule is data (a source key, a measure and a dict of filters, stored with the
indicator). This registry is the one place that knows how those words map onto the record tables, so
adding an indicator never needs code; adding a new kind of record needs one entry here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model, Q, QuerySet, SlugField
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SURVIVOR_STATUSES = ["presumed", "identified"]


@dataclass(frozen=True)
class Filter:
    """A filter key of a rule: `path` is the lookup it constrains; values are lists, except for `survivor`."""

    path: str
    boolean: bool = False
    # For a form, where the field's own name says too little (a referral's "to").
    label_text: str | Promise | None = None

    def problems(self, name: str, value: Any, model: type[Model]) -> list[str]:
        """What is wrong with a rule's value for this filter, as sentences for the person who wrote it."""
        if self.boolean:
            if isinstance(value, bool):
                return []
            # Not truthiness: "no" is a non-empty string, and would count the survivors.
            return [
                gettext("The filter “%(name)s” takes true or false, not %(value)s.")
                % {"name": name, "value": json.dumps(value, ensure_ascii=False)}
            ]
        values = value if isinstance(value, list | tuple) else [value]
        if not values or not all(isinstance(v, str) and v for v in values):
            return [
                gettext("The filter “%(name)s” takes a text or a list of texts, not %(value)s.")
                % {"name": name, "value": json.dumps(value, ensure_ascii=False)}
            ]
        known = self.known_values(model)
        unknown = [v for v in values if known is not None and v not in known]
        if unknown:
            return [
                gettext("The filter “%(name)s” has no value %(values)s; choose from %(known)s.")
                % {
                    "name": name,
                    "values": ", ".join(f"“{v}”" for v in unknown),
                    "known": ", ".join(sorted(known or ())) or "–",
                }
            ]
        return []

    def _walk(self, model: type[Model]) -> tuple[list[Any], type[Model]]:
        """The fields along the filter's path, and the model of its last field (empty when it is wrong)."""
        fields: list[Any] = []
        for part in self.path.split("__"):
            if fields and fields[-1].related_model is not None:
                model = fields[-1].related_model
            try:
                fields.append(model._meta.get_field(part))
            except FieldDoesNotExist:
                return [], model
        return fields, model

    def label(self, name: str, model: type[Model]) -> str:
        """What the filter constrains, for a form: the name of the field that carries its meaning (a
        service's type, a case's organisation), not of the code or slug it is matched by."""
        if self.label_text is not None:
            return str(self.label_text)
        fields, _last = self._walk(model)
        named = [f for f in fields if isinstance(f, Field) and f.name not in {"code", "slug"}]
        return str(named[-1].verbose_name) if named else name

    def choices(self, model: type[Model], programme_id: int) -> list[tuple[str, str]] | None:
        """The values a form offers for this filter, with labels in the reader's language, or None where it
        is free text. The same values known_values() accepts, except that an organisation or a campaign is
        one of the programme's: others would count nothing here."""
        fields, last_model = self._walk(model)
        field = fields[-1] if fields else None
        if self.boolean or not isinstance(field, Field):
            return None
        if field.choices:
            return [(str(key), str(label)) for key, label in field.flatchoices]
        entries = last_model._default_manager.all()
        if last_model._meta.label == "programmes.Organisation":
            entries = entries.filter(programmes=programme_id)
        elif isinstance(field, SlugField) and any(f.name == "programme" for f in last_model._meta.fields):
            # A campaign's slug is unique only within its programme.
            entries = entries.filter(programme=programme_id)
        elif not field.unique or field.primary_key:
            return None
        return [
            (str(getattr(entry, field.name)), entry.label() if hasattr(entry, "label") else str(entry))
            for entry in entries
        ]

    def known_values(self, model: type[Model]) -> set[str] | None:
        """The values the filtered field can hold, or None where it is free text (a locality, an item).

        A field with choices holds one of them; a unique code or slug (a managed list's entry, an
        organisation) holds one that exists. Anything else matches whatever staff typed, so any value may
        match. A value outside these would silently count nothing.
        """
        fields, model = self._walk(model)
        field = fields[-1] if fields else None
        if not isinstance(field, Field):
            return None
        if field.choices:
            return {str(key) for key, _label in field.flatchoices}
        if field.unique and not field.primary_key:
            return {str(v) for v in model._default_manager.values_list(field.name, flat=True)}
        return None

    def q(self, value: Any) -> Q:
        if self.boolean:
            # Only the survivor flag is boolean: it stands for "identified or presumed".
            return Q(**{f"{self.path}__in": SURVIVOR_STATUSES}) if value else Q(**{self.path: "no"})
        values = value if isinstance(value, list | tuple) else [value]
        return Q(**{f"{self.path}__in": [str(v) for v in values]})


@dataclass(frozen=True)
class ManyFilter(Filter):
    """A filter through a many-to-many field (an identification's types of exploitation): matched in a
    subquery, so that a record with two matching values is still counted once."""

    model_label: str = ""

    def q(self, value: Any) -> Q:
        values = value if isinstance(value, list | tuple) else [value]
        matching = apps.get_model(self.model_label)._default_manager.filter(
            **{f"{self.path}__in": [str(v) for v in values]}
        )
        return Q(pk__in=matching.values("pk"))


@dataclass(frozen=True)
class FormerStatusFilter(Filter):
    """A volunteer's status as rules wrote it before the pipeline had stages: "inactive" is now "paused",
    and "active" and "left" are stages of the same name."""

    FORMER = {"inactive": "paused"}

    def known_values(self, model: type[Model]) -> set[str] | None:
        return (super().known_values(model) or set()) | set(self.FORMER)

    def q(self, value: Any) -> Q:
        values = value if isinstance(value, list | tuple) else [value]
        return super().q([self.FORMER.get(str(v), str(v)) for v in values])


@dataclass(frozen=True)
class Source:
    key: str
    label: str | Promise
    model_label: str
    date: str
    programme: str
    organisation: str
    person: str | None = None
    household: str | None = None
    locality: str | None = None
    quantity: str | None = None
    # Activities carry their own attendance breakdown by sex and age group.
    attendance_cells: Mapping[str, str] = field(default_factory=dict)
    filters: Mapping[str, Filter] = field(default_factory=dict)

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.model_label)

    def measures(self) -> list[str]:
        allowed = ["records"]
        if self.person:
            allowed.append("distinct_persons")
        if self.household:
            allowed.append("distinct_households")
        if self.quantity:
            allowed.append("sum")
        return allowed

    def filter_problems(self, filters: Mapping[str, Any]) -> list[str]:
        """What is wrong with the values of a rule's known filters (unknown names are the caller's)."""
        return [
            problem
            for name, value in sorted(filters.items())
            if name in self.filters
            for problem in self.filters[name].problems(name, value, self.model)
        ]

    def queryset(self, programme_id: int, start: Any, end: Any, filters: Mapping[str, Any]) -> QuerySet[Any]:
        qs = self.model._default_manager.filter(
            **{self.programme: programme_id, f"{self.date}__gte": start, f"{self.date}__lte": end}
        )
        for key, value in filters.items():
            qs = qs.filter(self.filters[key].q(value))
        return qs


def _person_filters(person: str) -> dict[str, Filter]:
    return {
        "survivor": Filter(f"{person}__survivor_status", boolean=True),
        "sex": Filter(f"{person}__sex"),
    }


SOURCES: dict[str, Source] = {
    source.key: source
    for source in [
        Source(
            key="services",
            label=_("services delivered"),
            model_label="records.ServiceDelivery",
            date="date",
            programme="case__programme",
            organisation="case__organisation",
            person="case__person",
            filters={
                "type": Filter("service_type__code"),
                "organisation": Filter("case__organisation__slug"),
                **_person_filters("case__person"),
            },
        ),
        Source(
            key="outcomes",
            label=_("outcomes"),
            model_label="records.Outcome",
            date="date",
            programme="case__programme",
            organisation="case__organisation",
            person="case__person",
            filters={
                "type": Filter("outcome_type__code"),
                "organisation": Filter("case__organisation__slug"),
                **_person_filters("case__person"),
            },
        ),
        Source(
            key="visits",
            label=_("outreach visits"),
            model_label="records.OutreachVisit",
            date="date",
            programme="programme",
            organisation="organisation",
            household="household",
            locality="locality",
            filters={
                "site_type": Filter("site_type__code"),
                "locality": Filter("locality"),
                "organisation": Filter("organisation__slug"),
            },
        ),
        Source(
            key="persons_reached",
            label=_("persons reached on outreach visits"),
            model_label="records.VisitPerson",
            date="visit__date",
            programme="visit__programme",
            organisation="visit__organisation",
            person="person",
            household="visit__household",
            locality="visit__locality",
            filters={
                "site_type": Filter("visit__site_type__code"),
                "locality": Filter("visit__locality"),
                "organisation": Filter("visit__organisation__slug"),
                **_person_filters("person"),
            },
        ),
        Source(
            key="activities",
            label=_("activities and events"),
            model_label="records.Activity",
            date="date",
            programme="programme",
            organisation="organisation",
            locality="locality",
            quantity="attendance_total",
            attendance_cells={
                "woman": "attendance_women",
                "girl": "attendance_girls",
                "man": "attendance_men",
                "boy": "attendance_boys",
            },
            filters={
                "type": Filter("activity_type__code"),
                "locality": Filter("locality"),
                "organisation": Filter("organisation__slug"),
            },
        ),
        Source(
            key="volunteers",
            label=_("volunteer sign-ups"),
            model_label="records.Volunteer",
            date="signed_up",
            programme="programme",
            organisation="organisation",
            locality="locality",
            filters={
                # A stage of the pipeline (applied, screening, training, active, paused, left).
                "stage": Filter("stage"),
                "status": FormerStatusFilter("stage"),
                "campaign": Filter("campaign__slug"),
                # Every campaign of a kind (the yearly Christmas campaign), whichever year it runs.
                "campaign_kind": Filter("campaign__kind__code"),
                "locality": Filter("locality"),
                "organisation": Filter("organisation__slug"),
            },
        ),
        # Hours volunteers gave, one figure per volunteer and month, dated by the month's first day: a period
        # counts the months that start in it. Summed ("sum"), or counted as volunteer-months ("records").
        Source(
            key="volunteer_hours",
            label=_("volunteer hours"),
            model_label="records.VolunteerHours",
            date="month",
            programme="volunteer__programme",
            organisation="volunteer__organisation",
            locality="volunteer__locality",
            quantity="hours",
            filters={
                "stage": Filter("volunteer__stage"),
                "campaign": Filter("volunteer__campaign__slug"),
                "campaign_kind": Filter("volunteer__campaign__kind__code"),
                "locality": Filter("volunteer__locality"),
                "organisation": Filter("volunteer__organisation__slug"),
            },
        ),
        Source(
            key="distributions",
            label=_("distributions"),
            model_label="records.Distribution",
            date="date",
            programme="programme",
            organisation="organisation",
            locality="locality",
            quantity="quantity",
            filters={
                "campaign": Filter("campaign__slug"),
                # Every campaign of a kind (the yearly Christmas campaign), whichever year it runs.
                "campaign_kind": Filter("campaign__kind__code"),
                "item": Filter("item"),
                "recipient_group": Filter("recipient_group"),
                "locality": Filter("locality"),
                "organisation": Filter("organisation__slug"),
            },
        ),
        Source(
            key="partner_contacts",
            label=_("partner contacts"),
            model_label="records.PartnerContact",
            date="established",
            programme="programme",
            organisation="organisation",
            locality="locality",
            filters={
                "kind": Filter("kind"),
                "status": Filter("status"),
                "locality": Filter("locality"),
                "organisation": Filter("organisation__slug"),
            },
        ),
        # Dated by the decision: a presumption without a date is not counted until it has one.
        Source(
            key="identifications",
            label=_("identifications of victims of trafficking"),
            model_label="identification.CaseIdentification",
            date="decided_on",
            programme="case__programme",
            organisation="case__organisation",
            person="case__person",
            filters={
                "status": Filter("status"),
                "decided_by": Filter("decided_by"),
                "exploitation": ManyFilter(
                    "exploitation_types__code", model_label="identification.CaseIdentification"
                ),
                "labour_sector": Filter("labour_sector__code"),
                "referral_source": Filter("referral_source__code"),
                "organisation": Filter("case__organisation__slug"),
                **_person_filters("case__person"),
            },
        ),
        # Referrals between organisations, counted for the sending organisation on the day they were sent.
        # "state" is where a referral stands now: those accepted at some time are ["accepted", "completed"].
        # Services delivered on a referral are services of the receiving organisation (above).
        Source(
            key="referrals",
            label=_("referrals between organisations"),
            model_label="referrals.Referral",
            date="sent_on",
            programme="case__programme",
            organisation="from_organisation",
            person="case__person",
            filters={
                "state": Filter("state"),
                "urgency": Filter("urgency"),
                "reason": Filter("reason"),
                "organisation": Filter("from_organisation__slug", label_text=_("sending organisation")),
                "to": Filter("to_organisation__slug", label_text=_("receiving organisation")),
                **_person_filters("case__person"),
            },
        ),
    ]
}

SOURCE_CHOICES: list[tuple[str, Any]] = [(s.key, s.label) for s in SOURCES.values()]
