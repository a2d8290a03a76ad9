"""The attachments section of the case page (nextsteps/casework/sections.py)."""

from __future__ import annotations

from typing import Any

from nextsteps.accounts import access
from nextsteps.attachments.views import case_attachments


def case_context(case: Any, user: Any) -> dict[str, Any] | None:
    # Attachments are read in the case's own organisation only (accounts/access.py); the section's template
    # finds out itself whether the user may also upload and delete.
    if not access.can(user, "case", access.VIEW, case.organisation_id):
        return None
    return {"attachments": case_attachments(case)}
