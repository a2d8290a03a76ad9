"""The upload form of the import page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nextsteps.imports import limits, rights
from nextsteps.programmes.models import Organisation, Programme

SUFFIXES = (".csv", ".xlsx")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field: the templates of one import go together, so rows can refer to each other."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(SUFFIXES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        files = (
            [single(d, initial) for d in data] if isinstance(data, list | tuple) else [single(data, initial)]
        )
        if not files and self.required:
            # A form sent without a file has an empty list here, which the single-file check never sees.
            raise forms.ValidationError(self.error_messages["required"], code="required")
        for upload in files:
            if not upload.name.lower().endswith(SUFFIXES):
                raise forms.ValidationError(
                    _("%(file)s is neither a CSV nor an XLSX file.") % {"file": upload.name}
                )
            # What can be told without parsing: the size, and what a workbook's parts unpack to.
            try:
                limits.check_size(upload.name, upload.size or 0)
                if upload.name.lower().endswith(".xlsx"):
                    limits.check_archive(upload.file, upload.name)
            except limits.TooLarge as error:
                raise forms.ValidationError(str(error)) from None
        return files


class UploadForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), help_text=_("Whose records these are.")
    )
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    uploads = MultipleFileField(
        label=_("Files"),
        help_text=_("CSV or XLSX files made from the templates; choose several to import them together."),
    )
    date_format = forms.ChoiceField(
        label=_("Numeric dates"),
        required=False,
        choices=[
            ("", _("Only unambiguous dates (e.g. 2021-03-04 or 25/03/2021)")),
            ("DD/MM/YYYY", _("Day first: 03/04/2021 is 3 April")),
            ("MM/DD/YYYY", _("Month first: 03/04/2021 is 4 March")),
        ],
    )

    def __init__(self, *args: Any, user: Any, refused: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Files the upload handler dropped for their size (uploads.py): they never reached the form.
        self.refused = refused or []
        organisations = Organisation.objects.filter(pk__in=rights.import_organisations(user)).order_by("name")
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["programme"].queryset = (  # type: ignore[attr-defined]
            Programme.objects.filter(organisations__in=organisations).distinct().order_by("name")
        )
        for name in ("organisation", "programme"):
            field = self.fields[name]
            choices = list(field.queryset[:2])  # type: ignore[attr-defined]
            if len(choices) == 1:
                # The user's only one: chosen, shown, and not to be changed (a disabled field keeps its
                # initial value whatever is posted).
                field.initial = choices[0]
                field.disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.refused:
            self.add_error("uploads", limits.size_message(name))
        organisation, programme = data.get("organisation"), data.get("programme")
        if organisation and programme and not programme.organisations.filter(pk=organisation.pk).exists():
            self.add_error(
                "programme",
                _("%(organisation)s does not take part in %(programme)s.")
                % {"organisation": organisation, "programme": programme},
            )
        if self.errors and "uploads" not in self.errors:
            # The page comes back with the other choices kept; a browser never keeps a chosen file.
            self.add_error(
                "uploads",
                _("Choose the file again: a browser does not keep it when the page is shown again."),
            )
        return data
