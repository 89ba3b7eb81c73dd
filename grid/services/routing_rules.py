"""Routing rules (分拨规则): create, change, switch on/off, reorder. Every save is a new version
(RoutingRuleVersion keeps what it was) and bumps the routing stamp, so every process reloads its
compiled rules. Fields travel as codes (category, area, departments, squad), the same for the
pages, the API and the .xlsx import; ``check`` reports every problem of a rule at once."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grid.models.dispatch import (
    CategoryLevel,
    HandlerKind,
    RoutingRule,
    RoutingRuleVersion,
    TimeWindow,
)
from grid.models.incidents import Source
from grid.services.dispatch import bump_stamp
from portal import audit
from portal.errors import ActionError, Conflict
from portal.models import Area, AreaKind, Department

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,15}$")
RULE_AREA_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.SPECIAL_GRID)


@dataclass
class RuleData:
    """A rule as people write it: codes, not objects."""

    code: str = ""
    order: int | None = None
    name: str = ""
    is_active: bool = True
    category_code: str = ""  # leaf or branch code; "" = any
    area_code: str = ""
    time_window: str = TimeWindow.ANY
    source: str = ""
    handler_kind: str = ""
    department_code: str = ""
    co_handler_codes: list[str] = field(default_factory=list)
    squad_code: str = ""
    note: str = ""


@dataclass
class Checked:
    data: RuleData
    category_level: str
    area: Area | None
    department: Department | None
    co_handlers: list[Department]


class Lookups:
    """What ``check`` needs, loaded once for a whole file."""

    def __init__(self):
        from enforcement.selectors.team import squads
        from grid.models import Category, CategoryBranch

        self.leaves = set(Category.objects.current().values_list("code", flat=True))
        self.branches = set(CategoryBranch.objects.values_list("code", flat=True))
        self.departments = {d.code: d for d in Department.objects.all()}
        self.squads = set(squads().values_list("code", flat=True))
        self._areas: dict[str, Area | None] = {}

    def area(self, code: str) -> Area | None:
        if code not in self._areas:
            self._areas[code] = Area.objects.filter(code=code).first()
        return self._areas[code]


def check(data: RuleData, lookups: Lookups | None = None) -> tuple[Checked | None, dict[str, str]]:
    """Check one rule; returns (checked, {field: problem}) — every problem at once."""
    lookups = lookups or Lookups()
    problems: dict[str, str] = {}
    data.code = (data.code or "").strip().upper()
    data.name = (data.name or "").strip()
    data.category_code = (data.category_code or "").strip().upper()
    data.area_code = (data.area_code or "").strip()
    data.department_code = (data.department_code or "").strip().upper()
    data.co_handler_codes = [c.strip().upper() for c in data.co_handler_codes if c and c.strip()]
    data.squad_code = (data.squad_code or "").strip().upper()
    data.note = (data.note or "").strip()
    if data.code and not CODE_RE.match(data.code):
        problems["code"] = _("编码只能由字母、数字、-、_组成，最长16位。")
    if not data.name:
        problems["name"] = _("必填。")
    elif len(data.name) > 64:
        problems["name"] = _("最长64个字。")
    if data.order is None or not 1 <= data.order <= 100000:
        problems["order"] = _("应为1到100000之间的整数。")
    level = CategoryLevel.ANY
    if data.category_code:
        if data.category_code in lookups.leaves:
            level = CategoryLevel.LEAF
        elif data.category_code in lookups.branches:
            level = CategoryLevel.BRANCH
        else:
            problems["category_code"] = _("没有编码为 %(code)s 的事件大类或小类。") % {
                "code": data.category_code
            }
    area = None
    if data.area_code:
        area = lookups.area(data.area_code)
        if area is None:
            problems["area_code"] = _("没有编码为 %(code)s 的区域。") % {"code": data.area_code}
        elif area.kind not in RULE_AREA_KINDS:
            problems["area_code"] = _("区域应为村（社区）、网格或专属网格。")
    if data.time_window not in TimeWindow.values:
        problems["time_window"] = _("应为：任何时间、工作时间或夜间及节假日。")
    if data.source and data.source not in Source.values:
        problems["source"] = _("来源不正确。")
    if len(data.note) > 200:
        problems["note"] = _("最长200个字。")
    department = None
    co = []
    kind = data.handler_kind
    if kind not in HandlerKind.values:
        problems["handler_kind"] = _("请选择处理单位类型。")
    elif kind in (HandlerKind.DEPARTMENT, HandlerKind.DISTRICT):
        department = lookups.departments.get(data.department_code)
        wanted = (
            Department.Kind.EXTERNAL if kind == HandlerKind.DISTRICT else Department.Kind.INTERNAL
        )
        if department is None:
            problems["department_code"] = (
                _("没有编码为 %(code)s 的部门。") % {"code": data.department_code}
                if data.department_code
                else _("请选择主办部门。")
            )
        elif department.kind != wanted:
            problems["department_code"] = (
                _("区级部门请选择“区级部门（转办）”。")
                if department.kind == Department.Kind.EXTERNAL
                else _("镇内部门请选择“镇职能部门”。")
            )
        for code in data.co_handler_codes:
            found = lookups.departments.get(code)
            if found is None:
                problems["co_handler_codes"] = _("没有编码为 %(code)s 的部门。") % {"code": code}
            elif found.kind != Department.Kind.INTERNAL:
                problems["co_handler_codes"] = _("协办部门须为镇内部门：%(name)s") % {
                    "name": found.name
                }
            elif code == data.department_code or found in co:
                problems["co_handler_codes"] = _("协办部门重复：%(name)s") % {"name": found.name}
            else:
                co.append(found)
        if kind == HandlerKind.DISTRICT and data.co_handler_codes:
            problems["co_handler_codes"] = _("区级转办不设协办部门。")
    else:
        if data.department_code or data.co_handler_codes:
            problems["department_code"] = _("网格自行处置或执法中队的规则不填部门。")
        if kind == HandlerKind.SQUAD:
            # No squad: enforcement picks the squad whose patrol area covers the place.
            if data.squad_code and data.squad_code not in lookups.squads:
                problems["squad_code"] = _("没有编码为 %(code)s 的执法中队（或已停用）。") % {
                    "code": data.squad_code
                }
    if kind != HandlerKind.SQUAD and data.squad_code:
        problems["squad_code"] = _("只有执法中队类规则填写中队。")
    if problems:
        return None, problems
    return Checked(data, level, area, department, co), {}


def snapshot(rule: RoutingRule) -> dict:
    return {
        "code": rule.code,
        "order": rule.order,
        "name": rule.name,
        "is_active": rule.is_active,
        "category_level": rule.category_level,
        "category_code": rule.category_code,
        "area": {"code": rule.area.code, "name": rule.area.name} if rule.area_id else None,
        "time_window": rule.time_window,
        "source": rule.source,
        "handler_kind": rule.handler_kind,
        "department": (
            {"code": rule.department.code, "name": rule.department.name}
            if rule.department_id
            else None
        ),
        "co_handlers": [
            {"code": d.code, "name": d.name} for d in rule.co_handlers.order_by("code")
        ],
        "squad_code": rule.squad_code,
        "note": rule.note,
    }


def as_data(rule: RoutingRule) -> RuleData:
    return RuleData(
        code=rule.code,
        order=rule.order,
        name=rule.name,
        is_active=rule.is_active,
        category_code=rule.category_code,
        area_code=rule.area.code if rule.area_id else "",
        time_window=rule.time_window,
        source=rule.source,
        handler_kind=rule.handler_kind,
        department_code=rule.department.code if rule.department_id else "",
        co_handler_codes=sorted(d.code for d in rule.co_handlers.all()),
        squad_code=rule.squad_code,
        note=rule.note,
    )


def _label(actor) -> str:
    return (
        str(actor) if getattr(actor, "pk", None) else (actor if isinstance(actor, str) else "系统")
    )


def _next_code() -> str:
    n = RoutingRule.objects.count() + 1
    while RoutingRule.objects.filter(code=f"R{n:03d}").exists():
        n += 1
    return f"R{n:03d}"


def _write(rule: RoutingRule, checked: Checked, *, actor, at: datetime, note: str) -> RoutingRule:
    data = checked.data
    rule.order = data.order
    rule.name = data.name
    rule.is_active = data.is_active
    rule.category_level = checked.category_level
    rule.category_code = data.category_code
    rule.area = checked.area
    rule.time_window = data.time_window
    rule.source = data.source
    rule.handler_kind = data.handler_kind
    rule.department = checked.department
    rule.squad_code = data.squad_code
    rule.note = data.note
    rule.changed_at = at
    rule.changed_by = actor if getattr(actor, "pk", None) else None
    rule.save()
    rule.co_handlers.set(checked.co_handlers)
    snap = snapshot(rule)
    RoutingRuleVersion.objects.create(
        rule=rule,
        version=rule.version,
        snapshot=snap,
        at=at,
        actor=rule.changed_by,
        actor_label=_label(actor),
        note=note,
    )
    bump_stamp()
    return rule


def _raise(problems: dict[str, str]):
    raise ActionError(next(iter(problems.values())), code="invalid", fields=problems)


@transaction.atomic
def rule_create(
    *, actor, data: RuleData, note: str = "", at: datetime | None = None
) -> RoutingRule:
    checked, problems = check(data)
    if not checked:
        _raise(problems)
    code = checked.data.code or _next_code()
    if RoutingRule.objects.filter(code=code).exists():
        _raise({"code": _("编码 %(code)s 已被使用。") % {"code": code}})
    checked.data.code = code
    rule = _write(
        RoutingRule(code=code, version=1),
        checked,
        actor=actor,
        at=at or timezone.now(),
        note=note or _("新建"),
    )
    audit.record(actor=actor, action="routing_rule.create", obj=rule, after=snapshot(rule))
    return rule


def _lock(rule: RoutingRule, seen_version: int | None) -> RoutingRule:
    locked = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    if seen_version is not None and locked.version != seen_version:
        raise Conflict(
            _("该规则已被他人修改（现为第%(version)s版），请刷新后再改。")
            % {"version": locked.version},
            code="state_changed",
        )
    return locked


@transaction.atomic
def rule_change(
    *,
    actor,
    rule: RoutingRule,
    data: RuleData,
    note: str = "",
    seen_version: int | None = None,
    at: datetime | None = None,
) -> RoutingRule:
    """A new version of the rule; dispatches keep the version they followed."""
    rule = _lock(rule, seen_version)
    data.code = rule.code
    checked, problems = check(data)
    if not checked:
        _raise(problems)
    if same(as_data(rule), checked.data):
        return rule  # nothing changed: no new version
    before = snapshot(rule)
    rule.version += 1
    _write(rule, checked, actor=actor, at=at or timezone.now(), note=note or _("修改"))
    audit.record(
        actor=actor, action="routing_rule.change", obj=rule, before=before, after=snapshot(rule)
    )
    return rule


def same(a: RuleData, b: RuleData) -> bool:
    keys = [k for k in a.__dict__ if k != "co_handler_codes"]
    return all(getattr(a, k) == getattr(b, k) for k in keys) and sorted(
        a.co_handler_codes
    ) == sorted(b.co_handler_codes)


def lock_rules() -> None:
    """One import (or reorder) at a time: the stamp row is the lock."""
    from grid.models.dispatch import RoutingStamp

    RoutingStamp.objects.get_or_create(pk=1, defaults={"value": uuid.uuid4()})
    RoutingStamp.objects.select_for_update().get(pk=1)


@transaction.atomic
def rule_switch(
    *, actor, rule: RoutingRule, active: bool, note: str = "", seen_version: int | None = None
) -> RoutingRule:
    """启用/停用: a switched-off rule stays in the list (and in old dispatches) but never matches."""
    rule = _lock(rule, seen_version)
    if rule.is_active == active:
        return rule
    data = as_data(rule)
    data.is_active = active
    checked = Checked(
        data, rule.category_level, rule.area, rule.department, list(rule.co_handlers.all())
    )
    before = snapshot(rule)
    rule.version += 1
    _write(
        rule,
        checked,
        actor=actor,
        at=timezone.now(),
        note=note or (_("启用") if active else _("停用")),
    )
    audit.record(
        actor=actor, action="routing_rule.switch", obj=rule, before=before, after=snapshot(rule)
    )
    return rule
