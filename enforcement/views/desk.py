"""The desk (squad leaders, the bureau head, legal reviewers): leads to decide, approvals
waiting, legal reviews, collective discussions, cases, and the deadline board by case and
squad."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from enforcement.models import (
    LEAD_OPEN,
    Case,
    CaseState,
    Lead,
    LeadExtension,
    LeadState,
    Publication,
    Squad,
)
from enforcement.selectors import cases as case_sel
from enforcement.selectors import leads as lead_sel
from enforcement.selectors import scope as scope_sel
from enforcement.views.common import staff_required
from portal import roles

TABS = ("board", "leads", "approvals", "reviews", "discussions", "cases")


def _default_tab(user) -> str:
    if user.has_role(roles.LEGAL_REVIEWER) and not user.has_role(roles.BUREAU_HEAD):
        return "reviews"
    if user.has_role(roles.BUREAU_HEAD, roles.SUPERVISOR):
        return "board"
    return "leads"


@staff_required
def desk(request):
    user = request.user
    tab = request.GET.get("tab") or _default_tab(user)
    if tab not in TABS:
        tab = _default_tab(user)
    squad = None
    if request.GET.get("squad"):
        squad = Squad.objects.filter(code=request.GET["squad"]).first()
    now = timezone.now()
    context = {
        "tab": tab,
        "tabs": TABS,
        "squad": squad,
        "squads": Squad.objects.order_by("code"),
        "is_head": user.has_role(roles.BUREAU_HEAD),
    }
    if tab == "board":
        status = request.GET.get("status") or None
        context["board"] = case_sel.board_by_squad(user, now=now)
        context["cases"] = case_sel.deadline_board(user, squad=squad, status=status, now=now)
        context["status"] = status
    elif tab == "leads":
        context["leads"] = lead_sel.desk_leads(user, now)
        context["unassigned"] = (
            Lead.objects.filter(state__in=LEAD_OPEN, squad__isnull=True).count()
            if scope_sel.is_bureau(user)
            else 0
        )
    elif tab == "approvals":
        context["proposals"] = (
            lead_sel.visible_leads(user)
            .filter(state=LeadState.FILING_PROPOSED)
            .select_related("squad", "matter")
        )
        context["extensions"] = LeadExtension.objects.filter(
            status=LeadExtension.Status.PENDING, lead__in=lead_sel.visible_leads(user)
        ).select_related("lead")
        context["publications"] = (
            Publication.objects.filter(
                status=Publication.Status.PENDING, case__in=case_sel.visible_cases(user)
            )
            .select_related("case")
            .order_by("due_on")
        )
    elif tab in ("reviews", "discussions"):
        state = CaseState.LEGAL_REVIEW if tab == "reviews" else CaseState.DISCUSSION
        context["cases"] = (
            case_sel.with_clock(case_sel.visible_cases(user).filter(state=state), now)
            .select_related("squad", "matter")
            .order_by("due_at", "id")[:200]
        )
    else:
        qs = case_sel.with_clock(case_sel.visible_cases(user), now).select_related(
            "squad", "matter"
        )
        if request.GET.get("state") in CaseState.values:
            qs = qs.filter(state=request.GET["state"])
            context["state"] = request.GET["state"]
        if squad is not None:
            qs = qs.filter(squad=squad)
        q = (request.GET.get("q") or "").strip()
        if q:
            qs = qs.filter(number__icontains=q) | qs.filter(party_name__icontains=q)
            context["q"] = q
        context["page"] = Paginator(qs.order_by("-filed_on", "-id"), 50).get_page(
            request.GET.get("page")
        )
        context["states"] = CaseState.choices
    return render(request, "enforcement/desk.html", context)


__all__ = ["Case"]
