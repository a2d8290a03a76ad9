"""Form widgets shared by the apps' forms."""

from __future__ import annotations

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker. It shows the date in the user's locale but reads and sends only ISO dates:
    a value in the locale's format ("01-08-2026" in Dutch) is taken for no value at all."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
