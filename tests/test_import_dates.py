"""Dates are read without question only when their reading is certain; 03/04/2021 needs a declared format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nextsteps.imports.importer import ImportFailed
from nextsteps.imports.values import DateFormat, Invalid, parse_date
from nextsteps.records.models import OutreachVisit
from tests import factories as f
from tests.importing import run, write_csv

AUG_3 = dt.date(2021, 8, 3)


@pytest.mark.parametrize(
    "text",
    [
        "2021-08-03",
        " 2021-08-03 ",
        "2021-8-3",
        "2021/08/03",
        "2021-08-03T00:00:00",
        "2021-08-03 14:30",
        "3 August 2021",
        "August 3, 2021",
        "3 aug 2021",
        "03-Aug-2021",
        "3 augustus 2021",
        "3 august 2021",
        "3 AUGUST 2021",
        "3rd August 2021",
        "03.08.2021",
        "3.8.2021",
    ],
)
def test_it_reads_dates_whose_reading_is_certain(text: str) -> None:
    assert parse_date(text) == AUG_3


def test_it_reads_written_romanian_and_dutch_months_with_or_without_accents() -> None:
    assert parse_date("1 decembrie 2021") == dt.date(2021, 12, 1)
    assert parse_date("15 maart 2021") == dt.date(2021, 3, 15)
    assert parse_date("15 mai 2021") == dt.date(2021, 5, 15)
    assert parse_date("15 mei 2021") == dt.date(2021, 5, 15)


def test_a_slash_date_that_only_one_order_allows_is_read_that_way() -> None:
    assert parse_date("25/04/2021") == dt.date(2021, 4, 25)
    assert parse_date("04/25/2021") == dt.date(2021, 4, 25)
    assert parse_date("04/04/2021") == dt.date(2021, 4, 4)


@pytest.mark.parametrize("text", ["03/04/2021", "03-04-2021", "3/4/2021", "12/11/2021"])
def test_an_ambiguous_date_is_refused_and_says_why(text: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_date(text)
    assert "ambiguous" in refused.value.message()
    assert "--date-format" in refused.value.message()


def test_a_declared_format_settles_the_order() -> None:
    assert parse_date("03/04/2021", DateFormat.parse("DD/MM/YYYY")) == dt.date(2021, 4, 3)
    assert parse_date("03/04/2021", DateFormat.parse("MM/DD/YYYY")) == dt.date(2021, 3, 4)
    assert parse_date("03-04-2021", DateFormat.parse("dd-mm-yyyy")) == dt.date(2021, 4, 3)
    assert parse_date("03/04/21", DateFormat.parse("DD/MM/YY")) == dt.date(2021, 4, 3)
    assert parse_date("03/04/70", DateFormat.parse("DD/MM/YY")) == dt.date(1970, 4, 3)
    # Dates whose reading is certain are still read, whatever the declared order.
    assert parse_date("2021-08-03", DateFormat.parse("MM/DD/YYYY")) == AUG_3


@pytest.mark.parametrize(
    "text",
    ["2021-02-30", "31.04.2021", "13/13/2021", "03/04/21", "44411", "yesterday", "3 Augtober 2021", ""],
)
def test_it_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(Invalid):
        parse_date(text)


def test_a_date_that_does_not_fit_the_declared_format_is_refused() -> None:
    with pytest.raises(Invalid, match="declared format"):
        parse_date("04/25/2021", DateFormat.parse("DD/MM/YYYY"))


@pytest.mark.parametrize("text", ["DD/YYYY", "YYYY-DD-MM", "dd.mm.yyyy hh", "banana"])
def test_a_format_must_name_day_month_and_year_in_a_known_order(text: str) -> None:
    with pytest.raises(ValueError):
        DateFormat.parse(text)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_date_survives_iso_day_first_and_month_first_writing(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d/%m/%Y"), DateFormat.parse("DD/MM/YYYY")) == day
    assert parse_date(day.strftime("%m/%d/%Y"), DateFormat.parse("MM/DD/YYYY")) == day
    assert parse_date(day.strftime("%d.%m.%Y")) == day


@pytest.mark.django_db
def test_an_import_with_ambiguous_dates_fails_unless_their_format_is_declared(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    rows = [["V-1", "03/04/2021", "Iași", "street"], ["V-2", "25/04/2021", "Iași", "street"]]
    path = write_csv(tmp_path / "outreach_visits.csv", ["external_id", "date", "locality", "site_type"], rows)
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, path)
    assert [(e.row, e.column, e.value) for e in failed.value.result.errors] == [(2, "date", "03/04/2021")]
    assert not OutreachVisit.objects.filter(programme=prog).exists()

    run(prog, org, path, date_format=DateFormat.parse("DD/MM/YYYY"))
    dates = dict(OutreachVisit.objects.filter(programme=prog).values_list("external_id", "date"))
    assert dates == {"V-1": dt.date(2021, 4, 3), "V-2": dt.date(2021, 4, 25)}


@pytest.mark.django_db
def test_a_header_cell_can_declare_its_columns_format(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(
        tmp_path / "outreach_visits.csv",
        ["external_id", "Date (MM/DD/YYYY)", "locality", "site_type"],
        [["V-1", "03/04/2021", "Iași", "street"]],
    )
    run(prog, org, path)
    assert OutreachVisit.objects.get(programme=prog).date == dt.date(2021, 3, 4)


@pytest.mark.django_db
def test_a_declared_format_on_a_column_that_is_not_a_date_is_an_error(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(
        tmp_path / "outreach_visits.csv",
        ["external_id", "date", "locality (DD/MM/YYYY)", "site_type"],
        [["V-1", "2021-03-04", "Iași", "street"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, path)
    assert [(e.row, e.column) for e in failed.value.result.errors] == [(1, "locality")]
