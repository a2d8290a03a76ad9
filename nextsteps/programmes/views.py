"""The coordinator's planning pages: the introduction of each reporting period, per language. Coordinators of
a programme's organisations write them; for everyone else the pages do not exist (404).

Shared helpers (the form and delete pages) are used by the target and figure pages in indicators/views.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.programmes import actions
from nextsteps.programmes.forms import NarrativeForm
from nextsteps.programmes.models import PeriodNarrative, Programme
from nextsteps.records import versions


def add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def form_page(
    request: HttpRequest,
    form: ModelForm[Any],
    *,
    save: Callable[[Any, list[str]], Any],
    title: str,
    done: str,
    back: str,
) -> HttpResponse:
    """A planning form: on a valid POST, save through the action and return to the list. An edit saves only
    over the version its form was opened at (records/versions.py)."""
    versions.add_version_field(form)
    if request.method == "POST" and form.is_valid():
        try:
            changed = versions.changed_fields(form)
            with transaction.atomic():
                if form.instance.pk is not None and versions.is_versioned(type(form.instance)):
                    versions.claim(form.instance, versions.expected_version(form), changes=bool(changed))
                save(form.instance, changed)
        except versions.StaleEdit as stale:
            versions.show_stale(form, stale)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(request, "programmes/planning_form.html", {"title": title, "form": form, "cancel": back})


def delete_page(
    request: HttpRequest, obj: Any, *, delete: Callable[[], None], title: str, done: str, back: str
) -> HttpResponse:
    if request.method == "POST":
        delete()
        messages.success(request, done)
        return redirect(back)
    return render(request, "programmes/planning_delete.html", {"title": title, "obj": obj, "cancel": back})


def _narrative_or_404(programme: Programme, pk: int) -> PeriodNarrative:
    return access.first_or_404(PeriodNarrative.objects.filter(programme=programme, pk=pk))


@login_required
def narrative_list(request: HttpRequest, slug: str) -> HttpResponse:
    programme = access.planning_programme_or_404(request.user, slug)
    return render(
        request,
        "programmes/narratives.html",
        {
            "programme": programme,
            "programmes": access.planning_programmes(request.user),
            "narratives": PeriodNarrative.objects.filter(programme=programme).order_by("-start", "language"),
        },
    )


@login_required
def narrative_create(request: HttpRequest, slug: str) -> HttpResponse:
    programme = access.planning_programme_or_404(request.user, slug)
    form = NarrativeForm(request.POST or None, instance=PeriodNarrative(programme=programme))
    return form_page(
        request,
        form,
        save=lambda obj, _changed: actions.save_narrative(obj, acting_user=request.user),
        title=_("New period introduction for %(programme)s") % {"programme": programme.name},
        done=_("The introduction was saved."),
        back=reverse("programmes:narrative-list", args=[programme.slug]),
    )


@login_required
def narrative_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = access.planning_programme_or_404(request.user, slug)
    narrative = _narrative_or_404(programme, pk)
    form = NarrativeForm(request.POST or None, instance=narrative)
    return form_page(
        request,
        form,
        save=lambda obj, changed: actions.save_narrative(obj, acting_user=request.user, changed=changed),
        title=_("Period introduction %(period)s") % {"period": f"{narrative.start} – {narrative.end}"},
        done=_("The introduction was saved."),
        back=reverse("programmes:narrative-list", args=[programme.slug]),
    )


@login_required
def narrative_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = access.planning_programme_or_404(request.user, slug)
    narrative = _narrative_or_404(programme, pk)
    return delete_page(
        request,
        narrative,
        delete=lambda: actions.delete_narrative(narrative, acting_user=request.user),
        title=_("Delete a period introduction"),
        done=_("The introduction was deleted."),
        back=reverse("programmes:narrative-list", args=[programme.slug]),
    )
