"""A case's identification in a person's data-protection export (nextsteps/privacy/export.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from nextsteps.identification.models import CaseIdentification

LISTS = ("labour_sector", "recruitment_method", "recruiter_relationship", "referral_source")
MULTIPLE = ("exploitation_types", "means_of_control")
COUNTRIES = ("recruitment_countries", "exploitation_countries")


def identifications(case_ids: list[int]) -> QuerySet[CaseIdentification]:
    """The cases' identifications with everything the export shows, in a fixed number of queries."""
    return (
        CaseIdentification.objects.filter(case__in=case_ids)
        .select_related(*LISTS)
        .prefetch_related(*MULTIPLE)
        .order_by("pk")
    )


def identification_fields(identification: CaseIdentification | None, language: str) -> list[dict[str, Any]]:
    """Every field as label and value in the export's language (the caller sets it); empty without one."""
    if identification is None:
        return []
    fields: list[dict[str, Any]] = []
    for field in CaseIdentification._meta.get_fields():
        name = field.name
        # The version only counts edits (no lost updates): it says nothing about the person.
        if not getattr(field, "concrete", False) or name in (
            "id",
            "case",
            "created_at",
            "updated_at",
            "version",
        ):
            continue
        value: Any = getattr(identification, name)
        if name in ("status", "decided_by"):
            value = getattr(identification, f"get_{name}_display")()
        elif name in MULTIPLE:
            value = ", ".join(item.label(language) for item in value.all())
        elif name in LISTS:
            value = value.label(language) if value else ""
        elif name in COUNTRIES:
            value = ", ".join(str(country.name) for country in value)
        elif name == "decided_on":
            value = value.isoformat() if value else None
        fields.append({"field": name, "label": str(getattr(field, "verbose_name", name)), "value": value})
    return fields
