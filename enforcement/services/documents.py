"""Issuing documents: the number (per kind and year, under a row lock, so parallel issues get
distinct numbers and a rolled-back issue gives its number back), the frozen content, the PDF's
SHA-256. Runs inside the caller's transaction (the case service that issues it)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from enforcement import documents as docs
from enforcement.models import Case, Document, DocumentCounter, Lead, Officer
from portal import pdf

from .common import actor_user

log = logging.getLogger(__name__)


def _next_seq(kind: str, year: int) -> int:
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(kind=kind, year=year, last=0)], ignore_conflicts=True
    )
    counter = DocumentCounter.objects.select_for_update().get(kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def officer_lines(officers: Sequence[Officer], on: date) -> list[dict]:
    from .team import valid_certificate

    lines = []
    for officer in officers:
        cert = valid_certificate(officer, on)
        lines.append({"name": officer.name, "certificate": cert.number if cert else ""})
    return lines


def public_case_url(case: Case) -> str:
    base = settings.SITE_URL.rstrip("/")
    return base + reverse("enforcement:public-case", args=[case.public_id])


def party_document_url(token) -> str:
    base = settings.SITE_URL.rstrip("/")
    return base + reverse("enforcement:party-document", args=[token])


def bureau_name() -> str:
    return settings.ENFORCEMENT.get("BUREAU_NAME") or (
        settings.ONEWINDOW["TOWN_NAME"] + "综合行政执法局"
    )


def issue(
    *,
    kind: str,
    actor,
    on: date,
    case: Case | None = None,
    lead: Lead | None = None,
    rows: Sequence[tuple[str, str]] = (),
    paragraphs: Sequence[str] = (),
    items: Sequence[str] = (),
    officers: Sequence[Officer] = (),
    addressee: str = "",
    sign_lines: Sequence[str] = (),
    qr: str = "",
    qr_caption: str = "",
) -> Document:
    """Issue one document: allocate its number, freeze its content, render it once (so a
    document that cannot be printed is never stored) and keep the PDF's SHA-256. ``qr``:
    "case" (the case's public page) or "party" (this document, for the party)."""
    if kind not in docs.KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    seq = _next_seq(kind, on.year)
    number = docs.make_number(kind, on.year, seq)
    document = Document(
        case=case,
        lead=lead,
        kind=kind,
        number=number,
        year=on.year,
        seq=seq,
        issued_at=timezone.now(),
        issued_by=actor_user(actor),
    )
    qr_url = ""
    if qr == "case" and case is not None:
        qr_url = public_case_url(case)
    elif qr == "party":
        qr_url = party_document_url(document.public_token)
    document.context = {
        "kind": kind,
        "title": docs.title(kind),
        "number": number,
        "bureau": bureau_name(),
        "case_number": case.number if case else (lead.number if lead else ""),
        "issued_on": on.isoformat(),
        "issued_on_text": pdf.chinese_date(on),
        "rows": [[label, value] for label, value in rows if value],
        "paragraphs": [p for p in paragraphs if p],
        "items": list(items),
        "officers": officer_lines(officers, on),
        "addressee": addressee,
        "sign_lines": list(sign_lines),
        "qr_url": qr_url,
        "qr_caption": qr_caption or ("扫码查看本文书" if qr == "party" else "扫码查看案件公示"),
    }
    document.sha256 = hashlib.sha256(docs.render(document.context)).hexdigest()
    document.save()
    return document


def pdf_bytes(document: Document) -> bytes:
    content = docs.render(document.context)
    if document.sha256 and hashlib.sha256(content).hexdigest() != document.sha256:
        log.error("document %s renders differently from when it was issued", document.number)
    return content


def pdf_response(document: Document, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf_bytes(document), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{document.kind}-{document.seq}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
