"""/api/v1/dashboard/…: the figures of the supervisors' dashboards as JSON, and the public
per-matter figures at /api/v1/matters/{code}/performance/.

The same selectors as the pages (approvals.selectors.dashboard) and the same filters as GET
parameters: ``start``, ``end`` (YYYY-MM-DD), ``department``, ``window`` (ids), ``kind``,
``channel``. A bad parameter answers 400 ``{"code": "invalid", "fields": {...}}``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.selectors import dashboard as sel
from approvals.views.dashboard import (
    application_url,
    is_supervisor,
    read_after,
    read_drill,
    read_filters,
    write_after,
)
from portal.errors import ActionError, NotFound

FILTER_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="first day of the range"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="last day of the range"),
    OpenApiParameter("department", OpenApiTypes.INT, description="department id"),
    OpenApiParameter("window", OpenApiTypes.INT, description="window id"),
    OpenApiParameter("kind", OpenApiTypes.STR, description="matter kind, e.g. licensing"),
    OpenApiParameter("channel", OpenApiTypes.STR, description="hall, online, proxy, self_service"),
    OpenApiParameter("village", OpenApiTypes.STR, description="a village's (community's) code"),
]


class IsSupervisor(permissions.BasePermission):
    def has_permission(self, request, view):
        return is_supervisor(request.user)


def _filters(request, today: date):
    form, filters, lookup = read_filters(request.query_params, today)
    if form.errors:
        raise ActionError(
            _("筛选条件有误。"),
            code="invalid",
            fields={k: [str(m) for m in v] for k, v in form.errors.items()},
        )
    return filters, lookup


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _filters_json(filters: sel.Filters) -> dict:
    return {
        "start": filters.start,
        "end": filters.end,
        "department": filters.department.pk if filters.department else None,
        "window": filters.window.pk if filters.window else None,
        "kind": filters.kind,
        "channel": filters.channel,
        "village": filters.village.code if filters.village else None,
    }


def _freshness(run) -> dict | None:
    if run is None:
        return None
    return {"finished_at": run.finished_at.isoformat(), "start": run.start_day, "end": run.end_day}


def _matters(request) -> int | None:
    value = request.query_params.get("matters", "20")
    if value == "all":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= 5000:
        raise ActionError(
            _("参数有误。"),
            code="invalid",
            fields={"matters": [_("请填写0到5000之间的整数，或 all。")]},
        )
    return number


class TimeLimitsView(APIView):
    """限时办结: open work by state and clock status; red and yellow cards by department,
    window and reviewer; the longest-overdue applications; and over the range: per day (per
    month when the range is longer than three months), per department and per matter — decisions, on-time rate, real handling time in working days
    against the committed and statutory limits, extensions, suspensions, deemed acceptances."""

    permission_classes = [IsSupervisor]

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter(
                "matters",
                OpenApiTypes.STR,
                description="how many matters (busiest first) to list: 0–5000 or all; default 20",
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        today = timezone.localdate()
        filters, lookup = _filters(request, today)
        matters = _matters(request)
        data = sel.time_limits(filters, today, lookup)
        if matters != 20:
            data["history"] = sel.history(filters, lookup, matters=matters)
        for row in data["overdue"]:
            row["url"] = application_url(row["reference"])
        return Response(
            _jsonable(
                {
                    "today": today,
                    "filters": _filters_json(filters),
                    "position": data["position"],
                    "cards": data["cards"],
                    "overdue": data["overdue"],
                    "history": data["history"],
                    "rollup": _freshness(data["freshness"]),
                }
            )
        )


class ServiceQualityView(APIView):
    """服务质量: ratings by level and department, rectifications of bad ratings (open,
    overdue, opened and closed in the range), hall waiting and service times by category,
    window and hour."""

    permission_classes = [IsSupervisor]

    @extend_schema(parameters=FILTER_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        today = timezone.localdate()
        filters, lookup = _filters(request, today)
        data = sel.service_quality(filters, today, lookup)
        return Response(
            _jsonable(
                {
                    "today": today,
                    "filters": _filters_json(filters),
                    "ratings": data["ratings"],
                    "rectifications": data["rectifications"],
                    "hall": data["hall"],
                    "rollup": _freshness(data["freshness"]),
                }
            )
        )


class DrilldownView(APIView):
    """The applications behind a card, 50 at a time in due-date order; ``next`` is the cursor
    of the following page (pass it back as ``after``)."""

    permission_classes = [IsSupervisor]

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=list(sel.DRILL_STATUSES),
                description="default overdue",
            ),
            OpenApiParameter("handler", OpenApiTypes.INT, description="user id of the reviewer"),
            OpenApiParameter("unclaimed", OpenApiTypes.STR, description="1: nobody claimed it"),
            OpenApiParameter("no_window", OpenApiTypes.STR, description="1: filed online"),
            OpenApiParameter("after", OpenApiTypes.STR, description="cursor from `next`"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        today = timezone.localdate()
        filters, lookup = _filters(request, today)
        drill, errors = read_drill(request.query_params)
        after, ok = read_after(request.query_params.get("after"))
        if not ok:
            errors["after"] = _("翻页参数无效。")
        if errors:
            raise ActionError(_("参数有误。"), code="invalid", fields=errors)
        qs = sel.drilldown(filters, drill, today)
        rows, following = sel.drilldown_page(qs, after=after, size=sel.PAGE_SIZE)
        results = [
            {
                "number": app.number,
                "reference": app.reference,
                "state": app.state,
                "state_label": str(app.get_state_display()),
                "matter_code": app.matter.code,
                "matter_name": app.matter.name,
                "department": lookup.departments[app.department_id].code,
                "channel": app.channel,
                "window": lookup.windows[app.window_id].number if app.window_id else None,
                "holder": sel.holder(app, lookup),
                "accepted_on": app.accepted_on,
                "due_date": app.due_date,
                "statutory_due_date": app.statutory_due_date,
                "clock_status": app.clock_status,
                "url": application_url(app.reference),
            }
            for app in rows
        ]
        return Response(
            _jsonable(
                {
                    "status": drill.status,
                    "next": write_after(following) or None,
                    "results": results,
                }
            )
        )


class MatterPerformanceView(APIView):
    """Public: one matter's decisions, on-time rate and average real handling time (working
    days) over the last 90 days, against its committed and statutory limits. No personal data."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    renderer_classes = [JSONRenderer]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, code: str):
        figures = sel.matter_performance(code, timezone.localdate())
        if figures is None:
            raise NotFound(_("未找到该事项。"))
        return Response(_jsonable(figures))
