"""The audit trail page: administrators and data-protection officers read who saw or changed what, filtered
by user, record and date, only for their own organisations, and never page through an uncounted trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from nextsteps.accounts.models import Membership, Role, User
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def ijm_dpo() -> User:
    user = User.objects.create_user("dpo.ijm", password="x", language="en")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="ijm-ro"), role=Role.DATA_PROTECTION_OFFICER
    )
    return user


def _person(org: str) -> m.Person:
    person = m.Person.objects.filter(organisation__slug=org).order_by("pk").first()
    assert person is not None
    return person


def test_it_lists_only_entries_of_the_readers_organisations(
    login: Callable[[str], Client], ijm_dpo: User
) -> None:
    login("caseworker.ijm").get(reverse("records:person-detail", args=[_person("ijm-ro").pk]))
    login("outreach.sa").get(reverse("records:person-detail", args=[_person("salvation-army-ro").pk]))
    entries = list(login("dpo.ijm").get(reverse("audit"), {"action": "view"}).context["page"].object_list)
    assert entries
    assert {e.organisation.slug for e in entries} == {"ijm-ro"}
    assert "outreach.sa" not in {e.user.username for e in entries if e.user}


def test_it_says_who_viewed_one_record(login: Callable[[str], Client], ijm_dpo: User) -> None:
    person = _person("ijm-ro")
    login("caseworker.ijm").get(reverse("records:person-detail", args=[person.pk]))
    response = login("dpo.ijm").get(reverse("audit"), {"model": "records.Person", "record": str(person.pk)})
    assert [v["user__username"] for v in response.context["viewers"]] == ["caseworker.ijm"]
    assert "Who viewed or exported this record" in response.content.decode()
    untouched = _person("ijm-ro").pk + 1
    quiet = login("dpo.ijm").get(reverse("audit"), {"model": "records.Person", "record": str(untouched)})
    assert list(quiet.context["viewers"]) == []


def test_who_viewed_this_includes_exports_with_the_last_date_of_each_user(
    login: Callable[[str], Client], ijm_dpo: User
) -> None:
    from nextsteps.audit.log import log

    person = _person("ijm-ro")
    caseworker = User.objects.get(username="caseworker.ijm")
    log(AuditEntry.Action.VIEW, person, user=caseworker)
    log(AuditEntry.Action.EXPORT, person, user=ijm_dpo)
    log(AuditEntry.Action.VIEW, person, user=caseworker)
    earlier, exported, latest = AuditEntry.objects.filter(
        model="records.Person", object_pk=str(person.pk)
    ).order_by("-pk")[:3][::-1]
    AuditEntry.objects.filter(pk=earlier.pk).update(at=timezone.now() - dt.timedelta(days=3))
    AuditEntry.objects.filter(pk=exported.pk).update(at=timezone.now() - dt.timedelta(days=2))
    AuditEntry.objects.filter(pk=latest.pk).update(at=timezone.now() - dt.timedelta(days=1))
    response = login("dpo.ijm").get(reverse("audit"), {"model": "records.Person", "record": str(person.pk)})
    viewers = [(v["user__username"], v["last"]) for v in response.context["viewers"]]
    assert [name for name, _last in viewers] == ["caseworker.ijm", "dpo.ijm"]
    latest.refresh_from_db()
    exported.refresh_from_db()
    assert [last for _name, last in viewers] == [latest.at, exported.at]
    page = response.content.decode()
    assert (
        f"dpo.ijm, last on {formats.date_format(timezone.localtime(exported.at), 'SHORT_DATETIME_FORMAT')}"
        in page
    )


def test_it_filters_by_user_and_by_date(login: Callable[[str], Client]) -> None:
    person = _person("next-steps-nl")
    login("coordinator").get(reverse("records:person-detail", args=[person.pk]))
    coordinator = User.objects.get(username="coordinator")
    client = login("dpo")
    by_user = client.get(reverse("audit"), {"user": coordinator.pk}).context["page"].object_list
    assert by_user and {e.user_id for e in by_user} == {coordinator.pk}
    today = timezone.localdate()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert client.get(reverse("audit"), {"date_from": tomorrow}).context["page"].paginator.count == 0
    same_day = client.get(reverse("audit"), {"user": str(coordinator.pk), "date_from": today.isoformat()})
    assert same_day.context["page"].paginator.count >= 1


def test_a_bad_filter_shows_a_field_error_and_no_entries(login: Callable[[str], Client]) -> None:
    response = login("dpo").get(reverse("audit"), {"date_from": "2021-02-30"})
    assert response.status_code == 200
    assert response.context["filters"].errors["date_from"]
    assert response.context["page"].paginator.count == 0


def test_a_long_trail_counts_only_up_to_the_limit_and_says_so(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from nextsteps.audit import views

    monkeypatch.setattr(views, "COUNT_LIMIT", 30)
    assert AuditEntry.objects.filter(organisation__slug="next-steps-nl").count() > 30
    response = login("dpo").get(reverse("audit"))
    paginator = response.context["page"].paginator
    assert (paginator.more, paginator.count, paginator.num_pages) == (True, 30, 1)
    assert "More than 30 entries: only the newest 30 can be paged through." in response.content.decode()


def test_the_trail_costs_the_same_queries_for_any_page(
    login: Callable[[str], Client], django_assert_max_num_queries: Any
) -> None:
    client = login("dpo")
    with django_assert_max_num_queries(10):
        client.get(reverse("audit"))
    with django_assert_max_num_queries(10):
        client.get(reverse("audit"), {"page": "2", "action": "create"})


def test_the_trail_cannot_be_changed_through_the_app(login: Callable[[str], Client]) -> None:
    entry = AuditEntry.objects.filter(organisation__slug="next-steps-nl").first()
    assert entry is not None
    before = AuditEntry.objects.count()
    assert login("dpo").post(reverse("audit"), {"delete": entry.pk}).status_code == 405
    assert AuditEntry.objects.count() == before
