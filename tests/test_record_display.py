"""Record pages write dates and years the way the reader's language does: record names (headings, list
cells, the delete question) carry localised dates, and a year of birth is never grouped like an amount."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from nextsteps.records import models as m

pytestmark = pytest.mark.django_db


def sa_person_born_in(year: int) -> m.Person:
    person = m.Person.objects.filter(organisation__slug="salvation-army-ro", birth_date=None).first()
    assert person is not None
    person.birth_year = year
    person.save()
    return person


def test_a_year_of_birth_is_shown_without_a_thousands_separator(login: Callable[[str], Client]) -> None:
    person = sa_person_born_in(1975)
    client = login("caseworker.sa")  # reads Romanian, where 1975 as a number is "1.975"
    listed = client.get(reverse("records:person-list"), {"q": person.code}).content.decode()
    detail = client.get(reverse("records:person-detail", args=[person.pk])).content.decode()
    for html in (listed, detail):
        assert "<td>1975</td>" in html or "<dd>1975</dd>" in html
        assert "1.975" not in html


def test_a_record_name_carries_its_date_in_the_readers_language(login: Callable[[str], Client]) -> None:
    visit = m.OutreachVisit.objects.filter(organisation__slug="salvation-army-ro").first()
    assert visit is not None
    with translation.override("ro"):
        romanian = formats.date_format(visit.date)
    assert romanian != visit.date.isoformat()
    html = login("outreach.sa").get(reverse("records:visit-detail", args=[visit.pk])).content.decode()
    heading = html.split("<h1>")[1].split("</h1>")[0]
    assert romanian in heading and visit.date.isoformat() not in heading


def test_the_delete_question_names_the_record_with_a_localised_date(login: Callable[[str], Client]) -> None:
    activity = m.Activity.objects.filter(organisation__slug="dorcas-ro").first()
    assert activity is not None
    with translation.override("ro"):
        romanian = formats.date_format(activity.date)
    html = (
        login("prevention.dorcas")
        .get(reverse("records:activity-delete", args=[activity.pk]))
        .content.decode()
    )
    assert f"{activity.title} ({romanian})" in html
    assert activity.date.isoformat() not in html


def test_list_cells_naming_a_case_use_the_readers_date(login: Callable[[str], Client]) -> None:
    response = login("caseworker.ijm").get(reverse("records:service-list"))
    html = response.content.decode()
    service = response.context["rows"][0][0]
    with translation.override("ro"):
        opened = formats.date_format(service.case.opened)
    assert f"{service.case.person.code} ({opened})" in html
    assert f"({service.case.opened.isoformat()})" not in html
