"""Routing (分拨): which rule an incident matches, and why every other rule did not.

The rules are few (tens to a few hundred) and read on every dispatch, so each process keeps them
compiled in memory and reloads them when the routing stamp changes (any rule or department
saved) or after ``RELOAD_SECONDS`` (a squad switched off in enforcement). Evaluating is pure
Python over the compiled rules: first match wins, and the whole list is reported — matched,
also matching further down (shadowed), not matching with the reasons, switched off, or
unavailable because its department, a co-handler or its squad is no longer active."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from grid.models.dispatch import (
    CategoryLevel,
    HandlerKind,
    RoutingRule,
    RoutingStamp,
    TimeWindow,
)
from portal import workdays

RELOAD_SECONDS = 60


@dataclass(frozen=True)
class Facts:
    """What routing looks at, from an incident or from the tester's form."""

    category_code: str
    branch_code: str
    grid_may_handle: bool
    at: datetime
    source: str = ""
    village_id: int | None = None
    grid_id: int | None = None
    micro_grid_id: int | None = None
    special_grid_ids: frozenset[int] = frozenset()
    grid_code: str = ""

    # Worked out once (routing compares every rule against them).
    working: bool = field(init=False, default=False)
    area_ids: frozenset[int] = field(init=False, default=frozenset())

    def __post_init__(self):
        ids = {self.village_id, self.grid_id, self.micro_grid_id, *self.special_grid_ids}
        object.__setattr__(self, "working", workdays.is_working_time(self.at))
        object.__setattr__(self, "area_ids", frozenset(i for i in ids if i is not None))


@dataclass(frozen=True)
class Choice:
    """Where an incident goes: the handler and, for a department, its co-handlers."""

    kind: str
    department: str = ""  # department code (department / district)
    co_handlers: tuple[str, ...] = ()
    squad: str = ""  # squad code

    def as_dict(self, facts: Facts | None = None) -> dict:
        if self.kind == HandlerKind.GRID:
            code = facts.grid_code if facts else ""
        elif self.kind == HandlerKind.SQUAD:
            code = self.squad
        else:
            code = self.department
        data = {"kind": self.kind, "code": code}
        if self.co_handlers:
            data["co_handlers"] = list(self.co_handlers)
        return data


@dataclass(frozen=True)
class Compiled:
    id: int
    order: int
    name: str
    version: int
    is_active: bool
    category_level: str
    category_code: str
    area_id: int | None
    area_name: str
    time_window: str
    source: str
    choice: Choice
    handler_label: str
    unavailable: tuple[str, ...]  # why the rule cannot be used now (inactive department …)
    category_name: str = ""

    def conditions(self) -> list[str]:
        """The rule's conditions in words ("why did this go there?")."""
        parts = []
        if self.category_level != CategoryLevel.ANY:
            parts.append(_("分类：%(name)s") % {"name": self.category_name or self.category_code})
        if self.area_id:
            parts.append(_("区域：%(name)s") % {"name": self.area_name})
        if self.time_window != TimeWindow.ANY:
            parts.append(_("时段：%(window)s") % {"window": TimeWindow(self.time_window).label})
        if self.source:
            from grid.models.incidents import Source

            parts.append(_("来源：%(source)s") % {"source": Source(self.source).label})
        return parts or [_("任何事件")]

    def mismatches(self, facts: Facts) -> list[str]:
        reasons = []
        level = self.category_level
        if level == CategoryLevel.LEAF:
            if self.category_code != facts.category_code:
                reasons.append("category")
        elif level == CategoryLevel.BRANCH and self.category_code != facts.branch_code:
            reasons.append("category")
        if self.area_id is not None and self.area_id not in facts.area_ids:
            reasons.append("area")
        window = self.time_window
        if window != TimeWindow.ANY and (window == TimeWindow.WORKING) != facts.working:
            reasons.append("time")
        if self.source and self.source != facts.source:
            reasons.append("source")
        return reasons

    def checks(self, facts: Facts) -> list[str]:
        """Every reason this rule does not route these facts (empty: it matches)."""
        checks = [] if self.is_active else ["off"]
        checks += self.mismatches(facts)
        if self.unavailable:
            checks.append("unavailable")
        if self.choice.kind == HandlerKind.GRID and not facts.grid_may_handle:
            checks.append("grid_may_not_handle")
        return checks


REASON_TEXT = {
    "category": lambda r: (
        _("分类不符（规则：%(code)s）") % {"code": r.category_name or r.category_code}
    ),
    "area": lambda r: _("区域不符（规则：%(area)s）") % {"area": r.area_name},
    "time": lambda r: (
        _("时段不符（规则：%(window)s）") % {"window": TimeWindow(r.time_window).label}
    ),
    "source": lambda r: _("来源不符（规则：%(source)s）") % {"source": r.source},
}


@dataclass
class Evaluation:
    facts: Facts
    rule: Compiled | None
    results: list[tuple[Compiled, str, list[str]]] = field(default_factory=list)

    @property
    def choice(self) -> Choice | None:
        return self.rule.choice if self.rule else None

    def handler_dict(self) -> dict | None:
        return self.rule.choice.as_dict(self.facts) if self.rule else None

    def rule_dict(self) -> dict | None:
        if self.rule is None:
            return None
        return {"id": self.rule.id, "name": self.rule.name, "order": self.rule.order}

    @cached_property
    def evaluated(self) -> list[dict]:
        """The whole list for people (the tester, the routing page, the API), with reasons
        in words — built only when shown."""
        return [describe(rule, status, checks, self.facts) for rule, status, checks in self.results]

    def as_dict(self) -> dict:
        return {
            "rule": self.rule_dict(),
            "handler": self.handler_dict(),
            "working_time": self.facts.working,
            "evaluated": self.evaluated,
        }

    def compact(self) -> list[dict]:
        """What a dispatch keeps: every rule's id, version, status and reason codes."""
        return [
            {"id": rule.id, "version": rule.version, "status": status, "why": checks}
            for rule, status, checks in self.results
        ]


STATUS_REASON = {
    "matched": lambda: _("首条匹配的规则"),
    "also_matches": lambda: _("也匹配，但排在首条匹配规则之后"),
}


def describe(rule: Compiled, status: str, checks: list[str], facts: Facts) -> dict:
    if status in STATUS_REASON:
        reasons = [STATUS_REASON[status]()]
    else:
        reasons = []
        for code in checks:
            if code == "off":
                reasons.append(_("规则已停用"))
            elif code == "unavailable":
                reasons += list(rule.unavailable)
            elif code == "grid_may_not_handle":
                reasons.append(_("此类事件网格不能自行处置"))
            else:
                reasons.append(REASON_TEXT[code](rule))
    return {
        "id": rule.id,
        "name": rule.name,
        "order": rule.order,
        "version": rule.version,
        "handler": rule.choice.as_dict(facts),
        "handler_label": rule.handler_label,
        "status": status,
        "checks": checks,
        "reasons": reasons,
    }


# --- the compiled rules ---------------------------------------------------------------------

_lock = threading.Lock()
# Per language (the labels and reasons are in the reader's language): {language: (stamp, at, rules)}
_cache: dict[str, tuple] = {}


def current_stamp() -> uuid.UUID | None:
    return RoutingStamp.objects.filter(pk=1).values_list("value", flat=True).first()


def _active_squads() -> dict[str, str]:
    from enforcement.selectors.team import squads

    return dict(squads().values_list("code", "name"))


def _handler_label(rule: RoutingRule, squads: dict[str, str]) -> str:
    if rule.handler_kind == HandlerKind.GRID:
        return str(HandlerKind.GRID.label)
    if rule.handler_kind == HandlerKind.SQUAD:
        if not rule.squad_code:
            return _("综合行政执法局（按片区分派中队）")
        return squads.get(rule.squad_code, rule.squad_code)
    label = rule.department.name if rule.department_id else ""
    co = [d.name for d in rule.co_handlers.all()]
    if co:
        label += _("（协办：%(names)s）") % {"names": "、".join(co)}
    return label


def unavailable_reasons(rule: RoutingRule, squads: dict[str, str]) -> tuple[str, ...]:
    """Why a rule cannot send anything now, in words (department switched off …)."""
    reasons = []
    if rule.handler_kind in (HandlerKind.DEPARTMENT, HandlerKind.DISTRICT):
        if rule.department_id and not rule.department.is_active:
            reasons.append(_("主办部门“%(name)s”已停用") % {"name": rule.department.name})
    for co in rule.co_handlers.all():
        if not co.is_active:
            reasons.append(_("协办部门“%(name)s”已停用") % {"name": co.name})
    if rule.handler_kind == HandlerKind.SQUAD and rule.squad_code and rule.squad_code not in squads:
        reasons.append(_("执法中队“%(code)s”已停用或不存在") % {"code": rule.squad_code})
    if (
        rule.area_id
        and rule.area.active_to is not None
        and rule.area.active_to <= timezone.localdate()
    ):
        reasons.append(_("区域“%(name)s”已撤销") % {"name": rule.area.name})
    return tuple(reasons)


def compile_rule(rule: RoutingRule, squads: dict[str, str], names: dict | None = None) -> Compiled:
    return Compiled(
        id=rule.pk,
        order=rule.order,
        name=rule.name,
        version=rule.version,
        is_active=rule.is_active,
        category_level=rule.category_level,
        category_code=rule.category_code,
        area_id=rule.area_id,
        area_name=rule.area.name if rule.area_id else "",
        time_window=rule.time_window,
        source=rule.source,
        choice=Choice(
            kind=rule.handler_kind,
            department=rule.department.code if rule.department_id else "",
            co_handlers=tuple(d.code for d in rule.co_handlers.all()),
            squad=rule.squad_code,
        ),
        handler_label=_handler_label(rule, squads),
        unavailable=unavailable_reasons(rule, squads),
        category_name=(names or {}).get(rule.category_code, ""),
    )


def category_names() -> dict[str, str]:
    from grid.models import Category, CategoryBranch

    names = {
        b.code: str(_("%(name)s（大类）") % {"name": b.name}) for b in CategoryBranch.objects.all()
    }
    names.update(
        {
            c.code: f"{c.branch.name} › {c.name}"
            for c in Category.objects.current().select_related("branch")
        }
    )
    return names


def load_rules() -> tuple[Compiled, ...]:
    squads = _active_squads()
    names = category_names()
    rules = (
        RoutingRule.objects.select_related("area", "department")
        .prefetch_related("co_handlers")
        .order_by("order", "id")
    )
    return tuple(compile_rule(rule, squads, names) for rule in rules)


def compiled_rules() -> tuple[Compiled, ...]:
    from django.utils.translation import get_language

    stamp = current_stamp()
    language = get_language() or ""
    cached = _cache.get(language)
    if cached and cached[0] == stamp and time.monotonic() - cached[1] < RELOAD_SECONDS:
        return cached[2]
    with _lock:
        rules = load_rules()
        _cache[language] = (stamp, time.monotonic(), rules)
    return rules


def forget() -> None:
    """Drop this process's compiled rules (tests that write rules directly)."""
    _cache.clear()


# --- evaluation -----------------------------------------------------------------------------


def evaluate(facts: Facts, rules: tuple[Compiled, ...] | None = None) -> Evaluation:
    """Every rule in order: the first that matches (and can be used) wins; the others are
    reported as also matching (shadowed), not matching, switched off or unavailable."""
    rules = compiled_rules() if rules is None else rules
    winner = None
    results = []
    for rule in rules:
        checks = rule.checks(facts)
        if not checks:
            status = "matched" if winner is None else "also_matches"
            if winner is None:
                winner = rule
        elif checks[0] == "off":
            status = "off"
        elif checks == ["unavailable"]:
            status = "unavailable"
        else:
            status = "no_match"
        results.append((rule, status, checks))
    return Evaluation(facts=facts, rule=winner, results=results)


# --- facts -----------------------------------------------------------------------------------


def facts_for(incident, at: datetime | None = None) -> Facts:
    """The facts of an incident (its category version, place, source) at ``at`` (now)."""
    from portal.areas import locate

    special: frozenset[int] = frozenset()
    if incident.lat is not None and incident.lng is not None:
        location = locate(incident.lat, incident.lng)
        if location is not None:
            special = frozenset(ref.id for ref in location.special_grids)
    category = incident.category
    return Facts(
        category_code=incident.category_code,
        branch_code=category.branch.code,
        grid_may_handle=category.grid_may_handle,
        at=at or timezone.now(),
        source=incident.source,
        village_id=incident.village_id,
        grid_id=incident.grid_id,
        micro_grid_id=incident.micro_grid_id,
        special_grid_ids=special,
        grid_code=incident.grid.code if incident.grid_id else "",
    )


def _area_facts(area) -> dict:
    from portal.models import AreaKind
    from portal.models.areas import VILLAGE_KINDS

    if area.kind in VILLAGE_KINDS:
        return {"village_id": area.pk}
    if area.kind == AreaKind.GRID:
        return {"village_id": area.village_id, "grid_id": area.pk, "grid_code": area.code}
    if area.kind == AreaKind.MICRO_GRID:
        return {
            "village_id": area.village_id,
            "grid_id": area.parent_id,
            "micro_grid_id": area.pk,
            "grid_code": area.parent.code if area.parent_id else "",
        }
    if area.kind == AreaKind.SPECIAL_GRID:
        return {"village_id": area.village_id, "special_grid_ids": frozenset([area.pk])}
    return {}


def facts_for_test(
    *,
    category_code: str,
    lat: float | None = None,
    lng: float | None = None,
    area_code: str = "",
    at: datetime | None = None,
    source: str = "",
) -> Facts:
    """The tester's facts: a leaf category in force, a point (WGS-84) or an area code, a
    moment. Every problem at once (ActionError with the fields)."""
    from grid.models import Category
    from portal.areas import locate
    from portal.areas import selectors as area_sel
    from portal.errors import ActionError

    problems: dict[str, str] = {}
    at = at or timezone.now()
    category = None
    code = (category_code or "").strip().upper()
    if not code:
        problems["category"] = _("请填写事件小类编码。")
    else:
        category = Category.objects.in_force(at).filter(code=code).select_related("branch").first()
        if category is None:
            problems["category"] = _("没有在该时间有效的小类“%(code)s”。") % {"code": code}
    place: dict = {}
    if area_code:
        area = area_sel.by_code(area_code.strip())
        if area is None:
            problems["area"] = _("没有编码为 %(code)s 的区域。") % {"code": area_code}
        else:
            place = _area_facts(area)
    elif lat is not None and lng is not None:
        location = locate(lat, lng)
        if location is None:
            problems["lat"] = _("该位置不在本镇范围内。")
        else:
            place = {
                "village_id": location.village.id if location.village else None,
                "grid_id": location.grid.id if location.grid else None,
                "micro_grid_id": location.micro_grid.id if location.micro_grid else None,
                "special_grid_ids": frozenset(ref.id for ref in location.special_grids),
                "grid_code": location.grid.code if location.grid else "",
            }
    else:
        problems["area"] = _("请提供位置（lat、lng）或区域编码（area）。")
    if problems:
        raise ActionError(next(iter(problems.values())), code="invalid", fields=problems)
    return Facts(
        category_code=category.code,
        branch_code=category.branch.code,
        grid_may_handle=category.grid_may_handle,
        at=at,
        source=source,
        **place,
    )


def snapshot_of(rule_id: int, version: int) -> dict:
    from grid.models.dispatch import RoutingRuleVersion

    return (
        RoutingRuleVersion.objects.filter(rule_id=rule_id, version=version)
        .values_list("snapshot", flat=True)
        .first()
        or {}
    )
