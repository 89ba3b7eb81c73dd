"""The incident category catalogue travels as .xlsx (read through portal.xlsx, written with its
formula-safe writer), with the register's rule: every problem of the file at once, nothing
written when there is one, a preview of what would be created and changed, idempotent.

Sheet 事件大类: 大类编码, 大类名称, 所属网络, 排序.
Sheet 事件小类: 小类编码, 大类编码, 小类名称, 紧急程度, 时限单位, 核实时限, 受理时限, 处置时限,
延期后最长处置时限, 网格可自行处置, 可能涉及违法, 关联事项编码, 疑似重复半径（米）, 疑似重复天数,
受理告知语, 结案告知语, 排序.

A leaf that differs from the version in force becomes a new version from the moment of the
import (incidents already reported keep theirs); a leaf the file does not list stays in force
unless ``retire_missing`` is given (retiring is an explicit act)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.register_io import NO, YES, Problem
from grid.models import Category, CategoryBranch, Network, Urgency
from grid.services import categories as svc
from portal import audit, xlsx

BRANCH_SHEET = "事件大类"
LEAF_SHEET = "事件小类"
HELP_SHEET = "填写说明"

B_CODE, B_NAME, B_NETWORK, B_ORDER = "大类编码", "大类名称", "所属网络", "排序"
BRANCH_COLUMNS = [B_CODE, B_NAME, B_NETWORK, B_ORDER]

L_CODE = "小类编码"
L_BRANCH = "大类编码"
L_NAME = "小类名称"
L_URGENCY = "紧急程度"
L_UNIT = "时限单位"
L_VERIFY = "核实时限"
L_ACCEPT = "受理时限"
L_HANDLE = "处置时限"
L_MAX = "延期后最长处置时限"
L_GRID = "网格可自行处置"
L_VIOLATION = "可能涉及违法"
L_MATTER = "关联事项编码"
L_RADIUS = "疑似重复半径（米）"
L_DAYS = "疑似重复天数"
L_ACCEPTED_TEXT = "受理告知语"
L_CLOSED_TEXT = "结案告知语"
L_ORDER = "排序"
LEAF_COLUMNS = [
    L_CODE,
    L_BRANCH,
    L_NAME,
    L_URGENCY,
    L_UNIT,
    L_VERIFY,
    L_ACCEPT,
    L_HANDLE,
    L_MAX,
    L_GRID,
    L_VIOLATION,
    L_MATTER,
    L_RADIUS,
    L_DAYS,
    L_ACCEPTED_TEXT,
    L_CLOSED_TEXT,
    L_ORDER,
]
REQUIRED_LEAF = [L_CODE, L_BRANCH, L_NAME, L_URGENCY, L_UNIT, L_VERIFY, L_ACCEPT, L_HANDLE]

# Values as the town writes them (always Chinese, whatever the user's language).
NETWORK_LABELS = {
    "work_safety": "安全生产",
    "public_order": "社会治安与稳定",
    "environment": "生态环境与城乡管理",
    "civil_affairs": "民政民生",
    "resident_contact": "联系服务群众",
}
NETWORK_BY_TEXT = {
    **{v: k for k, v in NETWORK_LABELS.items()},
    "社会治安": "public_order",
    "平安稳定": "public_order",
    "生态环境": "environment",
    "城乡管理": "environment",
    "民生服务": "civil_affairs",
    "民政": "civil_affairs",
    "联系群众": "resident_contact",
}
URGENCY_LABELS = {"urgent": "紧急", "ordinary": "一般", "complex": "复杂"}
URGENCY_BY_TEXT = {**{v: k for k, v in URGENCY_LABELS.items()}, "普通": "ordinary"}
UNIT_LABELS = {"hours": "小时", "working_days": "工作日"}
UNIT_BY_TEXT = {**{v: k for k, v in UNIT_LABELS.items()}, "自然小时": "hours", "天": None}
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,15}$")
NUMBER_RE = re.compile(r"^(\d{1,4})\s*(?:个)?\s*(?:小时|工作日|天|日|米|m)?$")


@dataclass
class BranchRow:
    row: int
    code: str
    name: str
    network: str
    order: int


@dataclass
class LeafRow:
    row: int
    code: str
    fields: dict


@dataclass
class Parsed:
    branches: list[BranchRow] = field(default_factory=list)
    leaves: list[LeafRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Plan:
    branches_created: list[str] = field(default_factory=list)
    branches_changed: list[str] = field(default_factory=list)
    created: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    retired: list[dict] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (
            self.branches_created
            or self.branches_changed
            or self.created
            or self.changed
            or self.retired
        )

    @property
    def fingerprint(self) -> str:
        data = json.dumps(
            [
                self.branches_created,
                self.branches_changed,
                self.created,
                self.changed,
                self.retired,
            ],
            sort_keys=True,
            default=str,
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


def _number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    match = NUMBER_RE.match(_text(value))
    return int(match.group(1)) if match else None


def _yes_no(value, default: bool) -> bool | None:
    text = _text(value).lower()
    if not text:
        return default
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def _header_index(header, required, sheet, problems) -> dict[str, int] | None:
    names = [_text(v) for v in header]
    index = {name: i for i, name in enumerate(names) if name}
    missing = [c for c in required if c not in index]
    if missing:
        problems.append(
            Problem(
                sheet,
                1,
                "",
                _("缺少列：%(columns)s") % {"columns": "、".join(missing)},
            )
        )
        return None
    return index


def _cell(values, index, column):
    position = index.get(column)
    if position is None or position >= len(values):
        return None
    return values[position]


def read_catalogue(content: bytes) -> Parsed:
    """Read and check the whole file; every problem is collected, none stops the reading."""
    parsed = Parsed()
    problems = parsed.problems
    try:
        book = xlsx.open_workbook(content)
    except xlsx.SpreadsheetRefused as exc:
        problems.append(Problem("", None, "", exc.message))
        return parsed
    sheets = {ws.title.strip(): ws for ws in book.worksheets}
    for title in (BRANCH_SHEET, LEAF_SHEET):
        if title not in sheets:
            problems.append(
                Problem(title, None, "", _("缺少工作表“%(sheet)s”。") % {"sheet": title})
            )
    if problems:
        return parsed
    try:
        branch_rows = list(xlsx.sheet_rows(sheets[BRANCH_SHEET]))
        leaf_rows = list(xlsx.sheet_rows(sheets[LEAF_SHEET]))
    except xlsx.SpreadsheetRefused as exc:
        problems.append(Problem("", None, "", exc.message))
        return parsed

    existing_branches = set(CategoryBranch.objects.values_list("code", flat=True))
    branch_codes: dict[str, int] = {}
    if branch_rows:
        index = _header_index(branch_rows[0], BRANCH_COLUMNS[:3], BRANCH_SHEET, problems)
        for number, values in enumerate(branch_rows[1:], start=2):
            if index is None or not any(_text(v) for v in values):
                continue

            def bad(column, message, number=number):
                problems.append(Problem(BRANCH_SHEET, number, column, message))

            code = _text(_cell(values, index, B_CODE)).upper()
            name = _text(_cell(values, index, B_NAME))
            network_text = _text(_cell(values, index, B_NETWORK))
            order = _number(_cell(values, index, B_ORDER)) if B_ORDER in index else 0
            if not code:
                bad(B_CODE, _("必填。"))
            elif not CODE_RE.match(code):
                bad(B_CODE, _("编码只能由字母、数字、-、_组成，最长16位。"))
            elif code in branch_codes:
                bad(B_CODE, _("与第%(row)s行重复。") % {"row": branch_codes[code]})
            if not name:
                bad(B_NAME, _("必填。"))
            elif len(name) > 64:
                bad(B_NAME, _("最长64个字。"))
            network = NETWORK_BY_TEXT.get(network_text)
            if network is None:
                bad(
                    B_NETWORK,
                    _("应为以下之一：%(values)s") % {"values": "、".join(NETWORK_LABELS.values())},
                )
            if order is None:
                bad(B_ORDER, _("应为整数。"))
            if code:
                branch_codes.setdefault(code, number)
            parsed.branches.append(BranchRow(number, code, name, network or "", order or 0))
    known_branches = existing_branches | set(branch_codes)

    leaf_codes: dict[str, int] = {}
    if not leaf_rows:
        problems.append(Problem(LEAF_SHEET, None, "", _("工作表是空的。")))
        return parsed
    index = _header_index(leaf_rows[0], REQUIRED_LEAF, LEAF_SHEET, problems)
    if index is None:
        return parsed
    matter_problems: dict[str, str | None] = {}
    for number, values in enumerate(leaf_rows[1:], start=2):
        if not any(_text(v) for v in values):
            continue

        def bad(column, message, number=number):
            problems.append(Problem(LEAF_SHEET, number, column, message))

        code = _text(_cell(values, index, L_CODE)).upper()
        if not code:
            bad(L_CODE, _("必填。"))
        elif not CODE_RE.match(code):
            bad(L_CODE, _("编码只能由字母、数字、-、_组成，最长16位。"))
        elif code in leaf_codes:
            bad(L_CODE, _("与第%(row)s行重复。") % {"row": leaf_codes[code]})
        else:
            leaf_codes[code] = number
        branch = _text(_cell(values, index, L_BRANCH)).upper()
        if not branch:
            bad(L_BRANCH, _("必填。"))
        elif branch not in known_branches:
            bad(L_BRANCH, _("没有编码为 %(code)s 的大类。") % {"code": branch})
        name = _text(_cell(values, index, L_NAME))
        if not name:
            bad(L_NAME, _("必填。"))
        elif len(name) > 64:
            bad(L_NAME, _("最长64个字。"))
        urgency = URGENCY_BY_TEXT.get(_text(_cell(values, index, L_URGENCY)))
        if urgency is None:
            bad(L_URGENCY, _("应为：紧急、一般或复杂。"))
        unit = UNIT_BY_TEXT.get(_text(_cell(values, index, L_UNIT)))
        if unit is None:
            bad(L_UNIT, _("应为：小时或工作日。"))
        limits = {}
        for column, key in (
            (L_VERIFY, "verify_limit"),
            (L_ACCEPT, "accept_limit"),
            (L_HANDLE, "handle_limit"),
            (L_MAX, "max_handle_limit"),
        ):
            raw = _cell(values, index, column)
            if column == L_MAX and not _text(raw):
                limits[key] = limits.get("handle_limit")
                continue
            value = _number(raw)
            if value is None or not 1 <= value <= 720:
                bad(column, _("应为1到720之间的整数。"))
            elif unit == "working_days" and value > 60:
                bad(column, _("按工作日计的时限不宜超过60个工作日。"))
            limits[key] = value
        if (
            limits.get("handle_limit")
            and limits.get("max_handle_limit")
            and limits["max_handle_limit"] < limits["handle_limit"]
        ):
            bad(L_MAX, _("延期后最长处置时限不得小于处置时限。"))
        grid_may_handle = _yes_no(_cell(values, index, L_GRID), True)
        if grid_may_handle is None:
            bad(L_GRID, _("应为“是”或“否”。"))
        violation = _yes_no(_cell(values, index, L_VIOLATION), False)
        if violation is None:
            bad(L_VIOLATION, _("应为“是”或“否”。"))
        matter = _text(_cell(values, index, L_MATTER))
        if matter:
            if matter not in matter_problems:
                matter_problems[matter] = svc.check_matter_code(matter)
            if matter_problems[matter]:
                bad(L_MATTER, matter_problems[matter])
        radius = _cell(values, index, L_RADIUS)
        radius_value = _number(radius) if _text(radius) else 200
        if radius_value is None or not 10 <= radius_value <= 5000:
            bad(L_RADIUS, _("应为10到5000之间的整数（米）。"))
        days = _cell(values, index, L_DAYS)
        days_value = _number(days) if _text(days) else 14
        if days_value is None or not 1 <= days_value <= 365:
            bad(L_DAYS, _("应为1到365之间的整数。"))
        texts = {}
        for column, key in ((L_ACCEPTED_TEXT, "accepted_text"), (L_CLOSED_TEXT, "closed_text")):
            text = _text(_cell(values, index, column))
            if len(text) > 300:
                bad(column, _("最长300个字。"))
            texts[key] = text
        order = _cell(values, index, L_ORDER)
        order_value = _number(order) if _text(order) else 0
        if order_value is None:
            bad(L_ORDER, _("应为整数。"))
        parsed.leaves.append(
            LeafRow(
                number,
                code,
                {
                    "branch": branch,
                    "name": name,
                    "urgency": urgency,
                    "limit_unit": unit,
                    **limits,
                    "grid_may_handle": grid_may_handle,
                    "possible_violation": violation,
                    "matter_code": matter,
                    "duplicate_radius_m": radius_value,
                    "duplicate_days": days_value,
                    **texts,
                    "order": order_value or 0,
                },
            )
        )
    return parsed


def _comparable(category: Category) -> dict:
    return svc.snapshot(category)


def plan_import(parsed: Parsed, *, retire_missing: bool = False) -> Plan:
    plan = Plan()
    branches = {b.code: b for b in CategoryBranch.objects.all()}
    for row in parsed.branches:
        existing = branches.get(row.code)
        if existing is None:
            plan.branches_created.append(row.code)
        elif (existing.name, existing.network, existing.order, existing.is_active) != (
            row.name,
            row.network,
            row.order,
            True,
        ):
            plan.branches_changed.append(row.code)
    current = {c.code: c for c in Category.objects.current().select_related("branch")}
    listed = set()
    for row in parsed.leaves:
        listed.add(row.code)
        existing = current.get(row.code)
        if existing is None:
            plan.created.append({"code": row.code, "name": row.fields["name"]})
            continue
        before = _comparable(existing)
        after = {**before, **row.fields}
        changed = sorted(k for k in row.fields if before.get(k) != after.get(k))
        if changed:
            plan.changed.append(
                {
                    "code": row.code,
                    "name": row.fields["name"],
                    "version": existing.version + 1,
                    "fields": changed,
                }
            )
        else:
            plan.unchanged += 1
    if retire_missing:
        for code, category in sorted(current.items()):
            if code not in listed:
                plan.retired.append({"code": code, "name": category.name})
    return plan


def apply_plan(parsed: Parsed, plan: Plan, *, actor, at: datetime) -> None:
    for row in parsed.branches:
        if row.code in plan.branches_created or row.code in plan.branches_changed:
            svc.branch_save(
                actor=actor,
                code=row.code,
                fields={
                    "name": row.name,
                    "network": row.network,
                    "order": row.order,
                    "is_active": True,
                },
            )
    branches = {b.code: b for b in CategoryBranch.objects.all()}
    created = {e["code"] for e in plan.created}
    changed = {e["code"] for e in plan.changed}
    current = {c.code: c for c in Category.objects.current()}
    for row in parsed.leaves:
        fields = {**row.fields, "branch": branches[row.fields["branch"]]}
        if row.code in created:
            svc.category_create(
                actor=actor,
                code=row.code,
                fields={**fields, "change_note": _("表格导入")},
                at=at,
            )
        elif row.code in changed:
            svc.category_change(
                actor=actor, category=current[row.code], fields=fields, note=_("表格导入"), at=at
            )
    for entry in plan.retired:
        svc.category_retire(actor=actor, category=current[entry["code"]], note=_("表格导入"), at=at)


@transaction.atomic
def _lock_catalogue():
    # One import at a time: lock every branch row (a handful).
    list(CategoryBranch.objects.select_for_update().values_list("pk", flat=True))


def import_catalogue(
    content: bytes,
    *,
    actor,
    dry_run: bool = False,
    retire_missing: bool = False,
    expected_fingerprint: str = "",
) -> ImportResult:
    parsed = read_catalogue(content)
    if parsed.problems:
        return ImportResult(parsed.problems, None)
    if dry_run:
        return ImportResult([], plan_import(parsed, retire_missing=retire_missing))
    with transaction.atomic():
        _lock_catalogue()
        plan = plan_import(parsed, retire_missing=retire_missing)
        if expected_fingerprint and plan.fingerprint != expected_fingerprint:
            return ImportResult([], plan, stale=True)
        if not plan.empty:
            apply_plan(parsed, plan, actor=actor, at=timezone.now())
            audit.record(
                actor=actor,
                action="category.import",
                obj=None,
                after={
                    "created": len(plan.created),
                    "changed": len(plan.changed),
                    "retired": len(plan.retired),
                },
            )
        return ImportResult([], plan, applied=not plan.empty)


def leaf_row(category: Category) -> list:
    return [
        category.code,
        category.branch.code,
        category.name,
        URGENCY_LABELS[category.urgency],
        UNIT_LABELS[category.limit_unit],
        category.verify_limit,
        category.accept_limit,
        category.handle_limit,
        category.max_handle_limit,
        "是" if category.grid_may_handle else "否",
        "是" if category.possible_violation else "否",
        category.matter_code,
        category.duplicate_radius_m,
        category.duplicate_days,
        category.accepted_text,
        category.closed_text,
        category.order,
    ]


HELP_ROWS = [
    ("事件大类", "大类编码唯一；所属网络为：" + "、".join(NETWORK_LABELS.values())),
    ("紧急程度", "紧急、一般、复杂"),
    ("时限单位", "小时（自然小时，中心24小时值守）或 工作日（按工作日历，不含节假日）"),
    ("延期后最长处置时限", "含一次延期在内的最长处置时限；留空或等于处置时限表示不可延期"),
    ("网格可自行处置 / 可能涉及违法", "是 或 否"),
    ("关联事项编码", "事项清单中的行政处罚事项编码，可留空"),
    (
        "导入规则",
        "先检查全部行，有任何问题则列出全部问题、不写入；与现行版本不同的小类生成新版本，"
        "自导入时刻起对新上报的事件生效，已上报事件保留原时限。",
    ),
]


def export_catalogue(at: datetime | None = None) -> bytes:
    """The catalogue in force at ``at`` (now) in the import's shape."""
    from grid.selectors import categories as sel

    leaves = list(sel.in_force(at))
    used = {c.branch_id for c in leaves}
    branches = [b for b in CategoryBranch.objects.all() if b.is_active or b.pk in used]
    return xlsx.write_xlsx(
        [
            (
                BRANCH_SHEET,
                BRANCH_COLUMNS,
                [[b.code, b.name, NETWORK_LABELS[b.network], b.order] for b in branches],
            ),
            (LEAF_SHEET, LEAF_COLUMNS, [leaf_row(c) for c in leaves]),
            (HELP_SHEET, ["项目", "说明"], HELP_ROWS),
        ]
    )


__all__ = [
    "ImportResult",
    "Network",
    "Plan",
    "Problem",
    "Urgency",
    "export_catalogue",
    "import_catalogue",
    "read_catalogue",
]
