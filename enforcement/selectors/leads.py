"""Reads of leads: scope, queues and what became of a lead."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.models import LEAD_OPEN, Lead, LeadState
from portal import clock
from portal.errors import NotFound

from .scope import scope_filter


def visible_leads(user) -> QuerySet[Lead]:
    q = scope_filter(user)
    qs = Lead.objects.all()
    return qs if q is None else qs.filter(q)


def lead_get(user, number: str) -> Lead:
    found = (
        visible_leads(user)
        .select_related("squad", "matter", "reporter", "transfer_body")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该线索。"))
    return found


def with_clock(qs: QuerySet[Lead], now=None) -> QuerySet[Lead]:
    now = now or timezone.now()
    running = Q(state__in=LEAD_OPEN)
    return qs.annotate(
        clock_status=clock.status_case(now, running=running),
        clock_rank=clock.rank_case(now, running=running),
    )


def open_queue(user, *, squad=None, now=None) -> QuerySet[Lead]:
    qs = visible_leads(user).filter(state__in=LEAD_OPEN)
    if squad is not None:
        qs = qs.filter(squad=squad)
    return (
        with_clock(qs, now).select_related("squad", "matter").order_by("clock_rank", "due_at", "id")
    )


def lead_outcome_for(source: str, source_ref: str) -> dict | None:
    """What became of the latest lead from ``source``/``source_ref`` (the signal's payload
    without ``at``), or None when there is no such lead. For receivers that missed a signal."""
    lead = (
        Lead.objects.filter(source=source, source_ref=source_ref)
        .select_related("case")
        .order_by("-received_at", "-id")
        .first()
    )
    if lead is None:
        return None
    outcome = {
        LeadState.FILED: "filed",
        LeadState.NOT_FILED: "not_filed",
        LeadState.TRANSFERRED: "transferred",
    }.get(lead.state, "")
    case = getattr(lead, "case", None) if lead.state == LeadState.FILED else None
    if case is not None and case.state == "closed":
        outcome = "closed"
    return {
        "lead_number": lead.number,
        "state": lead.state,
        "outcome": outcome,
        "case_number": case.number if case else "",
    }
