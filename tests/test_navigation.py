"""The navigation on every page: grouped links to the pages the user may open, the current page marked, and
who is signed in for which organisation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from nextsteps.accounts.models import Membership, User

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav id="site-nav".*?</nav>', re.S)


def nav_of(page: Any) -> str:
    match = NAV.search(page.content.decode())
    assert match, "the page has no navigation"
    return match.group(0)


def links(nav: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', nav)


def groups(page: Any) -> dict[str, list[str]]:
    return {str(g["key"]): [link["url"] for link in g["links"]] for g in page.context["nav_groups"]}


def test_a_coordinators_navigation_is_grouped_into_work_records_reports_and_set_up(
    login: Callable[[str], Client],
) -> None:
    page = login("coordinator").get(reverse("home"))
    shown = groups(page)
    assert list(shown) == ["work", "records", "reports", "setup"]
    assert shown["work"] == ["/cases/mine/", "/cases/caseload/", "/referrals/", "/visits/round/"]
    assert reverse("records:person-list") in shown["records"]
    assert shown["reports"] == ["/", "/reports/", "/quality/"]
    assert "/imports/" in shown["setup"] and "/api-tokens/" in shown["setup"]
    nav = nav_of(page)
    with translation.override("nl"):  # the coordinator reads Dutch
        for label in ("My work", "Records", "Reports", "Set-up"):
            assert f">{translation.gettext(label)}</p>" in nav


def test_a_viewer_sees_only_reports_and_their_own_set_up(login: Callable[[str], Client]) -> None:
    shown = groups(login("viewer").get(reverse("home")))
    assert list(shown) == ["reports", "setup"]
    assert shown["reports"] == ["/", "/reports/"]
    assert shown["setup"] == ["/api-tokens/"]


@pytest.mark.parametrize(
    "username", ["coordinator", "caseworker.ijm", "outreach.sa", "volunteers.dorcas", "dpo", "viewer"]
)
def test_every_link_in_the_navigation_opens_a_page_the_user_may_use(
    login: Callable[[str], Client], username: str
) -> None:
    client = login(username)
    nav = nav_of(client.get(reverse("home")))
    for url in links(nav):
        assert client.get(url).status_code == 200, url


def test_the_current_page_is_marked_once(login: Callable[[str], Client]) -> None:
    nav = nav_of(login("caseworker.sa").get(reverse("casework:mine")))
    assert nav.count('aria-current="page"') == 1
    assert '<a href="/cases/mine/" aria-current="page">' in nav


def test_a_page_below_a_link_marks_that_link_and_the_dashboard_marks_only_itself(
    login: Callable[[str], Client],
) -> None:
    client = login("outreach.sa")
    round_nav = nav_of(client.get(reverse("records:outreach-round")))
    # The round lives under the visits list's address: the longer, closer address wins.
    assert '<a href="/visits/round/" aria-current="page">' in round_nav
    assert round_nav.count('aria-current="page"') == 1
    home_nav = nav_of(client.get(reverse("home")))
    assert '<a href="/" aria-current="page">' in home_nav
    assert home_nav.count('aria-current="page"') == 1


def test_it_shows_who_is_signed_in_and_their_organisation_and_role(login: Callable[[str], Client]) -> None:
    user = User.objects.get(username="caseworker.ijm")
    user.first_name, user.last_name = "Ioana", "Marin"
    user.save()
    membership = Membership.objects.get(user=user)
    nav = nav_of(login("caseworker.ijm").get(reverse("home")))
    with translation.override("ro"):
        assert translation.gettext("Signed in as %(name)s") % {"name": "Ioana Marin"} in nav
        role = str(membership.get_role_display())
        expected = translation.gettext("%(role)s at %(organisation)s") % {
            "role": role[:1].upper() + role[1:],
            "organisation": membership.organisation.name,
        }
    assert expected in nav


def test_without_a_full_name_it_shows_the_user_name(login: Callable[[str], Client]) -> None:
    nav = nav_of(login("viewer").get(reverse("home")))
    with translation.override(User.objects.get(username="viewer").language):
        assert translation.gettext("Signed in as %(name)s") % {"name": "viewer"} in nav


def test_the_navigation_costs_no_query_beyond_the_access_checks(login: Callable[[str], Client]) -> None:
    """The menu is built from the memberships read once per request: the coordinator, who sees every group,
    pays the same queries for it as before it was grouped (measured: 7 on the API tokens page)."""
    client = login("coordinator")
    client.get(reverse("tokens:list"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("tokens:list")).status_code == 200
    assert len(queries) <= 7, [q["sql"] for q in queries]
