"""A case's attachments: the list with an upload form, the download, and the delete. Every page asks the
access module first; what a user may not reach answers 404, a guessed id included."""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from nextsteps.accounts import access
from nextsteps.attachments import actions, rules, uploads
from nextsteps.attachments.forms import UploadForm
from nextsteps.attachments.models import Attachment
from nextsteps.records.models import Case


def case_attachments(case: Case) -> list[Attachment]:
    return list(Attachment.objects.filter(case=case).select_related("uploaded_by"))


def section_context(case: Case, form: UploadForm | None = None) -> dict[str, Any]:
    """What attachments/_case_section.html needs (it finds the user's rights itself)."""
    return {"case": case, "attachments": case_attachments(case), "upload_form": form}


# Django reads the CSRF token from the request's body, which runs the upload handlers: ours must be in place
# first, so the check runs inside the view (csrf_protect) rather than in the middleware.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def attachments_page(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        request.upload_handlers = [uploads.LimitedMemoryUploadHandler(request)]
    return _attachments_page(request, pk)


@csrf_protect
def _attachments_page(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.CHANGE if request.method == "POST" else access.VIEW
    case: Case = access.attachment_case_or_404(request.user, pk, action)
    limit_mb = rules.max_size() // (1024 * 1024)
    form = None
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, limit_mb=limit_mb)
        refused = uploads.too_large(request)
        if refused is not None:
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", rules.too_large_message(rules.base_name(refused) or _("The file")))
            status = 400
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                actions.upload_attachment(
                    case,
                    acting_user=request.user,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    file_name=upload.name or "",
                    declared_type=upload.content_type or "",
                    data=upload.read(),
                )
            except ValidationError as error:
                form.add_error("file", error.messages)
                status = 400
            else:
                messages.success(
                    request, _("“%(title)s” was attached.") % {"title": form.cleaned_data["title"]}
                )
                return redirect(reverse("attachments:case", args=[case.pk]))
        else:
            status = 400
    return render(request, "attachments/case.html", section_context(case, form), status=status)


@never_cache
@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    attachment: Attachment = access.attachment_or_404(request.user, pk)
    data = Attachment.objects.filter(pk=attachment.pk).values_list("content", flat=True).get()
    actions.log_download(attachment, acting_user=request.user)
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=download_name(attachment),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def download_name(attachment: Attachment) -> str:
    """The original name, reduced to letters, digits, dots, dashes and underscores, with the extension of
    what the file really is: a browser or viewer then opens it as that and nothing else."""
    stem = PurePath(str(attachment.file_name)).stem
    try:
        safe = get_valid_filename(stem)[:100]
    except Exception:
        safe = ""
    return f"{safe or f'attachment-{attachment.pk}'}{attachment.extension}"


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment: Attachment = access.attachment_or_404(request.user, pk, access.CHANGE)
    case = attachment.case
    if request.method == "POST":
        actions.delete_attachment(attachment, acting_user=request.user)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": attachment.title})
        return redirect(reverse("attachments:case", args=[case.pk]))
    access.audit_view(request.user, case)
    return render(request, "attachments/confirm_delete.html", {"attachment": attachment, "case": case})
