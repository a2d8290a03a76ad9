"""Form widgets shared by the apps' forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import connections
from django.urls import reverse
from django.utils.http import urlencode

from nextsteps.search.codes import CodeKey, code_path, lowered


class DateInput(forms.DateInput):
    """The browser's date picker. It shows the date in the user's locale but reads and sends only ISO dates:
    a value in the locale's format ("01-08-2026" in Dutch) is taken for no value at all."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# The kinds a Picker finds, and the address of their options (nextsteps/search/urls.py).
PICKER_SLUGS = {"person": "persons", "household": "households", "case": "cases"}
# Marks a typed code of digits that found no one, so that the field never reads it as a record's key.
UNMATCHED_CODE = "code:"


def unmatched(code: str) -> str:
    return f"{UNMATCHED_CODE}{code}" if code.isdigit() else code


class Picker(forms.Widget):
    """A type-ahead choice of a person, household or case (nextsteps/static/nextsteps/picker.js), in place of
    a drop-down of every record: the page never holds more than the chosen records, whatever their number.

    The field stays a ModelChoiceField (or ModelMultipleChoiceField) with its scoped queryset, which alone
    decides what is valid: a key of another organisation's record is refused as before. The widget sends
    the chosen keys (a hidden input; checkboxes when several may be chosen) and a text input that asks
    /pick/<kind>/ for options as the user types. Without JavaScript the text input is a plain field for the
    code(s), which are looked up among the field's own choices when the form is read.
    """

    template_name = "search/picker.html"

    def __init__(
        self,
        kind: str,
        *,
        multiple: bool = False,
        organisations: list[int] | tuple[int, ...] = (),
        programme: Any = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.kind = kind
        self.allow_multiple_selected = multiple
        self.organisations = list(organisations)
        self.programme = programme
        self.choices: Any = ()
        self._looked_up: dict[Any, Any] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> Picker:
        copy = super().__deepcopy__(memo)
        copy.organisations = list(self.organisations)
        copy._looked_up = {}
        return copy

    # What was chosen ---------------------------------------------------------------------------------

    def _queryset(self) -> Any:
        return getattr(self.choices, "queryset", None)

    @staticmethod
    def label_of(record: Any) -> str:
        return str(record)

    def _chosen(self, values: list[Any]) -> list[Any]:
        """The records among the field's own choices with these keys: a key of anything else shows nothing."""
        keys = [int(v) for v in values if str(v).strip().isdigit()]
        queryset = self._queryset()
        if not keys or queryset is None:
            return []
        found = {r.pk: r for r in queryset.filter(pk__in=keys)}
        return [found[k] for k in dict.fromkeys(keys) if k in found]

    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]
        if value is None or value == "":
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        return [str(getattr(v, "pk", v)) for v in values if v is not None and v != ""]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = self._chosen(context["widget"]["value"])
        field_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        query: list[tuple[str, Any]] = [("org", o) for o in self.organisations]
        if self.programme is not None:
            query.append(("programme", getattr(self.programme, "pk", self.programme)))
        query.append(("field", field_id))
        context["widget"].update(
            {
                "multiple": self.allow_multiple_selected,
                "kind": self.kind,
                "chosen": [(r.pk, self.label_of(r)) for r in chosen],
                "text": "" if self.allow_multiple_selected or not chosen else self.label_of(chosen[0]),
                "url": f"{reverse('search:pick', args=[PICKER_SLUGS[self.kind]])}?{urlencode(query)}",
                "field_id": field_id,
                "typed_name": f"{name}__code",
            }
        )
        return context

    # What was sent -----------------------------------------------------------------------------------

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        # Unticking every chosen record sends nothing, like unticked checkboxes: that is a value (none).
        if self.allow_multiple_selected:
            return False
        return name not in data and f"{name}__code" not in data

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.allow_multiple_selected:
            getter = getattr(data, "getlist", None)
            keys = list(getter(name) if getter is not None else data.get(name) or [])
        else:
            keys = data.get(name)
        typed = data.get(f"{name}__code")
        if typed is None:
            # The API sends keys alone, never a code.
            return keys
        cache_key = (name, repr(keys), typed)
        if cache_key not in self._looked_up:
            self._looked_up[cache_key] = self._from_codes(keys, typed)
        return self._looked_up[cache_key]

    def _from_codes(self, keys: Any, typed: str) -> Any:
        """The text beside the chosen keys: what the picker filled in for the chosen record (which stands),
        or code(s) typed without choosing (or without JavaScript), looked up among the field's own choices.
        A code that matches nothing (or several) is passed on as typed: the field says it is not valid."""
        queryset = self._queryset()
        if self.allow_multiple_selected:
            codes = [c for c in typed.replace(",", " ").split() if c]
        else:
            codes = [typed.strip()] if typed.strip() else []
        if not codes or queryset is None:
            return keys if self.allow_multiple_selected else ""
        vendor = connections[queryset.db].vendor
        matches = (
            queryset.alias(code_key=CodeKey(code_path(self.kind)))
            .filter(code_key__in=[lowered(c, vendor) for c in codes])
            .annotate(typed_code=CodeKey(code_path(self.kind)))
            .values_list("pk", "typed_code")
        )
        by_code: dict[str, list[int]] = {}
        for pk, code in matches:
            by_code.setdefault(code, []).append(pk)
        if self.allow_multiple_selected:
            resolved = [
                str(by_code[lowered(c, vendor)][0])
                if len(by_code.get(lowered(c, vendor), [])) == 1
                else unmatched(c)
                for c in codes
            ]
            return [*keys, *resolved]
        candidates = by_code.get(lowered(codes[0], vendor), [])
        kept = self._chosen([keys]) if keys else []
        if kept and (kept[0].pk in candidates or self.label_of(kept[0]) == codes[0]):
            return str(kept[0].pk)
        return str(candidates[0]) if len(candidates) == 1 else unmatched(codes[0])


def use_picker(field: forms.Field, kind: str, *, organisations: Any = (), programme: Any = None) -> None:
    """Show a ModelChoiceField (or ModelMultipleChoiceField) of persons, households or cases as a Picker that
    offers what its queryset holds: the records of `organisations` (and, for cases, of `programme`)."""
    assert isinstance(field, forms.ModelChoiceField)
    widget = Picker(
        kind,
        multiple=isinstance(field, forms.ModelMultipleChoiceField),
        organisations=list(organisations),
        programme=programme,
    )
    widget.is_required = field.required
    widget.choices = field.choices
    field.widget = widget
