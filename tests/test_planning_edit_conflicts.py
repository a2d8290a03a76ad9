"""No lost updates on the planning pages: two coordinators edit the same period introduction or target; the
second save is refused with who changed what, the first kept, and the second's input shown again."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import Membership, User
from nextsteps.indicators.models import Target
from nextsteps.programmes.models import Organisation, PeriodNarrative, Programme

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


@pytest.fixture
def second_coordinator(db: object) -> User:
    user = User.objects.create_user("maria.nl", first_name="Maria", last_name="de Vries", language="en")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="next-steps-nl"), role="coordinator"
    )
    return user


def shown_version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "the edit form carries the version it was opened at"
    return found.group(1)


def test_the_second_of_two_edits_of_an_introduction_is_refused(
    login: Login, demo: Programme, second_coordinator: User
) -> None:
    narrative = PeriodNarrative.objects.filter(programme=demo, language="en").first()
    assert narrative is not None
    url = reverse("programmes:narrative-edit", args=[demo.slug, narrative.pk])
    maria, mine = login("maria.nl"), login("coordinator")
    maria_version, my_version = (shown_version(c.get(url).content.decode()) for c in (maria, mine))
    data = {"start": narrative.start.isoformat(), "end": narrative.end.isoformat(), "language": "en"}

    assert maria.post(url, {**data, "text": "Maria's text.", "version": maria_version}).status_code == 302
    refused = mine.post(url, {**data, "text": "My text.", "version": my_version})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Maria de Vries (maria.nl)" in page
    assert "My text." in page
    assert shown_version(page) == str(int(maria_version) + 1)
    assert PeriodNarrative.objects.get(pk=narrative.pk).text == "Maria's text."


def test_the_second_of_two_edits_of_a_target_is_refused(
    login: Login, demo: Programme, second_coordinator: User
) -> None:
    target = Target.objects.filter(indicator__pillar__programme=demo, cell="").first()
    assert target is not None
    url = reverse("indicators:target-edit", args=[demo.slug, target.pk])
    maria, mine = login("maria.nl"), login("coordinator")
    maria_version, my_version = (shown_version(c.get(url).content.decode()) for c in (maria, mine))
    data = {"start": target.start.isoformat(), "end": target.end.isoformat(), "cell": "", "baseline": ""}

    assert maria.post(url, {**data, "target": "120", "version": maria_version}).status_code == 302
    refused = mine.post(url, {**data, "target": "80", "version": my_version})

    assert refused.status_code == 200
    assert "Maria de Vries (maria.nl)" in refused.content.decode()
    assert Target.objects.get(pk=target.pk).target == Decimal("120")
