"""`nextsteps counted-rows` brings the distinct rules' counted rows up to date, or rebuilds them whole."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from nextsteps.indicators import counted, engine
from nextsteps.indicators.models import CountedRow
from nextsteps.programmes.models import Programme
from nextsteps.records.models import OutreachVisit

pytestmark = pytest.mark.django_db

YEAR = (dt.date(2021, 1, 1), dt.date(2021, 12, 31))


def test_it_rebuilds_the_rows_of_changed_records_and_says_how_many(demo: Programme) -> None:
    visit = OutreachVisit.objects.filter(programme=demo).exclude(persons=None).first()
    assert visit is not None
    OutreachVisit.objects.filter(pk=visit.pk).update(date=dt.date(2021, 12, 30))
    assert counted.dirty_keys()
    out = StringIO()
    call_command("counted-rows", stdout=out, lang="en")
    assert not counted.dirty_keys()
    assert "counted rows, up to date" in out.getvalue()
    rules = [i for i in counted.kept_indicators() if i.pillar.programme_id == demo.pk]
    assert rules
    for rule in rules:
        kept = counted.value(rule, *YEAR)
        assert kept is not None
        assert kept.total == engine.value(rule, *YEAR, counted_rows=False).total


def test_whole_rebuilds_every_rule_from_scratch(demo: Programme) -> None:
    CountedRow.objects.all().delete()  # rows lost some other way: only a whole rebuild brings them back
    call_command("counted-rows", "--whole", stdout=StringIO(), lang="en")
    rule = next(i for i in counted.kept_indicators() if i.pillar.programme_id == demo.pk)
    kept = counted.value(rule, *YEAR)
    assert kept is not None and kept.total == engine.value(rule, *YEAR, counted_rows=False).total
    assert kept.total > 0


def test_it_answers_in_romanian(demo: Programme) -> None:
    out = StringIO()
    call_command("counted-rows", stdout=out, lang="ro")
    assert "counted rows" not in out.getvalue()
