"""The centre's daily, weekly and monthly report: charts (ECharts, drawn by dashboard.js from
the numbers the page carries) each with its numbers as a table, print, and one .xlsx."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from centre.access import centre_required
from centre.selectors import figures as sel
from portal import xlsx


def _period(request) -> sel.Period:
    kind = request.GET.get("period", "week")
    kind = kind if kind in sel.KINDS else "week"
    try:
        anchor = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        anchor = timezone.localdate()
    return sel.period_for(kind, anchor)


def charts(data: dict) -> dict:
    """The chart specs dashboard.js draws (the same numbers as the tables under them)."""
    steps = data["callout_steps"]
    out = {
        "callouts": {
            "type": "bar",
            "percent": True,
            "categories": [s["squad_name"] for s in data["callouts"]],
            "series": [
                {
                    "name": step_label,
                    "data": [
                        next((s["rate"] for s in squad["steps"] if s["label"] == step_label), None)
                        for squad in data["callouts"]
                    ],
                }
                for step_label in [s["label"] for s in steps]
            ],
        },
        "on_time": {
            "type": "bar",
            "percent": True,
            "all_labels": True,
            "categories": [r["label"] for r in data["on_time"]],
            "series": [{"name": _("按期率"), "data": [r["rate"] for r in data["on_time"]]}],
        },
        "in_grid": {
            "type": "bar",
            "percent": True,
            "categories": [v["name"] for v in data["incidents"]["villages"]],
            "series": [
                {
                    "name": _("网格内解决率"),
                    "data": [v["rate"] for v in data["incidents"]["villages"]],
                }
            ],
        },
        "categories": {
            "type": "bar",
            "horizontal": True,
            "integer": True,
            "all_labels": True,
            "categories": [c["name"] for c in data["incidents"]["top_categories"]],
            "series": [
                {
                    "name": _("上报数"),
                    "data": [c["count"] for c in data["incidents"]["top_categories"]],
                }
            ],
        },
        "hot_spots": {
            "type": "bar",
            "horizontal": True,
            "integer": True,
            "all_labels": True,
            "categories": [h["name"] for h in data["incidents"]["hot_spots"]],
            "series": [
                {"name": _("上报数"), "data": [h["count"] for h in data["incidents"]["hot_spots"]]}
            ],
        },
    }
    orders = data["work_orders"]
    if orders:
        out["departments"] = {
            "type": "bar",
            "categories": [d["name"] for d in orders["departments"]],
            "series": [
                {
                    "name": _("签收中位时长（分钟）"),
                    "data": [d["sign_for_minutes"] for d in orders["departments"]],
                },
                {
                    "name": _("办理中位时长（小时）"),
                    "data": [d["handling_hours"] for d in orders["departments"]],
                },
            ],
        }
    return out


@centre_required
def figures(request):
    period = _period(request)
    data = sel.report(period)
    return render(
        request,
        "centre/figures.html",
        {"data": data, "period": period, "charts": charts(data), "kinds": sel.KINDS},
    )


@centre_required
def figures_export(request):
    period = _period(request)
    data = sel.report(period)
    book = xlsx.XlsxBook()
    for title, header, rows in workbook_sheets(data):
        book.sheet(title, header, rows)
    response = HttpResponse(content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="centre-report-{period.kind}-{period.start.isoformat()}.xlsx"'
    )
    book.save(response)
    return response


def workbook_sheets(data: dict) -> list[tuple[str, list, list]]:
    period = data["period"]
    incidents = data["incidents"]
    sheets = [
        (
            _("概览"),
            [_("指标"), _("数值")],
            [
                [_("期间"), period.label],
                [_("出动次数"), data["callout_count"]],
                [_("事件上报"), incidents["reported"]],
                [_("事件结案"), incidents["closed"]],
                [_("网格内解决"), incidents["solved_in_grid"]],
                [_("网格内解决率（%）"), incidents["in_grid_rate"]],
                [_("事件评价数"), incidents["ratings"]["count"]],
                [_("事件满意率（%）"), incidents["ratings"]["satisfied_rate"]],
                [_("办件评价数"), data["satisfaction"]["applications"]["count"]],
                [_("办件满意率（%）"), data["satisfaction"]["applications"]["satisfied_rate"]],
            ],
        ),
        (
            _("出动达标"),
            [
                _("中队 / 部门"),
                _("出动次数"),
                _("步骤"),
                _("按时"),
                _("超时"),
                _("未完成"),
                _("达标率（%）"),
            ],
            [
                [
                    squad["squad_name"],
                    squad["callouts"],
                    s["label"],
                    s["on_time"],
                    s["late"],
                    s["missed"],
                    s["rate"],
                ]
                for squad in data["callouts"]
                for s in squad["steps"]
            ],
        ),
        (
            _("按期率"),
            [_("类别"), _("到期办结"), _("按期"), _("按期率（%）")],
            [[r["label"], r["done"], r["on_time"], r["rate"]] for r in data["on_time"]],
        ),
        (
            _("网格内解决"),
            [_("村（社区）"), _("网格"), _("结案"), _("网格内解决"), _("解决率（%）")],
            [
                row
                for v in incidents["villages"]
                for row in (
                    [[v["name"], "", v["closed"], v["in_grid"], v["rate"]]]
                    + [
                        [v["name"], g["name"], g["closed"], g["in_grid"], g["rate"]]
                        for g in v["grids"]
                    ]
                )
            ],
        ),
        (
            _("热点分类"),
            [_("分类编码"), _("分类"), _("上报数")],
            [[c["code"], c["name"], c["count"]] for c in incidents["top_categories"]],
        ),
        (
            _("热点网格"),
            [_("网格编码"), _("网格"), _("上报数")],
            [[h["code"], h["name"], h["count"]] for h in incidents["hot_spots"]],
        ),
    ]
    orders = data["work_orders"]
    if orders:
        sheets.append(
            (
                _("部门工单"),
                [
                    _("部门"),
                    _("收到"),
                    _("按时签收"),
                    _("签收中位时长（分钟）"),
                    _("办理中位时长（小时）"),
                    _("退单"),
                    _("退单率（%）"),
                    _("按期办结率（%）"),
                ],
                [
                    [
                        d["name"],
                        d["received"],
                        d["signed_on_time"],
                        d["sign_for_minutes"],
                        d["handling_hours"],
                        d["returned"],
                        d["return_rate"],
                        d["on_time_rate"],
                    ]
                    for d in orders["departments"]
                ],
            )
        )
    return sheets
