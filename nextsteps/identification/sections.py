"""The identification section of the case page (nextsteps/casework/sections.py)."""

from __future__ import annotations

from typing import Any

from nextsteps.accounts import access
from nextsteps.identification.views import for_case_page


def case_context(case: Any, user: Any) -> dict[str, Any] | None:
    # Only in the case's own organisation: a shared case does not carry how the person was trafficked.
    if not access.can(user, "case", access.VIEW, case.organisation_id):
        return None
    return {"identification": for_case_page(user, case)}
