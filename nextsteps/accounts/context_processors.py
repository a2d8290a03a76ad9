from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.imports import rights


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The record lists a user may open: the menu never offers a page that would answer 404."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    reads_cases = bool(access.organisations_for(user, "case"))
    context: dict[str, Any] = {
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
    context["nav_groups"] = _groups(context, request.path)
    # Read with the memberships the access checks above already loaded: no query of its own.
    context["nav_roles"] = [
        {"organisation": m.organisation.name, "role": m.get_role_display()} for m in access.memberships(user)
    ]
    context["nav_user_name"] = user.get_full_name() or user.get_username()
    return context


def _link(label: str, url: str, count: int = 0) -> dict[str, Any]:
    return {"label": capfirst(label), "url": url, "count": count, "current": False}


def _groups(context: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """The menu's groups of links, each link only when the user may open its page; the link whose address
    is the longest start of the current page's is marked as the current one."""
    programme = context["planning_programme"]
    my_work: list[Any] = [
        context["can_casework"] and _link(_("My cases"), reverse("casework:mine")),
        context["can_see_caseload"] and _link(_("Caseload"), reverse("casework:caseload")),
        context["can_see_referrals"]
        and _link(_("Referrals"), reverse("referrals:index"), context["referral_inbox_count"]),
        context["can_record_round"]
        and _link(_("Record an outreach round"), reverse("records:outreach-round")),
    ]
    records = [_link(str(kind["label"]), reverse(kind["list_url"])) for kind in context["nav_kinds"]]
    reports: list[Any] = [
        _link(_("Dashboard"), reverse("home")),
        _link(_("Reports"), reverse("reports")),
        programme is not None and _link(_("Data quality"), reverse("quality")),
    ]
    setup: list[Any] = [
        programme is not None
        and _link(_("Period introductions"), reverse("programmes:narrative-list", args=[programme.slug])),
        programme is not None
        and _link(
            _("Targets and hand-entered figures"), reverse("indicators:indicator-list", args=[programme.slug])
        ),
        context["can_manage_team"] and _link(_("Team"), reverse("team:index")),
        context["can_audit"] and _link(_("Audit trail"), reverse("audit")),
        context["can_import"] and _link(_("Import records"), reverse("imports:index")),
        context["can_handle_rights"] and _link(_("Data-protection requests"), reverse("privacy:rights")),
        _link(_("API tokens"), reverse("tokens:list")),
    ]
    groups: list[dict[str, Any]] = [
        {"key": key, "label": label, "links": [link for link in links if link]}
        for key, label, links in (
            ("work", _("My work"), my_work),
            ("records", _("Records"), records),
            ("reports", _("Reports"), reports),
            ("setup", _("Set-up"), setup),
        )
    ]
    current = max(
        (
            link
            for group in groups
            for link in group["links"]
            # The dashboard's address "/" starts every address: it is current on itself only.
            if path == link["url"] or (link["url"] != "/" and path.startswith(link["url"]))
        ),
        key=lambda link: len(link["url"]),
        default=None,
    )
    if current is not None:
        current["current"] = True
    return [group for group in groups if group["links"]]
