"""Load the demo programme and its synthetic, person-level records through the actions layer.

Every record is made one by one, as staff would enter it, with invented names and phone numbers. Records
before and after the demo period are included on purpose, so that the report's date filter has work to do.
All the report's figures are computed from these records; none is stored as a number.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from nextsteps.accounts.models import Membership, User
from nextsteps.attachments.demo import attach_demo_consent_form
from nextsteps.demo import programme as spec
from nextsteps.demo.casefiles import add_case_files, assign_demo_cases
from nextsteps.identification.actions import EDITABLE, record_identification
from nextsteps.identification.demo import identify_survivors
from nextsteps.imports.writing import keep_statistics
from nextsteps.indicators import counted
from nextsteps.indicators.models import Indicator, Target
from nextsteps.privacy.actions import record_consent
from nextsteps.privacy.models import Consent
from nextsteps.programmes.models import Milestone, Organisation, PeriodNarrative, Pillar, Programme
from nextsteps.records import actions
from nextsteps.records.models import (
    Activity,
    ActivityType,
    Campaign,
    CampaignKind,
    Case,
    Distribution,
    ExternalOrganisation,
    Household,
    Outcome,
    OutcomeType,
    ParticipantGroup,
    PartnerContact,
    Person,
    ServiceType,
    SiteType,
    Story,
    Volunteer,
)
from nextsteps.referrals.actions import (
    accept_referral,
    complete_referral,
    decline_referral,
    record_referral_service,
    send_referral,
)
from nextsteps.referrals.models import Referral

GIVEN_F = [
    "Ana",
    "Maria",
    "Elena",
    "Ioana",
    "Andreea",
    "Mihaela",
    "Cristina",
    "Gabriela",
    "Daniela",
    "Roxana",
    "Alina",
    "Florentina",
    "Simona",
    "Raluca",
    "Bianca",
    "Denisa",
    "Larisa",
    "Oana",
]
GIVEN_M = [
    "Ion",
    "Gheorghe",
    "Vasile",
    "Constantin",
    "Marian",
    "Florin",
    "Adrian",
    "Cristian",
    "Nicolae",
    "Mihai",
    "Ionuț",
    "Daniel",
    "Alexandru",
    "Bogdan",
    "Sorin",
    "Răzvan",
    "Cătălin",
    "Dorin",
]
FAMILY = [
    "Popescu",
    "Ionescu",
    "Stan",
    "Dumitru",
    "Stoica",
    "Gheorghe",
    "Rusu",
    "Munteanu",
    "Matei",
    "Constantin",
    "Marin",
    "Lazăr",
    "Ene",
    "Tudor",
    "Dobre",
    "Barbu",
    "Nistor",
    "Florea",
    "Moldovan",
    "Sârbu",
]
STREETS = ["Strada Teilor", "Strada Morii", "Aleea Castanilor", "Strada Fagului", "Strada Pescărușului"]


# The demo's volunteers at every stage of the pipeline, most of them active.
VOLUNTEER_STAGES = (
    "left",
    "active",
    "applied",
    "active",
    "screening",
    "active",
    "training",
    "paused",
    "active",
)


class Loader:
    def __init__(self, seed: int = 2021) -> None:
        self.rng = random.Random(seed)
        # Addresses, identity numbers and notes draw from their own generator, so that adding them left
        # every other random choice (and so every figure of the report) as it was.
        self.private = random.Random(seed + 1)
        self.counter = 0

    # helpers ----------------------------------------------------------------------------------------

    def make(self, model: type[Any], **fields: Any) -> Any:
        return actions.create_record(model, acting_user=None, **fields)

    def phone(self) -> str:
        return self.phone_from(self.rng)

    @staticmethod
    def phone_from(rng: random.Random) -> str:
        return f"+40 7{rng.randint(20, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"

    def person(
        self,
        org: Organisation,
        sex: str,
        *,
        born: dt.date | None = None,
        birth_year: int | None = None,
        survivor: str = "no",
        nationality: str = "RO",
    ) -> Person:
        self.counter += 1
        given = self.rng.choice(GIVEN_F if sex == "female" else GIVEN_M)
        return self.make(
            Person,
            organisation=org,
            code=f"{org.slug[:3].upper()}-{self.counter:04d}",
            sex=sex,
            birth_date=born,
            birth_year=birth_year,
            nationality=nationality,
            survivor_status=survivor,
            given_name=given,
            family_name=self.rng.choice(FAMILY),
            phone=self.phone(),
            address=f"{self.private.choice(STREETS)} {self.private.randint(1, 120)}, "
            f"{'Oradea' if org.slug == 'betania' else 'București'}",
            # Obviously not a real document number.
            identity_number=f"DEMO-ID-{self.private.randint(100000, 999999)}",
        )

    def born_aged(self, age: int, on: dt.date = spec.REPORT_START) -> dt.date:
        """A birth date that makes someone `age` on `on`, well clear of the birthday."""
        return dt.date(on.year - age - 1, self.rng.randint(9, 12), self.rng.randint(1, 28))

    # the programme ------------------------------------------------------------------------------------

    @transaction.atomic
    def load(self) -> Programme:
        self.orgs = {
            slug: self.make(Organisation, slug=slug, name=name, short_name=short, kind=kind, country=country)
            for slug, name, short, kind, country in spec.ORGANISATIONS
        }
        programme = self.make(Programme, **spec.PROGRAMME, organisations=list(self.orgs.values()))
        self.programme = programme
        self.pillars = {
            number: self.make(
                Pillar,
                programme=programme,
                number=number,
                title_nl=nl,
                title_en=en,
                title_ro=ro,
                iati_result_type=spec.PILLAR_RESULT_TYPES.get(number, Pillar.ResultType.OUTPUT),
            )
            for number, nl, en, ro in spec.PILLARS
        }
        for order, item in enumerate(spec.INDICATORS):
            item = dict(item)
            target, baseline = item.pop("target"), item.pop("baseline")
            ind = self.make(Indicator, pillar=self.pillars[item.pop("pillar")], order=order, **item)
            if target is not None or baseline is not None:
                self.make(
                    Target,
                    indicator=ind,
                    start=spec.REPORT_START,
                    end=spec.REPORT_END,
                    baseline=baseline,
                    target=target,
                )
        for lang, text in spec.NARRATIVE.items():
            self.make(
                PeriodNarrative,
                programme=programme,
                start=spec.REPORT_START,
                end=spec.REPORT_END,
                language=lang,
                text=text,
            )
        self.services = {s.code: s for s in ServiceType.objects.all()}
        self.outcomes = {o.code: o for o in OutcomeType.objects.all()}
        self.sites = {s.code: s for s in SiteType.objects.all()}
        self.activity_types = {a.code: a for a in ActivityType.objects.all()}
        self.groups = {g.code: g for g in ParticipantGroup.objects.all()}
        self.casework()
        self.family_visits()
        self.shelter_visits()
        self.volunteers_and_campaign()
        self.activities()
        self.partnerships()
        self.milestones_and_stories()
        attach_demo_consent_form(self.orgs["ijm-ro"])
        # Last, so that nothing drawn before changes: the survivors' case files.
        add_case_files(self.survivor_cases, dt.date.today())
        identify_survivors(programme)
        # After the identifications, which number the survivors' cases in order: IJM's case for her is not one.
        self.completed_referral(self.survivor_cases[11])
        return programme

    def case(self, org: Organisation, person: Person, opened: dt.date) -> Case:
        # Consent is asked at intake: a case opens only with it (or a reason why it could not be asked).
        self.consent(person, Consent.Purpose.SERVICES, opened)
        return self.make(Case, programme=self.programme, organisation=org, person=person, opened=opened)

    def consent(self, person: Person, purpose: str, given_on: dt.date) -> None:
        record_consent(acting_user=None, person=person, purpose=purpose, given_on=given_on)

    def serve(self, case: Case, code: str, date: dt.date, note: str = "") -> None:
        actions.record_service(
            acting_user=None, case=case, service_type=self.services[code], date=date, note=note
        )

    def casework(self) -> None:
        ijm, nl = self.orgs["ijm-ro"], self.orgs["next-steps-nl"]
        # Nine survivors followed by IJM in Romania, four women helped from the Netherlands: 13 in the period.
        survivors: list[tuple[Organisation, Case]] = []
        for i in range(13):
            org = ijm if i < 9 else nl
            sex = "female" if i % 4 else "male"
            person = self.person(
                org,
                sex,
                born=self.born_aged(self.rng.randint(19, 40)),
                survivor="identified" if i % 3 else "presumed",
            )
            survivors.append((org, self.case(org, person, dt.date(2021, 7, 20) + dt.timedelta(days=i * 9))))
        self.survivor_cases = [case for _org, case in survivors]
        self.declined_referral(survivors[10][1])
        for i, (org, case) in enumerate(survivors):
            day = dt.date(2021, 8, 3) + dt.timedelta(days=i * 10)
            if org == nl or i % 2:
                self.serve(case, "return_assistance", day)
            if org == nl:
                self.make(
                    Outcome,
                    case=case,
                    outcome_type=self.outcomes["returned_home"],
                    date=day + dt.timedelta(days=20),
                )
            who = case.person
            self.serve(
                case,
                "legal_support",
                day + dt.timedelta(days=5),
                # Notes name people and carry their numbers: the reason notes are encrypted too.
                note=f"Went with {who.given_name} {who.family_name} to the prosecutor's office; "
                f"best reached on {who.phone}.",
            )
            self.serve(case, "psychosocial", day + dt.timedelta(days=12))
        # One of them was already helped in July: still one person.
        self.serve(survivors[0][1], "legal_support", dt.date(2021, 7, 28))
        # Two continue their education with the programme's support.
        for _org, case in survivors[1:3]:
            self.serve(case, "education", dt.date(2021, 10, 1))
        # Outside the period, or not survivors: none of these may be counted.
        for when in (dt.date(2021, 6, 14), dt.date(2021, 7, 30), dt.date(2022, 1, 12)):
            person = self.person(ijm, "female", born=self.born_aged(25), survivor="identified")
            case = self.case(ijm, person, when)
            self.serve(case, "legal_support", when)
            self.serve(case, "education", when)
        neighbour = self.person(ijm, "male", born=self.born_aged(44))
        self.serve(self.case(ijm, neighbour, dt.date(2021, 9, 1)), "legal_support", dt.date(2021, 9, 2))
        # The woman who left prostitution: a sewing course, then paid work in a sewing workshop.
        dorcas = self.orgs["dorcas-ro"]
        self.sewer = self.person(dorcas, "female", born=self.born_aged(31))
        case = self.case(dorcas, self.sewer, dt.date(2021, 8, 16))
        # She agreed to her story being told (see milestones_and_stories): without this it stays unpublished.
        self.consent(self.sewer, Consent.Purpose.PUBLICATION, dt.date(2021, 11, 20))
        self.serve(case, "vocational_training", dt.date(2021, 9, 6))
        self.make(
            Outcome, case=case, outcome_type=self.outcomes["exited_prostitution"], date=dt.date(2021, 9, 30)
        )
        self.make(
            Outcome,
            case=case,
            outcome_type=self.outcomes["employed"],
            date=dt.date(2021, 11, 15),
            note=f"{self.sewer.given_name} {self.sewer.family_name} signed a contract with the workshop.",
        )
        later = self.person(dorcas, "female", born=self.born_aged(27))
        self.make(
            Outcome,
            case=self.case(dorcas, later, dt.date(2021, 12, 1)),
            outcome_type=self.outcomes["exited_prostitution"],
            date=dt.date(2022, 2, 10),
        )

    def declined_referral(self, case: Case) -> None:
        """The Dutch office asked IJM Romania for legal support for a woman; IJM declined, so it sees neither
        the referral nor her case."""
        ijm = self.orgs["ijm-ro"]
        record_consent(
            acting_user=None,
            person=case.person,
            purpose=Consent.Purpose.SHARING,
            given_on=dt.date(2021, 10, 20),
            shared_with=ijm,
        )
        referral = send_referral(
            acting_user=None,
            case=case,
            to_organisation=ijm,
            services=[self.services["legal_support"]],
            reason=Referral.Reason.SPECIALIST,
            message="She needs a lawyer in Romania for the trial of her recruiter.",
            on=dt.date(2021, 10, 22),
        )
        decline_referral(
            acting_user=None,
            referral=referral,
            reason="No lawyer of ours is free before the hearing in November.",
            on=dt.date(2021, 10, 25),
        )

    def completed_referral(self, case: Case) -> None:
        """After the Dutch office had helped a woman to return, it referred her to IJM Romania for return
        assistance and legal support at home; IJM accepted, helped her on a case of its own and completed the
        referral. All of it in January and February 2022, after the report's period: she counts once in the
        period's figures (for the Dutch office, which served her then), and no organisation's figure moves."""
        ijm = self.orgs["ijm-ro"]
        record_consent(
            acting_user=None,
            person=case.person,
            purpose=Consent.Purpose.SHARING,
            given_on=dt.date(2022, 1, 3),
            shared_with=ijm,
        )
        referral = send_referral(
            acting_user=None,
            case=case,
            to_organisation=ijm,
            services=[self.services["return_assistance"], self.services["legal_support"]],
            reason=Referral.Reason.RETURN,
            message="She is back home near Iași; she needs help to settle and a lawyer for the trial.",
            on=dt.date(2022, 1, 4),
        )
        accept_referral(acting_user=None, referral=referral, on=dt.date(2022, 1, 6))
        assert referral.receiving_case is not None
        # IJM records her identification as the Dutch office did: every survivor's case has one.
        known = case.identification
        fields: dict[str, Any] = {
            name: list(getattr(known, name).all())
            if name in ("exploitation_types", "means_of_control")
            else getattr(known, name)
            for name in EDITABLE
        }
        record_identification(referral.receiving_case, acting_user=None, **fields)
        for code, day in (
            ("return_assistance", dt.date(2022, 1, 10)),
            ("legal_support", dt.date(2022, 1, 17)),
        ):
            record_referral_service(
                acting_user=None, referral=referral, service_type=self.services[code], date=day
            )
        complete_referral(acting_user=None, referral=referral, on=dt.date(2022, 2, 28))

    def family_visits(self) -> None:
        sa = self.orgs["salvation-army-ro"]
        household_site = self.sites["household"]
        # 23 women, 20 girls, 50 men and 15 boys in 67 households, placed by age on their first visit.
        members: list[Person] = []
        members += [
            self.person(sa, "female", born=self.born_aged(self.rng.randint(18, 70))) for _ in range(22)
        ]
        # A young woman who came of age just before the period, and a girl who turns 18 during it.
        members.append(self.person(sa, "female", born=dt.date(2003, 7, 20)))
        members.append(self.person(sa, "female", born=dt.date(2003, 10, 15)))
        members += [
            self.person(sa, "female", born=self.born_aged(self.rng.randint(1, 16))) for _ in range(19)
        ]
        members += [self.person(sa, "male", born=self.born_aged(self.rng.randint(18, 70))) for _ in range(48)]
        # Two men whose age staff only know by birth year.
        members += [self.person(sa, "male", birth_year=1970), self.person(sa, "male", birth_year=1985)]
        members += [self.person(sa, "male", born=self.born_aged(self.rng.randint(1, 16))) for _ in range(15)]
        self.rng.shuffle(members)
        households: list[tuple[Household, list[Person]]] = []
        for i in range(67):
            share = members[i::67]
            household = self.make(
                Household, organisation=sa, code=f"BUC-{i + 1:03d}", locality="Bucharest", members=share
            )
            households.append((household, share))
        months = [dt.date(2021, m, 1) for m in range(8, 13)]
        for household, share in households:
            for month in months:
                day = month + dt.timedelta(days=self.rng.randint(2, 25))
                actions.record_outreach_round(
                    acting_user=None,
                    programme=self.programme,
                    organisation=sa,
                    date=day,
                    locality="Bucharest",
                    site_type=household_site,
                    household=household,
                    persons=share,
                )
        # Visits before and after the period, to the same families and to three others.
        for household, share in households[:10]:
            actions.record_outreach_round(
                acting_user=None,
                programme=self.programme,
                organisation=sa,
                date=dt.date(2021, 7, 15),
                locality="Bucharest",
                site_type=household_site,
                household=household,
                persons=share,
            )
        for i in range(3):
            share = [
                self.person(sa, "female", born=self.born_aged(35)),
                self.person(sa, "male", born=self.born_aged(9)),
            ]
            household = self.make(
                Household, organisation=sa, code=f"BUC-{101 + i}", locality="Bucharest", members=share
            )
            for day in (dt.date(2021, 7, 10), dt.date(2022, 1, 10)):
                actions.record_outreach_round(
                    acting_user=None,
                    programme=self.programme,
                    organisation=sa,
                    date=day,
                    locality="Bucharest",
                    site_type=household_site,
                    household=household,
                    persons=share,
                )

    def shelter_visits(self) -> None:
        betania = self.orgs["betania"]
        shelter = self.sites["homeless_shelter"]
        women = [
            self.person(betania, "female", born=self.born_aged(self.rng.randint(25, 60))) for _ in range(5)
        ]
        men = [self.person(betania, "male", born=self.born_aged(50)) for _ in range(2)]
        for month in range(9, 13):
            reached = women[: 3 + month % 3] + men
            actions.record_outreach_round(
                acting_user=None,
                programme=self.programme,
                organisation=betania,
                date=dt.date(2021, month, 8),
                locality="Oradea",
                site_type=shelter,
                persons=reached,
            )
        # Another city, and a family visit in Oradea: neither belongs in the two outreach figures.
        actions.record_outreach_round(
            acting_user=None,
            programme=self.programme,
            organisation=betania,
            date=dt.date(2021, 10, 12),
            locality="Cluj-Napoca",
            site_type=shelter,
            persons=[self.person(betania, "female", born=self.born_aged(40))],
        )
        family = [
            self.person(betania, "female", born=self.born_aged(30)),
            self.person(betania, "male", born=self.born_aged(7)),
        ]
        household = self.make(
            Household, organisation=betania, code="ORA-001", locality="Oradea", members=family
        )
        actions.record_outreach_round(
            acting_user=None,
            programme=self.programme,
            organisation=betania,
            date=dt.date(2021, 11, 3),
            locality="Oradea",
            site_type=self.sites["household"],
            household=household,
            persons=family,
        )

    def volunteers_and_campaign(self) -> None:
        dorcas, nl = self.orgs["dorcas-ro"], self.orgs["next-steps-nl"]
        campaign = self.make(
            Campaign,
            programme=self.programme,
            organisation=dorcas,
            name="Women for women",
            slug="women-for-women-2021",
            kind=CampaignKind.objects.get(code="women_for_women_christmas"),
            # Until Epiphany: the last gifts go out on 6 January, after the reporting period.
            start=dt.date(2021, 11, 15),
            end=dt.date(2022, 1, 15),
            purpose="Christmas gifts for women in prostitution and from vulnerable backgrounds; volunteer recruitment.",
        )
        orgs = [
            self.orgs[s] for s in ("salvation-army-ro", "ijm-ro", "dorcas-ro", "betania", "next-steps-nl")
        ]
        signups = [dt.date(2021, 8, 2) + dt.timedelta(days=5 * i) for i in range(29)]
        for i, day in enumerate(signups):
            org = orgs[i % len(orgs)]
            through = campaign if day >= campaign.start else None
            self.volunteer(org, day, through)
        for day in (
            dt.date(2021, 5, 3),
            dt.date(2021, 6, 21),
            dt.date(2021, 7, 31),
            dt.date(2022, 1, 1),
            dt.date(2022, 2, 14),
        ):
            self.volunteer(nl, day, None)
        for day, qty, group in (
            (dt.date(2021, 12, 11), 70, "women in prostitution"),
            (dt.date(2021, 12, 18), 50, "women in prostitution"),
            (dt.date(2021, 12, 22), 40, "women from vulnerable backgrounds"),
        ):
            self.make(
                Distribution,
                programme=self.programme,
                organisation=dorcas,
                campaign=campaign,
                date=day,
                item="gift",
                quantity=qty,
                recipient_group=group,
                locality="Bucharest",
            )
        self.make(
            Distribution,
            programme=self.programme,
            organisation=dorcas,
            campaign=campaign,
            date=dt.date(2022, 1, 6),
            item="gift",
            quantity=12,
            recipient_group="women in prostitution",
        )
        self.make(
            Distribution,
            programme=self.programme,
            organisation=dorcas,
            date=dt.date(2021, 10, 5),
            item="food parcel",
            quantity=30,
            recipient_group="families",
        )

    def volunteer(self, org: Organisation, day: dt.date, campaign: Campaign | None) -> None:
        self.counter += 1
        # Stages, screening and hours follow the volunteer's number, not the random generator: drawing
        # more from it would change every name and record made after the volunteers.
        stage = VOLUNTEER_STAGES[self.counter % len(VOLUNTEER_STAGES)]
        screened = stage not in ("applied", "screening")
        week = dt.timedelta(days=7)
        volunteer = self.make(
            Volunteer,
            programme=self.programme,
            organisation=org,
            code=f"VOL-{self.counter:04d}",
            signed_up=day,
            stage=stage,
            references_checked=day + week if stage != "applied" else None,
            certificate_checked=day + 2 * week if screened else None,
            safeguarding_signed=day + 2 * week if screened else None,
            confidentiality_signed=day + 2 * week if screened else None,
            training_sessions=(1 if stage == "training" else 2) if screened else 0,
            last_training=day + 3 * week if screened else None,
            campaign=campaign,
            locality="Bucharest" if org.country == "RO" else "Utrecht",
            name=f"{self.rng.choice(GIVEN_F)} {self.rng.choice(FAMILY)}",
            phone=self.phone(),
        )
        if stage in ("active", "paused", "left"):
            # Hours from the month after training until the end of 2021 (a paused or left volunteer's
            # hours stop after two months).
            month = (day + 5 * week).replace(day=1)
            months = 0
            while month <= dt.date(2021, 12, 1) and (stage == "active" or months < 2):
                hours = 4 + (self.counter * 3 + month.month) % 9
                actions.record_volunteer_hours(volunteer, acting_user=None, month=month, hours=hours)
                month = (month + dt.timedelta(days=32)).replace(day=1)
                months += 1

    def activities(self) -> None:
        dorcas, sa, betania, nl = (
            self.orgs[s] for s in ("dorcas-ro", "salvation-army-ro", "betania", "next-steps-nl")
        )
        t = self.activity_types
        self.make(
            Activity,
            programme=self.programme,
            organisation=nl,
            activity_type=t["work_visit"],
            title="Work visit to the Romanian partners",
            date=dt.date(2021, 8, 24),
            locality="Bucharest",
            attendance_total=14,
        )
        self.make(
            Activity,
            programme=self.programme,
            organisation=betania,
            activity_type=t["conference"],
            pillar=self.pillars[2],
            title="Capacity-building conference on human trafficking",
            date=dt.date(2021, 10, 18),
            locality="Oradea",
            attendance_total=85,
            participant_groups=[
                self.groups[c]
                for c in (
                    "partner_ngos",
                    "other_ngos",
                    "police",
                    "anti_trafficking_agency",
                    "university",
                    "students",
                    "volunteers",
                )
            ],
        )
        sessions = [
            (sa, "prevention_session", dt.date(2021, 8, 19), "Bucharest", 45),
            (betania, "prevention_session", dt.date(2021, 9, 9), "Oradea", 72),
            (dorcas, "school_session", dt.date(2021, 10, 5), "Bucharest", 38),
            (dorcas, "school_session", dt.date(2021, 10, 14), "Bucharest", 90),
            (dorcas, "school_session", dt.date(2021, 10, 27), "Ploiești", 61),
            (sa, "prevention_session", dt.date(2021, 11, 4), "Bucharest", 55),
            (dorcas, "school_session", dt.date(2021, 11, 11), "Bucharest", 80),
            (dorcas, "school_session", dt.date(2021, 11, 24), "Ploiești", 47),
            (betania, "prevention_session", dt.date(2021, 12, 2), "Oradea", 70),
            (dorcas, "school_session", dt.date(2021, 12, 9), "Bucharest", 75),
        ]
        for org, code, day, place, attendance in sessions:
            # School sessions know who came; the others only a head count.
            cells: dict[str, int] = {}
            if code == "school_session":
                girls = attendance // 2
                cells = {
                    "attendance_girls": girls,
                    "attendance_boys": attendance - girls - 2,
                    "attendance_women": 2,
                }
            self.make(
                Activity,
                programme=self.programme,
                organisation=org,
                activity_type=t[code],
                pillar=self.pillars[3],
                title=ActivityType.objects.get(code=code).label_en,
                date=day,
                locality=place,
                attendance_total=attendance,
                **cells,
            )
        for day in (dt.date(2021, 7, 22), dt.date(2022, 1, 20)):
            self.make(
                Activity,
                programme=self.programme,
                organisation=dorcas,
                activity_type=t["school_session"],
                pillar=self.pillars[3],
                title="School session",
                date=day,
                locality="Bucharest",
                attendance_total=50,
            )
        self.make(
            Activity,
            programme=self.programme,
            organisation=betania,
            activity_type=t["training"],
            pillar=self.pillars[2],
            title="Training for police officers",
            date=dt.date(2022, 3, 3),
            locality="Oradea",
            attendance_total=25,
        )

    def partnerships(self) -> None:
        ijm, nl = self.orgs["ijm-ro"], self.orgs["next-steps-nl"]
        police = [
            ("Bucharest", "Bucharest Police"),
            ("Oradea", "Bihor County Police"),
            ("Iași", "Iași County Police"),
            ("Cluj-Napoca", "Cluj County Police"),
            ("Timișoara", "Timiș County Police"),
            ("Constanța", "Constanța County Police"),
        ]
        for i, (place, name) in enumerate(police):
            ext = self.make(ExternalOrganisation, name=name, kind="law_enforcement", country="RO")
            self.make(
                PartnerContact,
                programme=self.programme,
                organisation=ijm,
                external_organisation=ext,
                kind="law_enforcement",
                established=dt.date(2021, 8, 10) + dt.timedelta(days=19 * i),
                note=f"Contact person: inspector {self.private.choice(GIVEN_M)} "
                f"{self.private.choice(FAMILY)}, {self.phone_from(self.private)}.",
                locality=place,
            )
        earlier = self.make(
            ExternalOrganisation, name="Prosecutor's Office, Bucharest", kind="law_enforcement", country="RO"
        )
        self.make(
            PartnerContact,
            programme=self.programme,
            organisation=ijm,
            external_organisation=earlier,
            kind="law_enforcement",
            established=dt.date(2021, 6, 1),
            locality="Bucharest",
        )
        for i, (name, kind, org, country) in enumerate(
            [
                ("eLiberare", "ngo", ijm, "RO"),
                ("University of Oradea", "university", self.orgs["betania"], "RO"),
                ("National Agency against Trafficking in Persons", "government", ijm, "RO"),
                ("Fier", "ngo", nl, "NL"),
            ]
        ):
            ext = self.make(ExternalOrganisation, name=name, kind=kind, country=country)
            self.make(
                PartnerContact,
                programme=self.programme,
                organisation=org,
                external_organisation=ext,
                kind=kind,
                established=dt.date(2021, 9, 1) + dt.timedelta(days=23 * i),
            )

    def milestones_and_stories(self) -> None:
        nl, dorcas = self.orgs["next-steps-nl"], self.orgs["dorcas-ro"]
        p3 = self.pillars[3]
        for day, org, pillar, texts in [
            (
                dt.date(2021, 10, 4),
                dorcas,
                p3,
                (
                    "De voorlichtings- en preventielessen op middelbare scholen zijn begonnen.",
                    "Awareness and prevention lessons began in secondary schools.",
                    "Au început lecțiile de conștientizare și prevenire în licee.",
                ),
            ),
            (
                dt.date(2021, 11, 15),
                nl,
                p3,
                (
                    "Next Steps heeft een eigen Facebookpagina gelanceerd.",
                    "Next Steps launched its own Facebook page.",
                    "Next Steps și-a lansat propria pagină de Facebook.",
                ),
            ),
            (
                dt.date(2021, 11, 26),
                nl,
                None,
                (
                    "Partner- en zusterorganisaties in Nederland kregen uitleg over Next Steps en reageerden positief.",
                    "Partner and peer organisations in the Netherlands heard about Next Steps and responded warmly.",
                    "Organizațiile partenere din Țările de Jos au aflat despre Next Steps și au răspuns pozitiv.",
                ),
            ),
            (
                dt.date(2022, 2, 1),
                nl,
                None,
                (
                    "Jaarplan 2022 vastgesteld.",
                    "The 2022 annual plan was adopted.",
                    "Planul anual 2022 a fost adoptat.",
                ),
            ),
        ]:
            self.make(
                Milestone,
                programme=self.programme,
                organisation=org,
                pillar=pillar,
                date=day,
                text_nl=texts[0],
                text_en=texts[1],
                text_ro=texts[2],
            )
        self.make(
            Story,
            programme=self.programme,
            organisation=dorcas,
            person=self.sewer,
            date=dt.date(2021, 12, 10),
            consent_to_publish=True,
            text_nl="Na een naaicursus heeft zij nu betaald werk in een naaiatelier.",
            text_en="After a sewing course she now has paid work in a sewing workshop.",
            text_ro="După un curs de croitorie, acum are un loc de muncă plătit într-un atelier de croitorie.",
        )
        self.make(
            Story,
            programme=self.programme,
            organisation=self.orgs["ijm-ro"],
            date=dt.date(2021, 11, 2),
            consent_to_publish=False,
            text_en="A story that the person has not agreed to publish.",
        )


def load_demo(seed: int = 2021) -> tuple[Programme, bool]:
    """Load the demo unless it is there already; returns the programme and whether it was loaded now."""
    existing = Programme.objects.filter(slug=spec.PROGRAMME["slug"]).first()
    if existing:
        return existing, False
    programme = Loader(seed).load()
    counted.refresh()
    keep_statistics()
    return programme, True


def ensure_personas(password: str) -> None:
    """One demo user per role, and the operator; running again reactivates them and resets their passwords
    and memberships, adding nobody twice."""
    for username, org_slug, role, language in spec.PERSONAS:
        user, _created = User.objects.get_or_create(username=username)
        user.language = language
        # Staff of an organisation never reach the Django admin (accounts/models.py): only the operator does.
        user.is_staff = user.is_superuser = False
        user.is_active = True
        user.set_password(password)
        user.save()
        organisation = Organisation.objects.get(slug=org_slug)
        # Roles given to a demo user since (on the Team page, say) go: each persona shows exactly its role.
        Membership.objects.filter(user=user).exclude(organisation=organisation, role=role).delete()
        Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    username, language = spec.OPERATOR
    operator, _created = User.objects.get_or_create(username=username)
    # Roles first: the database refuses an operator who holds one.
    Membership.objects.filter(user=operator).delete()
    operator.language = language
    operator.is_staff = operator.is_superuser = operator.is_active = True
    operator.set_password(password)
    operator.save()
    # The demo's open cases get a responsible caseworker: the caseworker persona, else the coordinator.
    responsible: dict[str, Any] = {}
    for username, org_slug, role, _language in spec.PERSONAS:
        if role == "caseworker" or (role == "coordinator" and org_slug not in responsible):
            responsible[org_slug] = User.objects.get(username=username)
    assign_demo_cases(str(spec.PROGRAMME["slug"]), responsible)
