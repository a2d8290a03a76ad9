"""The data-protection officer's pages: find a person of their own organisation, give them everything held
about them, or erase them after typing the code; nobody else reaches these pages."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.models import Erasure
from nextsteps.records import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> m.Person:
    person = m.Person.objects.filter(organisation__slug="next-steps-nl").order_by("pk").first()
    assert person is not None
    return person


def test_the_menu_offers_the_page_to_the_dpo_only(login: Callable[[str], Client]) -> None:
    url = reverse("privacy:rights")
    assert url in login("dpo").get(reverse("home")).content.decode()
    assert url not in login("admin").get(reverse("home")).content.decode()


def test_the_dpo_finds_a_person_by_code_or_by_full_name(
    person: m.Person, login: Callable[[str], Client]
) -> None:
    client = login("dpo")
    by_code = client.get(reverse("privacy:rights"), {"q": person.code}).context["found"]
    by_name = client.get(
        reverse("privacy:rights"), {"q": f"{person.given_name} {person.family_name}"}
    ).context["found"]
    assert person in by_code and person in by_name


def test_people_of_other_organisations_are_not_found_nor_reachable(login: Callable[[str], Client]) -> None:
    other = m.Person.objects.filter(organisation__slug="ijm-ro").first()
    assert other is not None
    client = login("dpo")
    assert client.get(reverse("privacy:rights"), {"q": other.code}).context["found"] == []
    for name in ("privacy:rights-person", "privacy:rights-export", "privacy:rights-erase"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
    assert (
        client.post(reverse("privacy:rights-erase", args=[other.pk]), {"code": other.code}).status_code == 404
    )
    assert not Erasure.objects.filter(person=other).exists()


def test_the_person_page_and_the_detail_page_link_to_each_other(
    person: m.Person, login: Callable[[str], Client]
) -> None:
    client = login("dpo")
    detail = client.get(reverse("records:person-detail", args=[person.pk])).content.decode()
    assert reverse("privacy:rights-person", args=[person.pk]) in detail
    page = client.get(reverse("privacy:rights-person", args=[person.pk]))
    assert reverse("privacy:rights-export", args=[person.pk]) in page.content.decode()
    assert AuditEntry.objects.filter(
        model="records.Person", object_pk=str(person.pk), action="view", user__username="dpo"
    ).exists()


def test_the_export_downloads_as_json_or_html_and_is_audited(
    person: m.Person, login: Callable[[str], Client]
) -> None:
    client = login("dpo")
    response = client.get(reverse("privacy:rights-export", args=[person.pk]), {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="person-{person.code}.json"'
    data = json.loads(response.content)
    assert {item["field"]: item["value"] for item in data["person"]}["family_name"] == person.family_name
    page = client.get(reverse("privacy:rights-export", args=[person.pk]), {"format": "html"})
    assert page["Content-Type"].startswith("text/html") and person.family_name in page.content.decode()
    exports = AuditEntry.objects.filter(model="records.Person", object_pk=str(person.pk), action="export")
    assert exports.count() == 2 and {e.user.username for e in exports if e.user} == {"dpo"}
    assert (
        client.get(reverse("privacy:rights-export", args=[person.pk]), {"format": "exe"}).status_code == 404
    )


def test_erasing_needs_the_code_typed_and_then_erases(
    person: m.Person, login: Callable[[str], Client]
) -> None:
    client = login("dpo")
    url = reverse("privacy:rights-erase", args=[person.pk])
    wrong = client.post(url, {"code": "something else"})
    assert wrong.status_code == 200 and "code" in wrong.context["form"].errors
    assert not Erasure.objects.filter(person=person).exists()
    done = client.post(url, {"code": person.code}, follow=True)
    person.refresh_from_db()
    assert person.code.startswith("ERASED-") and person.given_name == ""
    assert person.code in done.content.decode()
    erasure = Erasure.objects.get(person=person)
    assert erasure.erased_by is not None and erasure.erased_by.username == "dpo"
    # Done once: the page says so and offers no second erasure.
    again = client.get(url, follow=True).content.decode()
    assert url not in again


def test_the_erase_page_warns_about_open_cases(person: m.Person, login: Callable[[str], Client]) -> None:
    assert person.cases.filter(status="open").exists()
    page = login("dpo").get(reverse("privacy:rights-erase", args=[person.pk]))
    assert page.context["open_cases"] == person.cases.filter(status="open").count()
