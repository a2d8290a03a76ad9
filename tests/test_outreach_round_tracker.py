"""The outreach round as a monthly tracker: the place first, then a grid of that locality's households only,
last month's ones ticked, the persons present per household; saved in a fixed number of queries, and once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from tests import factories
from tests.importing import translated

pytestmark = pytest.mark.django_db

SA = "salvation-army-ro"
URL = reverse("records:outreach-round")


def site(code: str = "household") -> int:
    return m.SiteType.objects.get(code=code).pk


def place(locality: str = "Bucharest", date: str = "2022-01-15") -> dict[str, Any]:
    return {"date": date, "locality": locality, "site_type": site()}


def grid(client: Client, **changes: Any) -> Any:
    response = client.get(URL, {**place(), **changes})
    assert response.status_code == 200
    assert response.templates[0].name == "records/outreach_round.html"
    return response


def ticked(response: Any) -> dict[str, bool]:
    return {row.household.code: row.checked for row in response.context["rows"]}


def round_post(*households: m.Household, present: dict[int, list[int]] | None = None, **changes: Any) -> Any:
    data: dict[str, Any] = {
        **place(),
        "households": [h.pk for h in households],
        "new-TOTAL_FORMS": "0",
        "new-INITIAL_FORMS": "0",
    }
    for household, persons in (present or {}).items():
        data[f"present-{household}"] = ["", *persons]
    data.update(changes)
    return data


def sa_households(locality: str, count: int, members: int = 2) -> list[m.Household]:
    org = Organisation.objects.get(slug=SA)
    return [
        factories.household(org, *(factories.person(org) for _ in range(members)), locality=locality)
        for _ in range(count)
    ]


def test_the_first_step_offers_the_localities_of_the_organisations_households(
    login: Callable[[str], Client],
) -> None:
    sa_households("  sibiu ", 1)
    sa_households("Sibiu", 1)
    response = login("outreach.sa").get(URL)
    assert response.templates[0].name == "records/round_place.html"
    localities = response.context["place"].localities
    assert "Bucharest" in localities
    # One spelling per place, without the stray spaces.
    assert [x.casefold() for x in localities].count("sibiu") == 1
    assert " sibiu " not in localities
    assert 'list="round-localities"' in response.content.decode()


def test_a_future_date_is_refused_in_the_first_step(login: Callable[[str], Client]) -> None:
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = login("outreach.sa").get(URL, place(date=future))
    assert response.templates[0].name == "records/round_place.html"
    assert response.context["place"].errors["date"]
    html = response.content.decode()
    assert 'id="error-summary"' in html
    # One summary only: the page's own, not the shared one of form_fields.html as well.
    assert html.count('class="error-summary"') == 1


def test_the_grid_lists_only_the_localitys_households(login: Callable[[str], Client]) -> None:
    (elsewhere,) = sa_households("Sibiu", 1)
    client = login("outreach.sa")
    bucharest = set(ticked(grid(client)))
    assert elsewhere.code not in bucharest
    assert bucharest == set(
        m.Household.objects.filter(organisation__slug=SA, locality="Bucharest").values_list("code", flat=True)
    )
    # The same place however it is typed; another organisation's households never.
    assert set(ticked(grid(client, locality=" SIBIU "))) == {elsewhere.code}
    assert not ticked(grid(client, locality="Oradea"))


def test_last_months_households_are_ticked_and_others_not(login: Callable[[str], Client]) -> None:
    # The demo visits BUC-001 … BUC-067 every month from August to December 2021, and BUC-101 … 103 in July
    # 2021 and January 2022: a round in January 2022 starts from December's households.
    response = grid(login("outreach.sa"))
    rows = ticked(response)
    assert rows["BUC-001"] and rows["BUC-067"]
    assert not rows["BUC-101"] and not rows["BUC-103"]
    last = {row.household.code: row.last_visit for row in response.context["rows"]}
    assert last["BUC-101"] == dt.date(2022, 1, 10)
    # In February, January's households are the ones ticked.
    rows = ticked(grid(login("outreach.sa"), date="2022-02-03"))
    assert rows["BUC-101"] and not rows["BUC-001"]


def test_the_grid_shows_the_members_and_their_reading_is_audited(login: Callable[[str], Client]) -> None:
    org = Organisation.objects.get(slug=SA)
    named = factories.person(org, given_name="Ioana", family_name="Testescu")
    household = factories.household(org, named, locality="Sibiu")
    html = grid(login("outreach.sa"), locality="Sibiu").content.decode()
    assert named.code in html and "Ioana Testescu" in html
    assert f'name="present-{household.pk}" value="{named.pk}" checked' in html
    assert AuditEntry.objects.filter(action="view", model="records.Person", object_pk=str(named.pk)).exists()


def test_the_visits_persons_are_exactly_those_ticked_present(login: Callable[[str], Client]) -> None:
    first, second = sa_households("Sibiu", 2, members=3)
    members = list(first.members.values_list("pk", flat=True))
    response = login("outreach.sa").post(
        URL, round_post(first, second, locality="Sibiu", present={first.pk: members[:2]})
    )
    assert response.status_code == 302
    visit = m.OutreachVisit.objects.get(household=first)
    assert set(visit.persons.values_list("pk", flat=True)) == set(members[:2])
    # A household whose members the form did not list (another client): all of them.
    assert m.OutreachVisit.objects.get(household=second).persons.count() == 3
    entries = AuditEntry.objects.filter(
        action="create", model="records.OutreachVisit", object_pk=str(visit.pk)
    )
    assert entries.count() == 1 and "persons" in entries.get().fields


def test_a_household_ticked_with_no_one_present_is_refused_at_the_top(login: Callable[[str], Client]) -> None:
    (household,) = sa_households("Sibiu", 1)
    before = m.OutreachVisit.objects.count()
    response = login("outreach.sa").post(
        URL, round_post(household, locality="Sibiu", present={household.pk: []})
    )
    assert response.status_code == 200
    expected = translated(
        "ro",
        "No one is ticked as present in %(households)s: tick who was there, or untick the household.",
        households=household.code,
    )
    assert (expected, "round-grid") in response.context["errors"]
    html = response.content.decode()
    assert html.index('id="error-summary"') < html.index('id="round-grid"')
    # Every link of the summary leads to something on the page.
    for _message, anchor in response.context["errors"]:
        assert f'id="{anchor}"' in html
    assert m.OutreachVisit.objects.count() == before


def test_every_link_of_the_summary_leads_to_the_page(login: Callable[[str], Client]) -> None:
    (household,) = sa_households("Sibiu", 1)
    data = round_post(household, locality="Sibiu", persons__code="NO-SUCH-CODE")
    data.update({"new-TOTAL_FORMS": "1", "new-0-sex": "female", "new-0-birth_year": "1800"})
    response = login("outreach.sa").post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    anchors = [anchor for _message, anchor in response.context["errors"]]
    assert anchors == ["id_persons", "id_new-0-birth_year"]
    for anchor in anchors:
        assert f'id="{anchor}"' in html


def test_a_person_who_is_not_a_member_cannot_be_present(login: Callable[[str], Client]) -> None:
    first, second = sa_households("Sibiu", 2)
    stranger = second.members.first()
    assert stranger is not None
    before = m.VisitPerson.objects.count()
    response = login("outreach.sa").post(
        URL, round_post(first, locality="Sibiu", present={first.pk: [stranger.pk]})
    )
    assert response.status_code == 200
    assert response.context["form"].errors["households"]
    assert m.VisitPerson.objects.count() == before


def test_the_message_after_saving_counts_households_and_people(login: Callable[[str], Client]) -> None:
    first, second = sa_households("Sibiu", 2, members=3)
    one = first.members.values_list("pk", flat=True)[0]
    client = login("outreach.sa")
    page = grid(client, locality="Sibiu")
    # The page's own count, before saving: nothing of Sibiu was visited last month.
    assert page.context["count_households"] == 0
    response = client.post(
        URL,
        round_post(first, second, locality="Sibiu", present={first.pk: [one]}),
        follow=True,
    )
    expected = translated(
        "ro",
        "The outreach round was saved. Households: %(households)s, people: %(people)s.",
        households=2,
        people=4,
    )
    assert expected in [str(message) for message in response.context["messages"]]


def queries_of_a_round(client: Client, count: int, locality: str) -> tuple[int, int]:
    households = sa_households(locality, count)
    with CaptureQueriesContext(connection) as shown:
        grid(client, locality=locality)
    present = {h.pk: list(h.members.values_list("pk", flat=True))[:1] for h in households}
    with CaptureQueriesContext(connection) as saved:
        response = client.post(URL, round_post(*households, locality=locality, present=present))
    assert response.status_code == 302
    assert m.OutreachVisit.objects.filter(locality=locality).count() == count
    return len(shown), len(saved)


def test_the_round_reads_and_saves_in_a_fixed_number_of_queries(login: Callable[[str], Client]) -> None:
    client = login("outreach.sa")
    grid(client, locality="Cluj-Napoca")  # what a first request reads once (the session, the user)
    assert queries_of_a_round(client, 5, "Sibiu") == queries_of_a_round(client, 50, "Brasov")


def test_a_second_submit_of_the_same_form_says_it_is_saved_and_records_nothing_twice(
    login: Callable[[str], Client],
) -> None:
    (household,) = sa_households("Sibiu", 1)
    client = login("outreach.sa")
    token = grid(client, locality="Sibiu").context["form"].initial["token"]
    data = round_post(household, locality="Sibiu", token=str(token))
    assert client.post(URL, data).status_code == 302
    counts = (m.OutreachVisit.objects.count(), m.VisitPerson.objects.count(), AuditEntry.objects.count())
    again = client.post(URL, data)
    assert again.status_code == 200
    assert again.templates[0].name == "records/round_saved.html"
    assert re.search(r'href="/visits/\?date_from=2022-01-15', again.content.decode())
    assert (
        m.OutreachVisit.objects.count(),
        m.VisitPerson.objects.count(),
        AuditEntry.objects.count(),
    ) == counts


def test_a_token_of_another_user_is_not_taken_for_theirs(login: Callable[[str], Client]) -> None:
    """A token only answers its own user: another user's round is checked like any other."""
    (household,) = sa_households("Sibiu", 1)
    first = login("outreach.sa")
    token = grid(first, locality="Sibiu").context["form"].initial["token"]
    assert first.post(URL, round_post(household, locality="Sibiu", token=str(token))).status_code == 302
    other = login("coordinator")
    sa = Organisation.objects.get(slug=SA)
    response = other.post(URL, round_post(household, locality="Sibiu", token=str(token), organisation=sa.pk))
    assert response.templates[0].name == "records/outreach_round.html"
    assert response.context["form"].errors["households"]


def test_the_programme_the_page_was_opened_for_stays_through_both_steps(
    login: Callable[[str], Client], demo: Any
) -> None:
    client = login("outreach.sa")
    first = client.get(URL, {"programme": demo.slug}).content.decode()
    assert f'<input type="hidden" name="programme" value="{demo.slug}">' in first
    response = grid(client, programme=demo.slug)
    assert f"programme={demo.slug}" in response.context["change_url"]
