"""No lost updates on the record pages: two people of one organisation edit the same case; the second save
is refused with who changed what, the first is kept, and the second's input is shown again to apply."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nextsteps.accounts.models import Membership, User
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from nextsteps.records import versions

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


@pytest.fixture
def ana(db: object) -> User:
    """A second caseworker of the IJM Romania, beside the demo's caseworker.ijm."""
    user = User.objects.create_user("ana.ijm", first_name="Ana", last_name="Pop", language="en")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="ijm-ro"), role="caseworker"
    )
    return user


def open_case() -> m.Case:
    case = m.Case.objects.filter(organisation__slug="ijm-ro", status="open").first()
    assert case is not None
    return case


def shown_version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "the edit form carries the version it was opened at"
    return found.group(1)


def reason() -> str:
    return str(m.ClosureReason.objects.values_list("pk", flat=True).first())


def case_form(case: m.Case, version: str, **changes: str) -> dict[str, str]:
    return {
        "person": str(case.person_id),
        "opened": case.opened.isoformat(),
        "closed": case.closed.isoformat() if case.closed else "",
        "status": case.status,
        "version": version,
        **changes,
    }


def test_the_second_of_two_saves_is_refused_and_the_first_kept(login: Login, ana: User) -> None:
    case = open_case()
    url = reverse("records:case-edit", args=[case.pk])
    first, second = login("ana.ijm"), login("caseworker.ijm")
    first_version = shown_version(first.get(url).content.decode())
    second_version = shown_version(second.get(url).content.decode())
    closed_on = (case.opened + dt.timedelta(days=30)).isoformat()

    closing = first.post(
        url, case_form(case, first_version, status="closed", closed=closed_on, closure_reason=reason())
    )
    assert closing.status_code == 302

    # caseworker.ijm opened the form before Ana closed the case, and corrects the opening date.
    new_opened = (case.opened + dt.timedelta(days=1)).isoformat()
    refused = second.post(url, case_form(case, second_version, opened=new_opened))
    assert refused.status_code == 200
    page = refused.content.decode()

    stored = m.Case.objects.get(pk=case.pk)
    assert (stored.status, stored.closed.isoformat() if stored.closed else "") == ("closed", closed_on)
    assert stored.opened == case.opened
    # The message in caseworker.ijm's language names who changed which fields.
    with translation.override("ro"):
        stale = versions.stale_edit(stored, int(second_version))
        message = stale.page_message()
    assert stale.people == ["Ana Pop (ana.ijm)"] and set(stale.fields) == {
        "status",
        "closed",
        "closure_reason",
    }
    assert message in page.replace("&#x27;", "'")
    # Their own input is on the form again, with what is saved now beside it, and the next save starts
    # from the current version.
    assert f'value="{new_opened}"' in page
    assert 'class="stale-values"' in page
    assert shown_version(page) == str(stored.version)
    assert (
        AuditEntry.objects.filter(
            action="change", model="records.Case", object_pk=str(case.pk), user__username="caseworker.ijm"
        ).count()
        == 0
    )


def test_the_refused_editor_can_apply_their_changes_again(login: Login, ana: User) -> None:
    case = open_case()
    url = reverse("records:case-edit", args=[case.pk])
    first, second = login("ana.ijm"), login("caseworker.ijm")
    first_version = shown_version(first.get(url).content.decode())
    second_version = shown_version(second.get(url).content.decode())
    closed_on = (case.opened + dt.timedelta(days=30)).isoformat()
    assert (
        first.post(
            url, case_form(case, first_version, status="closed", closed=closed_on, closure_reason=reason())
        ).status_code
        == 302
    )
    new_opened = (case.opened + dt.timedelta(days=1)).isoformat()
    page = second.post(url, case_form(case, second_version, opened=new_opened)).content.decode()

    # Seeing Ana's closure, caseworker.ijm keeps it and saves the date again.
    again = second.post(
        url,
        case_form(
            case,
            shown_version(page),
            opened=new_opened,
            status="closed",
            closed=closed_on,
            closure_reason=reason(),
        ),
    )
    assert again.status_code == 302
    stored = m.Case.objects.get(pk=case.pk)
    assert (stored.opened.isoformat(), stored.status, stored.version) == (
        new_opened,
        "closed",
        int(first_version) + 2,
    )


def test_an_edit_form_of_any_versioned_kind_carries_the_version(login: Login) -> None:
    person = m.Person.objects.filter(organisation__slug="ijm-ro").first()
    assert person is not None
    page = login("caseworker.ijm").get(reverse("records:person-edit", args=[person.pk])).content.decode()
    assert shown_version(page) == str(person.version)
