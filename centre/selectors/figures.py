"""The centre's report for a day, a week or a month: 1-2-3-45 compliance per squad and step,
incidents solved inside the grid (rate, per village and grid), on-time rates of incidents,
work orders, cases and applications side by side, departments' sign-for and handling times and
return rates, satisfaction, the top categories and hot spots. Each figure comes from its app's
selectors; this module only picks the period and puts them side by side."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.selectors import dashboard as application_dashboard
from enforcement.selectors import callouts as callout_sel
from enforcement.selectors import clock as case_clock
from grid.selectors import overview as incident_overview
from portal.clock import start_of_day

KINDS = ("day", "week", "month")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return start_of_day(self.start), start_of_day(self.end + timedelta(days=1))

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            return _("%(start)s 至 %(end)s") % {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
            }
        return _("%(y)s年%(m)s月") % {"y": self.start.year, "m": self.start.month}

    @property
    def previous(self) -> date:
        return self.start - timedelta(days=1)

    @property
    def following(self) -> date:
        return self.end + timedelta(days=1)


def period_for(kind: str, anchor: date) -> Period:
    if kind == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return Period(kind, start, start + timedelta(days=6))
    if kind == "month":
        last = calendar.monthrange(anchor.year, anchor.month)[1]
        return Period(kind, anchor.replace(day=1), anchor.replace(day=last))
    return Period("day", anchor, anchor)


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def work_order_figures(period: Period, now: datetime) -> dict | None:
    """Departments' sign-for and handling (the dispatch issue's figures selectors, when they
    are on main)."""
    try:
        from grid.selectors import dispatch_figures  # issue 13
    except ImportError:
        return None
    if not hasattr(dispatch_figures, "centre_figures"):
        return None
    return dispatch_figures.centre_figures(*period.bounds, now=now)


def report(period: Period, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    start, end = period.bounds
    callouts = callout_sel.compliance(start, end, now=now)
    incidents = incident_overview.period_figures(start, end)
    cases = case_clock.period_figures(period.start, period.end)
    applications = application_dashboard.history(
        application_dashboard.Filters(start=period.start, end=period.end), matters=0
    )["totals"]
    work_orders = work_order_figures(period, now)
    on_time = [
        {
            "kind": "incident",
            "label": _("事件"),
            "done": incidents["timed"],
            "on_time": incidents["on_time"],
            "rate": incidents["on_time_rate"],
        },
        {
            "kind": "work_order",
            "label": _("工单"),
            "done": work_orders["done"] if work_orders else None,
            "on_time": work_orders["done_on_time"] if work_orders else None,
            "rate": work_orders["on_time_rate"] if work_orders else None,
        },
        {
            "kind": "case",
            "label": _("案件（法定期限）"),
            "done": cases["deadlines"],
            "on_time": cases["on_time"],
            "rate": cases["on_time_rate"],
        },
        {
            "kind": "application",
            "label": _("办件"),
            "done": applications["decided"],
            "on_time": applications["decided_on_time"],
            "rate": applications["on_time_pct"],
        },
    ]
    steps_total: dict[str, dict] = {}
    for squad in callouts:
        for step in squad["steps"]:
            t = steps_total.setdefault(
                step["step"], {"label": step["label"], "on_time": 0, "late": 0, "missed": 0}
            )
            for k in ("on_time", "late", "missed"):
                t[k] += step[k]
    for t in steps_total.values():
        t["rate"] = _rate(t["on_time"], t["on_time"] + t["late"] + t["missed"])
    return {
        "period": period,
        "callouts": callouts,
        "callout_steps": list(steps_total.values()),
        "callout_count": sum(s["callouts"] for s in callouts),
        "incidents": incidents,
        "cases": cases,
        "applications": applications,
        "work_orders": work_orders,
        "on_time": on_time,
        "satisfaction": {
            "incidents": incidents["ratings"],
            "applications": {
                "count": applications["ratings"],
                "satisfied_rate": applications["satisfaction_pct"],
            },
        },
    }
