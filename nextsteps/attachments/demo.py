"""The demo's attachment: a consent form drawn in code (no real person's name or signature), on a case of
IJM Romania. It is no record that figures count, so the report stays the same."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from nextsteps.attachments.actions import upload_attachment
from nextsteps.attachments.models import Attachment
from nextsteps.programmes.models import Organisation
from nextsteps.records.models import Case


def consent_form_png(code: str) -> bytes:
    image = Image.new("RGB", (620, 360), "white")
    draw = ImageDraw.Draw(image)
    lines = [
        "CONSENT FOR SERVICES (synthetic demo document)",
        "",
        f"Person: {code}",
        "I agree that IJM Romania records the help I receive",
        "and keeps this form with my case file.",
        "",
        "Signed: ____________________",
    ]
    for number, line in enumerate(lines):
        draw.text((30, 30 + number * 40), line, fill="black")
    draw.rectangle((10, 10, 609, 349), outline="black", width=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def attach_demo_consent_form(organisation: Organisation) -> Attachment | None:
    case = Case.objects.filter(organisation=organisation).select_related("person").order_by("pk").first()
    if case is None:
        return None
    return upload_attachment(
        case,
        acting_user=None,
        kind=Attachment.Kind.CONSENT_FORM,
        title="Consent for services, signed at intake",
        file_name="consent-form.png",
        declared_type="image/png",
        data=consent_form_png(case.person.code),
    )
