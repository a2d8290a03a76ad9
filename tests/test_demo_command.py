"""`nextsteps demo`: loads once, prints the Dutch report, and never doubles the data."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Programme
from nextsteps.records.models import OutreachVisit, Person


def test_running_it_again_adds_nothing_and_prints_the_dutch_report(demo: Programme) -> None:
    persons, visits = Person.objects.count(), OutreachVisit.objects.count()
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out, stderr=StringIO())
    assert (Person.objects.count(), OutreachVisit.objects.count()) == (persons, visits)
    assert "13 slachtoffers van mensenhandel" in out.getvalue()
    assert "augustus 2021 – december 2021" in out.getvalue()


def test_its_people_carry_invented_names_and_phone_numbers(demo: Programme) -> None:
    people = Person.objects.filter(organisation__programmes=demo)
    assert people.exclude(given_name="").count() == people.count()
    assert all(p.phone.startswith("+40 7") for p in people[:20])


def test_it_records_through_the_audited_actions(demo: Programme) -> None:
    assert (
        AuditEntry.objects.filter(model="records.Person", action="create").count() >= Person.objects.count()
    )
