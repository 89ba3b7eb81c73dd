"""The supervisors' dashboards (限时办结看板 and 服务质量), their drill-down list, the .xlsx
export of any of them, and the public per-matter page.

Thin views: the figures come from approvals.selectors.dashboard. A bad filter (an end before
the start, an unknown department…) is shown on its field, with what was typed kept, and the
page answers 400 with the default figures rather than failing. ``?screen=1`` is the command
centre's big-screen mode: dark, large, no navigation, refreshing itself (htmx) every
``DASHBOARD_REFRESH_SECONDS``."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.models import Application, ClockStatus, Matter
from approvals.selectors import dashboard as sel
from portal import roles, workdays, xlsx
from portal.access import role_required
from portal.models import User

REFRESH_SECONDS = 60


def refresh_seconds() -> int:
    return int(settings.ONEWINDOW.get("DASHBOARD_REFRESH_SECONDS", REFRESH_SECONDS))


def is_supervisor(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(roles.SUPERVISOR)))


supervisor_required = role_required(roles.SUPERVISOR)

# --- filters ---------------------------------------------------------------------------------


class FilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    department = forms.TypedChoiceField(
        label=gettext_lazy("部门"), required=False, coerce=int, empty_value=None
    )
    window = forms.TypedChoiceField(
        label=gettext_lazy("窗口"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(label=gettext_lazy("事项类型"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("申请渠道"), required=False)
    village = forms.ChoiceField(label=gettext_lazy("村（社区）"), required=False)

    def __init__(self, *args, lookup: sel.Names, **kwargs):
        super().__init__(*args, **kwargs)
        choices = sel.filter_choices(lookup)
        self.lookup = lookup
        self.fields["department"].choices = [("", _("全部部门"))] + [
            (d.pk, d.short_name or d.name) for d in choices["departments"]
        ]
        self.fields["window"].choices = [("", _("全部窗口"))] + [
            (w.pk, lookup.window(w.pk)) for w in choices["windows"]
        ]
        self.fields["kind"].choices = [("", _("全部类型")), *choices["kinds"]]
        self.fields["channel"].choices = [("", _("全部渠道")), *choices["channels"]]
        self.fields["village"].choices = [("", _("全部村（社区）")), *choices["villages"]]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("截止日期不能早于开始日期。"))
        elif start and end and (end - start).days + 1 > sel.MAX_RANGE_DAYS:
            self.add_error("start", _("时间范围最长五年。"))
        return data

    def to_filters(self, today: date) -> sel.Filters:
        """The filters, from the valid fields (the default range where a date is missing)."""
        default = sel.Filters.default(today)
        data = self.cleaned_data if self.is_bound else {}
        if self.errors:
            data = {k: v for k, v in data.items() if k not in self.errors}
            if "end" in self.errors or "start" in self.errors:
                data.pop("start", None)
                data.pop("end", None)
        end = data.get("end") or (
            data["start"] + timedelta(days=sel.DEFAULT_RANGE_DAYS - 1)
            if data.get("start")
            else default.end
        )
        start = data.get("start") or end - timedelta(days=sel.DEFAULT_RANGE_DAYS - 1)
        return sel.Filters(
            start=start,
            end=end,
            department=self.lookup.departments.get(data.get("department")),
            window=self.lookup.windows.get(data.get("window")),
            kind=data.get("kind") or "",
            channel=data.get("channel") or "",
            village=self.lookup.villages.get(data.get("village") or ""),
        )


def read_filters(params, today: date, lookup: sel.Names | None = None):
    """(form, filters, lookup) from GET parameters; the form carries the errors."""
    lookup = lookup or sel.names()
    keys = ("start", "end", "department", "window", "kind", "channel", "village")
    bound = any(params.get(k) for k in keys)
    default = sel.Filters.default(today)
    form = FilterForm(
        params if bound else None,
        lookup=lookup,
        initial={"start": default.start, "end": default.end},
    )
    if bound:
        form.is_valid()
    return form, form.to_filters(today), lookup


# --- links -----------------------------------------------------------------------------------


def application_url(reference: str) -> str:
    """The staff page of an application, or its API detail where the staff pages are absent."""
    try:
        return reverse("approvals:staff-application", args=[reference])
    except NoReverseMatch:
        return f"/api/v1/applications/{reference}/"


def _optional_url(name: str) -> str:
    """The URL of another area's page, or "" while that page does not exist."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _url(name: str, params: dict) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


HANDLER_ROWS = 20  # reviewers listed on the page (the export lists them all)


def _decorate(data: dict, filters: sel.Filters) -> None:
    """Links of the cards and the overdue list (the drill-down), for the rows shown."""
    base = reverse("approvals:dashboard-list")
    query = filters.query()
    prefix = f"{base}?{urlencode(query)}&"

    def link(**extra) -> str:
        # urlencode of the merged parameters: the filters' part is the same for every link
        # (encoded once) unless a link overrides one of them (then in its place, as before).
        if query.keys() & extra.keys():
            return f"{base}?{urlencode({**query, **extra})}"
        return prefix + urlencode(extra)

    cards = data.get("cards")
    if cards:
        for dim, rows in (
            ("department", cards["department"]),
            ("window", cards["window"]),
            ("handler", cards["handler"][:HANDLER_ROWS]),
        ):
            for row in rows:
                if row["key"] is None:
                    extra = {"no_window" if dim == "window" else "unclaimed": 1}
                else:
                    extra = {dim: row["key"]}
                row["red_url"] = link(status="overdue", **extra)
                row["yellow_url"] = link(status="warning", **extra)
        cards["red_url"] = link(status="overdue")
        cards["yellow_url"] = link(status="warning")
    for row in data.get("overdue", []):
        row["url"] = application_url(row["reference"])
    position = data.get("position")
    if position:
        position["urls"] = {
            status: link(status=status) for status in ("normal", "warning", "overdue", "paused")
        }


# --- pages -----------------------------------------------------------------------------------


def _context(request, view: str) -> tuple[dict, int]:
    today = timezone.localdate()
    form, filters, lookup = read_filters(request.GET, today)
    if view == "quality":
        data = sel.service_quality(filters, today, lookup)
    else:
        data = sel.time_limits(filters, today, lookup)
        _decorate(data, filters)
    query = urlencode(filters.query())
    screen = request.GET.get("screen") == "1"
    context = {
        **data,
        "form": form,
        "view": view,
        "query": query,
        "screen": screen,
        "refresh_seconds": refresh_seconds(),
        "village_filter": sel.village_filter_available(),
        "export_url": f"{reverse('approvals:dashboard-export')}?{urlencode(filters.query(view=view))}",
        "charts": chart_data(view, data),
        "rectifications_url": _optional_url("approvals:rectifications"),
    }
    return context, 400 if form.errors else 200


@supervisor_required
def dashboard(request):
    """限时办结看板: open work and its clock now, and the history of the range."""
    context, status = _context(request, "time-limits")
    template = "approvals/dashboard/time_limits.html"
    if request.headers.get("HX-Request") and request.GET.get("partial") == "1":
        template = "approvals/dashboard/_time_limits_panels.html"
    return render(request, template, context, status=status)


@supervisor_required
def dashboard_quality(request):
    """服务质量: ratings, rectifications of bad ratings, hall waiting and service times."""
    context, status = _context(request, "quality")
    template = "approvals/dashboard/quality.html"
    if request.headers.get("HX-Request") and request.GET.get("partial") == "1":
        template = "approvals/dashboard/_quality_panels.html"
    return render(request, template, context, status=status)


STATUS_LABELS = {
    "overdue": gettext_lazy("超期（红牌）"),
    "warning": gettext_lazy("预警（黄牌）"),
    "normal": gettext_lazy("正常"),
    "paused": gettext_lazy("暂停计时（特别程序）"),
    "running": gettext_lazy("计时中"),
    "open": gettext_lazy("全部在办"),
}


def read_drill(params) -> tuple[sel.Drill, dict]:
    """The drill-down parameters beyond the filters, with errors by field."""
    errors = {}
    status = params.get("status") or "overdue"
    if status not in sel.DRILL_STATUSES:
        errors["status"] = _("未知的状态。")
        status = "overdue"
    handler_id = None
    if params.get("handler"):
        try:
            handler_id = int(params["handler"])
        except (TypeError, ValueError):
            errors["handler"] = _("承办人无效。")
    return (
        sel.Drill(
            status=status,
            handler_id=handler_id,
            unclaimed=params.get("unclaimed") == "1",
            online=params.get("no_window") == "1",
        ),
        errors,
    )


def read_after(value: str | None) -> tuple[tuple[date | None, int] | None, bool]:
    """The keyset cursor "YYYY-MM-DD.ID" (or "-.ID" for no due date); (None, False) if bad."""
    if not value:
        return None, True
    try:
        due, pk = value.split(".", 1)
        return ((None if due == "-" else date.fromisoformat(due)), int(pk)), True
    except (TypeError, ValueError):
        return None, False


def write_after(key: tuple[date | None, int] | None) -> str:
    if key is None:
        return ""
    due, pk = key
    return f"{due.isoformat() if due else '-'}.{pk}"


@supervisor_required
def dashboard_list(request):
    """The applications behind a card, 50 at a time (keyset), each linking to its page."""
    today = timezone.localdate()
    form, filters, lookup = read_filters(request.GET, today)
    drill, errors = read_drill(request.GET)
    after, after_ok = read_after(request.GET.get("after"))
    if not after_ok:
        errors["after"] = _("翻页参数无效，已回到第一页。")
    qs = sel.drilldown(filters, drill, today)
    rows, following = sel.drilldown_page(qs, after=after, size=sel.PAGE_SIZE)
    handler = User.objects.filter(pk=drill.handler_id).first() if drill.handler_id else None
    keep = {
        k: request.GET[k]
        for k in ("status", "handler", "unclaimed", "no_window")
        if request.GET.get(k)
    }
    clock_labels = dict(ClockStatus.choices)
    items = [
        {
            "app": app,
            "reference": app.reference,
            "url": application_url(app.reference),
            "matter": app.matter.name,
            "department": lookup.department(app.department_id),
            "state": app.get_state_display(),
            "holder": sel.holder(app, lookup),
            "accepted_on": app.accepted_on.isoformat() if app.accepted_on else "—",
            "due_date": app.due_date.isoformat() if app.due_date else "—",
            "clock": app.clock_status,
            "clock_label": clock_labels.get(app.clock_status, ""),
        }
        for app in rows
    ]
    context = {
        "form": form,
        "filters": filters,
        "drill": drill,
        "status_label": STATUS_LABELS[drill.status],
        "handler": handler,
        "items": items,
        "count": qs.order_by().count(),
        "today": today,
        "errors": errors,
        "first_url": _url("approvals:dashboard-list", filters.query(**keep)),
        "next_url": _url(
            "approvals:dashboard-list", filters.query(**keep, after=write_after(following))
        )
        if following
        else "",
        "export_url": _url("approvals:dashboard-export", filters.query(view="list", **keep)),
        "back_url": _url("approvals:dashboard", filters.query()),
        "village_filter": sel.village_filter_available(),
    }
    status = 400 if (form.errors or errors) else 200
    return render(request, "approvals/dashboard/list.html", context, status=status)


@supervisor_required
def dashboard_export(request):
    """Any of the three views as an .xlsx workbook, with the filters on its first sheet."""
    today = timezone.localdate()
    form, filters, lookup = read_filters(request.GET, today)
    view = request.GET.get("view") or "time-limits"
    if form.errors or view not in ("time-limits", "quality", "list"):
        context, _status = _context(request, "time-limits")
        if view not in ("time-limits", "quality", "list"):
            context["export_error"] = _("未知的导出内容。")
        return render(request, "approvals/dashboard/time_limits.html", context, status=400)
    if view == "list":
        drill, errors = read_drill(request.GET)
        if errors:
            context, _status = _context(request, "time-limits")
            context["export_error"] = " ".join(errors.values())
            return render(request, "approvals/dashboard/time_limits.html", context, status=400)
        limit = export_limit(request.GET.get("limit"))
        return list_response(filters, drill, today, limit=limit, lookup=lookup)
    if view == "quality":
        return quality_response(filters, sel.service_quality(filters, today, lookup))
    data = sel.time_limits(filters, today, lookup)
    data["history"] = sel.history(filters, lookup, matters=None)
    return time_limits_response(filters, data)


# --- public ----------------------------------------------------------------------------------


def matter_performance(request, code: str):
    """The town's transparency promise: for one matter, the on-time rate and the average real
    handling time over the last 90 days. Counts only, no personal data."""
    today = timezone.localdate()
    figures = sel.matter_performance(code, today)
    if figures is None:
        raise Http404
    figures["kind_label"] = Matter.Kind(figures["kind"]).label if figures["kind"] else ""
    try:
        guide_url = reverse("approvals:guide-matter", args=[code])
    except NoReverseMatch:
        guide_url = ""
    return render(
        request,
        "approvals/dashboard/matter_performance.html",
        {"figures": figures, "guide_url": guide_url, "channels": Application.Channel},
    )


# --- charts ----------------------------------------------------------------------------------

STATUS_COLOURS = {
    "normal": "#2b8a3e",
    "warning": "#e8a317",
    "overdue": "#c92a2a",
    "paused": "#1c7ed6",
    "not_started": "#868e96",
    "stopped": "#adb5bd",
}
RATING_LEVELS = (5, 4, 3, 2, 1)


def _pct(value) -> float | None:
    return None if value is None else round(value * 100, 1)


def chart_data(view: str, data: dict) -> dict:
    """What the ECharts charts draw (the same numbers as the tables under them)."""
    from approvals.models import Rating

    if view == "quality":
        totals = data["ratings"]["totals"]
        departments = data["ratings"]["departments"][:15]
        hall = data["hall"]
        return {
            "ratings": {
                "levels": [
                    {"name": str(Rating(n).label), "value": totals[f"rating_{n}"]}
                    for n in RATING_LEVELS
                ],
                "colours": ["#2b8a3e", "#69db7c", "#ffd43b", "#ff922b", "#c92a2a"],
            },
            "ratings_departments": {
                "categories": [d["label"] for d in departments],
                "stack": True,
                "horizontal": True,
                "integer": True,
                "series": [
                    {"name": str(Rating(n).label), "data": [d[f"rating_{n}"] for d in departments]}
                    for n in RATING_LEVELS
                ],
                "colours": ["#2b8a3e", "#69db7c", "#ffd43b", "#ff922b", "#c92a2a"],
            },
            "hall_hour": {
                "categories": [r["label"] for r in hall["by_hour"]],
                "series": [
                    {
                        "name": _("平均等候（分钟）"),
                        "data": [r["wait_avg_min"] for r in hall["by_hour"]],
                    },
                    {
                        "name": _("平均办理（分钟）"),
                        "data": [r["service_avg_min"] for r in hall["by_hour"]],
                    },
                ],
                "type": "line",
            },
            "hall_category": {
                "categories": [r["label"] for r in hall["by_category"]],
                "series": [
                    {
                        "name": _("平均等候（分钟）"),
                        "data": [r["wait_avg_min"] for r in hall["by_category"]],
                    },
                    {
                        "name": _("平均办理（分钟）"),
                        "data": [r["service_avg_min"] for r in hall["by_category"]],
                    },
                ],
                "type": "bar",
            },
        }
    position = data["position"]
    cards = data["cards"]["department"][:12]
    series = data["history"]["series"]
    departments = data["history"]["departments"][:15]
    return {
        "position": {
            # states down the side, every bar with its label (seven states side by side left
            # ECharts room for four labels)
            "horizontal": True,
            "all_labels": True,
            "categories": [row["label"] for row in position["states"]],
            "series": [
                {
                    "name": status["label"],
                    "data": [row["counts"][status["status"]] for row in position["states"]],
                    "colour": STATUS_COLOURS[status["status"]],
                }
                for status in position["statuses"]
            ],
            "stack": True,
            "integer": True,
        },
        "cards": {
            "categories": [row["label"] for row in cards],
            "series": [
                {
                    "name": _("超期（红牌）"),
                    "data": [r["red"] for r in cards],
                    "colour": STATUS_COLOURS["overdue"],
                },
                {
                    "name": _("预警（黄牌）"),
                    "data": [r["yellow"] for r in cards],
                    "colour": STATUS_COLOURS["warning"],
                },
            ],
            "stack": True,
            "horizontal": True,
            "integer": True,
        },
        "daily": {
            "categories": [
                row["day"].strftime("%Y-%m" if row["month"] else "%m-%d") for row in series
            ],
            "series": [
                {"name": _("受理"), "data": [r["accepted"] for r in series], "type": "bar"},
                {"name": _("办结"), "data": [r["completed"] for r in series], "type": "bar"},
                {
                    "name": _("按时办结率（%）"),
                    "data": [_pct(r["on_time_rate"]) for r in series],
                    "type": "line",
                    "axis": 1,
                },
            ],
            "percent_axis": True,
            "integer": True,
        },
        "departments": {
            "categories": [d["label"] for d in departments],
            "series": [
                {
                    "name": _("实际办理（工作日）"),
                    "data": [d["avg_handling_days"] for d in departments],
                },
                {
                    "name": _("承诺时限（工作日）"),
                    "data": [d["avg_committed_days"] for d in departments],
                },
                {
                    "name": _("法定时限（工作日）"),
                    "data": [d["avg_statutory_days"] for d in departments],
                },
            ],
            "type": "bar",
        },
        "compression": {
            "categories": [d["label"] for d in departments],
            "series": [
                {
                    "name": _("实际／承诺（%）"),
                    "data": [_pct(d["handling_vs_committed"]) for d in departments],
                },
                {
                    "name": _("实际／法定（%）"),
                    "data": [_pct(d["handling_vs_statutory"]) for d in departments],
                },
            ],
            "type": "bar",
            "percent": True,
        },
    }


# --- .xlsx export ----------------------------------------------------------------------------

EXPORT_MAX_ROWS = 50_000
XLSX = xlsx.CONTENT_TYPE


def export_limit(value) -> int:
    cap = int(settings.ONEWINDOW.get("DASHBOARD_EXPORT_MAX_ROWS", EXPORT_MAX_ROWS))
    try:
        return max(1, min(int(value), cap)) if value else cap
    except (TypeError, ValueError):
        return cap


def _filters_rows(filters: sel.Filters) -> list[list]:
    return [
        [_("开始日期"), filters.start.isoformat()],
        [_("截止日期"), filters.end.isoformat()],
        [_("部门"), (filters.department.name if filters.department else _("全部部门"))],
        [_("窗口"), (str(filters.window) if filters.window else _("全部窗口"))],
        [_("事项类型"), (Matter.Kind(filters.kind).label if filters.kind else _("全部类型"))],
        [
            _("申请渠道"),
            (Application.Channel(filters.channel).label if filters.channel else _("全部渠道")),
        ],
        [_("村（社区）"), (filters.village.name if filters.village else _("全部村（社区）"))],
        [_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
    ]


class _Book(xlsx.XlsxBook):
    def response(self, name: str):
        from django.http import HttpResponse

        response = HttpResponse(content_type=xlsx.CONTENT_TYPE)
        self.save(response)
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
        return response


def _figure_columns() -> list[tuple[str, str]]:
    return [
        ("accepted", _("受理")),
        ("deemed_accepted", _("逾期视为受理")),
        ("decided", _("作出决定")),
        ("decided_on_time", _("按时决定")),
        ("on_time_rate", _("按时办结率")),
        ("avg_handling_days", _("平均实际办理（工作日）")),
        ("avg_committed_days", _("平均承诺时限（工作日）")),
        ("avg_statutory_days", _("平均法定时限（工作日）")),
        ("handling_vs_committed", _("实际／承诺")),
        ("handling_vs_statutory", _("实际／法定")),
        ("completed", _("办结")),
        ("suspensions", _("特别程序")),
        ("extensions", _("延期")),
        ("corrections", _("一次性告知补正")),
        ("refused", _("不予受理")),
        ("withdrawn", _("撤回")),
    ]


def time_limits_response(filters: sel.Filters, data: dict):
    book = _Book()
    book.sheet(_("筛选条件"), [_("条件"), _("值")], _filters_rows(filters))
    position = data["position"]
    book.sheet(
        _("在办状态"),
        [_("状态"), *[s["label"] for s in position["statuses"]], _("合计")],
        [
            [
                row["label"],
                *[row["counts"][s["status"]] for s in position["statuses"]],
                row["total"],
            ]
            for row in position["states"]
        ],
    )
    for dim, title in (
        ("department", _("红黄牌（部门）")),
        ("window", _("红黄牌（窗口）")),
        ("handler", _("红黄牌（承办人）")),
    ):
        book.sheet(
            title,
            [_("名称"), _("超期（红牌）"), _("预警（黄牌）")],
            [[r["label"], r["red"], r["yellow"]] for r in data["cards"][dim]],
        )
    book.sheet(
        _("超期办件"),
        [_("办件编号"), _("事项"), _("部门"), _("状态"), _("持有人"), _("受理日期"), _("承诺办结日期"), _("超期工作日")],
        [
            [r["number"], r["matter"], r["department"], r["state_label"], r["holder"], r["accepted_on"], r["due_date"], r["days_overdue"]]
            for r in data["overdue"]
        ],
    )  # fmt: skip
    columns = _figure_columns()
    history = data["history"]
    book.sheet(
        _("每日"),
        [_("日期"), *[label for _k, label in columns]],
        [[row["day"], *[row[k] for k, _label in columns]] for row in history["series"]],
    )
    book.sheet(
        _("部门"),
        [_("部门"), *[label for _k, label in columns]],
        [[row["label"], *[row[k] for k, _label in columns]] for row in history["departments"]],
    )
    book.sheet(
        _("事项"),
        [_("事项编码"), _("事项名称"), _("承诺时限"), _("法定时限"), *[label for _k, label in columns]],
        [
            [row["code"], row["name"], row.get("committed"), row.get("statutory"), *[row[k] for k, _label in columns]]
            for row in history["matters"]
        ],
    )  # fmt: skip
    return book.response("time-limits")


def quality_response(filters: sel.Filters, data: dict):
    from approvals.models import Rating

    book = _Book()
    book.sheet(_("筛选条件"), [_("条件"), _("值")], _filters_rows(filters))
    totals = data["ratings"]["totals"]
    book.sheet(
        _("评价等级"),
        [_("评价"), _("件数")],
        [[str(Rating(n).label), totals[f"rating_{n}"]] for n in RATING_LEVELS],
    )
    book.sheet(
        _("评价（部门）"),
        [_("部门"), *[str(Rating(n).label) for n in RATING_LEVELS], _("满意率")],
        [
            [d["label"], *[d[f"rating_{n}"] for n in RATING_LEVELS], d["satisfaction_rate"]]
            for d in data["ratings"]["departments"]
        ],
    )
    rect = data["rectifications"]
    book.sheet(
        _("差评整改"),
        [_("部门"), _("整改中"), _("超期未整改"), _("期间新增"), _("期间办结")],
        [
            [r["label"], r["open"], r["overdue"], r["opened"], r["closed"]]
            for r in rect["departments"]
        ],
    )
    header = [_("名称"), _("叫号"), _("办结"), _("过号"), _("平均等候（分钟）"), _("最长等候（分钟）"), _("平均办理（分钟）"), _("最长办理（分钟）")]  # fmt: skip
    for key, title in (
        ("by_category", _("大厅（业务类别）")),
        ("by_window", _("大厅（窗口）")),
        ("by_hour", _("大厅（时段）")),
    ):
        book.sheet(
            title,
            header,
            [
                [r["label"], r["calls"], r["finished"], r["no_shows"], r["wait_avg_min"], r["wait_max_min"], r["service_avg_min"], r["service_max_min"]]
                for r in data["hall"][key]
            ],
        )  # fmt: skip
    return book.response("service-quality")


def list_response(
    filters: sel.Filters, drill: sel.Drill, today: date, *, limit: int, lookup: sel.Names
):
    from approvals.models import ClockStatus, State

    book = _Book()
    book.sheet(
        _("筛选条件"),
        [_("条件"), _("值")],
        [*_filters_rows(filters), [_("状态"), str(STATUS_LABELS[drill.status])]],
    )
    qs = sel.drilldown(filters, drill, today)
    fields = (
        "number", "state", "matter__code", "matter__name", "department_id", "channel",
        "window_id", "handler__real_name", "handler__username", "accepted_on", "due_date",
        "statutory_due_date", "clock_status",
    )  # fmt: skip
    states = dict(State.choices)
    statuses = dict(ClockStatus.choices)
    channels = dict(Application.Channel.choices)

    def rows():
        for r in qs.values_list(*fields)[:limit].iterator(chunk_size=2000):
            (number, state, code, name, dept, channel, window, handler, username, accepted,
             due, statutory, clock) = r  # fmt: skip
            over = (
                workdays.working_days_between(due, today)
                if due and clock == ClockStatus.OVERDUE
                else 0
            )
            yield [
                number, str(states.get(state, state)), code, name,
                lookup.department_full(dept), str(channels.get(channel, channel)),
                lookup.windows[window].number if window in lookup.windows else None,
                handler or username, accepted, due, statutory, str(statuses.get(clock, clock)),
                over,
            ]  # fmt: skip

    book.sheet(
        _("办件清单"),
        [_("办件编号"), _("状态"), _("事项编码"), _("事项名称"), _("办理部门"), _("申请渠道"), _("窗口"), _("承办人"), _("受理日期"), _("承诺办结日期"), _("法定办结日期"), _("时效状态"), _("超期工作日")],
        rows(),
    )  # fmt: skip
    return book.response("applications")
