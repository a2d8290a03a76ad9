"""The coordinator's pages for targets and baselines per indicator and period, for the figures of
indicators entered by hand, and for the counting rule of indicators that count records. For everyone but a
coordinator of the programme's organisations: 404."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.indicators import actions, engine
from nextsteps.indicators.forms import IndicatorRuleForm, ManualValueForm, TargetForm
from nextsteps.indicators.models import Indicator, ManualValue, Target
from nextsteps.programmes.models import Programme
from nextsteps.programmes.views import add_errors, delete_page, form_page
from nextsteps.records import versions
from nextsteps.reports.builder import fmt_number, period_label
from nextsteps.reports.views import PeriodForm, period_choices

# What a counting rule is made of; the rest of an indicator (titles, sentences, unit) stays in the admin.
RULE_FIELDS = ("source", "measure", "filters")


def _back(programme: Programme) -> str:
    return reverse("indicators:indicator-list", args=[programme.slug])


def _indicator_or_404(
    programme: Programme, pk: int, *, manual: bool = False, counted: bool = False
) -> Indicator:
    indicators = Indicator.objects.filter(pillar__programme=programme, pk=pk).select_related("pillar")
    if manual:
        indicators = indicators.filter(measure=Indicator.Measure.MANUAL)
    if counted:
        indicators = indicators.exclude(measure=Indicator.Measure.MANUAL)
    return access.first_or_404(indicators)


def _target_or_404(programme: Programme, pk: int) -> Target:
    return access.first_or_404(
        Target.objects.filter(indicator__pillar__programme=programme, pk=pk).select_related(
            "indicator__pillar__programme"
        )
    )


def _value_or_404(programme: Programme, pk: int) -> ManualValue:
    return access.first_or_404(
        ManualValue.objects.filter(indicator__pillar__programme=programme, pk=pk).select_related(
            "indicator__pillar__programme"
        )
    )


@login_required
def indicator_list(request: HttpRequest, slug: str) -> HttpResponse:
    programme = access.planning_programme_or_404(request.user, slug)
    language = translation.get_language() or "en"
    indicators = (
        Indicator.objects.filter(pillar__programme=programme)
        .select_related("pillar")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("-start", "cell")),
            Prefetch("manual_values", queryset=ManualValue.objects.order_by("-start")),
        )
    )
    rows = [
        {
            "indicator": ind,
            "title": ind.title(language),
            "manual": ind.measure == Indicator.Measure.MANUAL,
            "targets": list(ind.targets.all()),
            "values": list(ind.manual_values.all()),
        }
        for ind in indicators
    ]
    return render(
        request,
        "indicators/indicators.html",
        {"programme": programme, "programmes": access.planning_programmes(request.user), "rows": rows},
    )


@login_required
def target_create(request: HttpRequest, slug: str, indicator: int) -> HttpResponse:
    programme = access.planning_programme_or_404(request.user, slug)
    ind = _indicator_or_404(programme, indicator)
    form = TargetForm(request.POST or None, instance=Target(indicator=ind))
    return form_page(
        request,
        form,
        save=lambda obj, _changed: actions.save_target(obj, acting_user=request.user),
        title=_("New target for %(indicator)s") % {"indicator": ind.title()},
        done=_("The target was saved."),
        back=_back(programme),
    )


@login_required
def target_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = access.planning_programme_or_404(request.user, slug)
    target = _target_or_404(programme, pk)
    form = TargetForm(request.POST or None, instance=target)
    return form_page(
        request,
        form,
        save=lambda obj, changed: actions.save_target(obj, acting_user=request.user, changed=changed),
        title=_("Target for %(indicator)s") % {"indicator": target.indicator.title()},
        done=_("The target was saved."),
        back=_back(programme),
    )


@login_required
def target_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = access.planning_programme_or_404(request.user, slug)
    target = _target_or_404(programme, pk)
    return delete_page(
        request,
        target,
        delete=lambda: actions.delete_target(target, acting_user=request.user),
        title=_("Delete a target"),
        done=_("The target was deleted."),
        back=_back(programme),
    )


@login_required
def value_create(request: HttpRequest, slug: str, indicator: int) -> HttpResponse:
    programme = access.planning_programme_or_404(request.user, slug)
    ind = _indicator_or_404(programme, indicator, manual=True)
    form = ManualValueForm(request.POST or None, instance=ManualValue(indicator=ind))
    return form_page(
        request,
        form,
        save=lambda obj, _changed: actions.save_manual_value(obj, acting_user=request.user),
        title=_("New figure for %(indicator)s") % {"indicator": ind.title()},
        done=_("The figure was saved."),
        back=_back(programme),
    )


@login_required
def value_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = access.planning_programme_or_404(request.user, slug)
    value = _value_or_404(programme, pk)
    form = ManualValueForm(request.POST or None, instance=value)
    return form_page(
        request,
        form,
        save=lambda obj, changed: actions.save_manual_value(obj, acting_user=request.user, changed=changed),
        title=_("Figure for %(indicator)s") % {"indicator": value.indicator.title()},
        done=_("The figure was saved."),
        back=_back(programme),
    )


@login_required
def value_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = access.planning_programme_or_404(request.user, slug)
    value = _value_or_404(programme, pk)
    return delete_page(
        request,
        value,
        delete=lambda: actions.delete_manual_value(value, acting_user=request.user),
        title=_("Delete a figure"),
        done=_("The figure was deleted."),
        back=_back(programme),
    )


@login_required
def rule_edit(request: HttpRequest, slug: str, indicator: int) -> HttpResponse:
    """Change which records an indicator counts and how, with a preview of its value for a period before
    anything is saved ("Preview"), through the same checks as the admin (Indicator.clean)."""
    programme = access.planning_programme_or_404(request.user, slug)
    ind = _indicator_or_404(programme, indicator, counted=True)
    data = request.POST if request.method == "POST" else None
    form = IndicatorRuleForm(data, indicator=ind)
    period = PeriodForm(data, prefix="preview", choices=period_choices(programme, dt.date.today()))
    start, end = period.chosen_period()
    preview: dict[str, Any] = {"period": period_label(start, end)}
    saved = copy.copy(ind)  # the rule as saved, while `ind` takes the form's
    notice = ""
    if data is not None and form.is_valid():
        if form.source_changed:
            notice = _("These records have filters of their own: choose them, then preview or save.")
        else:
            ind.source = form.cleaned_data["source"]
            ind.measure = form.cleaned_data["measure"]
            ind.filters = form.rule_filters()
            if "preview" in data:
                try:
                    ind.clean()
                except ValidationError as error:
                    add_errors(form, error)
                else:
                    preview["new"] = fmt_number(engine.value(ind, start, end).total)
            else:
                changed = [name for name in RULE_FIELDS if getattr(ind, name) != getattr(saved, name)]
                try:
                    with transaction.atomic():
                        versions.claim(ind, versions.expected_version(form), changes=bool(changed))
                        actions.save_indicator_rule(ind, acting_user=request.user, changed=changed)
                except versions.StaleEdit as stale:
                    versions.show_stale(form, stale)
                except ValidationError as error:
                    add_errors(form, error)
                else:
                    messages.success(
                        request,
                        _("The counting rule of %(indicator)s was saved.") % {"indicator": ind.title()},
                    )
                    return redirect(_back(programme))
    # Only for a page shown again: a save that succeeds needs no count.
    preview["now"] = fmt_number(engine.value(saved, start, end).total)
    return render(
        request,
        "indicators/rule.html",
        {
            "programme": programme,
            "indicator": ind,
            "title": _("Counting rule of %(indicator)s") % {"indicator": ind.title()},
            "form": form,
            "period_form": period,
            "preview": preview,
            "notice": notice,
            "cancel": _back(programme),
        },
    )
