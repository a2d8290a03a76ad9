"""Small builders for tests: a programme with one pillar and whatever records a test needs."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Organisation, Pillar, Programme
from nextsteps.records import actions
from nextsteps.records.models import Case, Household, Person, ServiceType, SiteType

_seq = itertools.count(1)


def organisation(name: str | None = None, *, country: str = "RO", kind: str = "partner") -> Organisation:
    n = next(_seq)
    name = name or f"Organisation {n}"
    return Organisation.objects.create(name=name, slug=f"org-{n}", country=country, kind=kind)


def programme(*organisations: Organisation, slug: str | None = None) -> Programme:
    n = next(_seq)
    prog = Programme.objects.create(
        name=f"Programme {n}", slug=slug or f"prog-{n}", start_date=dt.date(2021, 1, 1)
    )
    prog.organisations.set(organisations)
    Pillar.objects.create(programme=prog, number=1, title_en="Recovery")
    return prog


def indicator(
    prog: Programme, source: str, measure: str, filters: dict[str, Any] | None = None, **extra: Any
) -> Indicator:
    n = next(_seq)
    fields: dict[str, Any] = {
        "pillar": prog.pillars.get(number=1),
        "code": f"ind-{n}",
        "title_nl": "t",
        "title_en": "t",
        "title_ro": "t",
        "sentence_nl": "{value}",
        "sentence_en": "{value}",
        "sentence_ro": "{value}",
        "unit": "persons",
        "source": source,
        "measure": measure,
        "filters": filters or {},
    }
    fields.update(extra)
    ind = Indicator(**fields)
    ind.full_clean()
    ind.save()
    return ind


def person(org: Organisation, sex: str = "female", born: dt.date | None = None, **extra: Any) -> Person:
    return actions.create_record(
        Person, acting_user=None, organisation=org, code=f"P-{next(_seq)}", sex=sex, birth_date=born, **extra
    )


def household(org: Organisation, *members: Person, locality: str = "Bucharest") -> Household:
    return actions.create_record(
        Household,
        acting_user=None,
        organisation=org,
        code=f"H-{next(_seq)}",
        locality=locality,
        members=members,
    )


def visit(
    prog: Programme,
    org: Organisation,
    date: dt.date,
    *persons: Person,
    household: Household | None = None,
    locality: str = "Bucharest",
    site: str = "household",
) -> Any:
    return actions.record_outreach_round(
        acting_user=None,
        programme=prog,
        organisation=org,
        date=date,
        locality=locality,
        site_type=SiteType.objects.get(code=site),
        household=household,
        persons=persons,
    )


def open_case(*, acting_user: Any = None, **fields: Any) -> Case:
    """A case opened as intake does: the person's consent for services first, given on the opening day."""
    from nextsteps.privacy.actions import record_consent
    from nextsteps.privacy.models import Consent

    # One consent serves every case that opens while it holds (the same consent twice is refused).
    if not Consent.objects.filter(
        person=fields["person"], purpose="services", given_on=fields["opened"]
    ).exists():
        record_consent(
            acting_user=None, person=fields["person"], purpose="services", given_on=fields["opened"]
        )
    return actions.create_record(Case, acting_user=acting_user, **fields)


def share(case: Case, organisation: Organisation, *, by: Any, days_ago: int = 30) -> Any:
    """The case shared with another organisation, after the person's consent to share with exactly it."""
    from nextsteps.privacy.actions import record_consent, share_case

    record_consent(
        acting_user=None,
        person=case.person,
        purpose="sharing",
        given_on=dt.date.today() - dt.timedelta(days=days_ago),
        shared_with=organisation,
    )
    return share_case(acting_user=by, case=case, organisation=organisation)


def an_ijm_case_shared_with_the_salvation_army() -> Case:
    """One of the demo's IJM cases, shared with the Salvation Army by IJM's caseworker."""
    from nextsteps.accounts.models import User

    case = Case.objects.filter(organisation__slug="ijm-ro").first()
    assert case is not None
    share(
        case,
        Organisation.objects.get(slug="salvation-army-ro"),
        by=User.objects.get(username="caseworker.ijm"),
    )
    return case


def service(
    prog: Programme, org: Organisation, who: Person, date: dt.date, code: str = "legal_support"
) -> Any:
    case = Case.objects.filter(programme=prog, person=who).first() or open_case(
        programme=prog, organisation=org, person=who, opened=date
    )
    return actions.record_service(
        acting_user=None, case=case, service_type=ServiceType.objects.get(code=code), date=date
    )


def spy_on_decryption(monkeypatch: Any) -> list[str]:
    """Where each decryption from now on reads from (`table.column`), in order."""
    from nextsteps.privacy import crypto

    decrypted: list[str] = []
    real = crypto.decrypt

    def decrypt(token: str, *, where: str = "") -> str:
        decrypted.append(where)
        return real(token, where=where)

    monkeypatch.setattr(crypto, "decrypt", decrypt)
    return decrypted
