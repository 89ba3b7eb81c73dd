"""An .xlsx of any panel of the board (or all of them): the numbers the board shows, as a table
(portal.xlsx: text stays text)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from centre.access import centre_required
from centre.selectors import board as board_sel
from centre.selectors import forecast as forecast_sel
from centre.selectors import late as late_sel
from centre.selectors.sources import KIND_LABELS
from enforcement.selectors import clock as case_clock
from portal import xlsx

from .lists import application_rows


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _late_rows(rows):
    return [
        [
            r["kind_label"],
            r["number"],
            r["title"],
            r["holder"],
            _local(r["due"]),
            r["late_by"]["text"] if r["late_by"] else _("临期"),
            r["phone"],
        ]
        for r in rows
    ]


def sheets(panel: str, board: dict, params) -> list[tuple[str, list, list]]:
    late_header = [_("类别"), _("编号"), _("事项"), _("承办"), _("期限"), _("超期"), _("电话")]
    out: list[tuple[str, list, list]] = []
    if panel in ("late", "all"):
        if panel == "late":
            kind = params.get("kind", "")
            rows = late_sel.late_list(
                limit=late_sel.MAX_LIMIT,
                overdue_only=params.get("status") == "overdue",
                kinds={kind} if kind in KIND_LABELS else None,
            )
            out.append((_("超期与临期"), late_header, _late_rows([r.as_dict() for r in rows])))
        else:
            out.append((_("超期与临期"), late_header, _late_rows(board["late"]["items"])))
    if panel in ("new_reports", "all"):
        n = board["new_reports"]
        out.append(
            (
                _("新上报"),
                [
                    _("编号"),
                    _("紧急程度"),
                    _("分类"),
                    _("状态"),
                    _("来源"),
                    _("村（社区）"),
                    _("网格"),
                    _("上报时间"),
                    _("已等（分钟）"),
                    _("情况"),
                ],
                [
                    [
                        i["number"],
                        i["urgency_label"],
                        i["category"],
                        i["state_label"],
                        i["source_label"],
                        i["village"],
                        i["grid"],
                        _local(i["reported_at"]),
                        i["age_minutes"],
                        i["description"],
                    ]
                    for i in n["items"]
                ]
                + [
                    [],
                    [_("待核实"), n["unverified"]],
                    [_("待受理"), n["unaccepted"]],
                    [_("待分拨"), n["to_route"]],
                ],
            )
        )
    if panel in ("incidents", "all"):
        states = board["incidents"]["states"]
        rows = []
        for v in board["incidents"]["villages"]:
            rows.append(
                [
                    v["name"],
                    "",
                    v["open"],
                    v["clock"]["overdue"],
                    v["clock"]["warning"],
                    *[v["states"].get(s["state"], 0) for s in states],
                ]
            )
            for g in v["grids"]:
                rows.append(
                    [
                        v["name"],
                        g["name"],
                        g["open"],
                        g["clock"]["overdue"],
                        g["clock"]["warning"],
                        *[g["states"].get(s["state"], 0) for s in states],
                    ]
                )
        out.append(
            (
                _("在办事件"),
                [
                    _("村（社区）"),
                    _("网格"),
                    _("在办"),
                    _("超期"),
                    _("预警"),
                    *[s["label"] for s in states],
                ],
                rows,
            )
        )
    if panel in ("callouts", "all"):
        rows = []
        for c in board["callouts"]["items"]:
            rows.append(
                [
                    c["number"],
                    c["squad_name"],
                    _local(c["called_at"]),
                    c["state_label"],
                    c["description"],
                    c["address"],
                ]
                + [
                    (
                        f"{s['seconds'] // 60}:{s['seconds'] % 60:02d}"
                        if s["seconds"] is not None
                        else str(s["status"])
                    )
                    for s in c["steps"]
                ]
            )
        out.append(
            (
                _("出动"),
                [
                    _("编号"),
                    _("中队"),
                    _("呼叫时间"),
                    _("状态"),
                    _("警情"),
                    _("地点"),
                    _("响应"),
                    _("接单"),
                    _("出发"),
                    _("到场"),
                ],
                rows,
            )
        )
    if panel in ("cases", "all"):
        if panel == "cases":
            kind = params.get("kind", "")
            status = params.get("status", "")
            items = case_clock.deadline_list(
                kind=kind if kind in case_clock.DUE_KINDS else "",
                status=status if status in ("overdue", "warning") else "",
            )
            now = timezone.now()
            rows = [
                [i.number, i.title, i.holder, _local(i.due_at), str(i.late_by(now) or _("临期"))]
                for i in items
            ]
            out.append(
                (_("案件期限"), [_("编号"), _("事项"), _("承办"), _("期限"), _("超期")], rows)
            )
        else:
            out.append(
                (
                    _("案件期限"),
                    [_("期限"), _("已超期"), _("临期")],
                    [[k["label"], k["red"], k["yellow"]] for k in board["cases"]["kinds"]],
                )
            )
    if panel == "applications" and (params.get("status") or params.get("department")):
        found = application_rows(params)
        out.append(
            (
                _("办件红牌") if found["status"] == "overdue" else _("办件黄牌"),
                [
                    _("办件编号"),
                    _("事项"),
                    _("部门"),
                    _("状态"),
                    _("承办"),
                    _("承诺办结日期"),
                    _("超期（工作日）"),
                ],
                [
                    [
                        a["number"],
                        a["matter"],
                        a["department"],
                        a["state"],
                        a["holder"],
                        a["due_date"],
                        a["days_over"],
                    ]
                    for a in found["items"]
                ],
            )
        )
    elif panel in ("applications", "all"):
        out.append(
            (
                _("办件红黄牌"),
                [_("部门"), _("红牌"), _("黄牌")],
                [[d["name"], d["red"], d["yellow"]] for d in board["applications"]["departments"]],
            )
        )
    if panel in ("forecast", "all"):
        data = forecast_sel.cached(limit=500) if panel == "forecast" else board["forecast"]
        out.append(
            (
                _("超期预测"),
                [
                    _("类别"),
                    _("编号"),
                    _("事项"),
                    _("承办"),
                    _("期限"),
                    _("预计办结"),
                    _("排队位置"),
                    _("近期进度（件/工作日）"),
                ],
                [
                    [
                        p["kind_label"],
                        p["number"],
                        p["title"],
                        p["holder"],
                        p["due"],
                        p["expected"] or _("近期无办结"),
                        f"{p['position']}/{p['queue']}",
                        p["pace"],
                    ]
                    for p in data["items"]
                ],
            )
        )
    for key, title in (
        ("work_orders", _("工单")),
        ("returned", _("退单")),
        ("whistles", _("吹哨")),
    ):
        if panel in (key, "all") and board.get(key):
            table = board[key].get("export")
            if table:
                out.append((title, table["header"], table["rows"]))
    if panel in ("duty", "all"):
        d = board["duty"]
        rows = [
            [_("调度员"), x["name"], _("带班") if x["is_lead"] else ""] for x in d["dispatchers"]
        ]
        for s in d["squads"]:
            rows += [
                [s["squad_name"], o["name"], _("带班") if o["is_lead"] else ""]
                for o in s["officers"]
            ]
        out.append((_("值班"), [_("岗位"), _("姓名"), _("带班")], rows))
    return out


PANELS = (
    "all",
    "late",
    "new_reports",
    "incidents",
    "callouts",
    "cases",
    "applications",
    "forecast",
    "work_orders",
    "returned",
    "whistles",
    "duty",
)


@centre_required
def export(request, panel: str):
    if panel not in PANELS:
        raise Http404
    _stamp, board = board_sel.board()
    found = sheets(panel, board, request.GET)
    if not found:
        raise Http404
    book = xlsx.XlsxBook()
    for title, header, rows in found:
        book.sheet(title, header, rows)
    response = HttpResponse(content_type=xlsx.CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="centre-{panel}-{stamp}.xlsx"'
    book.save(response)
    return response
