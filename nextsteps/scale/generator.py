"""Synthetic records for a programme at national size: a million persons and ten million records in minutes.

What it makes, per 1,000 persons (over the chosen number of years, starting at the programme's start):
- about 850 persons living in some 280 households, each household visited about monthly for 3 to 15
  months, with the members present on each visit recorded as persons reached;
- about 150 persons reached individually on recurring visits to shelters and streets, in groups;
- about 100 cases (a person followed by an organisation) with some 10 services each and a few outcomes;
- 20 volunteer sign-ups, 50 distributions, 10 activities with attendance (half with a sex × age
  breakdown), a partner contact now and then, and a Christmas campaign per year.
Sexes, ages (birth date, birth year only, or unknown), organisations and localities are spread so that
every cell of every breakdown, including the unknown ones, has records.

Persons are made in chunks; each chunk has its own random generator seeded from the seed and the chunk's
number, so the same seed gives the same records whatever the batch size, and memory stays flat. Names,
codes and phone numbers are plainly invented (family names like "Fictivescu", phone numbers under the
unassigned country code +999), so nobody can take them for real people.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.imports.writing import keep_statistics, write_settings
from nextsteps.indicators import counted
from nextsteps.privacy import crypto
from nextsteps.privacy.search import name_hashes
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records.models import (
    Activity,
    ActivityType,
    Campaign,
    Case,
    ClosureReason,
    Distribution,
    ExternalOrganisation,
    Household,
    Outcome,
    OutcomeType,
    OutreachVisit,
    ParticipantGroup,
    PartnerContact,
    Person,
    ServiceDelivery,
    ServiceType,
    SiteType,
    VisitPerson,
    Volunteer,
    eighteenth_birthday,
)
from nextsteps.scale.sinks import Sink, Table, sink_for

CHUNK = 5_000
BULK_PERSONS = 50_000

LOCALITIES = {
    "RO": [
        ("Bucharest", 30),
        ("Oradea", 12),
        ("Cluj-Napoca", 10),
        ("Iași", 9),
        ("Timișoara", 8),
        ("Constanța", 7),
        ("Ploiești", 6),
        ("Brașov", 6),
        ("Craiova", 6),
        ("Galați", 6),
    ],
    "NL": [("Utrecht", 40), ("Amsterdam", 25), ("Rotterdam", 20), ("Den Haag", 15)],
    "MD": [("Chișinău", 70), ("Bălți", 30)],
    "BG": [("Sofia", 60), ("Plovdiv", 40)],
}
GIVEN = [
    "Zorvina",
    "Quellan",
    "Brixa",
    "Tovimir",
    "Yslanda",
    "Prunel",
    "Vexaria",
    "Oblin",
    "Kestrava",
    "Dumbrik",
    "Fenolia",
    "Grastov",
    "Ilvora",
    "Jumbert",
    "Lorvena",
    "Murgot",
]
FAMILY = [
    "Fictivescu",
    "Inventatu",
    "Sintetică",
    "Exemplaru",
    "Nonexistescu",
    "Placeholdescu",
    "Probeanu",
    "Imaginaru",
]


@functools.lru_cache(maxsize=4096)
def _sealed(text: str) -> str:
    """Names go to the database encrypted, as the ORM would write them (privacy.fields). The generator
    bypasses the ORM for speed, so it encrypts here; its few invented names are encrypted once each, which
    makes equal names share a token: acceptable for synthetic data, never done for real records."""
    return crypto.encrypt(text)


@functools.lru_cache(maxsize=4096)
def _name_hashes(given: str, family: str) -> dict[str, str]:
    return name_hashes(given, family)


SEXES = [("female", 47), ("male", 44), ("other", 1), ("unknown", 8)]
SERVICE_WEIGHTS = {
    "psychosocial": 22,
    "legal_support": 15,
    "medical": 14,
    "shelter": 10,
    "return_assistance": 8,
    "education": 8,
    "vocational_training": 8,
    "employment_support": 8,
    "other": 7,
}
OUTCOME_WEIGHTS = {
    "employed": 30,
    "returned_home": 25,
    "enrolled_in_education": 20,
    "exited_prostitution": 15,
    "other": 10,
}
ACTIVITY_WEIGHTS = {
    "prevention_session": 35,
    "school_session": 35,
    "training": 12,
    "campaign_event": 8,
    "conference": 5,
    "work_visit": 5,
}
# Which pillar's section names an activity of this type, when the programme has that pillar.
ACTIVITY_PILLAR = {"prevention_session": 3, "school_session": 3, "conference": 2, "training": 2}
ITEMS = [("gift", 40), ("food parcel", 30), ("hygiene kit", 20), ("winter clothes", 10)]
RECIPIENTS = ["women in prostitution", "women from vulnerable backgrounds", "families", "children"]
EXTERNAL_KINDS = ["law_enforcement", "ngo", "university", "government", "other"]


class Picker:
    """Weighted choice that is fast enough to call tens of millions of times."""

    def __init__(self, items: Sequence[tuple[Any, float]]) -> None:
        self.values = [value for value, _weight in items]
        self.cumulative = list(itertools.accumulate(weight for _value, weight in items))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


@dataclass
class Plan:
    programme: Programme
    persons: int
    years: int
    seed: int
    start: dt.date
    end: dt.date  # last day included

    @property
    def tag(self) -> str:
        """What every code made by this run starts with: a re-run with the same seed is recognised."""
        return f"GEN{self.seed}"


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: bool = False


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def make_plan(programme: Programme, persons: int, years: int, seed: int) -> Plan:
    start = programme.start_date
    return Plan(programme, persons, years, seed, start, add_years(start, years) - dt.timedelta(days=1))


def already_generated(plan: Plan) -> bool:
    return Person.objects.filter(
        organisation__programmes=plan.programme, code__startswith=f"{plan.tag}-"
    ).exists()


class Generator:
    def __init__(
        self,
        plan: Plan,
        *,
        sink: Sink | None = None,
        progress: Callable[[str], None] | None = None,
        rebuild_indexes: bool | None = None,
    ):
        # Dropping and rebuilding indexes pays off once a run writes more than a few hundred thousand rows.
        self.rebuild_indexes = plan.persons >= BULK_PERSONS if rebuild_indexes is None else rebuild_indexes
        self.plan = plan
        self.sink = sink or sink_for()
        self.progress = progress or (lambda _message: None)
        programme = plan.programme
        self.organisations: list[Organisation] = list(programme.organisations.order_by("pk"))
        self.organisation = {o.pk: o for o in self.organisations}
        self.volunteers_made = 0
        self.days = [plan.start + dt.timedelta(days=i) for i in range((plan.end - plan.start).days + 1)]
        self.day_text = [d.isoformat() for d in self.days]
        self.stamp = [self.sink.timestamp(d) for d in self.day_text]
        # Months as (index of their first day, number of days inside the span).
        self.months: list[tuple[int, int]] = []
        for i, day in enumerate(self.days):
            if i == 0 or day.day == 1:
                self.months.append((i, 0))
            first, length = self.months[-1]
            self.months[-1] = (first, length + 1)
        kinds = Organisation.Kind
        # Partners do most outreach; country offices follow most cases.
        self.outreach_org = Picker([(o, 3 if o.kind == kinds.PARTNER else 1) for o in self.organisations])
        self.case_org = Picker([(o, 1 if o.kind == kinds.PARTNER else 2) for o in self.organisations])
        self.any_org = Picker([(o, 1) for o in self.organisations])
        self.locality = {
            o.pk: Picker(LOCALITIES.get(o.country.upper(), [(f"{o.country.upper()} capital", 1)]))
            for o in self.organisations
        }
        self.sex = Picker(SEXES)
        self.service_type = Picker(self._ids(ServiceType, SERVICE_WEIGHTS))
        # A closed case has its reason (Case.clean); one fixed reason leaves the random draws as they were.
        self.closure_reason = (
            ClosureReason.objects.filter(code="goals_reached").values_list("pk", flat=True).first()
            or ClosureReason.objects.order_by("pk").values_list("pk", flat=True).first()
        )
        self.outcome_type = Picker(self._ids(OutcomeType, OUTCOME_WEIGHTS))
        self.activity_type = Picker(self._ids(ActivityType, ACTIVITY_WEIGHTS))
        self.activity_type_code = {pk: code for pk, code in ActivityType.objects.values_list("pk", "code")}
        self.activity_label = {a.pk: a.label_en for a in ActivityType.objects.all()}
        self.pillars = {p.number: p.pk for p in programme.pillars.all()}
        self.groups = list(ParticipantGroup.objects.order_by("pk").values_list("pk", flat=True))
        sites = dict(SiteType.objects.values_list("code", "pk"))
        self.household_site = sites.get("household") or next(iter(sites.values()))
        self.other_site = Picker(
            [(sites[c], w) for c, w in (("homeless_shelter", 6), ("street", 3), ("other", 1)) if c in sites]
            or [(self.household_site, 1)]
        )
        self.item = Picker(ITEMS)
        s = self.sink
        self.t_person = Table(
            s,
            Person,
            [
                "created_at",
                "updated_at",
                "organisation",
                "code",
                "sex",
                "birth_date",
                "birth_year",
                "adult_on",
                "nationality",
                "survivor_status",
                "given_name",
                "family_name",
                "phone",
                "address",
                "identity_number",
                "given_name_hash",
                "family_name_hash",
                "full_name_hash",
                "external_id",
            ],
        )
        self.t_household = Table(
            s, Household, ["created_at", "updated_at", "organisation", "code", "locality", "external_id"]
        )
        self.t_member = Table(s, Household.members.through, ["household", "person"])
        self.t_case = Table(
            s,
            Case,
            [
                "created_at",
                "updated_at",
                "programme",
                "organisation",
                "person",
                "opened",
                "closed",
                "status",
                "closure_reason",
                "external_id",
                # Written below the rules, like cases from before the consent rule: none asked here.
                "consent_not_asked_reason",
            ],
        )
        self.t_service = Table(
            s,
            ServiceDelivery,
            ["created_at", "updated_at", "case", "service_type", "date", "note", "external_id"],
        )
        self.t_outcome = Table(
            s, Outcome, ["created_at", "updated_at", "case", "outcome_type", "date", "note", "external_id"]
        )
        self.t_visit = Table(
            s,
            OutreachVisit,
            [
                "created_at",
                "updated_at",
                "programme",
                "organisation",
                "date",
                "locality",
                "site_type",
                "household",
                "external_id",
            ],
        )
        self.t_reached = Table(s, VisitPerson, ["visit", "person"])
        self.t_campaign = Table(
            s,
            Campaign,
            [
                "created_at",
                "updated_at",
                "programme",
                "organisation",
                "name",
                "slug",
                "start",
                "end",
                "purpose",
            ],
        )
        self.t_activity = Table(
            s,
            Activity,
            [
                "created_at",
                "updated_at",
                "programme",
                "organisation",
                "activity_type",
                "pillar",
                "title",
                "date",
                "locality",
                "attendance_total",
                "attendance_women",
                "attendance_girls",
                "attendance_men",
                "attendance_boys",
                "external_id",
            ],
        )
        self.t_activity_group = Table(
            s, Activity.participant_groups.through, ["activity", "participantgroup"]
        )
        self.t_volunteer = Table(
            s,
            Volunteer,
            [
                "created_at",
                "updated_at",
                "programme",
                "organisation",
                "code",
                "signed_up",
                "stage",
                "campaign",
                "locality",
                "name",
                "phone",
                "external_id",
                "training_sessions",
            ],
        )
        self.t_distribution = Table(
            s,
            Distribution,
            [
                "created_at",
                "updated_at",
                "programme",
                "organisation",
                "campaign",
                "date",
                "item",
                "quantity",
                "recipient_group",
                "locality",
                "external_id",
            ],
        )
        self.t_external = Table(
            s, ExternalOrganisation, ["created_at", "updated_at", "name", "kind", "country"]
        )
        self.t_contact = Table(
            s,
            PartnerContact,
            [
                "created_at",
                "updated_at",
                "programme",
                "organisation",
                "external_organisation",
                "kind",
                "established",
                "status",
                "locality",
                "note",
                "external_id",
            ],
        )
        # Parents before children: every flush leaves the foreign keys satisfied.
        self.tables = [
            self.t_external,
            self.t_campaign,
            self.t_person,
            self.t_household,
            self.t_member,
            self.t_case,
            self.t_service,
            self.t_outcome,
            self.t_visit,
            self.t_reached,
            self.t_activity,
            self.t_activity_group,
            self.t_volunteer,
            self.t_distribution,
            self.t_contact,
        ]

    @staticmethod
    def _ids(model: Any, weights: dict[str, int]) -> list[tuple[int, int]]:
        known = dict(model.objects.values_list("code", "pk"))
        pairs = [(known[code], weight) for code, weight in weights.items() if code in known]
        return pairs or [(pk, 1) for pk in known.values()]

    # running ------------------------------------------------------------------------------------------

    def run(self) -> Result:
        began = time.perf_counter()
        self.sink.connection.ensure_connection()
        names = [t.name for t in self.tables]
        with self.sink.tuned(), transaction.atomic():
            self.sink.begin(names)
            rebuild = self.sink.drop_indexes(names) if self.rebuild_indexes else []
            for table in self.tables:
                table.start()
            self.shared_records()
            self.flush()
            for number, first in enumerate(range(0, self.plan.persons, CHUNK)):
                self.chunk(number, first, min(CHUNK, self.plan.persons - first))
                self.flush()
                if number % 20 == 19:
                    self.progress(f"{first + CHUNK:,} persons")
            if rebuild:
                self.progress("indexes")
                self.sink.execute(rebuild)
            self.sink.finish(names)
            counts = {t.model._meta.label: t.written for t in self.tables}
            # One audit entry for the whole run instead of one per record: see the command's help.
            log(
                AuditEntry.Action.CREATE,
                self.plan.programme,
                fields=[f"{label}:{n}" for label, n in counts.items() if n],
            )
        # The distinct rules' counted rows, whole: part of generating, so that the first report is fast.
        self.progress("counted rows")
        with write_settings():
            counted.refresh_quietly()
        keep_statistics()
        return Result(counts, time.perf_counter() - began)

    def flush(self) -> None:
        for table in self.tables:
            table.flush()

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.plan.seed}:{name}")

    # records shared by the whole run ------------------------------------------------------------------

    def shared_records(self) -> None:
        rng = self.rng("shared")
        plan, tag = self.plan, self.plan.tag
        today = self.stamp[0]
        self.externals: list[tuple[int, str]] = []
        for i in range(25):
            kind = EXTERNAL_KINDS[i % len(EXTERNAL_KINDS)]
            pk = self.t_external.add(
                today, today, f"Synthetic {kind.replace('_', ' ')} body {i + 1} ({tag})", kind, ""
            )
            self.externals.append((pk, kind))
        # A Christmas campaign per year, run by a partner, recruiting volunteers and giving gifts.
        self.campaigns: list[tuple[int, int, int, int]] = []  # pk, organisation, first day, last day
        for year in range(plan.start.year, plan.end.year + 1):
            first = max(dt.date(year, 11, 15), plan.start)
            last = min(dt.date(year, 12, 31), plan.end)
            if first > last:
                continue
            org = self.outreach_org(rng)
            a, b = (first - plan.start).days, (last - plan.start).days
            pk = self.t_campaign.add(
                self.stamp[a],
                self.stamp[a],
                plan.programme.pk,
                org.pk,
                f"Synthetic Christmas campaign {year}",
                f"{tag.lower()}-christmas-{year}",
                self.day_text[a],
                self.day_text[b],
                "Generated campaign: gifts for women in vulnerable situations; volunteer recruitment.",
            )
            self.campaigns.append((pk, org.pk, a, b))

    # one chunk of persons with everything that happens to them ------------------------------------------

    def chunk(self, number: int, first: int, size: int) -> None:
        rng = self.rng(f"chunk:{number}")
        ndays = len(self.days)
        people: list[tuple[int, int, bool]] = []  # pk, first day seen, whether a case follows
        i = 0
        singles: list[int] = []
        while i < size:
            if rng.random() < 0.85:
                members = min(size - i, 1 + min(int(rng.expovariate(0.5)), 7))
                self.household(rng, first + i, members, people)
                i += members
            else:
                singles.append(first + i)
                i += 1
        for start in range(0, len(singles), 20):
            self.site_group(rng, singles[start : start + 20], people)
        for pk, day, followed in people:
            if followed:
                self.case(rng, pk, day)
        self.activities(rng, size // 100 + (1 if rng.random() < (size % 100) / 100 else 0))
        for _ in range(size // 50):
            self.volunteer(rng)
        for _ in range(size // 20):
            self.distribution(rng)
        if rng.random() < size / 2000:
            self.partner_contact(rng, rng.randrange(ndays))

    def person(self, rng: random.Random, n: int, org: Organisation, day: int, survivor: str = "no") -> int:
        sex = self.sex(rng)
        known = rng.random()
        birth_date: dt.date | None = None
        birth_year: int | None = None
        if known < 0.85:
            age_days = (
                int(rng.random() * 17 * 365) if rng.random() < 0.3 else int((18 + rng.random() * 62) * 365)
            )
            born = self.days[day] - dt.timedelta(days=age_days)
            if known < 0.75:
                birth_date = born
            birth_year = born.year
        adult_on = eighteenth_birthday(birth_date, birth_year)
        given, family = GIVEN[n % len(GIVEN)], FAMILY[(n // len(GIVEN)) % len(FAMILY)]
        hashes = _name_hashes(given, family)
        return self.t_person.add(
            self.stamp[day],
            self.stamp[day],
            org.pk,
            f"{self.plan.tag}-{n + 1:07d}",
            sex,
            birth_date.isoformat() if birth_date else None,
            birth_year,
            adult_on.isoformat() if adult_on else None,
            org.country.upper()[:2] if rng.random() < 0.9 else rng.choice(["MD", "BG", "UA", "RO"]),
            survivor,
            _sealed(given),
            _sealed(family),
            # No phone, address or identity number at this scale: a million encryptions each would dominate
            # the generator's time, and empty values are stored empty (privacy.fields).
            "",
            "",
            "",
            hashes["given_name_hash"],
            hashes["family_name_hash"],
            hashes["full_name_hash"],
            "",
        )

    @staticmethod
    def survivor(rng: random.Random, presumed: float) -> tuple[bool, str]:
        """Whether a case follows the person (one in ten), and their survivor status.

        Most people with a case are identified or presumed trafficking survivors; among the others only a
        few are presumed ones.
        """
        if rng.random() < 0.10:
            draw = rng.random()
            return True, "identified" if draw < 0.45 else ("presumed" if draw < 0.8 else "no")
        return False, "presumed" if rng.random() < presumed else "no"

    def span(self, rng: random.Random) -> list[tuple[int, int]]:
        """Months of a series of monthly visits: starts in any month, lasts 3 to 13 months."""
        first = rng.randrange(len(self.months))
        return self.months[first : first + rng.randint(3, 13)]

    def household(self, rng: random.Random, n: int, size: int, people: list[tuple[int, int, bool]]) -> None:
        org = self.outreach_org(rng)
        locality = self.locality[org.pk](rng)
        months = self.span(rng)
        visit_days = [month_first + rng.randrange(length) for month_first, length in months]
        day0 = visit_days[0]
        home = self.t_household.add(
            self.stamp[day0], self.stamp[day0], org.pk, f"{self.plan.tag}-H{n + 1:07d}", locality, ""
        )
        members = []
        for k in range(size):
            followed, survivor = self.survivor(rng, 0.02)
            pk = self.person(rng, n + k, org, day0, survivor)
            members.append(pk)
            people.append((pk, day0, followed))
            self.t_member.add(home, pk)
        programme = self.plan.programme.pk
        for day in visit_days:
            visit = self.t_visit.add(
                self.stamp[day],
                self.stamp[day],
                programme,
                org.pk,
                self.day_text[day],
                locality,
                self.household_site,
                home,
                "",
            )
            for pk in members:
                if rng.random() < 0.92:
                    self.t_reached.add(visit, pk)

    def site_group(self, rng: random.Random, ns: list[int], people: list[tuple[int, int, bool]]) -> None:
        """People met one by one at a shelter or on the street, visited monthly as a group."""
        org = self.outreach_org(rng)
        locality = self.locality[org.pk](rng)
        site = self.other_site(rng)
        months = self.span(rng)
        visit_days = [month_first + rng.randrange(length) for month_first, length in months]
        group = []
        for n in ns:
            followed, survivor = self.survivor(rng, 0.10)
            pk = self.person(rng, n, org, visit_days[0], survivor)
            group.append(pk)
            people.append((pk, visit_days[0], followed))
        programme = self.plan.programme.pk
        for day in visit_days:
            visit = self.t_visit.add(
                self.stamp[day],
                self.stamp[day],
                programme,
                org.pk,
                self.day_text[day],
                locality,
                site,
                None,
                "",
            )
            for pk in group:
                if rng.random() < 0.6:
                    self.t_reached.add(visit, pk)

    def case(self, rng: random.Random, person: int, seen: int) -> None:
        last = len(self.days) - 1
        org = self.case_org(rng)
        opened = min(last, seen + rng.randrange(60))
        services = sorted(min(last, opened + rng.randrange(365)) for _ in range(rng.randint(4, 16)))
        closed = services[-1] if rng.random() < 0.5 else None
        case = self.t_case.add(
            self.stamp[opened],
            self.stamp[closed if closed is not None else opened],
            self.plan.programme.pk,
            org.pk,
            person,
            self.day_text[opened],
            self.day_text[closed] if closed is not None else None,
            "closed" if closed is not None else "open",
            self.closure_reason if closed is not None else None,
            "",
            "",
        )
        for day in services:
            self.t_service.add(
                self.stamp[day], self.stamp[day], case, self.service_type(rng), self.day_text[day], "", ""
            )
        for _ in range(int(rng.random() * 2.4)):
            day = min(last, opened + rng.randrange(400))
            self.t_outcome.add(
                self.stamp[day], self.stamp[day], case, self.outcome_type(rng), self.day_text[day], "", ""
            )

    def activities(self, rng: random.Random, count: int) -> None:
        for _ in range(count):
            day = rng.randrange(len(self.days))
            org = self.any_org(rng)
            kind = self.activity_type(rng)
            code = self.activity_type_code[kind]
            total = rng.randint(10, 200)
            cells: list[int | None] = [None, None, None, None]
            if rng.random() < 0.5:
                remaining = total - rng.randrange(total // 5 + 1)
                for c in range(4):
                    share = rng.randint(0, remaining)
                    cells[c] = share
                    remaining -= share
            pk = self.t_activity.add(
                self.stamp[day],
                self.stamp[day],
                self.plan.programme.pk,
                org.pk,
                kind,
                self.pillars.get(ACTIVITY_PILLAR.get(code, 0)),
                f"Synthetic {self.activity_label[kind].lower()}",
                self.day_text[day],
                self.locality[org.pk](rng),
                total,
                *cells,
                "",
            )
            if code in {"conference", "training"} and self.groups:
                for group in rng.sample(self.groups, min(len(self.groups), rng.randint(1, 4))):
                    self.t_activity_group.add(pk, group)

    def volunteer(self, rng: random.Random) -> None:
        day = rng.randrange(len(self.days))
        org = self.any_org(rng)
        campaign = next((c[0] for c in self.campaigns if c[2] <= day <= c[3]), None)
        self.volunteers_made += 1
        n = self.volunteers_made
        self.t_volunteer.add(
            self.stamp[day],
            self.stamp[day],
            self.plan.programme.pk,
            org.pk,
            f"{self.plan.tag}-V{n}",
            self.day_text[day],
            # Generated rows skip the model's rules: the screening dates stay empty, as for volunteers
            # recorded before the pipeline.
            "active" if rng.random() < 0.7 else rng.choice(["paused", "left"]),
            campaign,
            self.locality[org.pk](rng),
            _sealed(f"{GIVEN[n % len(GIVEN)]} {FAMILY[n % len(FAMILY)]}"),
            "",
            "",
            0,
        )

    def distribution(self, rng: random.Random) -> None:
        day = rng.randrange(len(self.days))
        campaign = next((c for c in self.campaigns if c[2] <= day <= c[3]), None)
        org_pk = campaign[1] if campaign else self.outreach_org(rng).pk
        org = self.organisation[org_pk]
        self.t_distribution.add(
            self.stamp[day],
            self.stamp[day],
            self.plan.programme.pk,
            org_pk,
            campaign[0] if campaign else None,
            self.day_text[day],
            "gift" if campaign else self.item(rng),
            rng.randint(1, 80),
            rng.choice(RECIPIENTS),
            self.locality[org.pk](rng) if rng.random() < 0.9 else "",
            "",
        )

    def partner_contact(self, rng: random.Random, day: int) -> None:
        external, kind = rng.choice(self.externals)
        org = self.any_org(rng)
        self.t_contact.add(
            self.stamp[day],
            self.stamp[day],
            self.plan.programme.pk,
            org.pk,
            external,
            kind,
            self.day_text[day],
            "active" if rng.random() < 0.8 else "ended",
            self.locality[org.pk](rng),
            "",
            "",
        )
