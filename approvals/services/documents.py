"""Notice documents: the frozen context of a Notice rendered to PDF."""

from dataclasses import replace

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from approvals.models import MaterialFile, Notice
from approvals.notices import NoticeContext, render_notice
from portal import audit
from portal.site import site_url


def notice_pdf(notice: Notice) -> bytes:
    """The notice as issued; only its status link follows the site's public address (SITE_URL)
    when that moved since, so that the QR code always reaches the status page."""
    context = NoticeContext.from_json(notice.context)
    if context.status_url and context.application_number:
        current = site_url(f"/status/?number={context.application_number}")
        if current != context.status_url:
            context = replace(context, status_url=current)
    return render_notice(notice.kind, context)


def notice_pdf_response(notice: Notice, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(notice_pdf(notice), content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f"{disposition}; filename=notice-{notice.pk}.pdf"
    return response


def material_file_response(*, application, file_id: int, actor) -> FileResponse:
    """Stream one uploaded file of ``application`` (the caller has checked that ``actor`` may
    see the application); every read is in the audit trail."""
    stored = get_object_or_404(
        MaterialFile, pk=file_id, application_material__application=application
    )
    audit.record(
        actor=actor, action="application.file_read", obj=application, after={"file": stored.pk}
    )
    from portal.stored_files import open_stored

    handle = open_stored(stored.file, what=_("办件材料"))
    return FileResponse(
        handle,
        content_type=stored.content_type,
        as_attachment=False,
        filename=stored.original_name,
    )
