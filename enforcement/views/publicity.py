"""Public pages: published decisions (执法公示), a case's public page (the QR code on its
decision), and the party's own document by its token (the QR code of an on-the-spot
decision)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from enforcement.models import Document, Publication
from enforcement.selectors import publicity as sel
from enforcement.services.documents import pdf_response


def publicity(request):
    paginator = Paginator(sel.published(query=request.GET.get("q", "")), 20)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "enforcement/publicity/list.html",
        {"page": page, "q": request.GET.get("q", "")},
    )


def public_case(request, public_id):
    publication = sel.published_for_case(public_id)
    return render(request, "enforcement/publicity/detail.html", {"publication": publication})


@never_cache
def party_document(request, token):
    document = Document.objects.filter(public_token=token).first()
    if document is None or document.kind not in sel.PARTY_KINDS:
        raise Http404
    return pdf_response(document)


__all__ = ["Publication"]
