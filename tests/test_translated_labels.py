"""Every label of the record forms and list filters is shown in the user's language: a label that reads
the same in Romanian as in English was never translated (or was translated once, at import, in English)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from nextsteps.accounts.models import User
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records.forms import PAGE_FORMS
from nextsteps.records.kinds import KINDS
from nextsteps.records.views import ListFilter

pytestmark = pytest.mark.django_db

# Words Romanian borrowed as they are: their translation is rightly the English word.
SAME_IN_ROMANIAN = {"sex", "slug"}


def form_labels(lang: str) -> dict[str, str]:
    user = User.objects.get(username="coordinator")
    programme = Programme.objects.get(slug="next-steps")
    orgs = list(Organisation.objects.values_list("pk", flat=True)[:2])
    labels: dict[str, str] = {}
    with translation.override(lang):
        for kind, form_class in PAGE_FORMS.items():
            form: Any = form_class(user=user, programme=programme)
            labels.update({f"{kind} form: {name}": str(f.label) for name, f in form.fields.items()})
        for kind, spec in KINDS.items():
            filters = ListFilter(spec=spec, org_ids=orgs)
            labels.update({f"{kind} list filter: {name}": str(f.label) for name, f in filters.fields.items()})
    return labels


def test_every_record_form_and_list_filter_label_is_translated_into_romanian() -> None:
    english, romanian = form_labels("en"), form_labels("ro")
    assert english.keys() == romanian.keys()
    untranslated = sorted(
        f"{where}: {english[where]!r}"
        for where in english
        if english[where] == romanian[where] and english[where].lower() not in SAME_IN_ROMANIAN
    )
    assert untranslated == []
