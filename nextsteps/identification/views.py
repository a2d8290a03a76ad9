"""The identification page of a case: shown to those who read the case, edited by those who change it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.identification.actions import record_identification
from nextsteps.identification.forms import IdentificationForm
from nextsteps.identification.models import CaseIdentification
from nextsteps.records import versions


def identification_of(case: Any) -> CaseIdentification | None:
    return (
        CaseIdentification.objects.filter(case=case)
        .select_related("labour_sector", "recruitment_method", "recruiter_relationship", "referral_source")
        .prefetch_related("exploitation_types", "means_of_control")
        .first()
    )


def for_case_page(user: Any, case: Any) -> CaseIdentification | None:
    """What a case page that includes "identification/_case_section.html" passes as `identification`: the
    case's identification when the user may read it (the case's own organisation), None otherwise; a read
    written to the audit trail like the identification page's."""
    if not access.can(user, "case", access.VIEW, case.organisation_id):
        return None
    identification = identification_of(case)
    if identification is not None:
        access.audit_view(user, identification)
    return identification


@login_required
def case_identification(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.identification_case_or_404(request.user, pk)
    identification = identification_of(case)
    # Reading what happened to her is reading about her: audited like reading the case.
    access.audit_view(request.user, identification or case)
    return render(request, "identification/case.html", {"case": case, "identification": identification})


@login_required
def case_identification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.identification_case_or_404(request.user, pk, access.CHANGE)
    identification = identification_of(case)
    if request.method == "GET":
        # The form shows what the page shows: opening it is a view.
        access.audit_view(request.user, identification or case)
    form = IdentificationForm(request.POST or None, instance=identification or CaseIdentification(case=case))
    # Version 0: none recorded when the form was opened. One recorded by someone else before it is saved
    # then refuses the save rather than being overwritten.
    form.fields["version"] = versions.VersionField(
        initial=identification.version if identification else 0, min_value=0
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_identification(
                case,
                acting_user=request.user,
                expected_version=versions.expected_version(form),
                **form.values(),
            )
        except versions.StaleEdit as stale:
            versions.show_stale(form, stale)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The identification was saved."))
            return redirect("identification:case", pk=case.pk)
    return render(request, "identification/case_form.html", {"case": case, "form": form})
