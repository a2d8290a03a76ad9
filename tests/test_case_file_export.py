"""The person's data export holds their case file: assessments, plan, follow-ups and notes, in full."""

from __future__ import annotations

import datetime as dt

import pytest

from nextsteps.casework import actions
from nextsteps.privacy.export import person_data, render
from tests.casework_helpers import ijm_case

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_case_file() -> None:
    case = ijm_case()
    day = dt.date.today()
    actions.add_note(case, acting_user=None, date=day, text="Wants to train as a cook.")
    actions.add_follow_up(case, acting_user=None, what="Book the course", due=day)
    actions.add_assessment(case, acting_user=None, date=day, risk_level="low", safety_concerns="None now.")
    actions.add_goal(case, acting_user=None, text="Work as a cook")
    data = person_data(case.person, "en")
    (exported,) = [c for c in data["cases"] if c["opened"] == case.opened.isoformat()]
    assert "Wants to train as a cook." in [n["text"] for n in exported["notes"]]
    assert "Book the course" in [f["what"] for f in exported["follow_ups"]]
    assert "None now." in [a["safety_concerns"] for a in exported["assessments"]]
    assert "Work as a cook" in [g["goal"] for g in exported["goals"]]
    html = render(data, "html")
    assert "Wants to train as a cook." in html and "Work as a cook" in html
