"""Notice documents: the frozen context of a Notice rendered to PDF."""

from django.http import HttpResponse

from approvals.models import Notice
from approvals.notices import NoticeContext, render_notice


def notice_pdf(notice: Notice) -> bytes:
    return render_notice(notice.kind, NoticeContext.from_json(notice.context))


def notice_pdf_response(notice: Notice, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(notice_pdf(notice), content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f"{disposition}; filename=notice-{notice.pk}.pdf"
    return response
