"""The likely duplicate persons of the user's organisations, and merging a pair (see duplicates.py and
merging.py). The pages show codes and years only: a person's name is read on her own page, which audits it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.privacy.models import Consent
from nextsteps.records import column_sort
from nextsteps.records.duplicates import Pair, likely_duplicates
from nextsteps.records.export_views import CONTENT_TYPES, audited, download
from nextsteps.records.listing import Header
from nextsteps.records.merging import merge_persons, merge_refusal
from nextsteps.records.models import Household, Person, Story


def columns() -> list[column_sort.Column]:
    """The page's columns, as its table and its download show them (the merge button does not sort)."""
    return [
        column_sort.Column("person", _("person"), value=lambda pair: pair.first.code.casefold()),
        column_sort.Column(
            "same_as", _("possibly the same as"), value=lambda pair: pair.second.code.casefold()
        ),
        column_sort.Column("year", _("year of birth"), value=_year),
    ]


def _year(pair: Pair) -> int | None:
    return pair.first.birth_year or pair.second.birth_year


def listed_pairs(user: Any, params: Any) -> tuple[column_sort.Sort, list[Pair]]:
    """The likely pairs of the user's organisations in the order asked (the page and its download read the
    same)."""
    orgs = access.merge_organisations(user)
    access.require(bool(orgs))
    sort = column_sort.requested(columns(), params.get(column_sort.SORT))
    return sort, column_sort.ordered_rows(likely_duplicates(orgs), columns(), sort)


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    sort, pairs = listed_pairs(request.user, request.GET)
    headers = column_sort.headers(columns(), sort, request.GET)
    headers.append(Header(_("Merge"), None, None))
    return render(
        request,
        "records/duplicates.html",
        {"pairs": pairs, "headers": headers, "query": request.GET.urlencode()},
    )


def _export_headers() -> list[str]:
    return [capfirst(str(column.label)) for column in columns()]


def _export_values(pair: Pair) -> list[Any]:
    years = [str(year) if year else "–" for year in (pair.first.birth_year, pair.second.birth_year)]
    return [pair.first.code, pair.second.code, " / ".join(years)]


@login_required
def duplicates_export(request: HttpRequest) -> HttpResponseBase:
    """The page's pairs as CSV or XLSX, codes and years only like the page; each person in it audited."""
    fmt = request.GET.get("format", "csv")
    if fmt not in CONTENT_TYPES:
        raise Http404
    _sort, pairs = listed_pairs(request.user, request.GET)
    persons = Person.objects.filter(pk__in={p.pk for pair in pairs for p in (pair.first, pair.second)})
    audited(
        request.user,
        persons,
        organisation_path="organisation",
        fields=("code", "birth_year"),
        person_level=True,
    )
    return download(
        fmt, "possible-duplicates", _("Possible duplicate persons"), _export_headers, pairs, _export_values
    )


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
