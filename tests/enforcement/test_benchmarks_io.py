"""Benchmarks as .xlsx: the export reads back as it was; a file with problems reports them all
at once and writes nothing."""

from decimal import Decimal

from enforcement.models import Benchmark, BenchmarkLevel
from enforcement.services import benchmark_io
from portal import xlsx


def test_export_then_import_is_the_same_and_text_stays_text(world):
    Benchmark.objects.filter(matter_code="XB-CF-002").delete()
    world.benchmark.violation = '=HYPERLINK("http://x")'
    world.benchmark.save()
    content = benchmark_io.export_xlsx()
    plan = benchmark_io.check(content)
    assert plan.problems == [] and plan.summary() == {"matters": 1, "levels": 4}
    benchmark_io.apply(plan, actor=world.head)
    world.benchmark.refresh_from_db()
    assert world.benchmark.violation == '=HYPERLINK("http://x")'
    assert world.benchmark.levels.get(circumstance="ordinary").fine_max == Decimal("2000.00")


def test_every_problem_at_once_and_nothing_written(world):
    rows = [
        ("XB-CF-001", "占道", "", "", "0", "1000", "否", "一般处罚", "", "500", "200", "否"),
        ("XB-CF-001", "占道", "", "", "0", "1000", "否", "一般处罚", "", "100", "200", "否"),
        ("NOPE", "", "", "", "x", "", "也许", "特别重", "", "", "", ""),
        ("XB-CF-001", "别的", "", "", "0", "1000", "否", "从重处罚", "", "100", "5000", "否"),
    ]
    content = xlsx.write_xlsx([(benchmark_io.SHEET, benchmark_io.HEADER, rows)])
    plan = benchmark_io.check(content)
    joined = "\n".join(plan.problems)
    for expected in (
        "第2行：罚款上限低于下限",
        "第3行：事项 XB-CF-001 的“一般处罚”情节重复",
        "第4行：事项编码 NOPE",
        "第4行“违法行为”",
        "第4行“法定最低罚款（元）”",
        "第4行“简易程序可一人执法”",
        "第4行“裁量情节”",
        "第5行：罚款上限超过法定最高罚款",
        "第5行：事项 XB-CF-001 的违法行为",
    ):
        assert expected in joined, expected
    before = list(BenchmarkLevel.objects.values_list("pk", "fine_max"))
    assert list(BenchmarkLevel.objects.values_list("pk", "fine_max")) == before


def test_a_non_xlsx_file_is_refused(world):
    import pytest

    with pytest.raises(xlsx.SpreadsheetRefused):
        benchmark_io.check(b"not a spreadsheet")
