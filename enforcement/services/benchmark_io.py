"""Discretion benchmarks (裁量基准) as .xlsx, through portal.xlsx: the export and the import.

One sheet "裁量基准", one row per circumstance of a matter; the matter's own columns repeat on
each of its rows and must agree. The import follows the register's rule: every problem of the
whole file is reported at once (row and column named), and nothing is written unless there is
none; then each matter in the file gets exactly the levels in the file, in one transaction."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from approvals.models import Matter
from enforcement.models import Benchmark, BenchmarkLevel, Circumstance
from portal import audit, roles, xlsx

from .common import audit_actor, require_role

SHEET = "裁量基准"
HEADER = (
    "事项编码",
    "违法行为",
    "违法依据",
    "处罚依据",
    "法定最低罚款（元）",
    "法定最高罚款（元）",
    "简易程序可一人执法",
    "裁量情节",
    "适用情形",
    "罚款下限（元）",
    "罚款上限（元）",
    "可低于法定最低",
)
YES, NO = "是", "否"


def _circumstance_labels() -> dict[str, str]:
    with translation.override("zh-hans"):
        return {str(label): value for value, label in Circumstance.choices}


def export_rows():
    labels = {v: k for k, v in _circumstance_labels().items()}
    for benchmark in Benchmark.objects.prefetch_related("levels").order_by("matter_code"):
        for level in sorted(
            benchmark.levels.all(), key=lambda lv: Circumstance.values.index(lv.circumstance)
        ):
            yield (
                benchmark.matter_code,
                benchmark.violation,
                benchmark.violated_provision,
                benchmark.penalty_provision,
                benchmark.legal_min,
                benchmark.legal_max,
                YES if benchmark.one_officer_allowed else NO,
                labels[level.circumstance],
                level.description,
                level.fine_min,
                level.fine_max,
                YES if level.below_legal_minimum else NO,
            )


def export_xlsx() -> bytes:
    return xlsx.write_xlsx([(SHEET, HEADER, export_rows())])


@dataclass
class Plan:
    benchmarks: OrderedDict = field(default_factory=OrderedDict)  # code -> (header, [levels])
    problems: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "matters": len(self.benchmarks),
            "levels": sum(len(levels) for _h, levels in self.benchmarks.values()),
        }


def _money(value, row, column, problems):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        problems.append(_("第%(row)s行“%(col)s”：须为金额。") % {"row": row, "col": column})
        return None
    if amount < 0 or amount > Decimal("1000000000"):
        problems.append(_("第%(row)s行“%(col)s”：金额超出范围。") % {"row": row, "col": column})
        return None
    return amount.quantize(Decimal("0.01"))


def _flag(value, row, column, problems) -> bool:
    text = str(value or "").strip()
    if text in ("", NO, "N", "n", "false", "False", "0"):
        return False
    if text in (YES, "Y", "y", "true", "True", "1"):
        return True
    problems.append(_("第%(row)s行“%(col)s”：请填“是”或“否”。") % {"row": row, "col": column})
    return False


def check(content: bytes) -> Plan:
    """Read and check the whole file. Raises xlsx.SpreadsheetRefused for an unreadable one."""
    plan = Plan()
    book = xlsx.open_workbook(content)
    if SHEET not in book.sheetnames:
        plan.problems.append(_("找不到工作表“%(sheet)s”。") % {"sheet": SHEET})
        return plan
    rows = iter(xlsx.sheet_rows(book[SHEET]))
    header = tuple(str(v or "").strip() for v in next(rows, ()))
    if header[: len(HEADER)] != HEADER:
        plan.problems.append(_("表头应为：%(header)s。") % {"header": "、".join(HEADER)})
        return plan
    labels = _circumstance_labels()
    penalty_codes = set(
        Matter.objects.filter(kind=Matter.Kind.PENALTY).values_list("code", flat=True)
    )
    problems = plan.problems
    for number, values in enumerate(rows, start=2):
        values = tuple(values) + (None,) * (len(HEADER) - len(values))
        if all(v in (None, "") for v in values[: len(HEADER)]):
            continue
        code = str(values[0] or "").strip()
        violation = str(values[1] or "").strip()
        if not code:
            problems.append(_("第%(row)s行“事项编码”：必填。") % {"row": number})
            continue
        if code not in penalty_codes:
            problems.append(
                _("第%(row)s行：事项编码 %(code)s 不是清单中的行政处罚事项。")
                % {"row": number, "code": code}
            )
        if not violation:
            problems.append(_("第%(row)s行“违法行为”：必填。") % {"row": number})
        legal_min = _money(values[4], number, HEADER[4], problems)
        legal_max = _money(values[5], number, HEADER[5], problems)
        if legal_min is not None and legal_max is not None and legal_max < legal_min:
            problems.append(_("第%(row)s行：法定最高罚款低于法定最低罚款。") % {"row": number})
        header_values = (
            violation,
            str(values[2] or "").strip(),
            str(values[3] or "").strip(),
            legal_min,
            legal_max,
            _flag(values[6], number, HEADER[6], problems),
        )
        circumstance = labels.get(str(values[7] or "").strip())
        if circumstance is None:
            problems.append(
                _("第%(row)s行“裁量情节”：应为%(choices)s之一。")
                % {"row": number, "choices": "、".join(labels)}
            )
        low = _money(values[9], number, HEADER[9], problems)
        high = _money(values[10], number, HEADER[10], problems)
        below = _flag(values[11], number, HEADER[11], problems)
        low = Decimal("0.00") if low is None else low
        high = Decimal("0.00") if high is None else high
        if high < low:
            problems.append(_("第%(row)s行：罚款上限低于下限。") % {"row": number})
        if legal_max is not None and high > legal_max:
            problems.append(_("第%(row)s行：罚款上限超过法定最高罚款。") % {"row": number})
        if (
            legal_min is not None
            and low < legal_min
            and not (circumstance == Circumstance.MITIGATED and below)
            and circumstance != Circumstance.NONE
        ):
            problems.append(
                _("第%(row)s行：罚款下限低于法定最低罚款，只有法律允许的“减轻处罚”可以低于。")
                % {"row": number}
            )
        if below and circumstance != Circumstance.MITIGATED:
            problems.append(
                _("第%(row)s行：只有“减轻处罚”可以低于法定最低罚款。") % {"row": number}
            )
        existing = plan.benchmarks.get(code)
        if existing is None:
            plan.benchmarks[code] = (header_values, [])
        elif existing[0] != header_values:
            problems.append(
                _("第%(row)s行：事项 %(code)s 的违法行为、依据或法定罚款与前面的行不一致。")
                % {"row": number, "code": code}
            )
        levels = plan.benchmarks[code][1]
        if circumstance and any(lv[0] == circumstance for lv in levels):
            problems.append(
                _("第%(row)s行：事项 %(code)s 的“%(c)s”情节重复。")
                % {"row": number, "code": code, "c": values[7]}
            )
        levels.append((circumstance, str(values[8] or "").strip(), low, high, below))
    if not plan.benchmarks and not problems:
        problems.append(_("文件中没有裁量基准。"))
    return plan


@transaction.atomic
def apply(plan: Plan, *, actor) -> dict:
    require_role(actor, roles.BUREAU_HEAD, roles.REGISTER_ADMIN)
    if plan.problems:
        raise ValueError("a plan with problems is never applied")
    for code, (header, levels) in plan.benchmarks.items():
        violation, violated, provision, legal_min, legal_max, one_officer = header
        benchmark, _created = Benchmark.objects.select_for_update().update_or_create(
            matter_code=code,
            defaults={
                "violation": violation,
                "violated_provision": violated,
                "penalty_provision": provision,
                "legal_min": legal_min,
                "legal_max": legal_max,
                "one_officer_allowed": one_officer,
            },
        )
        benchmark.levels.all().delete()
        BenchmarkLevel.objects.bulk_create(
            [
                BenchmarkLevel(
                    benchmark=benchmark,
                    circumstance=c,
                    description=d,
                    fine_min=low,
                    fine_max=high,
                    below_legal_minimum=below,
                )
                for c, d, low, high, below in levels
            ]
        )
    summary = plan.summary()
    audit.record(
        actor=audit_actor(actor),
        action="enforcement.benchmarks_import",
        note="裁量基准导入",
        after=summary,
    )
    return summary
