from typing import Any

from django.http import HttpRequest

from nextsteps.accounts import access
from nextsteps.imports import rights


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The record lists a user may open: the menu never offers a page that would answer 404."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    reads_cases = bool(access.organisations_for(user, "case"))
    return {
        "nav_kinds": [
            {"label": kind.label_plural, "list_url": f"records:{kind.key}-list"}
            for kind in access.kinds_for(user)
        ],
        "can_record_round": access.can(user, "visit", access.ADD),
        # The case file's pages: My cases for whoever works on cases, the caseload for coordinators.
        "can_casework": reads_cases,
        "can_see_caseload": bool(access.organisations_for(user, "case", access.DELETE)),
        "can_audit": access.has(user, access.AUDIT),
        "can_manage_team": access.has(user, access.USERS),
        # Only coordinators pay the query: the programme whose planning pages the menu opens.
        "planning_programme": (
            access.planning_programmes(user).first() if access.has(user, access.PLANNING) else None
        ),
        "can_handle_rights": access.has(user, access.PERSON_RIGHTS),
        "can_import": bool(rights.import_organisations(user)),
        "can_see_referrals": reads_cases,
        "referral_inbox_count": access.referral_inbox_count(user),
    }
