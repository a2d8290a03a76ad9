"""What a record list shows of a field with fixed choices (`listing.cell`): the label Django's get_FOO_display
gives, in the reader's language, from a dict built once per field instead of on every cell."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Field
from django.utils import translation

from nextsteps.records import listing
from nextsteps.records.kinds import KINDS

CHOICE_COLUMNS: list[tuple[str, Field[Any, Any]]] = [
    (f"{key}.{column}", spec.model._meta.get_field(column))  # type: ignore[misc]
    for key, spec in KINDS.items()
    for column in spec.list_columns
    if getattr(spec.model._meta.get_field(column), "choices", None)
]


def test_the_lists_show_columns_with_choices() -> None:
    # Persons' sex and survivor status at least: the test below would pass on nothing otherwise.
    assert {"person.sex", "person.survivor_status"} <= {name for name, _field in CHOICE_COLUMNS}


@pytest.mark.parametrize("language", ["en", "nl", "ro"])
@pytest.mark.parametrize(("name", "field"), CHOICE_COLUMNS, ids=[name for name, _f in CHOICE_COLUMNS])
def test_each_value_shows_the_label_django_gives_in_the_readers_language(
    name: str, field: Field[Any, Any], language: str
) -> None:
    model = field.model
    with translation.override(language):
        for value, _label in field.flatchoices:
            obj = model(**{field.attname: value})
            shown = listing.cell(obj, field.name)
            assert shown == getattr(obj, f"get_{field.name}_display")()
            assert type(shown) is str


def test_the_labels_follow_the_language_after_the_first_list() -> None:
    field = dict(CHOICE_COLUMNS)["person.sex"]
    value = next(value for value, _label in field.flatchoices if value)
    obj = KINDS["person"].model(**{field.attname: value})
    with translation.override("en"):
        english = listing.cell(obj, "sex")
    with translation.override("nl"):
        dutch = listing.cell(obj, "sex")
    assert english != dutch
    with translation.override("en"):
        assert listing.cell(obj, "sex") == english


def test_an_unknown_value_is_shown_as_it_is_stored() -> None:
    obj = KINDS["person"].model(sex="not-a-choice")
    assert listing.cell(obj, "sex") == "not-a-choice" == obj.get_sex_display()  # type: ignore[attr-defined]
