"""The Next Steps Romania programme as configured data: organisations, pillars, indicators and targets.

Indicator rules here are the same data an administrator would enter in the admin; no figure is typed in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

PROGRAMME = {
    "slug": "next-steps",
    "name": "Next Steps Romania",
    "start_date": dt.date(2021, 8, 1),
    "countries": ["RO", "NL"],
    "description": "Dutch–Romanian programme against human trafficking (synthetic demonstration data).",
    # Fictitious IATI settings: KVK number 00000000 belongs to no one, so the demo can never pass for a real
    # publisher. 21 is "International NGO"; 15180 is the DAC code for ending violence against women and girls.
    "iati_identifier": "NL-KVK-00000000-NS-RO",
    "iati_reporting_org_ref": "NL-KVK-00000000",
    "iati_reporting_org_type": "21",
    "iati_reporting_org_name": "Stichting Next Steps Nederland (demonstration, fictitious)",
    "iati_sector_code": "15180",
    "iati_sector_vocabulary": "1",
}

# IATI ResultType of each pillar: the justice system's transformation is an outcome, the rest are outputs.
PILLAR_RESULT_TYPES = {1: "1", 2: "2", 3: "1"}

REPORT_START = dt.date(2021, 8, 1)
REPORT_END = dt.date(2021, 12, 31)

# slug, name, short name, kind, country
ORGANISATIONS = [
    ("next-steps-nl", "Stichting Next Steps Nederland", "Next Steps NL", "country_office", "NL"),
    ("next-steps-ro", "Next Steps România", "Next Steps RO", "country_office", "RO"),
    ("salvation-army-ro", "Salvation Army Romania", "Salvation Army", "partner", "RO"),
    ("ijm-ro", "International Justice Mission Romania", "IJM Romania", "partner", "RO"),
    ("dorcas-ro", "Dorcas Aid Romania", "Dorcas", "partner", "RO"),
    ("betania", "Betania Christian Center", "Betania", "partner", "RO"),
]

PILLARS = [
    (
        1,
        "Herstel en toegang tot nazorg",
        "Recovery and access to aftercare",
        "Recuperare și acces la servicii de sprijin",
    ),
    (
        2,
        "Transformatie van het rechtssysteem",
        "Transforming the justice system",
        "Transformarea sistemului de justiție",
    ),
    (
        3,
        "Grondoorzaken, preventie en minder kwetsbaarheid",
        "Root causes, prevention and reducing vulnerability",
        "Cauze profunde, prevenire și reducerea vulnerabilității",
    ),
]


def indicator(
    pillar: int,
    code: str,
    source: str,
    measure: str,
    filters: dict[str, Any],
    unit: str,
    titles: tuple[str, str, str],
    sentences: tuple[str, str, str],
    *,
    breakdown: bool = False,
    target: int | None = None,
    baseline: int | None = 0,
) -> dict[str, Any]:
    return {
        "pillar": pillar,
        "code": code,
        "source": source,
        "measure": measure,
        "filters": filters,
        "unit": unit,
        "title_nl": titles[0],
        "title_en": titles[1],
        "title_ro": titles[2],
        "sentence_nl": sentences[0],
        "sentence_en": sentences[1],
        "sentence_ro": sentences[2],
        "sex_age_breakdown": breakdown,
        "target": target,
        "baseline": baseline,
    }


PREVENTION_TYPES = ["prevention_session", "school_session"]

INDICATORS = [
    indicator(
        1,
        "survivors-return-legal",
        "services",
        "distinct_persons",
        {"type": ["return_assistance", "legal_support"], "survivor": True},
        "persons",
        (
            "Slachtoffers geholpen bij terugkeer en juridisch",
            "Survivors helped to return and with legal support",
            "Supraviețuitori sprijiniți la întoarcere și juridic",
        ),
        (
            "{value|# slachtoffer van mensenhandel kreeg hulp bij de terugkeer|# slachtoffers van mensenhandel "
            "kregen hulp bij hun terugkeer} en juridische bijstand.",
            "{value|# trafficking survivor was|# trafficking survivors were} helped to return home and given legal "
            "support.",
            "{value|# supraviețuitor al traficului de persoane a fost ajutat să se întoarcă acasă și a primit"
            "|# supraviețuitori ai traficului de persoane au fost ajutați să se întoarcă acasă și au primit"
            "|# de supraviețuitori ai traficului de persoane au fost ajutați să se întoarcă acasă și au primit} "
            "asistență juridică.",
        ),
        target=10,
    ),
    indicator(
        1,
        "volunteers-signed-up",
        "volunteers",
        "records",
        {},
        "persons",
        ("Nieuwe vrijwilligers", "New volunteers", "Voluntari noi"),
        (
            "{value|# nieuwe vrijwilliger meldde|# nieuwe vrijwilligers meldden} zich aan.",
            "{value|# new volunteer|# new volunteers} signed up.",
            "{value|# voluntar nou s-a înscris|# voluntari noi s-au înscris|# de voluntari noi s-au înscris}.",
        ),
        target=20,
    ),
    indicator(
        1,
        "families-visited",
        "visits",
        "distinct_households",
        {"site_type": ["household"], "locality": ["Bucharest"]},
        "households",
        ("Bezochte gezinnen in Boekarest", "Families visited in Bucharest", "Familii vizitate în București"),
        (
            "{value|# gezin in arme wijken van Boekarest kreeg|# gezinnen in arme wijken van Boekarest kregen} "
            "elke maand huisbezoek.",
            "{value|# family|# families} in poor neighbourhoods of Bucharest had home visits every month.",
            "{value|# familie dintr-un cartier sărac al Bucureștiului a fost vizitată"
            "|# familii din cartiere sărace ale Bucureștiului au fost vizitate"
            "|# de familii din cartiere sărace ale Bucureștiului au fost vizitate} acasă în fiecare lună.",
        ),
        target=67,
    ),
    indicator(
        1,
        "family-members-supported",
        "persons_reached",
        "distinct_persons",
        {"site_type": ["household"], "locality": ["Bucharest"]},
        "persons",
        ("Gezinsleden met steun", "Family members supported", "Membri ai familiilor sprijiniți"),
        (
            "Via deze bezoeken kregen {women|# vrouw|# vrouwen}, {girls|# meisje|# meisjes}, {men|# man|# mannen} "
            "en {boys|# jongen|# jongens} steun ({value} in totaal).",
            "Through these visits {women|# woman|# women}, {girls|# girl|# girls}, {men|# man|# men} and "
            "{boys|# boy|# boys} received support ({value} in all).",
            "Prin aceste vizite au primit sprijin {women|# femeie|# femei|# de femei}, {girls|# fată|# fete|# de "
            "fete}, {men|# bărbat|# bărbați|# de bărbați} și {boys|# băiat|# băieți|# de băieți} ({value} în "
            "total).",
        ),
        breakdown=True,
    ),
    indicator(
        1,
        "shelter-women-oradea",
        "persons_reached",
        "distinct_persons",
        {"site_type": ["homeless_shelter"], "locality": ["Oradea"], "sex": ["female"]},
        "persons",
        (
            "Vrouwen in daklozenopvang in Oradea",
            "Women in homeless shelters in Oradea",
            "Femei din adăposturi pentru persoane fără adăpost din Oradea",
        ),
        (
            "In Oradea bereikten we {value|# vrouw die in de daklozenopvang woont|# vrouwen die in de "
            "daklozenopvang wonen}.",
            "In Oradea we reached {value|# woman who lives in a shelter|# women who live in shelters} for homeless "
            "people.",
            "În Oradea am ajuns la {value|# femeie care locuiește într-un adăpost|# femei care locuiesc în "
            "adăposturi|# de femei care locuiesc în adăposturi} pentru persoane fără adăpost.",
        ),
        target=5,
    ),
    indicator(
        1,
        "exited-prostitution",
        "outcomes",
        "distinct_persons",
        {"type": ["exited_prostitution"], "sex": ["female"]},
        "persons",
        ("Vrouwen uit de prostitutie", "Women who left prostitution", "Femei care au ieșit din prostituție"),
        (
            "Vrouwen die met onze steun uit de prostitutie stapten: {value}.",
            "Women who left prostitution with our support: {value}.",
            "Femei care au ieșit din prostituție cu sprijinul nostru: {value}.",
        ),
        target=1,
    ),
    indicator(
        1,
        "survivors-education",
        "services",
        "distinct_persons",
        {"type": ["education"], "survivor": True},
        "persons",
        (
            "Slachtoffers in onderwijs",
            "Survivors supported in education",
            "Supraviețuitori sprijiniți în educație",
        ),
        (
            "Slachtoffers die steun kregen om hun opleiding voort te zetten: {value}.",
            "Survivors supported to continue their education: {value}.",
            "Supraviețuitori sprijiniți să își continue studiile: {value}.",
        ),
        target=2,
    ),
    indicator(
        1,
        "christmas-gifts",
        "distributions",
        "sum",
        {"campaign_kind": ["women_for_women_christmas"]},
        "items",
        ("Cadeaus in de kerstactie", "Gifts in the Christmas campaign", "Cadouri în campania de Crăciun"),
        (
            "De kerstactie ‘Vrouwen voor vrouwen’ bracht {value|# cadeau|# cadeaus} bij vrouwen in de "
            "prostitutie en vrouwen in een kwetsbare situatie.",
            "The “Women for women” Christmas campaign brought {value|# gift|# gifts} to women in prostitution and "
            "women in vulnerable situations.",
            "Campania de Crăciun „Femei pentru femei” a dus {value|# cadou|# cadouri|# de cadouri} femeilor din "
            "prostituție și celor aflate în situații vulnerabile.",
        ),
        baseline=None,
    ),
    indicator(
        2,
        "law-enforcement-contacts",
        "partner_contacts",
        "records",
        {"kind": ["law_enforcement"]},
        "contacts",
        (
            "Contacten met politie en justitie",
            "Contacts with law enforcement",
            "Contacte cu forțele de ordine",
        ),
        (
            "We legden {value|# nieuw contact|# nieuwe contacten} met politie en justitie in Roemenië.",
            "We made {value|# new contact|# new contacts} with law enforcement in Romania.",
            "Am stabilit {value|# contact nou|# contacte noi|# de contacte noi} cu forțele de ordine din România.",
        ),
        baseline=None,
    ),
    indicator(
        2,
        "partner-collaborations",
        "partner_contacts",
        "records",
        {"kind": ["ngo", "university", "government"]},
        "contacts",
        (
            "Samenwerkingen met partners en ngo's",
            "Collaborations with partners and NGOs",
            "Colaborări cu parteneri și ONG-uri",
        ),
        (
            "{value|# nieuwe samenwerking met strategische partners en ngo's begon|# nieuwe samenwerkingen met "
            "strategische partners en ngo's begonnen}.",
            "{value|# new collaboration|# new collaborations} with strategic partners and NGOs began.",
            "{value|A început # colaborare nouă|Au început # colaborări noi|Au început # de colaborări noi} cu "
            "parteneri strategici și ONG-uri.",
        ),
        baseline=None,
    ),
    indicator(
        2,
        "capacity-events",
        "activities",
        "records",
        {"type": ["conference", "training"]},
        "activities",
        ("Conferenties en trainingen", "Conferences and trainings", "Conferințe și instruiri"),
        (
            "Conferenties en trainingen voor capaciteitsopbouw: {value}.",
            "Capacity-building conferences and trainings held: {value}.",
            "Conferințe și instruiri pentru dezvoltarea capacității: {value}.",
        ),
        baseline=None,
    ),
    indicator(
        3,
        "prevention-activities",
        "activities",
        "records",
        {"type": PREVENTION_TYPES},
        "activities",
        ("Preventieactiviteiten", "Prevention and awareness activities", "Activități de prevenire"),
        (
            "Er {value|vond # preventie- en bewustwordingsactiviteit|vonden # preventie- en "
            "bewustwordingsactiviteiten} plaats.",
            "{value|# prevention and awareness activity|# prevention and awareness activities} took place.",
            "{value|A avut loc # activitate|Au avut loc # activități|Au avut loc # de activități} de prevenire și "
            "conștientizare.",
        ),
        target=10,
    ),
    indicator(
        3,
        "prevention-reach",
        "activities",
        "sum",
        {"type": PREVENTION_TYPES},
        "persons",
        ("Bereik van preventie", "People reached by prevention", "Persoane la care a ajuns prevenirea"),
        (
            "Samen bereikten deze activiteiten {value|# persoon|# mensen}.",
            "Together these activities reached {value|# person|# people}.",
            "Împreună, aceste activități au ajuns la {value|# persoană|# persoane|# de persoane}.",
        ),
        target=500,
    ),
]

NARRATIVE = {
    "nl": (
        "In augustus 2021 begon Next Steps met een werkbezoek aan de vier Roemeense partners. De coronamaatregelen "
        "beperkten een deel van het werk, maar de teams bleven gezinnen, vrouwen en scholen bereiken."
    ),
    "en": (
        "Next Steps began in August 2021 with a work visit to its four Romanian partners. COVID-19 restrictions "
        "held back part of the work, but the teams kept reaching families, women and schools."
    ),
    "ro": (
        "Next Steps a început în august 2021 cu o vizită de lucru la cei patru parteneri din România. Restricțiile "
        "COVID-19 au limitat o parte din activitate, dar echipele au continuat să ajungă la familii, femei și școli."
    ),
}

# Demo users: one per role, across several organisations. username, organisation, role, language.
PERSONAS = [
    ("coordinator", "next-steps-nl", "coordinator", "nl"),
    ("caseworker.sa", "salvation-army-ro", "caseworker", "ro"),
    ("caseworker.ijm", "ijm-ro", "caseworker", "ro"),
    ("outreach.sa", "salvation-army-ro", "outreach_worker", "ro"),
    ("volunteers.dorcas", "dorcas-ro", "volunteer_coordinator", "ro"),
    ("prevention.dorcas", "dorcas-ro", "prevention_officer", "ro"),
    ("dpo", "next-steps-nl", "data_protection_officer", "en"),
    ("viewer", "next-steps-nl", "viewer", "nl"),
    ("admin", "next-steps-nl", "administrator", "en"),
]
# The demo's operator of the Django admin (set-up only): no organisation, no role. username, language.
OPERATOR = ("operator", "en")
