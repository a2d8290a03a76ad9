"""The dashboard and the reports page: programme-wide figures for every role that may read reports.

Viewers (donors, board) only ever see the external audience's figures, on the dashboard too: counts of
people below the programme's threshold read "fewer than 5" (nextsteps/reports/suppression.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nextsteps import rendering
from nextsteps.accounts import access
from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.i18n import LANGUAGE_CODES
from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator, Target
from nextsteps.programmes.models import Programme
from nextsteps.referrals import figures as referral_figures
from nextsteps.reports import livecache, periods, quality, reported, trends
from nextsteps.reports.builder import (
    EXTERNAL,
    Figures,
    build_report,
    fmt_number,
    period_label,
    referral_marks,
    status_label,
    target_for_period,
)
from nextsteps.reports.documents import DOCUMENT_FORMATS, render_document
from nextsteps.reports.render import FORMATS, to_page_section
from nextsteps.reports.render import render as render_report
from nextsteps.widgets import DateInput

CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ALL_FORMATS = (*FORMATS, *DOCUMENT_FORMATS)


def programme_year(programme: Programme, today: dt.date) -> tuple[dt.date, dt.date]:
    """The programme year that contains `today`: it starts on the anniversary of the programme's start."""
    return periods.programme_year_of(programme, today)[0], today


def period_choices(programme: Programme, today: dt.date) -> list[tuple[str, str, dt.date, dt.date]]:
    """Periods a coordinator usually looks at: this programme year so far, the last one, and each period
    that has targets."""
    this_start, _end = programme_year(programme, today)
    last_start, _last_end = periods.programme_year_of(programme, this_start - dt.timedelta(days=1))
    choices = [
        ("year", _("This programme year so far"), this_start, today),
        ("last-year", _("Last programme year"), last_start, this_start - dt.timedelta(days=1)),
    ]
    target_periods = (
        Target.objects.filter(indicator__pillar__programme=programme)
        .values_list("start", "end")
        .distinct()
        .order_by("-start")
    )
    for start, end in target_periods:
        choices.append((f"{start:%Y%m%d}-{end:%Y%m%d}", period_label(start, end), start, end))
    return choices


def set_choices(field: forms.Field, choices: list[tuple[str, Any]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False)
    date_from = forms.DateField(label=gettext_lazy("from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("to"), required=False, widget=DateInput())

    def __init__(
        self,
        *args: Any,
        choices: list[tuple[str, str, dt.date, dt.date]],
        default: str = "year",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.presets = {key: (start, end) for key, _label, start, end in choices}
        self.default = default if default in self.presets else "year"
        self.fields["period"].initial = self.default
        names = [self.add_prefix(name) for name in ("period", "date_from", "date_to")]
        if self.is_bound and not any(self.data.get(name) for name in names):
            # Only another field was sent (the programme): the list shows the period the figures are for.
            self.data = {**self.data, names[0]: self.default}
        set_choices(
            self.fields["period"],
            [(key, label) for key, label, _s, _e in choices] + [("custom", _("Other dates"))],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if (data.get("period") == "custom" or start or end) and not (start and end):
            raise forms.ValidationError(_("Give both the first and the last day of the period."))
        if start and end and start > end:
            self.add_error("date_to", _("The period ends before it starts."))
        return data

    def chosen_period(self) -> tuple[dt.date, dt.date]:
        key = self.default
        if self.is_valid():
            if self.cleaned_data.get("date_from") and self.cleaned_data.get("date_to"):
                return self.cleaned_data["date_from"], self.cleaned_data["date_to"]
            key = self.cleaned_data.get("period") or self.default
        return self.presets.get(key, self.presets[self.default])


def programme_and_period(
    request: HttpRequest, programmes: list[Programme], *, latest_with_records: bool = False
) -> tuple[Programme, PeriodForm, dt.date, dt.date]:
    """The programme asked for among `programmes` (or the first; else 404), its period form and the period
    chosen on it: unless another is asked for, the year to date, or with `latest_with_records` the latest
    period that has records (nextsteps/reports/periods.py)."""
    programme = access.programme_or_404(request.user, request.GET.get("programme"), among=programmes)
    today = dt.date.today()
    choices = period_choices(programme, today)
    default = "year"
    if latest_with_records:
        start, end = periods.latest_with_records(programme, today, [(s, e) for key, _l, s, e in choices[2:]])
        default = next((key for key, _l, s, e in choices if (s, e) == (start, end)), "")
        if not default:
            default = f"{start:%Y%m%d}-{end:%Y%m%d}"
            choices.insert(1, (default, period_label(start, end), start, end))
    form = PeriodForm(request.GET or None, choices=choices, default=default)
    start, end = form.chosen_period()
    return programme, form, start, end


@dataclass
class DashboardRow:
    indicator: Indicator
    title: str
    actual: str
    target: str
    percent: int | None
    status: str  # empty when the actual is withheld: the status would give it away
    status_label: str
    has_target: bool = False
    trend: trends.Trend | None = None
    breakdown: trends.Breakdown | None = None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    access.require(access.has(request.user, access.REPORTS))
    programmes = list(access.programmes_for(request.user))
    programme, form, start, end = programme_and_period(request, programmes, latest_with_records=True)
    language = translation.get_language() or "en"
    # Staff see exact figures; viewers, who are only ever offered the external audience, see that one.
    audience = access.report_audiences(request.user)[0]
    figures = Figures.for_audience(programme, audience, language)
    # Read by the template only when the fragment below is computed (and by tests through the context).
    pillars = SimpleLazyObject(lambda: dashboard_pillars(programme, start, end, figures, language))
    # The indicators' part of the page is the same for every reader of the programme, period, audience and
    # language, and changes only with the data: it is kept as HTML under the data version, like the figures
    # (nextsteps/reports/livecache.py). Rendering it costs about two thirds of a dashboard request.
    key = f"dashboard-html:{programme.pk}:{start.isoformat()}:{end.isoformat()}:{audience}:{language}"
    fragment = livecache.remember(
        key, lambda: {"html": render_to_string("reports/dashboard_pillars.html", {"pillars": pillars})}
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "programme": programme,
            "programmes": programmes,
            "form": form,
            "period": period_label(start, end),
            "pillars": pillars,
            # Our own template's output, escaped when it was rendered.
            "pillars_html": mark_safe(fragment["html"]),
            "note": figures.note() if figures.audience == EXTERNAL else "",
            "referral_lines": referral_lines(request.user, programme, start, end, figures),
        },
    )


def dashboard_pillars(
    programme: Programme, start: dt.date, end: dt.date, figures: Figures, language: str
) -> list[dict[str, Any]]:
    """Each pillar of the programme with a row per indicator: figure, target, status, trend, breakdowns."""
    indicators = list(Indicator.objects.filter(pillar__programme=programme).select_related("pillar"))
    targets = engine.targets_for(indicators, start, end)
    pillars: dict[int, dict[str, Any]] = {
        p.pk: {"pillar": p, "title": p.title(language), "rows": []}
        for p in programme.pillars.order_by("number")
    }
    snapshots, organisations = livecache.dashboard_figures(programme, indicators, start, end)
    for indicator in indicators:
        snapshot = snapshots[indicator.pk]
        total = snapshot.value.total
        target_row = targets.get(indicator.pk)
        target = target_row.target if target_row else None
        partial = engine.is_partial(target_row, start, end)
        mark, breakdown = trends.breakdown(snapshot, organisations, figures)
        withheld = figures.phrase(mark) is not None
        state = (
            ""
            if withheld
            else engine.status(total, target, higher_is_better=indicator.higher_is_better, partial=partial)
        )
        percent = None if withheld else engine.percent_of_target(total, target)
        pillars[indicator.pillar_id]["rows"].append(
            DashboardRow(
                indicator,
                indicator.title(language),
                figures.text(total, mark),
                target_for_period(fmt_number(target), target_row.start, target_row.end)
                if target_row and partial
                else fmt_number(target),
                int(percent) if percent is not None else None,
                state,
                status_label(state) if state else "",
                target is not None,
                trend=trends.trend(snapshot, figures, mark),
                breakdown=breakdown,
            )
        )
    return list(pillars.values())


def referral_lines(user: Any, programme: Any, start: dt.date, end: dt.date, figures: Figures) -> list[str]:
    """For whoever works on cases: the period's referrals of their organisations (sent or received, as the
    referral pages show them) and the days they waited for an answer, in one query."""
    if not access.organisations_for(user, "case", access.VIEW):
        return []
    times = referral_figures.answer_times(
        access.referrals(user).filter(case__programme=programme), start, end
    )
    marks = referral_marks(times, figures)
    text = {state: figures.text(n, marks[state]) for state, n in times.counts().items()}
    lines = [
        _(
            "Referrals sent in this period: %(sent)s; accepted %(accepted)s, declined %(declined)s, "
            "completed %(completed)s, withdrawn %(withdrawn)s."
        )
        % text
    ]
    if times.answered:
        lines.append(
            _("Days from referral to answer: median %(median)s, longest %(longest)s.")
            % {
                "median": figures.text(times.median_days, marks["median_days"]),
                "longest": figures.text(times.max_days, marks["max_days"]),
            }
        )
    return lines


class ReportForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=gettext_lazy("programme"), queryset=Programme.objects.none(), to_field_name="slug"
    )
    date_from = forms.DateField(label=gettext_lazy("from"), widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("to"), widget=DateInput())
    lang = forms.ChoiceField(label=gettext_lazy("language"), choices=[])
    format = forms.ChoiceField(label=gettext_lazy("format"), choices=[(f, f.upper()) for f in ALL_FORMATS])
    audience = forms.ChoiceField(label=gettext_lazy("audience"), choices=[])

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programme_field = self.fields["programme"]
        assert isinstance(programme_field, forms.ModelChoiceField)
        programme_field.queryset = access.programmes_for(user)
        set_choices(
            self.fields["lang"],
            [(code, translation.get_language_info(code)["name_local"]) for code in LANGUAGE_CODES],
        )
        labels = {
            "internal": _("inside the organisation (exact figures)"),
            "external": _("donors and public (small numbers hidden)"),
        }
        set_choices(self.fields["audience"], [(a, labels[a]) for a in access.report_audiences(user)])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The period ends before it starts."))
        return data


def _report_form(request: HttpRequest) -> ReportForm:
    programmes = access.programmes_for(request.user)
    first = programmes.first()
    # External by default: an exact report is something to ask for, not to send by accident.
    initial: dict[str, Any] = {"lang": translation.get_language(), "format": "html", "audience": EXTERNAL}
    if first:
        initial.update(
            programme=first.slug, date_from=programme_year(first, dt.date.today())[0], date_to=dt.date.today()
        )
    return ReportForm(request.GET or None, user=request.user, initial=initial)


@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    access.require(access.has(request.user, access.REPORTS))
    form = _report_form(request)
    report = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        report = build_report(
            data["programme"], data["date_from"], data["date_to"], data["lang"], audience=data["audience"]
        )
    return render(
        request,
        "reports/reports_page.html",
        {
            "form": form,
            "report": report,
            # Rendered apart, in the report's language; the page around it speaks the reader's.
            "report_html": mark_safe(to_page_section(report)) if report else "",  # a rendered template
            "query": request.GET.urlencode(),
        },
    )


@login_required
def report_download(request: HttpRequest) -> HttpResponse:
    access.require(access.has(request.user, access.REPORTS))
    form = _report_form(request)
    if not form.is_valid():
        return render(request, "reports/reports_page.html", {"form": form, "report": None}, status=400)
    data = form.cleaned_data
    report = build_report(
        data["programme"], data["date_from"], data["date_to"], data["lang"], audience=data["audience"]
    )
    fmt = data["format"]
    body: str | bytes = (
        render_document(report, fmt) if fmt in DOCUMENT_FORMATS else render_report(report, fmt)
    )
    log(AuditEntry.Action.EXPORT, data["programme"], user=request.user)
    reported.mark_reported(
        data["programme"], data["date_from"], data["date_to"], data["audience"], acting_user=request.user
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    # An exact report's file name says so, so that it is not mistaken for the one to send out.
    suffix = "-internal" if data["audience"] != EXTERNAL else ""
    filename = f"{data['programme'].slug}-{data['date_from']:%Y%m%d}-{data['date_to']:%Y%m%d}-{data['lang']}{suffix}.{data['format']}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CountsRow(tuple[Any, list[tuple[int, str]]]):
    """A line of a data-quality table: its label and, per organisation, the count and the address of its
    records ("" for none), with the row written out in Python (records.listing.Row says why)."""

    __slots__ = ()

    def __new__(cls, label: Any, cells: list[tuple[int, str]]) -> CountsRow:
        return super().__new__(cls, (label, cells))

    @property
    def html(self) -> SafeString:
        label, cells = self
        written = [f'<th scope="row">{rendering.text(label)}</th>']
        for n, url in cells:
            count = rendering.text(n)
            written.append(
                f'<td><a href="{rendering.text(url)}">{count}</a></td>' if url else f"<td>{count}</td>"
            )
        return mark_safe("".join(written))


@login_required
def quality_page(request: HttpRequest) -> HttpResponse:
    """The data-quality checks for whoever plans the programme: counts per organisation; the reader's own
    organisations link to the records to fix, the others are counts only."""
    access.require(access.has(request.user, access.PLANNING))
    programmes = access.planning_programme_list(request.user)
    programme, form, start, end = programme_and_period(request, programmes)
    language = translation.get_language() or "en"
    # Links only where the reader may see that kind of record: the list would be empty elsewhere.
    visible = {kind: set(access.organisations_for(request.user, kind)) for kind in quality.LINKED_KINDS}
    organisations = list(programme.organisations.order_by("name"))
    checks, without_target = quality.cached_run(programme, start, end, language)

    def cells(check: quality.Check, line: quality.Line) -> list[tuple[int, str]]:
        """Per organisation: the line's count, and the link to its records where the reader may see them."""
        result = []
        for organisation in organisations:
            n = line.counts.get(organisation.pk, 0)
            url = ""
            if n and line.kind and organisation.pk in visible[line.kind]:
                query = {"organisation": organisation.pk, "problem": check.key}
                if line.dated:
                    query.update(date_from=start.isoformat(), date_to=end.isoformat())
                url = reverse(f"records:{line.kind}-list") + "?" + urlencode(query)
            result.append((n, url))
        return result

    tables = [
        (check, [CountsRow(line.label, cells(check, line)) for line in lines]) for check, lines in checks
    ]
    return render(
        request,
        "reports/quality.html",
        {
            "programme": programme,
            "programmes": programmes,
            "form": form,
            "period": period_label(start, end),
            "organisations": organisations,
            "tables": tables,
            "without_target": without_target,
        },
    )
