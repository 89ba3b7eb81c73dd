"""The lists behind the board's numbers that no app page shows the centre: the whole one clock,
the forecast, applications by card, cases by legal deadline."""

from __future__ import annotations

from datetime import date

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.selectors import dashboard as application_dashboard
from centre.access import centre_required
from centre.selectors import forecast as forecast_sel
from centre.selectors import late as late_sel
from centre.selectors.sources import KIND_LABELS
from enforcement.selectors import clock as case_clock
from portal import roles
from portal.models import Department

KINDS = tuple(KIND_LABELS)


@centre_required
def late(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    overdue_only = request.GET.get("status") == "overdue"
    now = timezone.now()
    rows = late_sel.late_list(
        now=now, limit=late_sel.MAX_LIMIT, overdue_only=overdue_only, kinds={kind} if kind else None
    )
    return render(
        request,
        "centre/late.html",
        {
            "rows": [r.as_dict() for r in rows],
            "kinds": list(KIND_LABELS.items()),
            "kind": kind,
            "overdue_only": overdue_only,
            "now": now,
            "limit": late_sel.MAX_LIMIT,
        },
    )


@centre_required
def forecast(request):
    data = forecast_sel.cached(limit=500)
    return render(request, "centre/forecast.html", {"forecast": data})


def application_rows(params) -> dict:
    """Running applications behind a red or yellow card (approvals' drill-down selector)."""
    today = timezone.localdate()
    status = params.get("status", "overdue")
    status = status if status in ("overdue", "warning") else "overdue"
    department = None
    raw = params.get("department", "")
    if raw.isdigit():
        department = Department.objects.filter(pk=int(raw)).first()
    filters = application_dashboard.Filters(start=today, end=today, department=department)
    qs = application_dashboard.drilldown(filters, application_dashboard.Drill(status=status), today)
    rows, _following = application_dashboard.drilldown_page(qs, after=None, size=200)
    lookup = application_dashboard.names()
    items = [
        {
            "number": app.number or app.reference,
            "reference": app.reference,
            "matter": app.matter.name,
            "department": lookup.department(app.department_id),
            "state": app.get_state_display(),
            "holder": application_dashboard.holder(app, lookup),
            "due_date": app.due_date,
            "days_over": _days_over(app.due_date, today),
        }
        for app in rows
    ]
    return {"items": items, "status": status, "department": department}


@centre_required
def applications(request):
    found = application_rows(request.GET)
    return render(
        request,
        "centre/applications.html",
        {
            **found,
            "can_open": request.user.is_superuser or request.user.has_role(roles.SUPERVISOR),
            "title": _("办件红牌") if found["status"] == "overdue" else _("办件黄牌"),
        },
    )


def _days_over(due: date | None, today: date) -> int | None:
    from portal import workdays

    if due is None or due >= today:
        return None
    return workdays.working_days_between(due, today)


@centre_required
def cases(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in case_clock.DUE_KINDS else ""
    status = request.GET.get("status", "")
    status = status if status in ("overdue", "warning") else ""
    now = timezone.now()
    items = case_clock.deadline_list(kind=kind, status=status, now=now)
    return render(
        request,
        "centre/cases.html",
        {
            "items": [{"item": i, "late_by": i.late_by(now)} for i in items],
            "kind": kind,
            "status": status,
            "kinds": [(k, str(v)) for k, v in case_clock.DUE_KINDS.items()],
        },
    )
