"""The token's user, their programmes, the managed lists, and the figures: indicator values and the report.

Figures are programme-wide for every role that may read reports, as on the dashboard; viewers (donors,
board) only ever get the external audience (access.report_audiences).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema

from nextsteps.accounts import access
from nextsteps.api.auth import token_user
from nextsteps.api.errors import Error, invalid
from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.i18n import LANGUAGE_CODES
from nextsteps.identification import models as identification
from nextsteps.records import models as m
from nextsteps.reports import reported
from nextsteps.reports.builder import AUDIENCES, EXTERNAL, Report, build_report
from nextsteps.reports.render import to_data

SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,50}$"
ISO_DATE = ["%Y-%m-%d"]

router = Router()


# Who am I --------------------------------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    slug: str
    name: str


class MembershipOut(Schema):
    organisation: OrganisationOut
    role: str


class MeOut(Schema):
    id: int = Field(description="Your user id, as case files name authors and whoever a task is for.")
    username: str
    language: str
    memberships: list[MembershipOut]
    programmes: list[str] = Field(description="Slugs of your programmes.")
    report_audiences: list[str]


@router.get(
    "/me", response={200: MeOut, 401: Error}, operation_id="me", summary="The token's user", tags=["me"]
)
def me(request: HttpRequest) -> dict[str, Any]:
    user = token_user(request)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "language": user.language,
        "memberships": [
            {
                "organisation": {
                    "id": ms.organisation.pk,
                    "slug": ms.organisation.slug,
                    "name": ms.organisation.name,
                },
                "role": ms.role,
            }
            for ms in access.memberships(user)
        ],
        "programmes": [p.slug for p in access.programmes_for(user)],
        "report_audiences": access.report_audiences(user),
    }


# Programmes ------------------------------------------------------------------------------------------------


class PillarOut(Schema):
    number: int
    title: str


class ProgrammeOut(Schema):
    slug: str
    name: str
    start_date: dt.date
    countries: list[str]
    pillars: list[PillarOut]


@router.get(
    "/programmes",
    response={200: list[ProgrammeOut], 401: Error},
    operation_id="list_programmes",
    summary="Your programmes",
    tags=["figures"],
)
def programmes(request: HttpRequest) -> list[dict[str, Any]]:
    language = translation.get_language()
    return [
        {
            "slug": p.slug,
            "name": p.name,
            "start_date": p.start_date,
            "countries": [str(c) for c in p.countries],
            "pillars": [
                {"number": pillar.number, "title": pillar.title(language)} for pillar in p.pillars.all()
            ],
        }
        for p in access.programmes_for(token_user(request)).prefetch_related("pillars")
    ]


# Figures ---------------------------------------------------------------------------------------------------


class PeriodParams(forms.Form):
    date_from = forms.DateField(input_formats=ISO_DATE)
    date_to = forms.DateField(input_formats=ISO_DATE)
    audience = forms.ChoiceField(required=False)
    lang = forms.ChoiceField(required=False, choices=[(code, code) for code in LANGUAGE_CODES])

    def __init__(self, *args: Any, user: Any, with_language: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audiences = access.report_audiences(user)
        audience = self.fields["audience"]
        assert isinstance(audience, forms.ChoiceField)
        audience.choices = [(a, a) for a in AUDIENCES]
        if not with_language:
            del self.fields["lang"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The period ends before it starts."))
        # External unless the exact figures are asked for, as on the reports page; and an audience the user
        # may not have (a viewer asking for internal) falls back to external, never to more than is allowed.
        wanted = data.get("audience") or EXTERNAL
        data["audience"] = wanted if wanted in self.audiences else EXTERNAL
        return data


def period_report(request: HttpRequest, slug: str, *, with_language: bool) -> Report:
    user = token_user(request)
    access.require(access.has(user, access.REPORTS))
    programme = access.programme_or_404(user, slug)
    params = PeriodParams(request.GET, user=user, with_language=with_language)
    errors = {name: [str(msg) for msg in messages] for name, messages in params.errors.items()}
    for name in sorted(set(request.GET) - set(params.fields)):
        errors[name] = [_("There is no such parameter.")]
    if errors:
        raise invalid(errors, _("Some of the parameters are not valid."))
    data = params.cleaned_data
    language = data.get("lang") or translation.get_language() or "en"
    return build_report(programme, data["date_from"], data["date_to"], language, audience=data["audience"])


def period_parameters(*, with_language: bool) -> list[dict[str, Any]]:
    def query(name: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
        return {
            "name": name,
            "in": "query",
            "required": required,
            "schema": schema,
            "description": description,
        }

    params = [
        query("date_from", {"type": "string", "format": "date"}, "First day of the period.", True),
        query("date_to", {"type": "string", "format": "date"}, "Last day of the period (included).", True),
        query(
            "audience",
            {"type": "string", "enum": ["internal", "external"]},
            "external (the default: counts of people below the programme's small-number threshold are "
            "withheld) or internal (exact figures). Viewers only ever get external, whatever they ask for; "
            "the answer's `audience` says which one you got.",
        ),
    ]
    if with_language:
        params.append(
            query("lang", {"type": "string", "enum": list(LANGUAGE_CODES)}, "Language (default: yours).")
        )
    return params


Figure = int | float | str | None


class Cells(Schema):
    sex_age: dict[str, Figure]
    locality: dict[str, Figure]
    organisation: dict[str, Figure] = Field(description="By the slug of the organisation that recorded it.")


class TargetPeriod(Schema):
    start: dt.date
    end: dt.date


class IndicatorOut(Schema):
    code: str
    pillar: int
    title: str
    unit: str
    measure: str
    aggregatable_across_periods: bool
    value: Figure = Field(description="A number, or a phrase when the figure is withheld for this audience.")
    cells: Cells
    baseline: int | float | None
    target: int | float | None
    target_period: TargetPeriod | None = Field(
        None,
        description="Set when the target is of a longer period that contains the one asked for (a year's "
        "target for a quarter): the target then applies in full, not pro rata, and the status is "
        "in_progress until it is reached.",
    )
    percent_of_target: int | float | None = Field(description="None when withheld with the value.")
    status: str | None = Field(description="None when withheld with the value: it would give the value away.")


class PeriodOut(Schema):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    label: str


class ProgrammeRef(Schema):
    slug: str
    name: str


class IndicatorsOut(Schema):
    programme: ProgrammeRef
    period: PeriodOut
    audience: str = Field(description="internal or external: the figures you got.")
    audience_note: str = Field(description="Which audience the figures are for, in your language.")
    language: str
    indicators: list[IndicatorOut]


@router.get(
    "/programmes/{slug}/indicators",
    response={200: IndicatorsOut, 401: Error, 404: Error, 422: Error},
    operation_id="programme_indicators",
    summary="Indicator values for a period",
    description="Every indicator of the programme with its value, disaggregation cells, baseline, target, "
    "percent of target and status for the period.",
    tags=["figures"],
    by_alias=True,
    openapi_extra={"parameters": period_parameters(with_language=False)},
)
def indicators(request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN)) -> dict[str, Any]:
    data = to_data(period_report(request, slug, with_language=False))
    fields = ("programme", "period", "audience", "audience_note", "language", "indicators")
    return {name: data[name] for name in fields}


@router.get(
    "/programmes/{slug}/report",
    response={200: dict[str, Any], 401: Error, 404: Error, 422: Error},
    operation_id="programme_report",
    summary="The report for a period",
    description="The report as JSON, the same document as the reports page's JSON download: indicators, "
    "events, milestones, stories, offices. Each call is written to the audit trail as an export.",
    tags=["figures"],
    openapi_extra={"parameters": period_parameters(with_language=True)},
)
def report(request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN)) -> dict[str, Any]:
    built = period_report(request, slug, with_language=True)
    user = token_user(request)
    log(AuditEntry.Action.EXPORT, built.programme, user=user)
    reported.mark_reported(built.programme, built.start, built.end, built.audience, acting_user=user)
    return to_data(built)


# Managed lists ---------------------------------------------------------------------------------------------


class ListItem(Schema):
    id: int
    code: str
    label: str
    active: bool


class ExternalOrganisationOut(Schema):
    id: int
    name: str
    kind: str
    country: str


MANAGED_LISTS = {
    "service-types": m.ServiceType,
    "outcome-types": m.OutcomeType,
    "activity-types": m.ActivityType,
    "site-types": m.SiteType,
    "participant-groups": m.ParticipantGroup,
    # A case's identification (nextsteps/identification).
    "exploitation-types": identification.ExploitationType,
    "labour-sectors": identification.LabourSector,
    "recruitment-methods": identification.RecruitmentMethod,
    "recruiter-relationships": identification.RecruiterRelationship,
    "means-of-control": identification.ControlMeans,
    "referral-sources": identification.ReferralSource,
}


def add_list(slug: str, model: Any) -> None:
    def managed_list(request: HttpRequest) -> list[dict[str, Any]]:
        language = translation.get_language()
        return [
            {"id": item.pk, "code": item.code, "label": item.label(language), "active": item.active}
            for item in model.objects.all()
        ]

    router.add_api_operation(
        f"/lists/{slug}",
        ["GET"],
        managed_list,
        response={200: list[ListItem], 401: Error},
        operation_id=f"list_{slug.replace('-', '_')}",
        summary=f"The {slug.replace('-', ' ')}",
        description="Ids to use in records' fields, with labels in your language.",
        tags=["lists"],
        url_name=f"list-{slug}",
    )


for _slug, _model in MANAGED_LISTS.items():
    add_list(_slug, _model)


@router.get(
    "/lists/external-organisations",
    response={200: list[ExternalOrganisationOut], 401: Error},
    operation_id="list_external_organisations",
    summary="The external organisations",
    description="Ids to use in partner contacts.",
    tags=["lists"],
)
def external_organisations(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": o.pk, "name": o.name, "kind": o.kind, "country": o.country}
        for o in m.ExternalOrganisation.objects.all()
    ]
