"""No lost updates through the API: records carry their version; a change sent with a version someone has
moved past answers 409 with who changed what, and saves nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from nextsteps.accounts.models import Membership, User
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]


@pytest.fixture
def ana(db: object) -> User:
    user = User.objects.create_user("ana.ijm", first_name="Ana", last_name="Pop", language="en")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="ijm-ro"), role="caseworker"
    )
    return user


def reason() -> int | None:
    return m.ClosureReason.objects.values_list("pk", flat=True).first()


def a_case() -> m.Case:
    case = m.Case.objects.filter(organisation__slug="ijm-ro", status="open").first()
    assert case is not None
    return case


def test_records_carry_their_version(api: Api) -> None:
    case = a_case()
    client = api("caseworker.ijm")
    assert client.get(f"/api/v1/records/cases/{case.pk}").json()["version"] == case.version
    listed = client.get("/api/v1/records/cases").json()["results"]
    assert all(isinstance(row["version"], int) for row in listed)


def test_a_change_from_a_version_someone_moved_past_answers_409_and_saves_nothing(
    api: Api, ana: User
) -> None:
    case = a_case()
    url = f"/api/v1/records/cases/{case.pk}"
    mine, theirs = api("caseworker.ijm"), api("ana.ijm")
    version = mine.get(url).json()["version"]
    closed_on = (case.opened + dt.timedelta(days=30)).isoformat()

    first = theirs.patch(
        url, {"version": version, "status": "closed", "closed": closed_on, "closure_reason": reason()}
    )
    assert first.status_code == 200
    assert first.json()["version"] == version + 1

    reopening = mine.patch(
        url, {"version": version, "status": "open", "closed": None, "closure_reason": None}
    )
    assert reopening.status_code == 409
    message = reopening.json()["message"]
    assert "Ana Pop (ana.ijm)" in message
    assert str(version + 1) in message
    stored = m.Case.objects.get(pk=case.pk)
    assert (stored.status, stored.closed.isoformat() if stored.closed else None) == ("closed", closed_on)
    assert stored.version == version + 1


def test_the_conflict_message_is_in_the_users_language(api: Api, ana: User) -> None:
    case = a_case()
    url = f"/api/v1/records/cases/{case.pk}"
    version = case.version
    assert (
        api("ana.ijm")
        .patch(
            url,
            {
                "version": version,
                "status": "closed",
                "closed": case.opened.isoformat(),
                "closure_reason": reason(),
            },
        )
        .status_code
        == 200
    )
    answer = api("caseworker.ijm").patch(url, {"version": version, "opened": case.opened.isoformat()})
    assert answer.status_code == 409
    # caseworker.ijm works in Romanian.
    message = answer.json()["message"]
    assert message.startswith("Ana Pop (ana.ijm) a modificat ")
    assert message.endswith(
        f"Nu s-a salvat nimic: citiți din nou înregistrarea și trimiteți modificările cu versiunea {version + 1}."
    )


def test_a_change_with_the_current_version_is_saved(api: Api) -> None:
    case = a_case()
    url = f"/api/v1/records/cases/{case.pk}"
    client = api("caseworker.ijm")
    answer = client.patch(
        url, {"version": case.version, "opened": (case.opened + dt.timedelta(days=1)).isoformat()}
    )
    assert answer.status_code == 200
    assert answer.json()["version"] == case.version + 1


def test_a_change_without_a_version_is_saved_over_what_is_stored(api: Api) -> None:
    case = a_case()
    answer = api("caseworker.ijm").patch(
        f"/api/v1/records/cases/{case.pk}", {"opened": (case.opened + dt.timedelta(days=1)).isoformat()}
    )
    assert answer.status_code == 200
    assert answer.json()["version"] == case.version + 1


@pytest.mark.parametrize("version", ["2", 0, True, 1.5])
def test_a_version_that_is_not_a_whole_number_is_refused_with_a_message(api: Api, version: object) -> None:
    case = a_case()
    answer = api("caseworker.ijm").patch(f"/api/v1/records/cases/{case.pk}", {"version": version})
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["version"]
    assert m.Case.objects.get(pk=case.pk).version == case.version


def test_a_new_record_takes_no_version(api: Api) -> None:
    case = a_case()
    answer = api("caseworker.ijm").post(
        "/api/v1/records/cases",
        {"person": case.person_id, "opened": case.opened.isoformat(), "status": "open", "version": 7},
    )
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["version"]
