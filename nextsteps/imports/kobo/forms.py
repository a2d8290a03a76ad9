"""The field forms for KoboToolbox and ODK, as data: outreach visit, activity attendance, volunteer sign-up.

`nextsteps kobo-forms` writes them as XLSForm workbooks (survey, choices and settings sheets) with labels in
Dutch, English and Romanian; the choice lists (site types, activity types, participant groups) come from the
managed lists in the database, so a form offers the values the importer accepts. Upload a workbook to
KoboToolbox (or convert it with pyxform for ODK Central), collect, export the submissions as CSV or JSON with
XML values and headers, and import them with `nextsteps import-kobo`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nextsteps import spreadsheets
from nextsteps.imports import vocabularies
from nextsteps.imports.values import Vocabulary

LANGUAGES = {"nl": "Dutch (nl)", "en": "English (en)", "ro": "Romanian (ro)"}
VERSION = "2025.1"

Labels = tuple[str, str, str]  # nl, en, ro


@dataclass(frozen=True)
class Question:
    type: str
    name: str
    label: Labels | None = None
    hint: Labels | None = None
    required: bool = False
    constraint: str = ""
    constraint_message: Labels | None = None
    relevant: str = ""
    calculation: str = ""
    appearance: str = ""


@dataclass(frozen=True)
class Form:
    key: str
    title: Labels
    questions: tuple[Question, ...]
    lists: tuple[str, ...] = ()
    extra_choices: dict[str, list[tuple[str, Labels]]] = field(default_factory=dict)

    @property
    def form_id(self) -> str:
        return f"nextsteps_{self.key}"


NOT_IN_FUTURE = ("De datum ligt in de toekomst.", "The date is in the future.", "Data este în viitor.")
NOT_NEGATIVE = ("Vul 0 of meer in.", "Enter 0 or more.", "Introduceți 0 sau mai mult.")
IDS = r"^[A-Za-z0-9_:.\-]+( +[A-Za-z0-9_:.\-]+)*$"

FORMS: dict[str, Form] = {
    form.key: form
    for form in (
        Form(
            "outreach_visit",
            ("Outreachbezoek", "Outreach visit", "Vizită de teren"),
            (
                Question("start", "start"),
                Question("end", "end"),
                Question(
                    "date",
                    "visit_date",
                    ("Datum van het bezoek", "Date of the visit", "Data vizitei"),
                    required=True,
                    constraint=". <= today()",
                    constraint_message=NOT_IN_FUTURE,
                ),
                Question(
                    "text",
                    "locality",
                    ("Plaats of wijk", "Town or neighbourhood", "Localitate sau cartier"),
                    required=True,
                ),
                Question(
                    "select_one site_type",
                    "site_type",
                    ("Soort plek", "Kind of place", "Tipul locului"),
                    required=True,
                ),
                Question(
                    "text",
                    "household_id",
                    ("Code van het huishouden", "Household id", "Codul gospodăriei"),
                    hint=(
                        "De externe id van het huishouden in Next Steps.",
                        "The household's external id in Next Steps.",
                        "Id-ul extern al gospodăriei în Next Steps.",
                    ),
                    relevant="${site_type} = 'household'",
                ),
                Question(
                    "text",
                    "persons_reached",
                    ("Bereikte personen", "Persons reached", "Persoane contactate"),
                    hint=(
                        "De externe id's van de bereikte personen, gescheiden door spaties.",
                        "The external ids of the persons reached, separated by spaces.",
                        "Id-urile externe ale persoanelor contactate, separate prin spații.",
                    ),
                    constraint=f"regex(., '{IDS}')",
                    constraint_message=(
                        "Alleen id's, gescheiden door spaties.",
                        "Only ids, separated by spaces.",
                        "Doar id-uri, separate prin spații.",
                    ),
                ),
            ),
            lists=("site_type",),
        ),
        Form(
            "activity_attendance",
            ("Activiteit en aanwezigen", "Activity attendance", "Activitate și participanți"),
            (
                Question("start", "start"),
                Question("end", "end"),
                Question(
                    "select_one activity_type",
                    "activity_type",
                    ("Soort activiteit", "Kind of activity", "Tipul activității"),
                    required=True,
                ),
                Question("text", "title", ("Titel", "Title", "Titlu"), required=True),
                Question(
                    "date",
                    "activity_date",
                    ("Datum", "Date", "Data"),
                    required=True,
                    constraint=". <= today()",
                    constraint_message=NOT_IN_FUTURE,
                ),
                Question("text", "locality", ("Plaats", "Town or city", "Localitate"), required=True),
                Question(
                    "integer",
                    "attendance_women",
                    ("Vrouwen (18+)", "Women (18+)", "Femei (18+)"),
                    constraint=". >= 0",
                    constraint_message=NOT_NEGATIVE,
                ),
                Question(
                    "integer",
                    "attendance_girls",
                    ("Meisjes (onder 18)", "Girls (under 18)", "Fete (sub 18)"),
                    constraint=". >= 0",
                    constraint_message=NOT_NEGATIVE,
                ),
                Question(
                    "integer",
                    "attendance_men",
                    ("Mannen (18+)", "Men (18+)", "Bărbați (18+)"),
                    constraint=". >= 0",
                    constraint_message=NOT_NEGATIVE,
                ),
                Question(
                    "integer",
                    "attendance_boys",
                    ("Jongens (onder 18)", "Boys (under 18)", "Băieți (sub 18)"),
                    constraint=". >= 0",
                    constraint_message=NOT_NEGATIVE,
                ),
                Question(
                    "integer",
                    "attendance_total",
                    ("Aanwezigen in totaal", "Attendance in total", "Total participanți"),
                    hint=(
                        "Iedereen, ook wie hierboven niet is ingedeeld.",
                        "Everyone, including those not counted above.",
                        "Toți, inclusiv cei nenumărați mai sus.",
                    ),
                    required=True,
                    constraint=(
                        ". >= coalesce(${attendance_women}, 0) + coalesce(${attendance_girls}, 0) "
                        "+ coalesce(${attendance_men}, 0) + coalesce(${attendance_boys}, 0)"
                    ),
                    constraint_message=(
                        "Het totaal is kleiner dan de som van vrouwen, meisjes, mannen en jongens.",
                        "The total is smaller than women, girls, men and boys together.",
                        "Totalul este mai mic decât suma femeilor, fetelor, bărbaților și băieților.",
                    ),
                ),
                Question(
                    "select_multiple participant_group",
                    "participant_groups",
                    ("Deelnemende groepen", "Groups taking part", "Grupuri participante"),
                ),
            ),
            lists=("activity_type", "participant_group"),
        ),
        Form(
            "volunteer_signup",
            ("Aanmelding vrijwilliger", "Volunteer sign-up", "Înscriere voluntar"),
            (
                Question("start", "start"),
                Question("end", "end"),
                Question(
                    "date",
                    "signed_up",
                    ("Datum van aanmelding", "Date of signing up", "Data înscrierii"),
                    required=True,
                    constraint=". <= today()",
                    constraint_message=NOT_IN_FUTURE,
                ),
                Question("text", "volunteer_name", ("Naam", "Name", "Nume"), required=True),
                Question("text", "phone", ("Telefoon", "Phone", "Telefon"), appearance="numbers"),
                Question("text", "locality", ("Woonplaats", "Town or city", "Localitate")),
                Question(
                    "text",
                    "campaign",
                    ("Campagne", "Campaign", "Campanie"),
                    hint=(
                        "De korte naam (slug) van de campagne waardoor je vrijwilliger werd, als die er is.",
                        "The short name (slug) of the campaign that recruited you, if any.",
                        "Numele scurt (slug) al campaniei prin care ați devenit voluntar, dacă există.",
                    ),
                ),
                Question(
                    "select_one yes_no",
                    "consent",
                    (
                        "Mogen wij je naam en telefoonnummer bewaren om contact met je te houden?",
                        "May we keep your name and phone number to stay in touch with you?",
                        "Putem păstra numele și numărul dvs. de telefon pentru a rămâne în legătură?",
                    ),
                    required=True,
                    constraint=". = 'yes'",
                    constraint_message=(
                        "Zonder toestemming kan de aanmelding niet worden opgeslagen.",
                        "Without consent the sign-up cannot be kept.",
                        "Fără acord, înscrierea nu poate fi păstrată.",
                    ),
                ),
            ),
            extra_choices={
                "yes_no": [("yes", ("Ja", "Yes", "Da")), ("no", ("Nee", "No", "Nu"))],
            },
        ),
    )
}


def _labelled(prefix: str, labels: Labels | None) -> dict[str, str]:
    if labels is None:
        return {}
    return {f"{prefix}::{name}": text for (_lang, name), text in zip(LANGUAGES.items(), labels, strict=True)}


def sheets(form: Form, lists: dict[str, Vocabulary] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The XLSForm as rows of its three sheets (column → value)."""
    lists = lists if lists is not None else vocabularies.load(None)
    survey = []
    for question in form.questions:
        row: dict[str, Any] = {"type": question.type, "name": question.name}
        row.update(_labelled("label", question.label))
        row.update(_labelled("hint", question.hint))
        if question.required:
            row["required"] = "yes"
        if question.constraint:
            row["constraint"] = question.constraint
            row.update(_labelled("constraint_message", question.constraint_message))
        for column in ("relevant", "calculation", "appearance"):
            if getattr(question, column):
                row[column] = getattr(question, column)
        survey.append(row)
    choices = []
    for list_name in form.lists:
        for choice in lists[list_name].choices:
            labels = (choice.labels["nl"], choice.labels["en"], choice.labels["ro"])
            choices.append({"list_name": list_name, "name": choice.code, **_labelled("label", labels)})
    for list_name, items in form.extra_choices.items():
        for name, labels in items:
            choices.append({"list_name": list_name, "name": name, **_labelled("label", labels)})
    settings = [
        {
            "form_title": form.title[1],
            "form_id": form.form_id,
            "version": VERSION,
            "default_language": LANGUAGES["en"],
        }
    ]
    return {"survey": survey, "choices": choices, "settings": settings}


def write_xlsform(form: Form, path: Path, lists: dict[str, Vocabulary] | None = None) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets(form, lists).items():
        sheet = book.create_sheet(title)
        columns: list[str] = []
        for row in rows:
            columns += [name for name in row if name not in columns]
        sheet.append(spreadsheets.xlsx_row(sheet, columns))
        for row in rows:
            # Expressions of an XLSForm (relevant, constraint) are text for pyxform, not Excel formulas.
            sheet.append(spreadsheets.xlsx_row(sheet, [row.get(name, "") for name in columns]))
    book.save(path)
