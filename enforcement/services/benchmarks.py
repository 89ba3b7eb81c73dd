"""The discretion benchmark in use: which range a fine must fall in, and what happens outside."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from enforcement import legal
from enforcement.models import Benchmark, Circumstance
from portal.errors import ActionError


@dataclass(frozen=True)
class BenchmarkResult:
    snapshot: dict  # copied onto the case
    outside: bool  # the fine is outside the chosen circumstance's range


def benchmark_for(matter_code: str) -> Benchmark | None:
    return Benchmark.objects.filter(matter_code=matter_code).prefetch_related("levels").first()


def check(
    *,
    matter_code: str,
    circumstance: str,
    fine: Decimal | None,
    reason: str = "",
    allow_outside: bool = True,
) -> BenchmarkResult:
    """Check a fine against the matter's benchmark. Inside the chosen circumstance's range:
    fine. Outside: a written ``reason`` is required (and the case becomes major: legal review),
    unless ``allow_outside`` is False (the simplified procedure), which refuses it. Above the
    legal maximum, or below the legal minimum except where a "减轻" level allows it: refused."""
    benchmark = benchmark_for(matter_code)
    if benchmark is None:
        return BenchmarkResult({}, False)
    if circumstance not in Circumstance.values:
        raise ActionError(
            _("请选择裁量情节。"),
            code="circumstance_required",
            fields={"circumstance": _("请选择裁量情节。")},
        )
    level = next((lv for lv in benchmark.levels.all() if lv.circumstance == circumstance), None)
    if level is None:
        raise ActionError(
            _("该事项的裁量基准没有“%(c)s”情节。") % {"c": Circumstance(circumstance).label},
            code="circumstance_not_in_benchmark",
            fields={"circumstance": _("该事项的裁量基准没有此情节。")},
        )
    snapshot = {
        "matter_code": benchmark.matter_code,
        "violation": benchmark.violation,
        "circumstance": circumstance,
        "fine_min": str(level.fine_min),
        "fine_max": str(level.fine_max),
        "description": level.description,
        "legal_min": str(benchmark.legal_min) if benchmark.legal_min is not None else None,
        "legal_max": str(benchmark.legal_max) if benchmark.legal_max is not None else None,
    }
    if fine is None:
        return BenchmarkResult(snapshot, False)
    fine = legal.money(fine)
    if benchmark.legal_max is not None and fine > benchmark.legal_max:
        raise ActionError(
            _("罚款超过法定最高额%(max)s元。") % {"max": benchmark.legal_max},
            code="fine_above_legal_maximum",
            fields={"fine": _("不得超过法定最高额%(max)s元。") % {"max": benchmark.legal_max}},
        )
    if benchmark.legal_min is not None and fine < benchmark.legal_min:
        if not (circumstance == Circumstance.MITIGATED and level.below_legal_minimum):
            raise ActionError(
                _("罚款低于法定最低额%(min)s元，只有法律允许的减轻处罚才可低于。")
                % {"min": benchmark.legal_min},
                code="fine_below_legal_minimum",
                fields={"fine": _("不得低于法定最低额%(min)s元。") % {"min": benchmark.legal_min}},
            )
    inside = level.fine_min <= fine <= level.fine_max
    if inside:
        return BenchmarkResult(snapshot, False)
    message = _("罚款不在“%(c)s”情节的裁量范围（%(low)s–%(high)s元）内。") % {
        "c": Circumstance(circumstance).label,
        "low": level.fine_min,
        "high": level.fine_max,
    }
    if not allow_outside:
        raise ActionError(message, code="fine_outside_benchmark", fields={"fine": message})
    if not (reason or "").strip():
        raise ActionError(
            message + _("超出基准须写明理由，并经法制审核。"),
            code="outside_benchmark_reason_required",
            fields={"fine": message, "outside_benchmark_reason": _("请写明超出裁量基准的理由。")},
        )
    return BenchmarkResult(snapshot, True)
