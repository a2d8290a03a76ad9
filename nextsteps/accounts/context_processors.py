import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from django.utils import translation
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
            next(iter(access.planning_programme_list(user)), None)
            if access.has(user, access.PLANNING)
            else None
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
    context["nav_urls"] = {name: menu_url(f"accounts:{name}") for name in ("password", "language", "logout")}
    context["nav_languages"] = _languages()
    return context


@functools.cache
def _languages() -> list[dict[str, str]]:
    """The languages the menu offers, each named in itself (as {% get_language_info_list %} gives them)."""
    return [
        {"code": code, "name_local": translation.get_language_info(code)["name_local"]}
        for code, _name in settings.LANGUAGES
    ]


def menu_url(viewname: str, args: list[str] | None = None) -> str:
    """The menu's addresses, reversed once per process: the menu is on every page, and its eighteen
    addresses cost about 0.2 ms of each request to reverse again. An address depends on the URL
    configuration and the prefix the app is served under, so both are part of the key."""
    return _reversed(viewname, tuple(args or ()), get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=512)
def _reversed(viewname: str, args: tuple[str, ...], _prefix: str, _urlconf: Any) -> str:
    return django_reverse(viewname, args=args)


def _link(label: str, url: str, count: int = 0) -> dict[str, Any]:
    return {"label": capfirst(label), "url": url, "count": count, "current": False}


def _groups(context: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """The menu's groups of links, each link only when the user may open its page; the link whose address
    is the longest start of the current page's is marked as the current one."""
    programme = context["planning_programme"]
    my_work: list[Any] = [
        context["can_casework"] and _link(_("My cases"), menu_url("casework:mine")),
        context["can_see_caseload"] and _link(_("Caseload"), menu_url("casework:caseload")),
        context["can_see_referrals"]
        and _link(_("Referrals"), menu_url("referrals:index"), context["referral_inbox_count"]),
        context["can_record_round"]
        and _link(_("Record an outreach round"), menu_url("records:outreach-round")),
    ]
    records = [_link(str(kind["label"]), menu_url(kind["list_url"])) for kind in context["nav_kinds"]]
    reports: list[Any] = [
        _link(_("Dashboard"), menu_url("home")),
        _link(_("Reports"), menu_url("reports")),
        programme is not None and _link(_("Data quality"), menu_url("quality")),
    ]
    setup: list[Any] = [
        programme is not None
        and _link(_("Period introductions"), menu_url("programmes:narrative-list", args=[programme.slug])),
        programme is not None
        and _link(
            _("Targets and hand-entered figures"),
            menu_url("indicators:indicator-list", args=[programme.slug]),
        ),
        context["can_manage_team"] and _link(_("Team"), menu_url("team:index")),
        context["can_audit"] and _link(_("Audit trail"), menu_url("audit")),
        context["can_import"] and _link(_("Import records"), menu_url("imports:index")),
        context["can_handle_rights"] and _link(_("Data-protection requests"), menu_url("privacy:rights")),
        _link(_("API tokens"), menu_url("tokens:list")),
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
