"""Routing rules travel as .xlsx (read through portal.xlsx's guard, written with its
formula-safe writer), with the register's rule: every problem of the file at once and nothing
written when there is one; else a preview of what would be created and changed; idempotent
(importing an export changes nothing).

Sheet 分拨规则: 规则编码, 顺序, 规则名称, 启用, 分类编码, 区域编码, 时段, 来源, 处理单位类型,
主办部门编码, 协办部门编码, 执法中队编码, 说明. A rule the file does not list stays as it is unless
``switch_off_missing`` (switching off is an explicit act; rules are never deleted)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from approvals.register_io import NO, YES, Problem
from grid.models.dispatch import HandlerKind, RoutingRule, TimeWindow
from grid.models.incidents import Source
from grid.services import routing_rules as svc
from portal import audit, xlsx

SHEET = "分拨规则"
HELP_SHEET = "填写说明"
C_CODE, C_ORDER, C_NAME, C_ACTIVE = "规则编码", "顺序", "规则名称", "启用"
C_CATEGORY, C_AREA, C_TIME, C_SOURCE = "分类编码", "区域编码", "时段", "来源"
C_KIND, C_DEPT, C_CO, C_SQUAD, C_NOTE = (
    "处理单位类型",
    "主办部门编码",
    "协办部门编码",
    "执法中队编码",
    "说明",
)
COLUMNS = [
    C_CODE,
    C_ORDER,
    C_NAME,
    C_ACTIVE,
    C_CATEGORY,
    C_AREA,
    C_TIME,
    C_SOURCE,
    C_KIND,
    C_DEPT,
    C_CO,
    C_SQUAD,
    C_NOTE,
]
REQUIRED = [C_ORDER, C_NAME, C_KIND]

# Values as the town writes them (always Chinese, whatever the user's language).
TIME_LABELS = {"any": "任何时间", "working": "工作时间", "off": "夜间及节假日"}
TIME_BY_TEXT = {
    **{v: k for k, v in TIME_LABELS.items()},
    "": "any",
    "全天": "any",
    "非工作时间": "off",
    "夜间": "off",
    "节假日": "off",
}
KIND_LABELS = {
    "grid": "网格自行处置",
    "department": "镇职能部门",
    "squad": "执法中队",
    "district": "区级部门",
}
KIND_BY_TEXT = {
    **{v: k for k, v in KIND_LABELS.items()},
    "网格": "grid",
    "部门": "department",
    "中队": "squad",
    "区级": "district",
    "执法中队（线索）": "squad",
    "区级部门（转办）": "district",
}
SOURCE_LABELS = {
    "grid_member": "网格员上报",
    "resident": "群众随手拍",
    "hotline": "12345热线",
    "patrol": "巡查发现",
    "camera": "视频监控",
}
SOURCE_BY_TEXT = {
    **{v: k for k, v in SOURCE_LABELS.items()},
    "": "",
    "任何来源": "",
    "热线": "hotline",
}
SPLIT = re.compile(r"[、,，;；\s]+")


@dataclass
class Row:
    row: int
    data: svc.RuleData


@dataclass
class Plan:
    created: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    switched_off: list[dict] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.created or self.changed or self.switched_off)

    @property
    def fingerprint(self) -> str:
        data = json.dumps(
            [self.created, self.changed, self.switched_off], sort_keys=True, default=str
        )
        return hashlib.sha256(data.encode()).hexdigest()[:16]


@dataclass
class ImportResult:
    problems: list[Problem]
    plan: Plan | None
    applied: bool = False
    stale: bool = False


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    return int(text) if text.isdigit() else None


def read_rules(content: bytes) -> tuple[list[Row], list[Problem]]:
    """Read and check the whole file; every problem is collected, none stops the reading."""
    problems: list[Problem] = []
    rows: list[Row] = []
    try:
        book = xlsx.open_workbook(content)
    except xlsx.SpreadsheetRefused as exc:
        return rows, [Problem("", None, "", exc.message)]
    sheets = {ws.title.strip(): ws for ws in book.worksheets}
    if SHEET not in sheets:
        return rows, [Problem(SHEET, None, "", _("缺少工作表“%(sheet)s”。") % {"sheet": SHEET})]
    try:
        values = list(xlsx.sheet_rows(sheets[SHEET]))
    except xlsx.SpreadsheetRefused as exc:
        return rows, [Problem("", None, "", exc.message)]
    if not values:
        return rows, [Problem(SHEET, None, "", _("工作表是空的。"))]
    header = [_text(v) for v in values[0]]
    index = {name: i for i, name in enumerate(header) if name}
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        return rows, [
            Problem(SHEET, 1, "", _("缺少列：%(columns)s") % {"columns": "、".join(missing)})
        ]

    def cell(line, column):
        position = index.get(column)
        return line[position] if position is not None and position < len(line) else None

    lookups = svc.Lookups()
    codes: dict[str, int] = {}
    column_of = {
        "code": C_CODE,
        "order": C_ORDER,
        "name": C_NAME,
        "category_code": C_CATEGORY,
        "area_code": C_AREA,
        "time_window": C_TIME,
        "source": C_SOURCE,
        "handler_kind": C_KIND,
        "department_code": C_DEPT,
        "co_handler_codes": C_CO,
        "squad_code": C_SQUAD,
        "note": C_NOTE,
        "is_active": C_ACTIVE,
    }
    for number, line in enumerate(values[1:], start=2):
        if not any(_text(v) for v in line):
            continue
        bad: dict[str, str] = {}
        active_text = _text(cell(line, C_ACTIVE)).lower()
        active = (
            True if not active_text or active_text in YES else False if active_text in NO else None
        )
        if active is None:
            bad["is_active"] = _("应为“是”或“否”。")
        time_text = _text(cell(line, C_TIME))
        time_window = TIME_BY_TEXT.get(time_text)
        if time_window is None:
            bad["time_window"] = _("应为：%(values)s") % {"values": "、".join(TIME_LABELS.values())}
        source_text = _text(cell(line, C_SOURCE))
        source = SOURCE_BY_TEXT.get(
            source_text, source_text if source_text in Source.values else None
        )
        if source is None:
            bad["source"] = _("应为空（任何来源）或：%(values)s") % {
                "values": "、".join(SOURCE_LABELS.values())
            }
        kind_text = _text(cell(line, C_KIND))
        kind = KIND_BY_TEXT.get(kind_text, kind_text if kind_text in HandlerKind.values else None)
        if kind is None:
            bad["handler_kind"] = _("应为：%(values)s") % {
                "values": "、".join(KIND_LABELS.values())
            }
        order_raw = cell(line, C_ORDER)
        order = _int(order_raw)
        data = svc.RuleData(
            code=_text(cell(line, C_CODE)),
            order=order,
            name=_text(cell(line, C_NAME)),
            is_active=bool(active),
            category_code=_text(cell(line, C_CATEGORY)),
            area_code=_text(cell(line, C_AREA)),
            time_window=time_window or TimeWindow.ANY,
            source=source or "",
            handler_kind=kind or "",
            department_code=_text(cell(line, C_DEPT)),
            co_handler_codes=[c for c in SPLIT.split(_text(cell(line, C_CO))) if c],
            squad_code=_text(cell(line, C_SQUAD)),
            note=_text(cell(line, C_NOTE)),
        )
        checked, found = svc.check(data, lookups)
        for key, message in found.items():
            if key == "handler_kind" and "handler_kind" in bad:
                continue
            bad.setdefault(key, message)
        if data.code:
            if data.code in codes:
                bad["code"] = _("与第%(row)s行重复。") % {"row": codes[data.code]}
            codes.setdefault(data.code, number)
        for key, message in bad.items():
            problems.append(Problem(SHEET, number, column_of.get(key, key), message))
        rows.append(Row(number, data))
    return rows, problems


def plan_import(rows: list[Row], *, switch_off_missing: bool = False) -> Plan:
    plan = Plan()
    existing = {
        r.code: r
        for r in RoutingRule.objects.select_related("area", "department").prefetch_related(
            "co_handlers"
        )
    }
    listed = set()
    for row in rows:
        data = row.data
        rule = existing.get(data.code) if data.code else None
        if rule is None:
            plan.created.append({"row": row.row, "code": data.code, "name": data.name})
            continue
        listed.add(rule.code)
        before = svc.as_data(rule)
        changed = sorted(
            k
            for k in before.__dict__
            if (
                sorted(getattr(before, k)) != sorted(getattr(data, k))
                if k == "co_handler_codes"
                else getattr(before, k) != getattr(data, k)
            )
        )
        if changed:
            plan.changed.append(
                {
                    "row": row.row,
                    "code": rule.code,
                    "name": data.name,
                    "version": rule.version + 1,
                    "fields": changed,
                }
            )
        else:
            plan.unchanged += 1
    if switch_off_missing:
        for code, rule in sorted(existing.items()):
            if code not in listed and rule.is_active:
                plan.switched_off.append({"code": code, "name": rule.name})
    return plan


def _apply(rows: list[Row], plan: Plan, *, actor) -> None:
    changed = {e["code"] for e in plan.changed}
    rules = {r.code: r for r in RoutingRule.objects.all()}
    note = _("表格导入")
    for row in rows:
        data = row.data
        if not data.code or data.code not in rules:
            svc.rule_create(actor=actor, data=data, note=note)
        elif data.code in changed:
            svc.rule_change(actor=actor, rule=rules[data.code], data=data, note=note)
    for entry in plan.switched_off:
        svc.rule_switch(actor=actor, rule=rules[entry["code"]], active=False, note=note)


def import_rules(
    content: bytes, *, actor, dry_run=False, switch_off_missing=False, expected_fingerprint=""
) -> ImportResult:
    rows, problems = read_rules(content)
    if problems:
        return ImportResult(problems, None)
    if dry_run:
        return ImportResult([], plan_import(rows, switch_off_missing=switch_off_missing))
    with transaction.atomic():
        svc.lock_rules()  # one import at a time
        plan = plan_import(rows, switch_off_missing=switch_off_missing)
        if expected_fingerprint and plan.fingerprint != expected_fingerprint:
            return ImportResult([], plan, stale=True)
        if not plan.empty:
            _apply(rows, plan, actor=actor)
            audit.record(
                actor=actor,
                action="routing_rule.import",
                obj=None,
                after={
                    "created": len(plan.created),
                    "changed": len(plan.changed),
                    "switched_off": len(plan.switched_off),
                },
            )
        return ImportResult([], plan, applied=not plan.empty)


def rule_row(rule: RoutingRule) -> list:
    return [
        rule.code,
        rule.order,
        rule.name,
        "是" if rule.is_active else "否",
        rule.category_code,
        rule.area.code if rule.area_id else "",
        TIME_LABELS[rule.time_window],
        SOURCE_LABELS.get(rule.source, ""),
        KIND_LABELS[rule.handler_kind],
        rule.department.code if rule.department_id else "",
        "、".join(sorted(d.code for d in rule.co_handlers.all())),
        rule.squad_code,
        rule.note,
    ]


def export_rules() -> bytes:
    from enforcement.selectors.team import squads
    from portal.models import Department

    rules = (
        RoutingRule.objects.select_related("area", "department")
        .prefetch_related("co_handlers")
        .order_by("order", "id")
    )
    help_rows = [
        ("规则顺序", "按顺序逐条比对，第一条匹配的规则生效；停用的规则不参与匹配"),
        ("分类编码", "事件小类或大类编码；留空表示任何分类"),
        ("区域编码", "村（社区）、网格或专属网格的编码；留空表示全镇"),
        ("时段", "、".join(TIME_LABELS.values()) + "（工作时间按工作日历与 WORKING_HOURS 设置）"),
        ("来源", "留空表示任何来源；或：" + "、".join(SOURCE_LABELS.values())),
        ("处理单位类型", "、".join(KIND_LABELS.values())),
        ("协办部门编码", "可填多个，用顿号分隔；仅镇职能部门类规则"),
        (
            "导入规则",
            "先检查全部行，有任何问题则列出全部问题、不写入；规则编码相同的视为同一规则，内容不同则生成新版本",
        ),
    ]
    departments = [
        (d.code, d.name, d.get_kind_display(), "是" if d.is_active else "否")
        for d in Department.objects.order_by("kind", "code")
    ]
    squad_rows = [(s.code, s.name) for s in squads()]
    return xlsx.write_xlsx(
        [
            (SHEET, COLUMNS, [rule_row(r) for r in rules]),
            (HELP_SHEET, ["项目", "说明"], help_rows),
            ("部门编码", ["部门编码", "部门名称", "类别", "启用"], departments),
            ("执法中队编码", ["中队编码", "中队名称"], squad_rows),
        ]
    )
