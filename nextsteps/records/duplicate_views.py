"""The likely duplicate persons of the user's organisations, and merging a pair (see duplicates.py and
merging.py). The pages show codes and years only: a person's name is read on her own page, which audits it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.privacy.models import Consent
from nextsteps.records.duplicates import likely_duplicates
from nextsteps.records.merging import merge_persons, merge_refusal
from nextsteps.records.models import Household, Person, Story


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    orgs = access.merge_organisations(request.user)
    access.require(bool(orgs))
    return render(request, "records/duplicates.html", {"pairs": likely_duplicates(orgs)})


def _moving(person: Person) -> list[tuple[str, int]]:
    """What a merge takes from `person`, counted, for the confirmation page."""
    return [
        (_("cases"), person.cases.count()),
        (_("visits on which the person was reached"), person.reached_on.count()),
        (_("consents"), Consent.objects.filter(person=person).count()),
        (_("households"), Household.objects.filter(members=person).count()),
        (_("stories"), Story.objects.filter(person=person).count()),
    ]


@login_required
def merge(request: HttpRequest, keep: int, other: int) -> HttpResponse:
    kept, merged = access.merge_pair_or_404(request.user, keep, other)
    if request.method == "POST":
        try:
            merge_persons(kept, merged, acting_user=request.user)
        except ValidationError as refused:  # MergeRefused, or a rule of the person kept (her identifications)
            for message in refused.messages:
                messages.error(request, message)
            return redirect("records:person-merge", keep=keep, other=other)
        messages.success(
            request,
            _("%(other)s was merged into %(keep)s.") % {"other": merged.code, "keep": kept.code},
        )
        return redirect("records:person-detail", pk=kept.pk)
    return render(
        request,
        "records/merge.html",
        {
            "keep": kept,
            "other": merged,
            "moving": _moving(merged),
            "refusal": merge_refusal(kept, merged),
            "swap_url": reverse("records:person-merge", kwargs={"keep": other, "other": keep}),
        },
    )
