"""Coordinators change an indicator's counting rule in the planning pages: the records, what is counted and
the filters as form fields, checked as in the admin, previewed for a period, saved through an audited action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Programme
from tests import factories as f

pytestmark = pytest.mark.django_db

KIND = "women_for_women_christmas"
PERIOD = {"preview-period": "custom", "preview-date_from": "2021-08-01", "preview-date_to": "2021-12-31"}


def christmas() -> Indicator:
    return Indicator.objects.get(pillar__programme__slug="next-steps", code="christmas-gifts")


def url(indicator: Indicator, slug: str = "next-steps") -> str:
    return reverse("indicators:rule-edit", args=[slug, indicator.pk])


def rule(**changes: Any) -> dict[str, Any]:
    """The Christmas-gifts rule as the page posts it, counting only the gifts to women in prostitution."""
    data: dict[str, Any] = {
        "source": "distributions",
        "shown_source": "distributions",
        "measure": "sum",
        "filter_campaign_kind": [KIND],
        "filter_recipient_group": "women in prostitution",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def coordinator(login: Callable[[str], Client], language: str = "en") -> Client:
    User.objects.filter(username="coordinator").update(language=language)
    return login("coordinator")


def test_it_shows_the_rule_as_form_fields_with_the_managed_lists(
    login: Callable[[str], Client], demo: Programme
) -> None:
    response = coordinator(login).get(url(christmas()))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="filter_campaign_kind" value="{KIND}"' in html and "checked" in html
    assert "“Women for women” Christmas campaign" in html
    # Free text (what staff typed) is typed here too; campaigns are the programme's own.
    assert '<input type="text" name="filter_recipient_group"' in html
    assert '<input type="text" name="filter_item"' in html
    assert 'name="filter_campaign" value="women-for-women-2021"' in html
    form = response.context["form"]
    assert form["filter_campaign_kind"].value() == [KIND]
    # The value with the saved rule, for the period the page starts with.
    assert response.context["preview"]["now"] is not None


def test_a_coordinator_saves_a_new_rule_and_the_audit_trail_says_so(
    login: Callable[[str], Client], demo: Programme
) -> None:
    ind = christmas()
    response = coordinator(login).post(url(ind), rule())
    assert response.status_code == 302
    ind.refresh_from_db()
    assert ind.filters == {"campaign_kind": [KIND], "recipient_group": ["women in prostitution"]}
    entry = AuditEntry.objects.filter(
        model="indicators.Indicator", object_pk=str(ind.pk), action="change"
    ).get()
    assert entry.user and entry.user.username == "coordinator"
    assert entry.fields == ["filters"]
    assert entry.organisation and entry.organisation.slug == "next-steps-nl"


def test_preview_shows_the_value_for_a_period_and_saves_nothing(
    login: Callable[[str], Client], demo: Programme
) -> None:
    ind = christmas()
    before = AuditEntry.objects.count()
    response = coordinator(login).post(url(ind), {**rule(), **PERIOD, "preview": "1"})
    assert response.status_code == 200
    assert response.context["preview"]["now"] == "160"
    assert response.context["preview"]["new"] == "120"
    assert "with this rule: 120" in response.content.decode()
    ind.refresh_from_db()
    assert ind.filters == {"campaign_kind": [KIND]}
    assert AuditEntry.objects.count() == before


def test_an_unknown_filter_value_is_refused_in_the_users_language(
    login: Callable[[str], Client], demo: Programme
) -> None:
    ind = christmas()
    response = coordinator(login, "nl").post(url(ind), rule(filter_campaign_kind=["xmas"]))
    assert response.status_code == 200
    assert response.context["form"].errors["filter_campaign_kind"] == [
        "Selecteer een geldige keuze. xmas is geen beschikbare keuze."
    ]
    ind.refresh_from_db()
    assert ind.filters == {"campaign_kind": [KIND]}


def test_a_rule_the_records_cannot_follow_is_refused_by_the_admins_checks_in_the_users_language(
    login: Callable[[str], Client], demo: Programme
) -> None:
    ind = christmas()
    before = AuditEntry.objects.count()
    response = coordinator(login, "ro").post(url(ind), rule(measure="distinct_persons"))
    assert response.status_code == 200
    errors = response.context["form"].errors["measure"]
    assert errors == ["Aceste înregistrări nu pot fi numărate în acest mod."], errors
    ind.refresh_from_db()
    assert ind.measure == "sum" and AuditEntry.objects.count() == before


def test_choosing_other_records_shows_their_filters_before_anything_is_saved(
    login: Callable[[str], Client], demo: Programme
) -> None:
    ind = christmas()
    response = coordinator(login).post(url(ind), rule(source="volunteers", measure="records"))
    assert response.status_code == 200
    assert response.context["notice"]
    assert 'name="filter_status"' in response.content.decode()
    assert response.context["form"]["shown_source"].value() == "volunteers"
    ind.refresh_from_db()
    assert ind.source == "distributions"
    response = coordinator(login).post(
        url(ind),
        {
            "source": "volunteers",
            "shown_source": "volunteers",
            "measure": "records",
            "filter_campaign_kind": [KIND],
        },
    )
    assert response.status_code == 302
    ind.refresh_from_db()
    assert (ind.source, ind.measure, ind.filters) == ("volunteers", "records", {"campaign_kind": [KIND]})


def test_the_dashboard_shows_the_new_rules_figure_at_once(
    login: Callable[[str], Client], demo: Programme
) -> None:
    client = coordinator(login)
    dashboard = reverse("home") + "?programme=next-steps&period=custom"
    dashboard += "&date_from=2021-08-01&date_to=2021-12-31"

    def shown() -> str:
        pillars = client.get(dashboard).context["pillars"]
        return next(r.actual for p in pillars for r in p["rows"] if r.indicator.code == "christmas-gifts")

    assert shown() == "160"
    assert shown() == "160"  # now from the cache
    assert client.post(url(christmas()), rule()).status_code == 302
    assert shown() == "120"


@pytest.mark.parametrize("username", ["caseworker.sa", "volunteers.dorcas", "dpo", "viewer"])
def test_only_a_coordinator_of_the_programme_reaches_the_page(
    login: Callable[[str], Client], demo: Programme, username: str
) -> None:
    ind = christmas()
    client = login(username)
    assert client.get(url(ind)).status_code == 404
    assert client.post(url(ind), rule()).status_code == 404
    ind.refresh_from_db()
    assert ind.filters == {"campaign_kind": [KIND]}


def test_an_indicator_of_another_programme_is_not_found(
    login: Callable[[str], Client], demo: Programme
) -> None:
    org = f.organisation()
    other = f.indicator(f.programme(org), "distributions", "sum")
    client = coordinator(login)
    assert client.get(url(other)).status_code == 404
    assert client.get(url(other, other.pillar.programme.slug)).status_code == 404


def test_a_hand_entered_indicator_has_no_counting_rule_to_change(
    login: Callable[[str], Client], demo: Programme
) -> None:
    manual = f.indicator(demo, "", "manual")
    assert coordinator(login).get(url(manual)).status_code == 404


def test_the_page_speaks_the_users_language(login: Callable[[str], Client], demo: Programme) -> None:
    response = coordinator(login, "ro").get(url(christmas()))
    form = response.context["form"]
    labels = {name: str(form[name].label) for name in form.fields if name.startswith("filter_")}
    assert labels["filter_campaign_kind"] == "Tip de campanie"
    html = response.content.decode()
    assert "Campania de Crăciun „Femei pentru femei”" in html
    assert "Regula de numărare pentru" in html and "Previzualizare" in html


def test_of_two_edits_from_the_same_version_the_second_is_refused(
    login: Callable[[str], Client], demo: Programme
) -> None:
    ind = christmas()
    opened = ind.version
    client = coordinator(login)
    assert client.post(url(ind), rule(version=opened)).status_code == 302
    response = client.post(url(ind), rule(filter_recipient_group="families", version=opened))
    assert response.status_code == 200
    assert "changed filters while you were editing" in response.content.decode()
    ind.refresh_from_db()
    assert ind.filters == {"campaign_kind": [KIND], "recipient_group": ["women in prostitution"]}
    assert ind.version == opened + 1


def test_the_planning_list_links_each_counted_indicator_to_its_rule(
    login: Callable[[str], Client], demo: Programme
) -> None:
    html = coordinator(login).get(reverse("indicators:indicator-list", args=["next-steps"])).content.decode()
    assert f'href="{url(christmas())}"' in html
