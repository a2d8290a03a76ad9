"""`nextsteps generate`: synthetic records at a chosen size, deterministic, spread, inside the programme."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.search import persons_matching
from nextsteps.programmes.models import Pillar, Programme
from nextsteps.records.models import (
    Activity,
    Case,
    Distribution,
    Household,
    OutreachVisit,
    Person,
    ServiceDelivery,
    VisitPerson,
    Volunteer,
)
from nextsteps.scale.generator import FAMILY, GIVEN, Generator, make_plan
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def prog() -> Programme:
    offices = [
        f.organisation(country="NL", kind="country_office"),
        f.organisation(country="RO", kind="country_office"),
    ]
    partners = [f.organisation(country="RO"), f.organisation(country="RO"), f.organisation(country="MD")]
    programme = f.programme(*offices, *partners)
    Pillar.objects.create(programme=programme, number=2, title_en="Justice")
    Pillar.objects.create(programme=programme, number=3, title_en="Prevention")
    return programme


def generate(prog: Programme, persons: int = 400, years: int = 2, seed: int = 7) -> str:
    err = StringIO()
    call_command(
        "generate",
        programme=prog.slug,
        persons=str(persons),
        years=str(years),
        seed=str(seed),
        stdout=StringIO(),
        stderr=err,
    )
    return err.getvalue()


def fingerprint(prog: Programme) -> tuple[Any, ...]:
    people = Person.objects.filter(organisation__programmes=prog).order_by("code")
    return (
        list(
            people.values_list("code", "sex", "birth_date", "birth_year", "survivor_status", "organisation")
        ),
        list(
            OutreachVisit.objects.filter(programme=prog)
            .order_by("pk")
            .values_list("date", "locality", "site_type", "organisation", "household__code")
        ),
        list(
            VisitPerson.objects.filter(visit__programme=prog)
            .order_by("pk")
            .values_list("visit__date", "person__code")
        ),
        list(
            ServiceDelivery.objects.filter(case__programme=prog)
            .order_by("pk")
            .values_list("date", "service_type", "case__person__code")
        ),
        list(Activity.objects.filter(programme=prog).order_by("pk").values_list("date", "attendance_total")),
    )


def test_it_creates_the_requested_number_of_persons_and_their_records(prog: Programme) -> None:
    generate(prog, persons=400)
    assert Person.objects.filter(organisation__programmes=prog).distinct().count() == 400
    assert Household.objects.filter(organisation__programmes=prog).count() > 100
    visits = OutreachVisit.objects.filter(programme=prog).count()
    reached = VisitPerson.objects.filter(visit__programme=prog).count()
    services = ServiceDelivery.objects.filter(case__programme=prog).count()
    # About ten visit and service records per person, as at national size.
    assert 7 * 400 < visits + reached + services < 14 * 400
    assert Case.objects.filter(programme=prog).count() > 20
    assert Activity.objects.filter(programme=prog).count() == 4
    assert Volunteer.objects.filter(programme=prog).count() == 8
    assert Distribution.objects.filter(programme=prog).count() == 20


def test_the_same_seed_gives_the_same_records(prog: Programme) -> None:
    with transaction.atomic():
        generate(prog, seed=3)
        first = fingerprint(prog)
        transaction.set_rollback(True)
    assert not Person.objects.filter(organisation__programmes=prog).exists()
    generate(prog, seed=3)
    assert fingerprint(prog) == first
    generate(prog, seed=4)
    assert Person.objects.filter(organisation__programmes=prog, code__startswith="GEN4-").count() == 400


def test_running_again_with_the_same_seed_adds_nothing(prog: Programme) -> None:
    generate(prog)
    before = (Person.objects.count(), OutreachVisit.objects.count(), VisitPerson.objects.count())
    message = generate(prog)
    assert (Person.objects.count(), OutreachVisit.objects.count(), VisitPerson.objects.count()) == before
    assert "nothing was added" in message


def test_it_spreads_records_over_organisations_sexes_and_ages_with_unknowns(prog: Programme) -> None:
    generate(prog, persons=600)
    people = Person.objects.filter(organisation__programmes=prog)
    assert set(people.values_list("sex", flat=True)) == {"female", "male", "other", "unknown"}
    assert people.filter(adult_on__isnull=True).exists()
    assert people.filter(birth_date__isnull=True, birth_year__isnull=False).exists()
    start = prog.start_date
    assert people.filter(adult_on__gt=start).exists()  # children
    assert people.filter(adult_on__lte=start).exists()  # adults
    assert people.exclude(survivor_status="no").exists()
    organisations = set(prog.organisations.values_list("pk", flat=True))
    visited_by = set(OutreachVisit.objects.filter(programme=prog).values_list("organisation", flat=True))
    cases_by = set(Case.objects.filter(programme=prog).values_list("organisation", flat=True))
    assert visited_by | cases_by == organisations
    localities = set(OutreachVisit.objects.filter(programme=prog).values_list("locality", flat=True))
    assert {"Bucharest", "Chișinău", "Utrecht"} <= localities
    sites = set(OutreachVisit.objects.filter(programme=prog).values_list("site_type__code", flat=True))
    assert {"household", "homeless_shelter"} <= sites


def test_its_records_stay_inside_the_programme_and_its_years(prog: Programme) -> None:
    generate(prog, years=2)
    end = dt.date(prog.start_date.year + 2, prog.start_date.month, prog.start_date.day)
    organisations = set(prog.organisations.values_list("pk", flat=True))
    for model, date, programme, organisation in [
        (OutreachVisit, "date", "programme", "organisation"),
        (ServiceDelivery, "date", "case__programme", "case__organisation"),
        (Activity, "date", "programme", "organisation"),
        (Volunteer, "signed_up", "programme", "organisation"),
        (Distribution, "date", "programme", "organisation"),
    ]:
        rows = model.objects.filter(**{programme: prog})  # type: ignore[attr-defined]
        assert rows.exists()
        assert not rows.filter(**{f"{date}__lt": prog.start_date}).exists()
        assert not rows.filter(**{f"{date}__gte": end}).exists()
        assert set(rows.values_list(organisation, flat=True)) <= organisations
    reached = VisitPerson.objects.filter(visit__programme=prog)
    assert not reached.exclude(person__organisation__in=organisations).exists()
    assert (
        not VisitPerson.objects.exclude(visit__programme=prog).filter(person__code__startswith="GEN").exists()
    )


def test_its_people_have_plainly_invented_names_stored_encrypted(prog: Programme) -> None:
    generate(prog, persons=100)
    people = Person.objects.filter(organisation__programmes=prog)
    assert set(people.values_list("given_name", flat=True)) <= set(GIVEN)
    assert set(people.values_list("family_name", flat=True)) <= set(FAMILY)
    assert set(people.values_list("phone", flat=True)) == {""}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT given_name FROM {Person._meta.db_table} WHERE code LIKE 'GEN%%'")
        raw = {row[0] for row in cursor.fetchall()}
    assert raw and not raw & set(GIVEN)
    first = people.first()
    assert first is not None
    assert persons_matching(people, f"{first.given_name} {first.family_name}").filter(pk=first.pk).exists()


def test_it_writes_one_system_audit_entry_per_run(prog: Programme) -> None:
    before = AuditEntry.objects.count()
    generate(prog)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry is not None
    assert (entry.user, entry.model, entry.object_pk, entry.action) == (
        None,
        "programmes.Programme",
        str(prog.pk),
        "create",
    )
    assert "records.Person:400" in entry.fields


def test_a_big_run_rebuilds_the_indexes_it_dropped(prog: Programme) -> None:
    tables = [
        Person._meta.db_table,
        OutreachVisit._meta.db_table,
        VisitPerson._meta.db_table,
        ServiceDelivery._meta.db_table,
        Household.members.through._meta.db_table,
    ]

    def schema() -> dict[str, Any]:
        with connection.cursor() as cursor:
            return {t: connection.introspection.get_constraints(cursor, t) for t in tables}

    before = schema()
    Generator(make_plan(prog, 50, 1, 9), rebuild_indexes=True).run()
    assert schema() == before
    assert Person.objects.filter(code__startswith="GEN9-").count() == 50
    # The key generators moved past the generated rows: the next record made the usual way fits.
    org = prog.organisations.order_by("pk")[0]
    f.visit(prog, org, dt.date(2021, 3, 1), f.person(org))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"persons": "0"}, "at least 1"),
        ({"persons": "many"}, "at least 1"),
        ({"years": "-2"}, "at least 1"),
        ({"programme": "nowhere"}, "no programme"),
    ],
)
def test_it_refuses_bad_input_with_one_line(prog: Programme, options: dict[str, str], message: str) -> None:
    arguments = {"programme": prog.slug, "persons": "10", "years": "1", **options}
    with pytest.raises(CommandError, match=message):
        call_command("generate", stdout=StringIO(), stderr=StringIO(), **arguments)


def test_generated_closed_cases_have_a_closure_reason(prog: Programme) -> None:
    generate(prog, persons=200)
    closed = Case.objects.filter(programme=prog, status="closed")
    assert closed.exists()
    assert not closed.filter(closure_reason__isnull=True).exists()
    for case in closed[:20]:
        case.full_clean()
