"""The record lists: their filters, the order of their rows, and the filters each list remembers for the
session. The list page (records.views.record_list) and its export (records.export_views) read the same
records in the same order through `listed`.

Any shown column sorts, in the database, except an encrypted one: its stored value is ciphertext, whose order
says nothing about the text (none of the lists shows one today; a header of such a column is not a link). A
related record sorts by what the cell shows of it (a person by code, a case by its person's code and opening
day, a managed list by its label in the reader's language), and a column with fixed choices by its label in
the reader's language. Every order ends with the primary key, so that paging through a list never shows a
record twice or skips one.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.http import HttpRequest, QueryDict
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from nextsteps import rendering
from nextsteps.accounts import access
from nextsteps.privacy.fields import EncryptedCharField, EncryptedTextField
from nextsteps.privacy.search import persons_matching
from nextsteps.programmes.models import Organisation
from nextsteps.records.kinds import RecordKind
from nextsteps.records.models import ManagedList, SiteType
from nextsteps.reports import quality
from nextsteps.widgets import DateInput

SORT = "sort"
PAGE = "page"


class ListFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    date_from = forms.DateField(label=gettext_lazy("from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("to"), required=False, widget=DateInput())
    type = forms.ModelChoiceField(
        label=gettext_lazy("type"), queryset=SiteType.objects.none(), required=False
    )
    locality = forms.CharField(label=gettext_lazy("locality"), required=False)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("organisation"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args: Any, spec: RecordKind, org_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        if not spec.date_field:
            del self.fields["date_from"], self.fields["date_to"]
        if spec.type_field:
            type_field = self.fields["type"]
            assert isinstance(type_field, forms.ModelChoiceField)
            type_field.queryset = spec.model._meta.get_field(
                spec.type_field
            ).related_model._default_manager.all()  # type: ignore[union-attr]
        else:
            del self.fields["type"]
        if spec.choice_field:
            choice = spec.model._meta.get_field(spec.choice_field)
            self.fields["kind"] = forms.ChoiceField(
                label=getattr(choice, "verbose_name", spec.choice_field),
                choices=[("", "---------"), *(getattr(choice, "choices", None) or [])],
                required=False,
            )
            self.order_fields(["q", "date_from", "date_to", "type", "kind"])
        if not spec.locality_field:
            del self.fields["locality"]
        problems = quality.list_choices(spec.key)
        if problems:
            # The data-quality page links here to the records one check counts (nextsteps/reports/quality.py).
            self.fields["problem"] = forms.ChoiceField(
                label=_("data-quality check"), choices=[("", "---------"), *problems], required=False
            )
        org_field = self.fields["organisation"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = Organisation.objects.filter(pk__in=org_ids)
        if len(org_ids) < 2:
            del self.fields["organisation"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The period ends before it starts."))
        return data

    def apply(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not self.is_valid():
            return qs
        data, spec = self.cleaned_data, self.spec
        if data.get("q") and spec.search_fields:
            query = Q()
            for name in spec.search_fields:
                query |= Q(**{f"{name}__icontains": data["q"].strip()})
            if spec.key == "person":
                # Names are encrypted: they are found through keyed hashes of the whole name, never LIKE.
                query |= Q(pk__in=persons_matching(qs, data["q"]).values("pk"))
            qs = qs.filter(query)
        if spec.date_field and data.get("date_from"):
            qs = qs.filter(**{f"{spec.date_field}__gte": data["date_from"]})
        if spec.date_field and data.get("date_to"):
            qs = qs.filter(**{f"{spec.date_field}__lte": data["date_to"]})
        if data.get("type"):
            qs = qs.filter(**{spec.type_field: data["type"]})  # type: ignore[misc]
        if data.get("kind") and spec.choice_field:
            qs = qs.filter(**{spec.choice_field: data["kind"]})
        if data.get("locality") and spec.locality_field:
            qs = qs.filter(**{f"{spec.locality_field}__iexact": data["locality"].strip()})
        if data.get("organisation"):
            qs = qs.filter(**{spec.organisation_path: data["organisation"]})
        if data.get("problem"):
            qs = qs.filter(quality.list_filter(spec.key, data["problem"]))
        return qs

    def active(self) -> bool:
        """Whether the list is narrowed, or the filters need the reader's attention (a mistake in them)."""
        return bool(self.errors) or any(self.data.get(name) for name in self.fields)


@functools.cache
def _choice_labels(field: Any) -> dict[Any, Any]:
    """A field's stored values and their (lazily translated) labels. Django's get_FOO_display builds this
    dict again on every call, hashing, and so translating, every label: a list of 25 persons paid it 50
    times, about a tenth of the page's CPU. Labels stay lazy, so one dict serves every language."""
    return {make_hashable(value): label for value, label in field.flatchoices}


def cell(obj: Any, column: str) -> Any:
    """What a list (and a record's page) shows of one field."""
    field = obj._meta.get_field(column)
    if getattr(field, "choices", None):
        # What get_FOO_display answers: the label of a known value, else the value itself.
        value = getattr(obj, field.attname)
        return force_str(_choice_labels(field).get(make_hashable(value), value), strings_only=True)
    value = getattr(obj, column)
    if column.endswith("_year") and value is not None:
        # A year is a name, not a quantity: 1975, never "1.975" or "1,975".
        return str(value)
    return value


# What a related record's cell shows, in the database's terms: the fields to sort it by.
RELATED_ORDER: dict[str, tuple[str, ...]] = {
    "records.Person": ("code",),
    "records.Household": ("code",),
    "records.Volunteer": ("code",),
    "records.Case": ("person__code", "opened"),
    "records.Campaign": ("name",),
    "records.ExternalOrganisation": ("name",),
    "programmes.Organisation": ("name",),
    "programmes.Pillar": ("number",),
}


def _language() -> str:
    language = (get_language() or "en").split("-")[0]
    return language if language in {"en", "nl", "ro"} else "en"


def sort_fields(spec: RecordKind, column: str) -> list[Any] | None:
    """The database expressions that order a list by one of its columns (ascending), or None when the
    column cannot be sorted in the database."""
    if column not in spec.list_columns:
        return None
    field = spec.model._meta.get_field(column)
    if isinstance(field, (EncryptedCharField, EncryptedTextField)):
        return None
    choices = getattr(field, "choices", None)
    if choices:
        # By the label the reader sees, in their language: "man" before "vrouw", whatever is stored.
        labels = sorted(choices, key=lambda choice: str(choice[1]).casefold())
        return [
            Case(
                *(When(**{column: value}, then=Value(rank)) for rank, (value, _label) in enumerate(labels)),
                default=Value(len(labels)),
                output_field=IntegerField(),
            )
        ]
    related = field.related_model if field.is_relation else None
    if related is None:
        return [F(column)]
    if isinstance(related, type) and issubclass(related, ManagedList):
        return [F(f"{column}__label_{_language()}")]
    path = RELATED_ORDER.get(related._meta.label)  # type: ignore[union-attr]
    if path is None:
        return None
    return [F(f"{column}__{part}") for part in path]


@dataclass(frozen=True)
class Sort:
    column: str | None  # None: the list's own order (newest first)
    descending: bool

    @property
    def value(self) -> str:
        return "" if self.column is None else f"{'-' if self.descending else ''}{self.column}"


def default_sort(spec: RecordKind) -> Sort:
    if spec.date_field and spec.date_field in spec.list_columns:
        return Sort(spec.date_field, descending=True)
    return Sort(None, descending=True)


def requested_sort(spec: RecordKind, value: str | None) -> Sort:
    """The order asked for by `?sort=code` or `?sort=-code`; the list's own for anything else."""
    column = (value or "").strip()
    descending = column.startswith("-")
    column = column.removeprefix("-")
    if column and sort_fields(spec, column) is not None:
        return Sort(column, descending)
    return default_sort(spec)


def ordered(qs: QuerySet[Any], spec: RecordKind, sort: Sort) -> QuerySet[Any]:
    if sort.column is None:
        return qs.order_by(*order_by(sort, []))
    # Empty values last either way, on SQLite as on PostgreSQL (whose defaults differ); only where there
    # can be any, since NULLS LAST keeps PostgreSQL from reading a date's index backwards for the
    # default order, newest first.
    nulls_last = getattr(spec.model._meta.get_field(sort.column), "null", False) or None
    return qs.order_by(*order_by(sort, sort_fields(spec, sort.column) or [], nulls_last=nulls_last))


def order_by(sort: Sort, expressions: list[Any], *, nulls_last: bool | None = True) -> list[OrderBy]:
    """The expressions in the sort's direction, then the primary key, so that equal rows keep one order."""
    direction = [
        e.desc(nulls_last=nulls_last) if sort.descending else e.asc(nulls_last=nulls_last)
        for e in expressions
    ]
    return [*direction, F("pk").desc() if sort.descending else F("pk").asc()]


@dataclass(frozen=True)
class Header:
    label: str
    link: str | None  # the list sorted by this column (the other way if it is already), keeping the filters
    aria_sort: str | None


def column_label(spec: RecordKind, column: str) -> str:
    return capfirst(str(getattr(spec.model._meta.get_field(column), "verbose_name", column)))


def headers(spec: RecordKind, sort: Sort, query: QueryDict) -> list[Header]:
    result = []
    for column in spec.list_columns:
        label = column_label(spec, column)
        if sort_fields(spec, column) is None:
            result.append(Header(label, None, None))
            continue
        result.append(sort_header(label, column, sort, query))
    return result


def sort_header(label: str, key: str, sort: Sort, query: QueryDict) -> Header:
    """A sortable column's header: a link to the list sorted by it (the other way if it is already),
    keeping the filters and going back to the first page."""
    current = sort.column == key
    params = query.copy()
    params.pop(PAGE, None)
    params[SORT] = f"-{key}" if current and not sort.descending else key
    aria = ("descending" if sort.descending else "ascending") if current else None
    return Header(label, f"?{params.urlencode()}", aria)


@dataclass
class Listing:
    filters: ListFilter
    sort: Sort
    queryset: QuerySet[Any]
    # The same records in parts that exclude each other, each counted on its own (access.scoped_in_parts);
    # empty when the list is one part.
    parts: list[QuerySet[Any]]


def model_at(model: Any, path: str) -> Any:
    """The model a path of relations leads to from `model` ("case__person" of a service: Person)."""
    for step in path.split("__") if path else ():
        model = model._meta.get_field(step).related_model
    return model


@functools.cache
def unread_secrets(spec: RecordKind) -> tuple[str, ...]:
    """The encrypted fields a list page does not show, of its records and of the records it reads along
    (`select_related`). The page leaves them unread: decrypting the names of 25 persons nobody sees cost the
    persons list a tenth of its CPU."""
    return secrets_not_shown(spec.model, ("", *spec.select_related), shown=spec.list_columns)


def secrets_not_shown(model: Any, paths: Iterable[str], *, shown: Iterable[str]) -> tuple[str, ...]:
    """The encrypted fields of `model` and of the models its `paths` of relations lead to ("" for its own),
    as paths (`person__given_name`), except those in `shown`."""
    shown = set(shown)
    unread = []
    for path in paths:
        for field in model_at(model, path)._meta.concrete_fields:
            name = f"{path}__{field.name}" if path else field.name
            if isinstance(field, EncryptedCharField | EncryptedTextField) and name not in shown:
                unread.append(name)
    return tuple(unread)


def listed(user: Any, spec: RecordKind, params: QueryDict) -> Listing:
    """The records of one list the user may read, filtered and ordered as `params` ask."""
    scoped, parts = access.scoped_in_parts(user, spec.key)
    qs = scoped.select_related(*spec.select_related)
    filters = ListFilter(params or None, spec=spec, org_ids=access.organisations_for(user, spec.key))
    sort = requested_sort(spec, params.get(SORT))
    counted = [filters.apply(part) for part in parts]
    return Listing(filters, sort, ordered(filters.apply(qs), spec, sort), counted)


# Remembered filters -------------------------------------------------------------------------------------

# The search text is not remembered: it may be a person's name, and the session is stored unencrypted.
FORGOTTEN = {"q", PAGE, "clear"}
CLEAR = "clear"


def _session_key(name: str) -> str:
    return f"list-filters:{name}"


def remember(request: HttpRequest, name: str, filters: forms.Form) -> None:
    """Keep a list's filters and order (`name`: which list) for the rest of the session, when valid."""
    if filters.is_bound and not filters.is_valid():
        return
    kept = [
        (field, value)
        for field, values in request.GET.lists()
        if field not in FORGOTTEN and (field in filters.fields or field == SORT)
        for value in values
        if value
    ]
    if kept:
        request.session[_session_key(name)] = urlencode(kept)
    else:
        request.session.pop(_session_key(name), None)


def remembered(request: HttpRequest, name: str) -> str | None:
    """The query string to send the reader back to: their filters of this list, when they come back to it
    without any; None to show the list as asked. `?clear=1` forgets them."""
    key = _session_key(name)
    if CLEAR in request.GET:
        request.session.pop(key, None)
        return ""
    if request.GET:
        return None
    return request.session.get(key) or None


class Row(tuple[Any, list[Any], str]):
    """One record of a list: the record, what each column shows of it and its page's address (a tuple, as
    the lists' rows were before they wrote their HTML in Python)."""

    __slots__ = ()

    def __new__(cls, obj: Any, cells: list[Any], address: str) -> Row:
        return super().__new__(cls, (obj, cells, address))

    @property
    def html(self) -> SafeString:
        """The row's cells, written out in Python: through a template's loop each cell cost about as much as
        reading the record (rendering.py says why that matters). The first links to the record; days are
        written as the rest of the page writes them (rendering.text)."""
        _obj, cells, address = self
        shown = [rendering.shown(value) for value in cells]
        if shown:
            shown[0] = f'<a href="{rendering.text(address)}">{shown[0]}</a>'
        return mark_safe("".join(f"<td>{value}</td>" for value in shown))


def row(obj: Any, spec: RecordKind, address: str) -> Row:
    """A list's row: what each of the list's columns shows of `obj`."""
    return Row(obj, [cell(obj, column) for column in spec.list_columns], address)
