"""The data-quality page (/quality/): each check finds a planted problem and not a clean record, the
reader's own organisations link to the records, the others are counts only."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nextsteps.accounts.models import Membership, User
from nextsteps.audit.log import bump_data_version
from nextsteps.casework.models import CaseNote
from nextsteps.indicators.models import Target
from nextsteps.programmes.models import Programme
from nextsteps.records import actions
from nextsteps.records.models import Activity, ActivityType, Case, OutreachVisit
from nextsteps.reports import quality
from tests import factories

TODAY = dt.date.today()
START, END = TODAY - dt.timedelta(days=365), TODAY


@pytest.fixture
def setting(db: Any, login: Callable[[str], Client]) -> dict[str, Any]:
    """A programme of two organisations, each with a coordinator of its own."""
    own, other = factories.organisation("Own office"), factories.organisation("Other office")
    programme = factories.programme(own, other)
    for org, name in ((own, "coord.own"), (other, "coord.other")):
        user = User.objects.create_user(username=name, password="x")
        Membership.objects.create(user=user, organisation=org, role="coordinator")
    return {"programme": programme, "own": own, "other": other, "client": login("coord.own")}


def counts(programme: Programme, key: str) -> dict[str, dict[int, int]]:
    lines = dict(quality.run(programme, START, END, "en"))
    check = next(c for c in lines if c.key == key)
    return {line.label: line.counts for line in lines[check]}


def page(client: Client, programme: Programme) -> str:
    response = client.get(
        "/quality/", {"programme": programme.slug, "date_from": START.isoformat(), "date_to": END.isoformat()}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_it_counts_records_whose_person_has_no_known_sex_or_age(setting: dict[str, Any]) -> None:
    programme, own, other = setting["programme"], setting["own"], setting["other"]
    factories.indicator(programme, "services", "records", title_en="Services")
    factories.service(programme, own, factories.person(own, sex="unknown", born=dt.date(1990, 1, 1)), TODAY)
    factories.service(programme, own, factories.person(own, sex="female", born=None), TODAY)
    factories.service(programme, own, factories.person(own, sex="female", born=dt.date(1990, 1, 1)), TODAY)
    factories.service(programme, other, factories.person(other, sex="unknown"), TODAY)
    assert counts(programme, "unknown_sex_age") == {"Services": {own.pk: 2, other.pk: 1}}


def test_it_counts_activities_whose_attendance_by_sex_and_age_does_not_add_up(
    setting: dict[str, Any],
) -> None:
    programme, own = setting["programme"], setting["own"]
    factories.indicator(programme, "activities", "sum", title_en="Attendance")
    kind = ActivityType.objects.first()
    base = {
        "programme": programme,
        "organisation": own,
        "activity_type": kind,
        "date": TODAY,
        "locality": "Iași",
    }
    actions.create_record(
        Activity, acting_user=None, title="a", attendance_total=10, attendance_women=4, **base
    )
    actions.create_record(
        Activity,
        acting_user=None,
        title="b",
        attendance_total=10,
        attendance_women=4,
        attendance_men=6,
        **base,
    )
    assert counts(programme, "unknown_sex_age") == {"Attendance": {own.pk: 1}}


def test_it_counts_records_entered_long_after_their_date(setting: dict[str, Any]) -> None:
    programme, own = setting["programme"], setting["own"]
    factories.indicator(programme, "services", "records", title_en="Services")
    who = factories.person(own, born=dt.date(1990, 1, 1))
    factories.service(programme, own, who, TODAY - dt.timedelta(days=60))  # entered today: late
    factories.service(programme, own, who, TODAY - dt.timedelta(days=20))  # within 30 days: on time
    assert counts(programme, "late_entries") == {"services delivered": {own.pk: 1}}


def test_it_counts_attendances_far_above_their_types_median(setting: dict[str, Any]) -> None:
    programme, own, other = setting["programme"], setting["own"], setting["other"]
    kind = ActivityType.objects.first()
    for org, size in ((own, 10), (own, 12), (other, 10), (other, 31), (own, 100)):
        actions.create_record(
            Activity,
            acting_user=None,
            programme=programme,
            organisation=org,
            activity_type=kind,
            title="t",
            date=TODAY,
            locality="Iași",
            attendance_total=size,
        )
    # Median 12, so above 36: the 100 only (31 is within).
    assert counts(programme, "attendance_outliers") == {"activities and events": {own.pk: 1}}


def test_it_counts_households_without_members(setting: dict[str, Any]) -> None:
    programme, own = setting["programme"], setting["own"]
    factories.household(own)
    factories.household(own, factories.person(own))
    assert counts(programme, "households_without_members") == {"households": {own.pk: 1}}


def test_it_counts_visits_without_persons(setting: dict[str, Any]) -> None:
    programme, own, other = setting["programme"], setting["own"], setting["other"]
    factories.visit(programme, own, TODAY)
    factories.visit(programme, own, TODAY, factories.person(own))
    factories.visit(programme, other, TODAY)
    assert OutreachVisit.objects.filter(programme=programme).count() == 3
    assert counts(programme, "visits_without_persons") == {"outreach visits": {own.pk: 1, other.pk: 1}}


def test_it_counts_open_cases_without_activity_for_90_days(setting: dict[str, Any]) -> None:
    programme, own = setting["programme"], setting["own"]
    long_ago = TODAY - dt.timedelta(days=200)
    idle = factories.open_case(
        programme=programme, organisation=own, person=factories.person(own), opened=long_ago
    )
    noted = factories.open_case(
        programme=programme, organisation=own, person=factories.person(own), opened=long_ago
    )
    actions.create_record(CaseNote, acting_user=None, case=noted, date=TODAY, text="Called.")
    assert idle.status == Case.Status.OPEN
    assert counts(programme, "idle_cases") == {"open cases": {own.pk: 1}}


def test_it_lists_indicators_without_a_target(setting: dict[str, Any]) -> None:
    programme = setting["programme"]
    with_target = factories.indicator(programme, "services", "records", title_en="With target")
    factories.indicator(programme, "services", "records", title_en="Without target")
    Target.objects.create(indicator=with_target, start=START, end=END, target=5)
    missing = quality.indicators_without_target(list(programme.pillars.get().indicators.all()), START, END)
    assert [i.title_en for i in missing] == ["Without target"]


def test_it_links_own_organisations_and_gives_others_counts_only(setting: dict[str, Any]) -> None:
    programme, own, other = setting["programme"], setting["own"], setting["other"]
    factories.visit(programme, own, TODAY)
    factories.visit(programme, other, TODAY)
    html = page(setting["client"], programme)
    assert f"/visits/?organisation={own.pk}&amp;problem=visits_without_persons&amp;date_from={START}" in html
    assert f"organisation={other.pk}" not in html


def test_the_other_coordinator_sees_the_mirror_image(
    setting: dict[str, Any], login: Callable[[str], Client]
) -> None:
    programme, own, other = setting["programme"], setting["own"], setting["other"]
    factories.household(own)
    factories.household(other)
    html = page(login("coord.other"), programme)
    assert f"/households/?organisation={other.pk}" in html
    assert f"organisation={own.pk}" not in html


def test_it_hides_the_page_from_roles_that_do_not_plan(
    demo: Programme, login: Callable[[str], Client]
) -> None:
    for persona in ("caseworker.sa", "viewer", "dpo"):
        assert login(persona).get("/quality/").status_code == 404


def test_it_hides_programmes_of_other_organisations(setting: dict[str, Any], demo: Programme) -> None:
    assert setting["client"].get("/quality/", {"programme": demo.slug}).status_code == 404


def test_it_is_in_the_coordinators_menu(demo: Programme, login: Callable[[str], Client]) -> None:
    assert 'href="/quality/"' in login("coordinator").get("/").content.decode()
    assert 'href="/quality/"' not in login("caseworker.sa").get("/").content.decode()


def test_its_queries_do_not_grow_with_the_records(setting: dict[str, Any]) -> None:
    programme, own, other = setting["programme"], setting["own"], setting["other"]
    factories.indicator(programme, "services", "records")
    factories.indicator(programme, "persons_reached", "distinct_persons")

    def queries() -> int:
        # Counted when the checks run, not when the page reads them from the cache of the data version.
        bump_data_version()
        with CaptureQueriesContext(connection) as captured:
            page(setting["client"], programme)
        return len(captured)

    queries()  # the first request of a session also reads and writes the session
    first = queries()
    for org in (own, other):
        who = factories.person(org, sex="unknown")
        factories.service(programme, org, who, TODAY - dt.timedelta(days=40))
        factories.visit(programme, org, TODAY, who)
        factories.household(org)
    assert queries() == first


def test_it_speaks_the_readers_language(setting: dict[str, Any]) -> None:
    client = setting["client"]
    client.post("/accounts/language/", {"language": "ro", "next": "/"})
    programme = setting["programme"]
    html = client.get("/quality/", {"programme": programme.slug}, HTTP_ACCEPT_LANGUAGE="ro").content.decode()
    assert "Calitatea datelor" in html


def link(html: str, path: str) -> str:
    found = re.search(rf'href="({re.escape(path)}\?[^"]*)"', html)
    assert found, path
    return found.group(1).replace("&amp;", "&")


def test_its_links_open_exactly_the_records_to_fix(setting: dict[str, Any]) -> None:
    programme, own, client = setting["programme"], setting["own"], setting["client"]
    empty = factories.household(own)
    full = factories.household(own, factories.person(own))
    factories.indicator(programme, "services", "records")
    who = factories.person(own, born=dt.date(1990, 1, 1))
    late = factories.service(programme, own, who, TODAY - dt.timedelta(days=60))
    on_time = factories.service(programme, own, who, TODAY - dt.timedelta(days=20))
    html = page(client, programme)

    households = client.get(link(html, "/households/")).content.decode()
    assert empty.code in households
    assert full.code not in households
    services = client.get(link(html.split('id="late_entries"')[1], "/services/"))
    assert [row[0] for row in services.context["rows"]] == [late]
    assert on_time not in [row[0] for row in services.context["rows"]]


def test_a_record_list_answers_an_unknown_check_with_a_message_not_an_error(setting: dict[str, Any]) -> None:
    response = setting["client"].get("/households/", {"problem": "nonsense"})
    assert response.status_code == 200
    assert response.context["filters"].errors["problem"]


def test_the_page_and_its_menu_read_the_planned_programmes_once(setting: dict[str, Any]) -> None:
    programme = setting["programme"]
    page(setting["client"], programme)  # the session's first request writes it
    with CaptureQueriesContext(connection) as captured:
        html = page(setting["client"], programme)
    programmes = [q["sql"] for q in captured if 'FROM "programmes_programme"' in q["sql"]]
    assert len(programmes) == 1, programmes
    # The menu still offers the planning pages of that programme.
    assert f"/programmes/{programme.slug}/" in html
