"""Removing a record: the reason asked on the confirm page and in the API.

Who may remove what is decided in nextsteps/accounts/access.py (may_remove); what may be removed at all in
nextsteps/records/actions.py (delete_record: a record is deleted alone).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nextsteps.records import actions

# Long enough for a sentence or two; a removal is explained, not documented.
REASON_MAX_LENGTH = 500


class ReasonField(forms.CharField):
    """Plain text of at most 500 characters, stored encrypted with the audit entry (audit.EntryReason)."""

    def __init__(self, *, required: bool = True, **kwargs: Any) -> None:
        super().__init__(
            required=required,
            max_length=REASON_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX_LENGTH}),
            error_messages={"required": _("Say why, in a few words: it is kept in the audit trail.")},
            **kwargs,
        )


class RemovalForm(forms.Form):
    """The reason, and, when the removal changes figures of a report already sent (`warned`), the tick that
    says the user understands it (`confirm_reported`; optional otherwise)."""

    reason = ReasonField(
        label=_("Why is this record removed?"),
        help_text=_("Kept in the audit trail with your name, for those who read it."),
    )
    confirm_reported = forms.BooleanField(
        required=False,
        label=_("I understand that the report already sent will no longer match."),
    )

    def __init__(self, *args: Any, warned: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if warned:
            self.fields["confirm_reported"].required = True
            self.fields["confirm_reported"].error_messages["required"] = _(
                "Tick this to remove the record anyway: the report already sent will no longer match."
            )
        else:
            # Nothing to confirm: the page does not ask.
            self.fields["confirm_reported"].widget = forms.HiddenInput()


# The field an edit form gets for the reason of a correction (not a field of any record).
CORRECTION_FIELD = actions.CORRECTION_REASON_FIELD


def add_correction_reason(form: forms.BaseForm, *, reported: bool) -> None:
    """Give a record's edit form the reason of the correction: required when the record is dated in a period
    whose report was already sent (`reported`), optional otherwise."""
    form.fields[CORRECTION_FIELD] = ReasonField(
        required=reported,
        label=_("Why is it corrected?"),
        help_text=_(
            "This record is dated in a period whose report was already sent: say why it is corrected. It is "
            "kept in the audit trail with your name."
        )
        if reported
        else _("Kept in the audit trail with your name, for those who read it."),
    )
