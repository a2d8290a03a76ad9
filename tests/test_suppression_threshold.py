"""A programme's small-number threshold is at least 2: below that external reports would withhold nothing.
A lower stored value (from before the rule, or written past the forms) is used as 2, and the log says so."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.core.exceptions import ValidationError

from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import EXTERNAL, INTERNAL, build_report
from nextsteps.reports.render import render

pytestmark = pytest.mark.django_db
START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)


def report(programme: Programme, audience: str) -> dict[str, object]:
    programme.refresh_from_db()
    return json.loads(render(build_report(programme, START, END, "en", audience=audience), "json"))


@pytest.mark.parametrize("threshold", [0, 1])
def test_a_threshold_below_two_is_refused(demo: Programme, threshold: int) -> None:
    demo.suppression_threshold = threshold
    with pytest.raises(ValidationError) as refused:
        demo.full_clean()
    assert "suppression_threshold" in refused.value.message_dict


def test_a_threshold_of_two_is_accepted(demo: Programme) -> None:
    demo.suppression_threshold = 2
    demo.full_clean()


@pytest.mark.parametrize("stored", [0, 1])
def test_an_external_report_uses_two_for_a_lower_stored_threshold_and_logs_it(
    demo: Programme, stored: int, caplog: pytest.LogCaptureFixture
) -> None:
    Programme.objects.filter(pk=demo.pk).update(suppression_threshold=2)
    at_two = report(demo, EXTERNAL)
    assert at_two != report(demo, INTERNAL)  # the demo has counts of one person to withhold
    Programme.objects.filter(pk=demo.pk).update(suppression_threshold=stored)
    with caplog.at_level(logging.WARNING, logger="nextsteps.reports.builder"):
        assert report(demo, EXTERNAL) == at_two
    assert f"has a small-number threshold of {stored}; external reports use 2 instead" in caplog.text
