"""The coordinator's pages for targets and baselines per indicator and period, and for the figures of
indicators entered by hand. For everyone but a coordinator of the programme's organisations: 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.indicators import actions
from nextsteps.indicators.forms import ManualValueForm, TargetForm
from nextsteps.indicators.models import Indicator, ManualValue, Target
from nextsteps.programmes.models import Programme
from nextsteps.programmes.views import delete_page, form_page


def _back(programme: Programme) -> str:
    return reverse("indicators:indicator-list", args=[programme.slug])


def _indicator_or_404(programme: Programme, pk: int, *, manual: bool = False) -> Indicator:
    indicators = Indicator.objects.filter(pillar__programme=programme, pk=pk).select_related("pillar")
    if manual:
        indicators = indicators.filter(measure=Indicator.Measure.MANUAL)
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
