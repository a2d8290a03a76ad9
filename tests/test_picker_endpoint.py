"""The pickers' endpoint (GET /pick/<kind>/?q=): records of the user's own organisations, found by the first
letters of a code in any case or by a whole name through the keyed hashes; names for who may read persons,
and audited; a fixed number of queries whatever the number of records."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records.models import Case, Household, Person
from tests import factories as f

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


@pytest.fixture
def ioanas() -> dict[str, Person]:
    """Two women of the same name, one recorded by the Salvation Army, one by IJM."""
    return {
        "sa": person(org("salvation-army-ro"), "Pick-SA-001", given_name="Ioana", family_name="Vășcan"),
        "ijm": person(org("ijm-ro"), "PICK-IJM-001", given_name="Ioana", family_name="Vășcan"),
    }


def person(organisation: Organisation, code: str, **names: Any) -> Person:
    return actions.create_record(Person, acting_user=None, organisation=organisation, code=code, **names)


def pick(client: Client, kind: str, q: str, **params: Any) -> str:
    response = client.get(reverse("search:pick", args=[kind]), {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_it_finds_a_person_by_the_first_letters_of_her_code_in_any_case(
    login: Login, ioanas: dict[str, Person]
) -> None:
    for typed in ("pick-sa", "PICK-SA-0", "Pick-SA-001", " pick-s "):
        html = pick(login("caseworker.sa"), "persons", typed)
        assert f'data-value="{ioanas["sa"].pk}"' in html, typed
        assert "Pick-SA-001" in html


def test_it_finds_a_person_by_given_family_or_full_name(login: Login, ioanas: dict[str, Person]) -> None:
    for typed in ("ioana", "VASCAN", "Ioana Vășcan", "vascan ioana"):
        html = pick(login("caseworker.sa"), "persons", typed)
        assert f'data-value="{ioanas["sa"].pk}"' in html, typed
        assert "Ioana Vășcan" in html


def test_it_never_offers_another_organisations_person(login: Login, ioanas: dict[str, Person]) -> None:
    for typed in ("pick-ijm", "Ioana", "Vășcan", "pick"):
        html = pick(login("caseworker.sa"), "persons", typed)
        assert f'data-value="{ioanas["ijm"].pk}"' not in html, typed
        assert "PICK-IJM" not in html
    assert f'data-value="{ioanas["ijm"].pk}"' in pick(login("caseworker.ijm"), "persons", "Ioana")


def test_an_organisation_asked_for_narrows_and_never_widens(login: Login, ioanas: dict[str, Person]) -> None:
    ijm, sa = org("ijm-ro"), org("salvation-army-ro")
    # Asking for IJM's records does not open them to the Salvation Army's caseworker: nothing, no error.
    html = pick(login("caseworker.sa"), "persons", "Ioana", org=ijm.pk)
    assert "data-value" not in html
    assert "data-value" not in pick(login("caseworker.sa"), "persons", "Ioana", org="x")
    assert f'data-value="{ioanas["sa"].pk}"' in pick(login("caseworker.sa"), "persons", "Ioana", org=sa.pk)


def test_a_case_shared_with_the_users_organisation_is_not_offered(login: Login, demo: Programme) -> None:
    """A shared case is readable, but nothing is recorded on it from there (records/forms.py)."""
    from nextsteps.referrals.actions import accept_referral
    from tests.referrals import sent_referral

    referral = accept_referral(acting_user=None, referral=sent_referral())
    code = referral.case.person.code
    assert f'data-value="{referral.case.pk}"' not in pick(login("caseworker.ijm"), "cases", code)


def test_names_are_shown_only_to_roles_that_read_persons_and_the_showing_is_audited(
    login: Login, ioanas: dict[str, Person], demo: Programme
) -> None:
    case = f.open_case(
        programme=demo, organisation=org("salvation-army-ro"), person=ioanas["sa"], opened=dt.date(2022, 3, 1)
    )
    before = AuditEntry.objects.count()
    html = pick(login("caseworker.sa"), "cases", "Ioana")
    assert f'data-value="{case.pk}"' in html and "Ioana Vășcan" in html
    entry = AuditEntry.objects.order_by("-pk").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry is not None
    assert (entry.action, entry.model, entry.object_pk) == ("view", "records.Person", str(ioanas["sa"].pk))
    assert entry.user is not None and entry.user.username == "caseworker.sa"
    assert entry.fields == ["family_name", "given_name"]
    # Found by code, a person without a name shown writes nothing.
    nameless = person(org("salvation-army-ro"), "Pick-SA-002")
    before = AuditEntry.objects.count()
    assert f'data-value="{nameless.pk}"' in pick(login("caseworker.sa"), "persons", "pick-sa-002")
    assert AuditEntry.objects.count() == before


def test_the_names_shown_by_one_search_are_audited_in_one_transaction(
    login: Login, ioanas: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a transaction SQLite commits (and syncs to disk) each inserted row on its own: 20 names shown
    cost 20 commits, about 60 ms of waiting at a million persons."""
    for n in range(3):
        person(org("salvation-army-ro"), f"Pick-SA-1{n}", given_name="Ioana")
    depths: list[int] = []
    real = actions.insert_audit_entries

    def insert(*args: Any, **kwargs: Any) -> None:
        depths.append(len(connection.atomic_blocks))
        real(*args, **kwargs)

    monkeypatch.setattr(actions, "insert_audit_entries", insert)
    outside = len(connection.atomic_blocks)  # the test's own transaction
    assert "Ioana" in pick(login("caseworker.sa"), "persons", "Ioana")
    assert depths and all(depth == outside + 1 for depth in depths)


def test_households_are_found_by_code_with_their_locality(login: Login) -> None:
    household = f.household(org("salvation-army-ro"), locality="Ferentari")
    html = pick(login("outreach.sa"), "households", household.code.lower())
    assert f'data-value="{household.pk}"' in html and "Ferentari" in html
    assert "data-value" not in pick(login("caseworker.ijm"), "households", household.code)


def test_who_may_not_read_the_kind_gets_404_and_an_unknown_kind_too(login: Login) -> None:
    assert login("viewer").get(reverse("search:pick", args=["persons"]), {"q": "a"}).status_code == 404
    assert login("outreach.sa").get(reverse("search:pick", args=["cases"]), {"q": "a"}).status_code == 404
    assert login("coordinator").get(reverse("search:pick", args=["stories"]), {"q": "a"}).status_code == 404


def test_nothing_typed_lists_nothing_and_it_says_so_when_nothing_matches(login: Login) -> None:
    assert "<li" not in pick(login("caseworker.sa"), "persons", "  ")
    html = pick(login("caseworker.sa"), "persons", "zz-no-such-code")
    assert "data-value" not in html and 'class="picker-empty"' in html and "zz-no-such-code" in html


def test_it_shows_at_most_twenty(login: Login) -> None:
    bulk(org("salvation-army-ro"), 25, "MANY")
    assert pick(login("caseworker.sa"), "persons", "many-").count("data-value=") == 20


def test_a_common_name_offers_the_most_recently_recorded_persons(login: Login) -> None:
    """More persons of one name than a picker shows: the newest twenty, found by walking each hash index
    from its newest entry (not all of them sorted by code: a common name is tens of thousands of persons
    at national size), listed by code."""
    bulk(org("salvation-army-ro"), 25, "NAMED")
    html = pick(login("caseworker.sa"), "persons", "Elena")
    codes = re.findall(r'data-label="(NAMED-\d+)"', html)
    assert codes == [f"NAMED-{n:04d}" for n in range(5, 25)]


def bulk(organisation: Organisation, count: int, prefix: str) -> None:
    """Persons (and households) of one name and one code prefix up to `count` in all, stored as the importer
    stores them (name hashes included)."""
    start = Person.objects.filter(code__startswith=f"{prefix}-").count()
    persons = [
        Person(organisation=organisation, code=f"{prefix}-{n:04d}", given_name="Elena", family_name=prefix)
        for n in range(start, count)
    ]
    for person in persons:
        person.set_derived_fields()
    Person.objects.bulk_create(persons)
    households = [
        Household(organisation=organisation, code=f"{prefix}-H{n:04d}", locality="X")
        for n in range(start, count)
    ]
    Household.objects.bulk_create(households)


@pytest.mark.parametrize(
    "kind,typed", [("persons", "qc-"), ("persons", "Elena"), ("households", "qc-h"), ("cases", "qc")]
)
def test_a_search_costs_the_same_queries_at_10_and_at_200_persons(
    login: Login, demo: Programme, kind: str, typed: str, django_assert_max_num_queries: Any
) -> None:
    client = login("caseworker.sa")
    sa = org("salvation-army-ro")
    counts = []
    for size in (10, 200):
        bulk(sa, size, "QC")
        if kind == "cases":
            for person in Person.objects.filter(code__startswith="QC-", cases=None)[: size // 10]:
                f.open_case(programme=demo, organisation=sa, person=person, opened=dt.date(2022, 1, 1))
        pick(client, kind, typed)  # the session and the user once, as on any page
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
            pick(client, kind, typed)
        counts.append(len(queries))
        # Options, not a page: no menu, so no count of the referrals waiting.
        assert not [q for q in queries if "referrals_referral" in q["sql"]]
    assert counts[0] == counts[1], counts
    assert Case.objects.filter(person__code__startswith="QC-").exists() == (kind == "cases")


def test_it_reads_the_text_under_the_form_fields_name(login: Login, ioanas: dict[str, Person]) -> None:
    """htmx sends the picker's text input under its own name (`person__code`), not as `q`."""
    response = login("caseworker.sa").get(
        reverse("search:pick", args=["persons"]), {"person__code": "pick-sa"}
    )
    assert f'data-value="{ioanas["sa"].pk}"' in response.content.decode()


@pytest.mark.parametrize(
    ("slug", "typed"), [("persons", "Ioana"), ("persons", "pick-sa"), ("cases", "Ioana")]
)
def test_a_search_decrypts_no_field_it_does_not_show(
    slug: str, typed: str, login: Login, ioanas: dict[str, Person], demo: Programme, monkeypatch: Any
) -> None:
    for who in ioanas.values():
        who.phone, who.address, who.identity_number = "0700 000 000", "Strada Exemplu 1", "RX 123456"
        who.save()
    if slug == "cases":
        f.open_case(
            programme=demo, organisation=org("salvation-army-ro"), person=ioanas["sa"], opened=dt.date.today()
        )
    decrypted = f.spy_on_decryption(monkeypatch)
    with CaptureQueriesContext(connection) as captured:
        html = pick(login("caseworker.sa"), slug, typed)
    assert "Pick-SA-001" in html and "Ioana" in html
    for column in ("phone", "address", "identity_number"):
        assert f'"records_person"."{column}"' not in " ".join(q["sql"] for q in captured)
        assert f"records_person.{column}" not in decrypted
    assert "records_person.given_name" in decrypted


def test_a_pickers_queries_leave_the_shares_out(login: Login, ioanas: dict[str, Person]) -> None:
    # A picker offers the user's own organisations' records only: the shares' condition would only make
    # each of its queries longer.
    with CaptureQueriesContext(connection) as captured:
        pick(login("caseworker.sa"), "persons", "Ioana")
    searches = [q["sql"] for q in captured if 'FROM "records_person"' in q["sql"]]
    assert searches and not [sql for sql in searches if "privacy_caseshare" in sql]
