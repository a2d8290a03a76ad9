"""A story about a person is published only with their consent for use in reports and stories, valid on the
story's date and not withdrawn since; the refusal names the missing consent in the user's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext

from nextsteps.privacy.actions import record_consent, withdraw_consent
from nextsteps.programmes.models import Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from nextsteps.reports.builder import build_report
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date


def story(prog: Programme, who: m.Person | None, day: dt.date, text: str, publish: bool = True) -> m.Story:
    org = who.organisation if who else prog.organisations.get()
    return actions.create_record(
        m.Story,
        acting_user=None,
        programme=prog,
        organisation=org,
        person=who,
        date=day,
        text_en=text,
        consent_to_publish=publish,
    )


@pytest.fixture
def setting() -> tuple[Programme, m.Person]:
    org = factories.organisation()
    return factories.programme(org), factories.person(org)


def texts(prog: Programme) -> list[str]:
    return [s.text for s in build_report(prog, D(2021, 1, 1), D(2021, 12, 31), "en").stories]


def test_publishing_without_consent_is_refused_with_the_missing_consent_named(setting) -> None:  # type: ignore[no-untyped-def]
    prog, who = setting
    with pytest.raises(ValidationError) as refused:
        story(prog, who, D(2021, 6, 1), "Her story.")
    message = refused.value.message_dict["consent_to_publish"][0]
    assert who.code in message and "use in reports and stories" in message and "1 June 2021" in message
    assert not m.Story.objects.filter(programme=prog).exists()
    # Unpublished, the story may be kept.
    story(prog, who, D(2021, 6, 1), "Her story.", publish=False)


def test_the_report_shows_a_story_only_while_the_consent_allows_it(setting) -> None:  # type: ignore[no-untyped-def]
    prog, who = setting
    consent = record_consent(acting_user=None, person=who, purpose="publication", given_on=D(2021, 5, 1))
    story(prog, who, D(2021, 6, 1), "Covered.")
    story(prog, None, D(2021, 7, 1), "About no one.")
    assert texts(prog) == ["Covered.", "About no one."]
    withdraw_consent(acting_user=None, consent=consent, on=D(2021, 8, 1))
    assert texts(prog) == ["About no one."]


def test_a_consent_given_after_the_storys_date_does_not_cover_it(setting) -> None:  # type: ignore[no-untyped-def]
    prog, who = setting
    record_consent(acting_user=None, person=who, purpose="publication", given_on=D(2021, 5, 1))
    early = story(prog, who, D(2021, 6, 1), "Covered.")
    # Marked for publication without the rule (as data from before consents were recorded could be).
    m.Story.objects.filter(pk=early.pk).update(date=D(2021, 4, 1))
    assert texts(prog) == []


def test_other_consents_do_not_allow_publication(setting) -> None:  # type: ignore[no-untyped-def]
    prog, who = setting
    record_consent(acting_user=None, person=who, purpose="services", given_on=D(2021, 1, 1))
    with pytest.raises(ValidationError):
        story(prog, who, D(2021, 6, 1), "Not allowed.")


def test_an_expired_consent_still_covers_stories_dated_while_it_held(setting) -> None:  # type: ignore[no-untyped-def]
    prog, who = setting
    record_consent(
        acting_user=None, person=who, purpose="publication", given_on=D(2021, 1, 1), expires_on=D(2021, 6, 30)
    )
    story(prog, who, D(2021, 6, 1), "While it held.")
    with pytest.raises(ValidationError):
        story(prog, who, D(2021, 7, 1), "After it ended.")
    assert texts(prog) == ["While it held."]


def test_the_story_form_refuses_in_the_users_language(login: Callable[[str], Client]) -> None:
    who = m.Person.objects.filter(organisation__slug="ijm-ro").first()
    assert who is not None
    before = m.Story.objects.count()
    response = login("caseworker.ijm").post(
        reverse("records:story-create"),
        {"person": who.pk, "date": "2021-10-01", "text_en": "A story.", "consent_to_publish": "on"},
    )
    assert response.status_code == 200
    with translation.override("ro"):
        expected = gettext(
            "Missing consent: %(person)s has no valid consent for use in reports and stories on %(date)s, the "
            "story's date. Record that consent on the person's consents page first, or do not publish the story."
        ) % {"person": who.code, "date": formats.date_format(D(2021, 10, 1), "j F Y")}
    assert response.context["form"].errors["consent_to_publish"] == [expected]
    assert m.Story.objects.count() == before


def test_the_demo_publishes_its_story_on_a_recorded_consent(demo: Programme) -> None:
    published = m.Story.objects.get(programme=demo, consent_to_publish=True)
    assert published.person is not None
    assert published.person.consents.filter(purpose="publication", given_on__lte=published.date).exists()
    report = build_report(demo, D(2021, 8, 1), D(2021, 12, 31), "en")
    assert [s.text for s in report.stories] == [
        "After a sewing course she now has paid work in a sewing workshop."
    ]


def test_the_consent_check_costs_no_query_per_story(
    setting,
    django_assert_num_queries: object,  # type: ignore[no-untyped-def]
) -> None:
    prog, who = setting
    record_consent(acting_user=None, person=who, purpose="publication", given_on=D(2021, 1, 1))
    story(prog, who, D(2021, 2, 1), "One.")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        build_report(prog, D(2021, 1, 1), D(2021, 12, 31), "en")
    for month in range(3, 12):
        story(prog, who, D(2021, month, 1), f"Story {month}.")
    with django_assert_num_queries(len(one.captured_queries)):  # type: ignore[operator]
        report = build_report(prog, D(2021, 1, 1), D(2021, 12, 31), "en")
    assert len(report.stories) == 10
