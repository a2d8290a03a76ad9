"""The referrals section of the case page (nextsteps/casework/sections.py)."""

from __future__ import annotations

from typing import Any

from nextsteps.referrals.timeline import case_section_context


def case_context(case: Any, user: Any) -> dict[str, Any] | None:
    # The case page is its own organisation's (casework_case_or_404); which referrals the user sees there
    # is decided by the access module through case_referrals.
    return case_section_context(user, case)
