"""Identifications for the demo's survivors (synthetic). They are worked out from each case's place in the
list, not drawn from the demo's random generator, so that every other demo record and figure stays exactly
as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nextsteps.identification.actions import record_identification
from nextsteps.identification.models import (
    ControlMeans,
    ExploitationType,
    LabourSector,
    RecruiterRelationship,
    RecruitmentMethod,
    ReferralSource,
)
from nextsteps.records.models import Case, Person

# (recruited in, locality, exploited in, locality) for IJM Romania's survivors, then the Dutch office's.
ROUTES = [
    (["RO"], "Vaslui", ["NL"], "Westland"),
    (["RO"], "Bacău", ["DE"], "Dortmund"),
    (["RO", "MD"], "Iași", ["GB"], "Leicester"),
    (["RO"], "Galați", ["IT"], "Latina"),
    (["RO"], "Botoșani", ["ES"], "Huelva"),
    (["RO"], "Craiova", ["NL", "BE"], "Antwerpen"),
]
ROUTES_NL = [
    (["BG"], "Sliven", ["NL"], "Den Haag"),
    (["NG"], "Benin City", ["IT", "NL"], "Amsterdam"),
    (["RO"], "Brăila", ["NL"], "Venlo"),
]
ACCOUNTS = {
    "sexual_exploitation": "Offered a job as a waitress abroad; on arrival made to work in prostitution and "
    "told she owed the cost of the journey.",
    "forced_labour": "Recruited for seasonal work; papers kept by the employer, paid nothing for months and "
    "housed in a locked container on the site.",
}


def identify_survivors(programme: Any) -> int:
    """Give each survivor's case in the programme an identification that agrees with her survivor status;
    returns how many were recorded."""
    lists = {
        model.__name__: {item.code: item for item in model.objects.all()}
        for model in (
            ExploitationType,
            LabourSector,
            RecruitmentMethod,
            RecruiterRelationship,
            ControlMeans,
            ReferralSource,
        )
    }
    cases = (
        Case.objects.filter(programme=programme, organisation__slug__in=["ijm-ro", "next-steps-nl"])
        .exclude(person__survivor_status=Person.SurvivorStatus.NO)
        .select_related("person", "organisation")
        .order_by("pk")
    )
    recorded = 0
    for n, case in enumerate(cases):
        dutch = case.organisation.slug == "next-steps-nl"
        routes = ROUTES_NL if dutch else ROUTES
        recruited, recruited_at, exploited, exploited_at = routes[n % len(routes)]
        labour = case.person.sex == "male"
        kind = "forced_labour" if labour else "sexual_exploitation"
        types = [lists["ExploitationType"][kind]]
        if not labour and n % 4 == 1:
            types.append(lists["ExploitationType"]["forced_criminality"])
        identified = case.person.survivor_status == Person.SurvivorStatus.IDENTIFIED
        control = (
            ["threats", "debt_bondage", "withholding_documents"] if n % 2 else ["isolation", "false_promises"]
        )
        record_identification(
            case,
            acting_user=None,
            status="identified" if identified else "presumed",
            decided_by=("police" if n % 2 else "court") if identified else "ngo",
            decided_on=case.opened - dt.timedelta(days=10 + n),
            exploitation_types=types,
            labour_sector=lists["LabourSector"]["agriculture" if n % 2 else "construction"]
            if labour
            else None,
            recruitment_countries=recruited,
            recruitment_locality=recruited_at,
            exploitation_countries=exploited,
            exploitation_locality=exploited_at,
            recruitment_method=lists["RecruitmentMethod"][
                "job_offer" if labour or n % 3 else "intimate_relationship"
            ],
            recruiter_relationship=lists["RecruiterRelationship"][
                "acquaintance" if labour or n % 3 else "intimate_partner"
            ],
            means_of_control=[lists["ControlMeans"][code] for code in control],
            referral_source=lists["ReferralSource"][
                ("police", "embassy_or_consulate", "ngo", "hotline")[n % 4]
            ],
            account=ACCOUNTS[kind],
        )
        recorded += 1
    return recorded
