"""Every URL of the app, for every demo persona: who gets the page and who gets 404.

The matrix is written out by hand on purpose: it is the specification the access module must meet. A URL
added to the app without a row here fails `test_every_url_is_in_the_matrix`. The Django admin is left out:
it is for set-up, guarded by Django's own staff check, and only the administrator persona is staff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db.models import Model
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.urls.resolvers import RegexPattern

from nextsteps.accounts.models import Membership, User
from nextsteps.attachments.models import Attachment
from nextsteps.audit.log import data_version
from nextsteps.audit.models import AuditEntry
from nextsteps.casework.models import Assessment, CaseNote, FollowUp, Goal, PlannedAction
from nextsteps.imports.models import ImportJob
from nextsteps.indicators.models import Indicator, ManualValue, Target
from nextsteps.privacy.models import Consent
from nextsteps.programmes.models import Milestone, Organisation, PeriodNarrative, Programme
from nextsteps.records import models as m
from nextsteps.records.kinds import KINDS
from tests import factories

PERSONAS = [
    "coordinator",
    "caseworker.sa",
    "caseworker.ijm",
    "outreach.sa",
    "volunteers.dorcas",
    "prevention.dorcas",
    "dpo",
    "viewer",
    "admin",
]
EVERYONE = set(PERSONAS)
STAFF_ROLES = EVERYONE  # every persona may read the dashboard and reports

# Which object of the demo each record URL is tried on (its organisation decides who may see it).
OBJECTS: dict[str, Callable[[], Any]] = {
    "person": lambda: m.Person.objects.filter(organisation__slug="salvation-army-ro").first(),
    "household": lambda: m.Household.objects.filter(organisation__slug="salvation-army-ro").first(),
    "case": lambda: m.Case.objects.filter(organisation__slug="ijm-ro").first(),
    "service": lambda: m.ServiceDelivery.objects.filter(case__organisation__slug="ijm-ro").first(),
    "outcome": lambda: m.Outcome.objects.filter(case__organisation__slug="next-steps-nl").first(),
    "visit": lambda: m.OutreachVisit.objects.filter(organisation__slug="salvation-army-ro").first(),
    "activity": lambda: m.Activity.objects.filter(organisation__slug="dorcas-ro").first(),
    "volunteer": lambda: m.Volunteer.objects.filter(organisation__slug="dorcas-ro").first(),
    "campaign": lambda: m.Campaign.objects.filter(organisation__slug="dorcas-ro").first(),
    "distribution": lambda: m.Distribution.objects.filter(organisation__slug="dorcas-ro").first(),
    "partner_contact": lambda: m.PartnerContact.objects.filter(organisation__slug="next-steps-nl").first(),
    "milestone": lambda: Milestone.objects.filter(organisation__slug="next-steps-nl").first(),
    "story": lambda: m.Story.objects.filter(organisation__slug="ijm-ro").first(),
}
# The pages of the privacy app, and the object each is tried on.
PRIVACY_OBJECTS: dict[str, Callable[[], Any]] = {
    "privacy:consents": OBJECTS["person"],
    "privacy:consent-add": OBJECTS["person"],
    "privacy:consent-withdraw": lambda: Consent.objects.filter(organisation__slug="ijm-ro").first(),
    # The DPO works for the Dutch office: its own people, and nobody else's.
    "privacy:rights-person": lambda: m.Person.objects.filter(organisation__slug="next-steps-nl").first(),
    "privacy:rights-export": lambda: m.Person.objects.filter(organisation__slug="next-steps-nl").first(),
    "privacy:rights-erase": lambda: m.Person.objects.filter(organisation__slug="next-steps-nl").first(),
    "privacy:rights-volunteer-export": lambda: m.Volunteer.objects.filter(
        organisation__slug="next-steps-nl"
    ).first(),
    "privacy:rights-volunteer-erase": lambda: m.Volunteer.objects.filter(
        organisation__slug="next-steps-nl"
    ).first(),
}
# The attachments app: IJM's case, and the demo's consent form on an IJM case.
ATTACHMENT_OBJECTS: dict[str, Callable[[], Any]] = {
    "attachments:case": OBJECTS["case"],
    "attachments:download": lambda: Attachment.objects.filter(case__organisation__slug="ijm-ro").first(),
    "attachments:delete": lambda: Attachment.objects.filter(case__organisation__slug="ijm-ro").first(),
}

# url name -> personas who get the page; everyone else signed in gets 404. (status for special cases)
ALLOWED: dict[str, set[str]] = {
    "home": STAFF_ROLES,
    "audit": {"dpo", "admin"},
    "reports": STAFF_ROLES,
    # Whoever plans the programme: the coordinator.
    "quality": {"coordinator"},
    "report-download": STAFF_ROLES,
    "records:outreach-round": {"coordinator", "outreach.sa"},
    "records:case-service": {"caseworker.ijm"},
    # persons: Salvation Army's
    # each list's download (CSV or XLSX): whoever reads the list
    "records:person-list": {"coordinator", "caseworker.sa", "caseworker.ijm", "outreach.sa", "dpo"},
    "records:person-export": {"coordinator", "caseworker.sa", "caseworker.ijm", "outreach.sa", "dpo"},
    "records:person-create": {"coordinator", "caseworker.sa", "caseworker.ijm", "outreach.sa"},
    "records:person-detail": {"caseworker.sa", "outreach.sa"},
    "records:person-edit": {"caseworker.sa", "outreach.sa"},
    "records:person-delete": set(),
    # likely duplicates for who may change persons and cases (coordinators, caseworkers) in their own
    # organisation; merging two of the Salvation Army's persons for its caseworker
    "records:person-duplicates": {"coordinator", "caseworker.sa", "caseworker.ijm"},
    "records:person-duplicates-export": {"coordinator", "caseworker.sa", "caseworker.ijm"},
    "records:person-merge": {"caseworker.sa"},
    "records:household-list": {"coordinator", "caseworker.sa", "caseworker.ijm", "outreach.sa"},
    "records:household-export": {"coordinator", "caseworker.sa", "caseworker.ijm", "outreach.sa"},
    "records:household-create": {"coordinator", "outreach.sa"},
    "records:household-detail": {"caseworker.sa", "outreach.sa"},
    "records:household-edit": {"outreach.sa"},
    "records:household-delete": set(),
    # cases and services: IJM's
    "records:case-list": {"coordinator", "caseworker.sa", "caseworker.ijm", "dpo"},
    "records:case-export": {"coordinator", "caseworker.sa", "caseworker.ijm", "dpo"},
    "records:case-create": {"coordinator", "caseworker.sa", "caseworker.ijm"},
    "records:case-detail": {"caseworker.ijm"},
    "records:case-edit": {"caseworker.ijm"},
    "records:case-delete": set(),
    "records:service-list": {"coordinator", "caseworker.sa", "caseworker.ijm"},
    "records:service-export": {"coordinator", "caseworker.sa", "caseworker.ijm"},
    "records:service-create": {"coordinator", "caseworker.sa", "caseworker.ijm"},
    "records:service-detail": {"caseworker.ijm"},
    "records:service-edit": {"caseworker.ijm"},
    "records:service-delete": set(),
    # outcomes: the Dutch office's
    "records:outcome-list": {"coordinator", "caseworker.sa", "caseworker.ijm"},
    "records:outcome-export": {"coordinator", "caseworker.sa", "caseworker.ijm"},
    "records:outcome-create": {"coordinator", "caseworker.sa", "caseworker.ijm"},
    "records:outcome-detail": {"coordinator"},
    "records:outcome-edit": {"coordinator"},
    "records:outcome-delete": {"coordinator"},
    # visits: Salvation Army's
    "records:visit-list": {"coordinator", "caseworker.sa", "caseworker.ijm", "outreach.sa"},
    "records:visit-export": {"coordinator", "caseworker.sa", "caseworker.ijm", "outreach.sa"},
    "records:visit-create": {"coordinator", "outreach.sa"},
    "records:visit-detail": {"caseworker.sa", "outreach.sa"},
    "records:visit-edit": {"outreach.sa"},
    "records:visit-delete": set(),
    # activities, volunteers, campaigns, distributions: Dorcas'
    "records:activity-list": {"coordinator", "prevention.dorcas"},
    "records:activity-export": {"coordinator", "prevention.dorcas"},
    "records:activity-create": {"coordinator", "prevention.dorcas"},
    "records:activity-detail": {"prevention.dorcas"},
    "records:activity-edit": {"prevention.dorcas"},
    "records:activity-delete": {"prevention.dorcas"},
    "records:volunteer-list": {"coordinator", "volunteers.dorcas"},
    "records:volunteer-export": {"coordinator", "volunteers.dorcas"},
    "records:volunteer-create": {"coordinator", "volunteers.dorcas"},
    "records:volunteer-detail": {"volunteers.dorcas"},
    "records:volunteer-edit": {"volunteers.dorcas"},
    "records:volunteer-delete": {"volunteers.dorcas"},
    "records:volunteer-hours": {"volunteers.dorcas"},
    "records:volunteers-waiting": {"coordinator", "volunteers.dorcas"},
    "records:campaign-list": {"coordinator", "volunteers.dorcas"},
    "records:campaign-export": {"coordinator", "volunteers.dorcas"},
    "records:campaign-create": {"coordinator", "volunteers.dorcas"},
    "records:campaign-detail": {"volunteers.dorcas"},
    "records:campaign-edit": {"volunteers.dorcas"},
    "records:campaign-delete": {"volunteers.dorcas"},
    "records:distribution-list": {"coordinator", "volunteers.dorcas"},
    "records:distribution-export": {"coordinator", "volunteers.dorcas"},
    "records:distribution-create": {"coordinator", "volunteers.dorcas"},
    "records:distribution-detail": {"volunteers.dorcas"},
    "records:distribution-edit": {"volunteers.dorcas"},
    "records:distribution-delete": {"volunteers.dorcas"},
    # partner contacts and milestones: the Dutch office's
    "records:partner_contact-list": {"coordinator", "admin"},
    "records:partner_contact-export": {"coordinator", "admin"},
    "records:partner_contact-create": {"coordinator", "admin"},
    "records:partner_contact-detail": {"coordinator", "admin"},
    "records:partner_contact-edit": {"coordinator", "admin"},
    "records:partner_contact-delete": {"coordinator", "admin"},
    "records:milestone-list": {"coordinator", "prevention.dorcas", "admin"},
    "records:milestone-export": {"coordinator", "prevention.dorcas", "admin"},
    "records:milestone-create": {"coordinator", "prevention.dorcas", "admin"},
    "records:milestone-detail": {"coordinator", "admin"},
    "records:milestone-edit": {"coordinator", "admin"},
    "records:milestone-delete": {"coordinator", "admin"},
    # stories: IJM's
    "records:story-list": {"coordinator", "caseworker.sa", "caseworker.ijm"},
    "records:story-export": {"coordinator", "caseworker.sa", "caseworker.ijm"},
    "records:story-create": {"coordinator", "caseworker.sa", "caseworker.ijm"},
    "records:story-detail": {"caseworker.ijm"},
    "records:story-edit": {"caseworker.ijm"},
    "records:story-delete": set(),
    # consents: of the Salvation Army's person (the IJM consent for withdrawal), for who may change the person
    "privacy:consents": {"caseworker.sa", "outreach.sa"},
    "privacy:consent-add": {"caseworker.sa", "outreach.sa"},
    "privacy:consent-withdraw": {"caseworker.ijm"},
    # attachments of IJM's cases: IJM's own readers of cases read them (a share does not carry them), who may
    # change its cases deletes them
    "attachments:case": {"caseworker.ijm"},
    "attachments:download": {"caseworker.ijm"},
    "attachments:delete": {"caseworker.ijm"},
    # the identification of IJM's case: its own organisation's case readers and writers (never a share)
    "identification:case": {"caseworker.ijm"},
    "identification:case-edit": {"caseworker.ijm"},
    # a person's data-protection requests: the DPO alone (not even the administrator)
    "privacy:rights": {"dpo"},
    "privacy:rights-person": {"dpo"},
    "privacy:rights-export": {"dpo"},
    "privacy:rights-erase": {"dpo"},
    "privacy:rights-volunteer-export": {"dpo"},
    "privacy:rights-volunteer-erase": {"dpo"},
    # referrals: the list for the roles that read cases; a referral from the Dutch office to IJM for both
    # organisations' case readers; its answer, and what is delivered on it, for IJM's case staff; its
    # withdrawal for the Dutch office's; referring IJM's case for who may change it
    "referrals:index": {"coordinator", "caseworker.sa", "caseworker.ijm", "dpo"},
    "referrals:export": {"coordinator", "caseworker.sa", "caseworker.ijm", "dpo"},
    "referrals:detail": {"coordinator", "caseworker.ijm", "dpo"},
    "referrals:accept": {"caseworker.ijm"},
    "referrals:decline": {"caseworker.ijm"},
    "referrals:withdraw": {"coordinator"},
    "referrals:complete": {"caseworker.ijm"},
    "referrals:service": {"caseworker.ijm"},
    "referrals:outcome": {"caseworker.ijm"},
    "referrals:refer": {"caseworker.ijm"},
    # imports: every role that may write some kind of record; the persons template for who writes persons;
    # a Salvation Army persons import for its author and whoever reads the Salvation Army's persons
    "imports:index": EVERYONE - {"dpo", "viewer"},
    "imports:template": {"coordinator", "caseworker.sa", "caseworker.ijm", "outreach.sa"},
    "imports:job": {"caseworker.sa", "outreach.sa"},
    "imports:job-progress": {"caseworker.sa", "outreach.sa"},
    # the Team page: the administrator alone, for the people of its own organisation (the viewer, say)
    "team:index": {"admin"},
    "team:user-add": {"admin"},
    "team:member": {"admin"},
    "team:details": {"admin"},
    "team:role-add": {"admin"},
    "team:role-remove": {"admin"},
    "team:deactivate": {"admin"},
    "team:reactivate": {"admin"},
    "team:second-factor-reset": {"admin"},
    # planning the demo programme (period introductions, targets, hand-entered figures, counting rules): its
    # coordinator
    "programmes:narrative-list": {"coordinator"},
    "programmes:narrative-create": {"coordinator"},
    "programmes:narrative-edit": {"coordinator"},
    "programmes:narrative-delete": {"coordinator"},
    "indicators:indicator-list": {"coordinator"},
    "indicators:target-create": {"coordinator"},
    "indicators:target-edit": {"coordinator"},
    "indicators:target-delete": {"coordinator"},
    "indicators:value-create": {"coordinator"},
    "indicators:value-edit": {"coordinator"},
    "indicators:value-delete": {"coordinator"},
    "indicators:rule-edit": {"coordinator"},
    # the case file: My cases for whoever reads cases, the caseload for coordinators (counts only); IJM's
    # case, its follow-up, goal and planned action for IJM's caseworker alone
    "casework:mine": {"coordinator", "caseworker.sa", "caseworker.ijm", "dpo"},
    "casework:mine-export": {"coordinator", "caseworker.sa", "caseworker.ijm", "dpo"},
    "casework:caseload": {"coordinator"},
    "casework:caseload-export": {"coordinator"},
    "casework:case": {"caseworker.ijm"},
    "casework:assign": {"caseworker.ijm"},
    "casework:close": {"caseworker.ijm"},
    "casework:reopen": {"caseworker.ijm"},
    "casework:note-add": {"caseworker.ijm"},
    "casework:follow-up-add": {"caseworker.ijm"},
    "casework:assessment-add": {"caseworker.ijm"},
    "casework:goal-add": {"caseworker.ijm"},
    "casework:follow-up-done": {"caseworker.ijm"},
    "casework:planned-action-add": {"caseworker.ijm"},
    "casework:service-from-plan": {"caseworker.ijm"},
    # editing an item of IJM's case file: IJM's caseworker (the note is theirs: a note is for its author
    # and the organisation's coordinators)
    "casework:follow-up-edit": {"caseworker.ijm"},
    "casework:goal-edit": {"caseworker.ijm"},
    "casework:planned-action-edit": {"caseworker.ijm"},
    "casework:assessment-edit": {"caseworker.ijm"},
    "casework:note-edit": {"caseworker.ijm"},
    # the pickers' options (of persons here) and the search page: who reads persons, households or cases
    "search:pick": {"coordinator", "caseworker.sa", "caseworker.ijm", "outreach.sa", "dpo"},
    "search:results": {"coordinator", "caseworker.sa", "caseworker.ijm", "outreach.sa", "dpo"},
}
# Pages with their own answer to every signed-in persona (and to anonymous visitors).
SPECIAL = {
    "accounts:login": (200, 200),
    "accounts:logout": (405, 405),  # signing out is a POST
    "accounts:language": (405, 302),  # a POST that stores the choice
    "accounts:password": (200, 302),
    "accounts:password-done": (200, 302),
    # Every test persona has passed its second step already: set-up sends them on to verification.
    "accounts:2fa-setup": (302, 302),
    "accounts:2fa-verify": (200, 302),
    "tokens:list": (200, 302),  # everyone signed in manages their own API tokens
    "health": (200, 200),  # for the proxy and monitoring: one word, no data (tests/test_health_check.py)
}
# The JSON API (nextsteps/api) under /api/v1/: a browser session opens none of it, so every persona signed in
# with a password, like an anonymous visitor, gets 401 (in JSON, never the sign-in or second-factor page).
# What each persona's token opens is checked operation by operation in tests/test_api_access.py, against
# this file's rows for the record pages. The documents that describe the API hold no data and are open.
API_RECORD_OPERATIONS = ("list", "create", "detail", "change", "delete")
API_CASE_FILE_CHANGES = (
    "api:case-goal-change",
    "api:case-planned-action-create",
    "api:case-planned-action-change",
    "api:case-follow-up-change",
)
API_CASE_FILE = (
    *("api:case-assessments", "api:case-assessment-create", "api:case-goals", "api:case-goal-create"),
    *("api:case-follow-ups", "api:case-follow-up-create", "api:case-notes", "api:case-note-create"),
    *API_CASE_FILE_CHANGES,
)
API_REFERRAL_STEPS = (
    "api:case-referral-send",
    "api:referral-accept",
    "api:referral-decline",
    "api:referral-withdraw",
    "api:referral-complete",
)
API: dict[str, tuple[int, int]] = {
    "api:openapi-json": (200, 200),
    "api:openapi-view": (200, 200),
    "api:api-root": (404, 404),
    "api:me": (401, 401),
    "api:programmes": (401, 401),
    "api:indicators": (401, 401),
    "api:report": (401, 401),
    "api:list-service-types": (401, 401),
    "api:list-outcome-types": (401, 401),
    "api:list-activity-types": (401, 401),
    "api:list-site-types": (401, 401),
    "api:list-participant-groups": (401, 401),
    "api:external_organisations": (401, 401),
    "api:case-identification": (401, 401),
    "api:list-exploitation-types": (401, 401),
    "api:list-labour-sectors": (401, 401),
    "api:list-recruitment-methods": (401, 401),
    "api:list-recruiter-relationships": (401, 401),
    "api:list-means-of-control": (401, 401),
    "api:list-referral-sources": (401, 401),
    "api:case-identification-change": (401, 401),
    # A case's file (nextsteps/casework/api.py): what each token opens is in tests/test_api_access.py. The
    # addresses that only take a change answer a GET with 405 before asking who calls.
    **{name: (401, 401) for name in API_CASE_FILE if name not in API_CASE_FILE_CHANGES},
    **{name: (405, 405) for name in API_CASE_FILE_CHANGES},
    # Referrals (nextsteps/referrals/api.py): what each token opens is in tests/test_api_access.py; sending
    # and the steps only take a POST.
    "api:referrals": (401, 401),
    "api:referral": (401, 401),
    **{name: (405, 405) for name in API_REFERRAL_STEPS},
    **{f"api:{kind}-{operation}": (401, 401) for kind in OBJECTS for operation in API_RECORD_OPERATIONS},
}


def url_names(patterns: list[Any] | None = None, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry.url_patterns, inner)
        else:
            # A URL without a name cannot have a row in the matrix: it is reported as missing, not skipped.
            yield f"{namespace}{entry.name or f'<unnamed {entry.pattern}>'}", entry


def import_job() -> ImportJob:
    organisation = Organisation.objects.get(slug="salvation-army-ro")
    return ImportJob.objects.create(
        user=User.objects.get(username="caseworker.sa"),
        programme=organisation.programmes.get(),
        organisation=organisation,
        language="en",
        files=["persons.csv"],
        record_kinds=",person,",
        status=ImportJob.Status.DONE,
    )


def manual_value() -> ManualValue:
    """A hand-entered figure of the demo programme (whose indicators all count records)."""
    indicator = factories.indicator(Programme.objects.get(slug="next-steps"), "", "manual", unit="items")
    return ManualValue.objects.create(
        indicator=indicator, start=dt.date(2022, 1, 1), end=dt.date(2022, 3, 31), value=4
    )


# The object each planning URL is tried on: all of the demo programme.
PLANNING_OBJECTS: dict[str, Callable[[], Any]] = {
    "programmes:narrative-edit": lambda: PeriodNarrative.objects.filter(programme__slug="next-steps").first(),
    "programmes:narrative-delete": lambda: PeriodNarrative.objects.filter(
        programme__slug="next-steps"
    ).first(),
    "indicators:target-create": lambda: Indicator.objects.filter(
        pillar__programme__slug="next-steps"
    ).first(),
    "indicators:target-edit": lambda: Target.objects.filter(
        indicator__pillar__programme__slug="next-steps"
    ).first(),
    "indicators:target-delete": lambda: Target.objects.filter(
        indicator__pillar__programme__slug="next-steps"
    ).first(),
    "indicators:value-create": lambda: manual_value().indicator,
    "indicators:value-edit": manual_value,
    "indicators:value-delete": manual_value,
    "indicators:rule-edit": lambda: Indicator.objects.filter(pillar__programme__slug="next-steps").first(),
}


def ijm_goal() -> Goal:
    case = OBJECTS["case"]()
    return Goal.objects.filter(case=case).first() or Goal.objects.create(case=case, text="Safe housing")


# The case-file URLs tried on a record of IJM's case rather than the case itself.
CASEWORK_OBJECTS: dict[str, Callable[[], Any]] = {
    "casework:follow-up-done": lambda: FollowUp.objects.create(
        case=OBJECTS["case"](), what="Call", due=dt.date.today()
    ),
    "casework:planned-action-add": ijm_goal,
    "casework:service-from-plan": lambda: PlannedAction.objects.create(
        goal=ijm_goal(), service_type=m.ServiceType.objects.get(code="legal_support")
    ),
    "casework:follow-up-edit": lambda: FollowUp.objects.create(
        case=OBJECTS["case"](), what="Call", due=dt.date.today()
    ),
    "casework:goal-edit": ijm_goal,
    "casework:planned-action-edit": lambda: PlannedAction.objects.create(
        goal=ijm_goal(), service_type=m.ServiceType.objects.get(code="legal_support")
    ),
    "casework:assessment-edit": lambda: Assessment.objects.create(
        case=OBJECTS["case"](), date=OBJECTS["case"]().opened, risk_level="low"
    ),
    "casework:note-edit": lambda: CaseNote.objects.create(
        case=OBJECTS["case"](),
        date=OBJECTS["case"]().opened,
        text="Met at the shelter",
        author=User.objects.get(username="caseworker.ijm"),
    ),
}


def api_case_file_ids(name: str) -> dict[str, int]:
    """The records of IJM's case a case-file operation of the API is tried on, by path parameter."""
    if name in ("api:case-goal-change", "api:case-planned-action-create"):
        return {"goal_id": ijm_goal().pk}
    if name == "api:case-planned-action-change":
        return {"action_id": CASEWORK_OBJECTS["casework:service-from-plan"]().pk}
    if name == "api:case-follow-up-change":
        return {"follow_up_id": CASEWORK_OBJECTS["casework:follow-up-done"]().pk}
    return {}


def referral(*, accepted: bool = False) -> Any:
    """A referral of a Dutch office's case to IJM Romania, waiting for an answer or accepted."""
    from nextsteps.referrals.actions import accept_referral
    from tests.referrals import sent_referral

    sent = sent_referral()
    return accept_referral(acting_user=None, referral=sent) if accepted else sent


def concrete_url(name: str) -> str:
    if name in CASEWORK_OBJECTS:
        return reverse(name, args=[CASEWORK_OBJECTS[name]().pk])
    if name.startswith("casework:") and name not in {
        "casework:mine",
        "casework:mine-export",
        "casework:caseload",
        "casework:caseload-export",
    }:
        return reverse(name, args=[OBJECTS["case"]().pk])
    if name == "referrals:refer":
        return reverse(name, args=[OBJECTS["case"]().pk])
    if name in ("referrals:complete", "referrals:service", "referrals:outcome"):
        return reverse(name, args=[referral(accepted=True).pk])
    if name.startswith("referrals:") and name not in ("referrals:index", "referrals:export"):
        return reverse(name, args=[referral().pk])
    if name in PLANNING_OBJECTS:
        return reverse(name, args=["next-steps", PLANNING_OBJECTS[name]().pk])
    if name.startswith(("programmes:", "indicators:")):
        return reverse(name, args=["next-steps"])
    if name == "search:pick":
        return reverse(name, args=["persons"]) + "?q=a"
    if name == "imports:template":
        return reverse(name, args=["persons", "csv"])
    if name in ("imports:job", "imports:job-progress"):
        return reverse(name, args=[import_job().pk])
    if name == "team:user-add":
        return reverse(name, args=["next-steps-nl"])
    if name.startswith("team:") and name != "team:index":
        url = reverse(name, args=["next-steps-nl", User.objects.get(username="viewer").pk])
        return url + "?role=viewer" if name == "team:role-remove" else url
    if name in ATTACHMENT_OBJECTS:
        return reverse(name, args=[ATTACHMENT_OBJECTS[name]().pk])
    if name in PRIVACY_OBJECTS:
        return reverse(name, args=[PRIVACY_OBJECTS[name]().pk])
    if name == "records:person-merge":
        first, second = m.Person.objects.filter(organisation__slug="salvation-army-ro").order_by("pk")[:2]
        return reverse(name, args=[first.pk, second.pk])
    if name == "records:volunteer-hours":
        return reverse(name, args=[OBJECTS["volunteer"]().pk])
    if name in ("records:case-service", "identification:case", "identification:case-edit"):
        return reverse(name, args=[OBJECTS["case"]().pk])
    if name.startswith("records:") and name.rsplit("-", 1)[1] in {"detail", "edit", "delete"}:
        kind = name.removeprefix("records:").rsplit("-", 1)[0]
        return reverse(name, args=[OBJECTS[kind]().pk])
    if name.startswith("api:case-identification"):
        return reverse(name, kwargs={"case_id": OBJECTS["case"]().pk})
    if name == "api:case-referral-send":
        return reverse(name, kwargs={"case_id": OBJECTS["case"]().pk})
    if name.startswith("api:referral-") or name == "api:referral":
        return reverse(name, kwargs={"referral_id": referral(accepted=name == "api:referral-complete").pk})
    if name in API_CASE_FILE:
        return reverse(name, kwargs={"case_id": OBJECTS["case"]().pk, **api_case_file_ids(name)})
    if name.startswith("api:"):
        kind, _dash, operation = name.removeprefix("api:").rpartition("-")
        if operation in {"detail", "change", "delete"} and kind in OBJECTS:
            return reverse(name, kwargs={"record_id": OBJECTS[kind]().pk})
        if name in {"api:indicators", "api:report"}:
            return reverse(name, kwargs={"slug": "next-steps"}) + "?date_from=2021-08-01&date_to=2021-12-31"
    url = reverse(name)
    if name == "report-download":
        url += "?programme=next-steps&date_from=2021-08-01&date_to=2021-12-31&lang=en&format=md&audience=external"
    return url


def test_every_url_is_in_the_matrix() -> None:
    names = {name for name, _pattern in url_names()}
    missing = sorted(names - set(ALLOWED) - set(SPECIAL) - set(API))
    assert missing == [], f"add these URLs to the access matrix: {missing}"
    assert sorted((set(ALLOWED) | set(API)) - names) == []


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_persona_gets_the_page_or_404(name: str, login: Callable[[str], Client]) -> None:
    url = concrete_url(name)
    for persona in PERSONAS:
        expected = 200 if persona in ALLOWED[name] else 404
        status = login(persona).get(url).status_code
        assert status == expected, f"{persona} on {url}: {status}, expected {expected}"


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_anonymous_visitors_are_sent_to_sign_in(name: str, db: Any) -> None:
    response = Client().get(concrete_url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_account_pages_answer_as_expected(name: str, login: Callable[[str], Client]) -> None:
    signed_in, anonymous = SPECIAL[name]
    for persona in PERSONAS:
        assert login(persona).get(reverse(name)).status_code == signed_in, persona
    assert Client().get(reverse(name)).status_code == anonymous


@pytest.mark.parametrize("name", sorted(API))
def test_a_session_opens_no_part_of_the_api(name: str, login: Callable[[str], Client]) -> None:
    signed_in, anonymous = API[name]
    url = concrete_url(name)
    for persona in PERSONAS:
        assert login(persona).get(url).status_code == signed_in, persona
    assert Client().get(url).status_code == anonymous


def test_a_url_without_a_name_is_reported_missing() -> None:
    def view(request: Any) -> HttpResponse:
        return HttpResponse()

    patterns = [path("x/", view), path("y/", view, name="y")]
    names = [name for name, _pattern in url_names([URLResolver(RegexPattern(r"^a/"), patterns)])]
    assert names == ["<unnamed x/>", "y"]


# Every page that writes: a persona it is denied to gets 404 for a POST as for a GET, and nothing changes.
WRITES = sorted(
    name
    for name in ALLOWED
    if (
        name.startswith(("records:", "programmes:", "indicators:", "team:", "privacy:"))
        and name.rsplit("-", 1)[-1]
        in {"create", "edit", "delete", "add", "remove", "withdraw", "share", "erase"}
    )
    or name
    in {
        "records:outreach-round",
        "records:case-service",
        "records:person-merge",
        "records:volunteer-hours",
        "attachments:case",
        "attachments:delete",
        *(
            name
            for name in ALLOWED
            if name.startswith("casework:")
            and name
            not in {
                "casework:mine",
                "casework:mine-export",
                "casework:caseload",
                "casework:caseload-export",
                "casework:case",
            }
        ),
        "identification:case-edit",
        *(
            n
            for n in ALLOWED
            if n.startswith("referrals:")
            and n not in {"referrals:index", "referrals:export", "referrals:detail"}
        ),
        "team:details",
        "team:deactivate",
        "team:reactivate",
        "team:second-factor-reset",
    }
)


def stored_state() -> tuple[int, ...]:
    """What a write would change: every write goes through an audited action, which also moves the data
    version; and the number of rows of each kind of record, user and role."""
    models: list[type[Model]] = [kind.model for kind in KINDS.values()]
    models += [User, Membership, PeriodNarrative, Target, ManualValue, Consent, AuditEntry, Attachment]
    models += [Assessment, CaseNote, FollowUp, Goal, PlannedAction, m.VolunteerHours]
    return (data_version(), *(model._default_manager.count() for model in models))


@pytest.mark.parametrize("name", WRITES)
def test_a_denied_post_answers_404_and_changes_nothing(name: str, login: Callable[[str], Client]) -> None:
    url = concrete_url(name)
    before = stored_state()
    for persona in PERSONAS:
        if persona in ALLOWED[name]:
            continue
        status = login(persona).post(url, {"role": "viewer"}).status_code
        assert status == 404, f"{persona} posting to {url}: {status}, expected 404"
    assert stored_state() == before
