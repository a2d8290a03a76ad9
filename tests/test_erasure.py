"""Erasure anonymises a person for good and leaves every figure of every report exactly as it was."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.imports.models import ImportJob
from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator
from nextsteps.privacy import crypto
from nextsteps.privacy.actions import record_consent
from nextsteps.privacy.erasure import AlreadyErased, erase_person, record_dates
from nextsteps.privacy.models import Erasure
from nextsteps.privacy.places import free_text_fields, organisation_path
from nextsteps.privacy.search import persons_matching
from nextsteps.programmes.models import Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from nextsteps.reports.builder import build_report
from nextsteps.reports.render import render
from tests import factories

pytestmark = pytest.mark.django_db

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)
PERIODS = [
    (START, END),
    (dt.date(2021, 1, 1), dt.date(2022, 12, 31)),
    (dt.date(2021, 10, 1), dt.date(2021, 10, 31)),
]


def figures(programme: Programme) -> list[Any]:
    """Every figure of every indicator, with every cell (also the per-organisation ones no format shows)."""
    indicators = Indicator.objects.filter(pillar__programme=programme).select_related("pillar")
    return [
        (i.code, start, v.total, v.sex_age, v.by_organisation, v.by_locality)
        for start, end in PERIODS
        for i in indicators
        for v in [engine.value(i, start, end)]
    ]


def reports(programme: Programme) -> dict[str, str]:
    return {lang: render(build_report(programme, START, END, lang), "json") for lang in ("nl", "en")}


def demo_person(**lookup: Any) -> m.Person:
    person = m.Person.objects.filter(**lookup).order_by("pk").first()
    assert person is not None, lookup
    return person


def test_erasing_people_changes_no_figure_of_the_demo_report(demo: Programme) -> None:
    chosen = [
        # The girl who turns 18 during the period, between two visits to her family.
        demo_person(birth_date=dt.date(2003, 10, 15)),
        # The young woman who came of age just before it.
        demo_person(birth_date=dt.date(2003, 7, 20)),
        # A survivor helped in Romania, and one helped from the Netherlands.
        demo_person(organisation__slug="ijm-ro", survivor_status="identified", cases__isnull=False),
        demo_person(organisation__slug="next-steps-nl", survivor_status="presumed"),
        # Someone reached with their household, a boy, and a man whose age is known by year only.
        demo_person(organisation__slug="salvation-army-ro", sex="female", birth_date__year__lt=1990),
        demo_person(organisation__slug="salvation-army-ro", sex="male", birth_date__year__gt=2010),
        demo_person(birth_year=1970, birth_date__isnull=True),
        # A man reached in the Oradea shelter.
        demo_person(organisation__slug="betania", sex="male"),
    ]
    before_figures, before_reports = figures(demo), reports(demo)
    for person in chosen:
        erase_person(person, acting_user=None)
    assert figures(demo) == before_figures
    assert reports(demo) == before_reports
    for person in chosen:
        person.refresh_from_db()
        assert person.code.startswith("ERASED-") and person.given_name == "" and person.phone == ""


def test_erasing_the_woman_whose_story_was_published_changes_no_figure_but_withdraws_the_story(
    demo: Programme,
) -> None:
    sewer = m.Story.objects.get(programme=demo, consent_to_publish=True).person
    assert sewer is not None
    before = figures(demo)
    erase_person(sewer, acting_user=None)
    assert figures(demo) == before
    assert build_report(demo, START, END, "en").stories == []
    story = m.Story.objects.get(programme=demo, person=sewer)
    assert (story.text_nl, story.text_en, story.text_ro, story.consent_to_publish) == ("", "", "", False)


def test_the_exact_birth_date_goes_and_the_year_stays_when_that_keeps_every_age_group(
    demo: Programme,
) -> None:
    person = demo_person(organisation__slug="salvation-army-ro", sex="female", birth_date__year__lt=1990)
    year, adult_on = person.birth_year, person.adult_on
    erase_person(person, acting_user=None)
    person.refresh_from_db()
    assert (person.birth_date, person.birth_year) == (None, year)
    assert person.adult_on != adult_on  # the day is gone: 1 July of the eighteenth year stands in


def test_someone_who_came_of_age_among_their_records_keeps_a_date_taken_from_the_records(
    demo: Programme,
) -> None:
    girl = demo_person(birth_date=dt.date(2003, 10, 15))
    dates = record_dates(girl)
    assert any(d < girl.adult_on for d in dates) and any(d >= girl.adult_on for d in dates)  # type: ignore[operator]
    first_as_adult = min(d for d in dates if d >= girl.adult_on)  # type: ignore[operator]
    erase_person(girl, acting_user=None)
    girl.refresh_from_db()
    assert girl.birth_date != dt.date(2003, 10, 15)
    assert girl.adult_on == first_as_adult


def test_an_unknown_age_stays_unknown() -> None:
    org = factories.organisation()
    person = factories.person(org, sex="unknown")
    erase_person(person, acting_user=None)
    person.refresh_from_db()
    assert (person.birth_date, person.birth_year, person.adult_on) == (None, None, None)


def test_every_identifying_detail_is_gone_from_the_database() -> None:
    org = factories.organisation()
    prog = factories.programme(org)
    person = factories.person(
        org,
        born=dt.date(1990, 4, 3),
        given_name="Ioana",
        family_name="Dumitrescu",
        phone="+40 711 111 111",
        address="Strada Teilor 3",
        identity_number="DEMO-ID-1",
        nationality="MD",
        external_id="crm-17",
    )
    old_code = person.code
    service = factories.service(prog, org, person, dt.date(2021, 3, 1))
    actions.update_record(service, acting_user=None, note="Ioana asked to be called on +40 711 111 111.")
    record_consent(acting_user=None, person=person, purpose="publication", given_on=dt.date(2021, 1, 1))
    actions.create_record(
        m.Story,
        acting_user=None,
        programme=prog,
        organisation=org,
        person=person,
        date=dt.date(2021, 4, 1),
        text_en="Ioana's story.",
        consent_to_publish=True,
    )
    erase_person(person, acting_user=None)
    person.refresh_from_db()
    assert person.code != old_code and person.code.startswith("ERASED-")
    assert [
        getattr(person, f) for f in ("given_name", "family_name", "phone", "address", "identity_number")
    ] == [""] * 5
    assert (person.nationality, person.external_id) == ("", "")
    assert (person.given_name_hash, person.family_name_hash, person.full_name_hash) == ("", "", "")
    assert not persons_matching(m.Person.objects.all(), "Ioana Dumitrescu").filter(pk=person.pk).exists()
    assert not m.Person.objects.filter(organisation=org, code=old_code).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_name, family_name, phone, address, identity_number FROM records_person WHERE id = %s",
            [person.pk],
        )
        assert cursor.fetchone() == ("", "", "", "", "")
        cursor.execute("SELECT note FROM records_servicedelivery WHERE id = %s", [service.pk])
        assert cursor.fetchone() == ("",)
    # What figures and lawfulness need stays.
    # (Her consents: for services, given when her case opened, and for publication.)
    assert person.sex == "female" and person.cases.count() == 1 and person.consents.count() == 2
    assert m.ServiceDelivery.objects.filter(pk=service.pk, date=dt.date(2021, 3, 1)).exists()


def test_an_erasure_is_recorded_and_audited_without_what_was_erased() -> None:
    org = factories.organisation()
    person = factories.person(org, born=dt.date(1990, 4, 3), given_name="Ioana")
    erasure = erase_person(person, acting_user=None)
    assert Erasure.objects.get(person=person) == erasure
    assert (erasure.reason, erasure.organisation, erasure.erased_by) == ("request", org, None)
    entry = AuditEntry.objects.get(model="records.Person", object_pk=str(person.pk), action="change")
    assert "given_name" in entry.fields and "Ioana" not in str(entry.fields)
    assert AuditEntry.objects.filter(
        model="privacy.Erasure", object_pk=str(erasure.pk), action="create"
    ).exists()


def test_a_person_is_erased_only_once() -> None:
    person = factories.person(factories.organisation())
    erase_person(person, acting_user=None)
    code = m.Person.objects.get(pk=person.pk).code
    with pytest.raises(AlreadyErased):
        erase_person(person, acting_user=None)
    assert m.Person.objects.get(pk=person.pk).code == code


def test_a_failure_half_way_leaves_the_person_as_they_were(monkeypatch: pytest.MonkeyPatch) -> None:
    person = factories.person(factories.organisation(), given_name="Ioana")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("nextsteps.privacy.erasure.actions.create_record", broken)
    with pytest.raises(RuntimeError):
        erase_person(person, acting_user=None)
    person.refresh_from_db()
    assert person.given_name == "Ioana" and not person.code.startswith("ERASED-")


# Everywhere else her values were ---------------------------------------------------------------------------

GIVEN, FAMILY, PHONE, ADDRESS, IDENTITY = (
    "Zamfira",
    "Brâncoveanulescu",
    "+40 799 314 159",
    "Strada Ciocârliei Ascunse 47",
    "RX-918273",
)


def zamfira(org: Any) -> m.Person:
    return factories.person(
        org,
        born=dt.date(1990, 4, 3),
        given_name=GIVEN,
        family_name=FAMILY,
        phone=PHONE,
        address=ADDRESS,
        identity_number=IDENTITY,
    )


def partner_contact(prog: Programme, org: Any, note: str) -> m.PartnerContact:
    external, _created = m.ExternalOrganisation.objects.get_or_create(
        name="Tribunalul Iași", kind="government"
    )
    return actions.create_record(
        m.PartnerContact,
        acting_user=None,
        programme=prog,
        organisation=org,
        external_organisation=external,
        kind="government",
        established=dt.date(2021, 2, 1),
        note=note,
    )


def failed_import(prog: Programme, org: Any, language: str = "en") -> ImportJob:
    """An import that failed on her row, as imports wrote errors before they stopped quoting values."""
    intake = f"{GIVEN}_{FAMILY}_intake.xlsx"
    return ImportJob.objects.create(
        user=User.objects.get(username="coordinator"),
        programme=prog,
        organisation=org,
        language=language,
        status="failed",
        error_count=4,
        files=[intake, "visits.csv"],
        errors=json.dumps(
            [
                [intake, 3, "given_name", GIVEN, f"“{GIVEN}” appears twice."],
                [intake, 3, "birth_date", "1990-04-31", "Not a date."],
                [intake, 4, "phone", "07x", "Not a phone number."],
                ["visits.csv", 7, "person", f"{GIVEN} {FAMILY}", "No such person."],
                ["", "", "", "", "Nothing was written."],
            ]
        ),
        summary=json.dumps([f"Read {intake}."]),
    )


def cells() -> Iterator[tuple[str, str]]:
    """(table, text) for every non-empty cell of every table, read with raw SQL, tokens decrypted."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            for row in cursor.fetchall():
                for value in row:
                    text = (
                        bytes(value).decode("utf-8", "replace")
                        if isinstance(value, bytes | memoryview)
                        else str(value)
                    )
                    if crypto.looks_encrypted(text) and crypto.opens(text):
                        # An attachment's token holds a file's bytes, not text: searched all the same.
                        text = crypto.keyring().all.decrypt(text.encode("ascii")).decode("utf-8", "replace")
                    # JSON keeps letters with diacritics as \u escapes.
                    if text.startswith("["):
                        with contextlib.suppress(ValueError):
                            text = json.dumps(json.loads(text), ensure_ascii=False)
                    yield table, text


def found() -> list[tuple[str, str]]:
    values = [GIVEN, FAMILY, PHONE, PHONE.replace(" ", ""), ADDRESS, IDENTITY]
    return sorted({(table, v) for table, text in cells() for v in values if v in text})


def test_no_column_of_any_table_holds_an_erased_persons_values(demo: Programme) -> None:
    org = factories.organisation()
    prog = factories.programme(org)
    person = zamfira(org)
    service = factories.service(prog, org, person, dt.date(2021, 3, 2))
    actions.update_record(service, acting_user=None, note=f"{GIVEN} asked to be called on {PHONE}.")
    other = factories.service(prog, org, factories.person(org), dt.date(2021, 3, 3))
    actions.update_record(other, acting_user=None, note=f"Her sister {GIVEN} {FAMILY} lives at {ADDRESS}.")
    partner_contact(prog, org, f"Hearing about {FAMILY} {GIVEN} (ID {IDENTITY}).")
    failed_import(prog, org)
    assert {v for _table, v in found()} >= {GIVEN, FAMILY, PHONE, ADDRESS, IDENTITY}

    erase_person(person, acting_user=None)

    assert found() == []


def test_an_import_job_keeps_every_error_but_what_showed_her(demo: Programme) -> None:
    org = factories.organisation()
    prog = factories.programme(org)
    person = zamfira(org)
    job = failed_import(prog, org, language="ro")
    erase_person(person, acting_user=None)
    job.refresh_from_db()
    with translation.override("ro"):
        left_out = gettext("Left out: this row was about a person who has since been erased.")
    assert left_out != "Left out: this row was about a person who has since been erased."
    # Her row's errors keep their place and column; what they quoted (also her birth date) is gone.
    assert json.loads(job.errors) == [
        ["file-1.xlsx", 3, "given_name", "", left_out],
        ["file-1.xlsx", 3, "birth_date", "", left_out],
        ["file-1.xlsx", 4, "phone", "07x", "Not a phone number."],
        ["visits.csv", 7, "person", "", left_out],
        ["", "", "", "", "Nothing was written."],
    ]
    assert job.files == ["file-1.xlsx", "visits.csv"]
    assert json.loads(job.summary) == ["Read file-1.xlsx."]
    assert job.error_count == 4
    entry = AuditEntry.objects.get(model="imports.ImportJob", object_pk=str(job.pk), action="change")
    assert entry.fields == ["errors", "files", "summary"]


def test_the_organisations_other_notes_keep_their_text_but_not_her_values(demo: Programme) -> None:
    org = factories.organisation()
    prog = factories.programme(org)
    person = zamfira(org)
    about_her = partner_contact(prog, org, f"Met {GIVEN} {FAMILY}'s lawyer; call back on 0799-314-159.")
    namesake = partner_contact(prog, org, f"{GIVEN} from the court called.")
    erase_person(person, acting_user=None)
    about_her.refresh_from_db()
    namesake.refresh_from_db()
    assert about_her.note == "Met […]'s lawyer; call back on […]."
    # A given name alone may be anyone's: in prose only what points at her alone is replaced.
    assert namesake.note == f"{GIVEN} from the court called."
    entry = AuditEntry.objects.get(
        model="records.PartnerContact", object_pk=str(about_her.pk), action="change"
    )
    assert entry.fields == ["note"]


def test_another_organisations_records_are_not_touched(demo: Programme) -> None:
    org, elsewhere = factories.organisation(), factories.organisation()
    prog = factories.programme(org, elsewhere)
    person = zamfira(org)
    theirs = partner_contact(prog, elsewhere, f"Met {GIVEN} {FAMILY}.")
    their_job = failed_import(prog, elsewhere)
    erase_person(person, acting_user=None)
    theirs.refresh_from_db()
    their_job.refresh_from_db()
    assert theirs.note == f"Met {GIVEN} {FAMILY}." and GIVEN in their_job.errors


def test_every_encrypted_note_and_story_is_searched_for_her_values() -> None:
    searched = {model._meta.label: fields for model, fields in free_text_fields()}
    assert searched == {
        "records.Case": ["consent_not_asked_reason"],
        "records.ServiceDelivery": ["note"],
        "records.Outcome": ["note"],
        "records.PartnerContact": ["note"],
        "records.Story": ["text_nl", "text_en", "text_ro"],
        "attachments.Attachment": ["title", "file_name"],
        "casework.Assessment": ["safety_concerns", "needs_note"],
        "casework.CaseNote": ["text"],
        "casework.FollowUp": ["what"],
        "casework.Goal": ["text"],
        "identification.CaseIdentification": ["account"],
        "referrals.Referral": ["message", "decline_reason"],
        "audit.EntryReason": ["text"],
    }
    # Each is searched within the person's organisation only.
    assert all(organisation_path(model) for model, _fields in free_text_fields())


def test_a_removal_reason_that_names_her_loses_her_values(demo: Programme) -> None:
    org, elsewhere = factories.organisation(), factories.organisation()
    prog = factories.programme(org, elsewhere)
    person = zamfira(org)
    mine = partner_contact(prog, org, "A contact.")
    theirs = partner_contact(prog, elsewhere, "Another contact.")
    for contact in (mine, theirs):
        actions.delete_record(contact, acting_user=None, reason=f"Entered for {GIVEN} {FAMILY} by mistake.")
    erase_person(person, acting_user=None)
    reasons = {
        entry.organisation_id: entry.reason.text
        for entry in AuditEntry.objects.filter(
            action="delete", model="records.PartnerContact"
        ).select_related("reason")
    }
    assert reasons == {
        org.pk: "Entered for […] by mistake.",
        elsewhere.pk: f"Entered for {GIVEN} {FAMILY} by mistake.",
    }
