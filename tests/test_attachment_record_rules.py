"""The attachment's own rules, kept in the model so that every path obeys them: a title of reasonable length,
a known kind; a refused attachment stores nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from nextsteps.attachments.actions import upload_attachment
from nextsteps.attachments.models import Attachment
from nextsteps.records import models as m
from tests import attachments as files

pytestmark = pytest.mark.django_db


def attach(**changes: str) -> Attachment:
    case = m.Case.objects.filter(organisation__slug="ijm-ro").first()
    assert case is not None
    fields = {"kind": "consent_form", "title": "Consent", "file_name": "consent.pdf", **changes}
    return upload_attachment(case, acting_user=None, declared_type="", data=files.pdf(), **fields)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "x" * 201}, "title"),
        ({"title": ""}, "title"),
        ({"kind": "passport_photo"}, "kind"),
        ({"file_name": "x" * 260 + ".pdf"}, "file_name"),
    ],
)
def test_an_attachment_breaking_a_rule_is_refused_and_nothing_is_stored(
    changes: dict[str, str], field: str
) -> None:
    before = Attachment.objects.count()
    with pytest.raises(ValidationError) as caught:
        attach(**changes)
    assert field in caught.value.message_dict
    assert Attachment.objects.count() == before


def test_the_title_is_kept_without_surrounding_spaces() -> None:
    assert attach(title="  Consent  ").title == "Consent"
