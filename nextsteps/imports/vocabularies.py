"""The lists a column's values come from: model choices (sex, statuses) and managed lists (service types…),
each value with its code and its Dutch, English and Romanian labels."""

from __future__ import annotations

from typing import Any

from django.db.models import Choices, Model
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from nextsteps.casework import models as casework
from nextsteps.i18n import LANGUAGE_CODES
from nextsteps.identification import models as identification
from nextsteps.imports.values import Choice, Vocabulary
from nextsteps.privacy.models import Consent
from nextsteps.programmes.models import Programme
from nextsteps.records import models as records
from nextsteps.referrals.models import Referral

CHOICE_LISTS: dict[str, type[Choices]] = {
    "sex": records.Sex,
    "survivor_status": records.Person.SurvivorStatus,
    "case_status": records.Case.Status,
    "organisation_kind": records.ExternalOrganisation.Kind,
    "partner_status": records.PartnerContact.Status,
    "trafficking_status": identification.TraffickingStatus,
    "decider": identification.Decider,
    "risk_level": casework.RiskLevel,
    "goal_status": casework.Goal.Status,
    "planned_action_status": casework.PlannedAction.Status,
    "referral_reason": Referral.Reason,
    "referral_urgency": Referral.Urgency,
    "referral_state": Referral.State,
    "consent_purpose": Consent.Purpose,
    "consent_given_by": Consent.GivenBy,
}

MANAGED_LISTS: dict[str, type[Model]] = {
    "service_type": records.ServiceType,
    "outcome_type": records.OutcomeType,
    "activity_type": records.ActivityType,
    "site_type": records.SiteType,
    "participant_group": records.ParticipantGroup,
    "closure_reason": records.ClosureReason,
    "campaign_kind": records.CampaignKind,
    "exploitation_type": identification.ExploitationType,
    "labour_sector": identification.LabourSector,
    "recruitment_method": identification.RecruitmentMethod,
    "recruiter_relationship": identification.RecruiterRelationship,
    "control_means": identification.ControlMeans,
    "referral_source": identification.ReferralSource,
    "need_area": casework.NeedArea,
}


def choice_labels(label: Any) -> dict[str, str]:
    labels = {}
    for lang in LANGUAGE_CODES:
        with translation.override(lang):
            labels[lang] = str(label)
    return labels


def from_choices(name: str, choices: type[Choices]) -> Vocabulary:
    return Vocabulary(
        name, [Choice(str(value), choice_labels(label), str(value)) for value, label in choices.choices]
    )


def from_managed_list(name: str, model: type[Model]) -> Vocabulary:
    return Vocabulary(
        name,
        [
            Choice(code, {"nl": nl, "en": en, "ro": ro}, pk)
            for pk, code, nl, en, ro in model._default_manager.order_by("order", "code").values_list(
                "pk", "code", "label_nl", "label_en", "label_ro"
            )
        ],
    )


def volunteer_stages() -> Vocabulary:
    """A volunteer's stage; "inactive", the status files carried before the pipeline, is read as paused."""
    stages = from_choices("volunteer_stage", records.Volunteer.Stage)
    former = Choice("inactive", choice_labels(_("inactive")), records.Volunteer.Stage.PAUSED.value)
    return Vocabulary("volunteer_stage", [*stages.choices, former])


def pillars(programme: Programme | None) -> Vocabulary:
    if programme is None:
        return Vocabulary("pillar", [])
    return Vocabulary(
        "pillar",
        [
            Choice(str(p.number), {lang: getattr(p, f"title_{lang}") for lang in LANGUAGE_CODES}, p.pk)
            for p in programme.pillars.order_by("number")
        ],
    )


def load(programme: Programme | None = None) -> dict[str, Vocabulary]:
    """Every vocabulary, read once per import: a handful of small queries."""
    found = {name: from_choices(name, choices) for name, choices in CHOICE_LISTS.items()}
    found.update({name: from_managed_list(name, model) for name, model in MANAGED_LISTS.items()})
    found["volunteer_stage"] = volunteer_stages()
    found["pillar"] = pillars(programme)
    return found
