"""Reads for the public: published decisions only, never anything else."""

from django.db.models import Q

from enforcement.documents import TO_THE_PARTY
from enforcement.models import Publication

PARTY_KINDS = TO_THE_PARTY


def published(query: str = ""):
    qs = Publication.objects.filter(status=Publication.Status.PUBLISHED).order_by(
        "-published_at", "-id"
    )
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(content__party__icontains=query)
            | Q(content__matter__icontains=query)
            | Q(content__decision_number__icontains=query)
        )
    return qs


def published_for_case(public_id):
    """The case's publication if it is published now; None otherwise (not yet, or taken down)."""
    return Publication.objects.filter(
        case__public_id=public_id, status=Publication.Status.PUBLISHED
    ).first()
