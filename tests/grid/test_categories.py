"""The category catalogue: versions (an incident keeps the limits it started with), the
xlsx round trip with every problem at once, the demo catalogue."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook

from grid import category_io
from grid.models import Category, CategoryBranch
from grid.selectors import categories as sel
from grid.services import categories as svc
from portal.errors import ActionError, Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch():
    return svc.branch_save(
        actor="test", code="CSGL", fields={"name": "城市管理", "network": "environment"}
    )


def leaf_fields(branch, **over):
    fields = {
        "branch": branch,
        "name": "占道经营",
        "urgency": "ordinary",
        "limit_unit": "working_days",
        "verify_limit": 1,
        "accept_limit": 1,
        "handle_limit": 3,
        "max_handle_limit": 5,
    }
    fields.update(over)
    return fields


def test_change_makes_a_new_version_from_now(branch):
    start = timezone.now() - timedelta(days=10)
    v1 = svc.category_create(actor="test", code="csgl01", fields=leaf_fields(branch), at=start)
    assert v1.code == "CSGL01" and v1.version == 1
    v2 = svc.category_change(actor="test", category=v1, fields={"handle_limit": 4})
    v1.refresh_from_db()
    assert v2.version == 2 and v2.handle_limit == 4
    assert v1.valid_to == v2.valid_from
    # Before the change the old limits were in force; after it the new ones.
    assert sel.leaf_in_force("CSGL01", v2.valid_from - timedelta(seconds=1)).pk == v1.pk
    assert sel.leaf_in_force("CSGL01").pk == v2.pk
    # Nothing changed: no new version.
    assert svc.category_change(actor="test", category=v2, fields={"handle_limit": 4}).pk == v2.pk


def test_change_from_a_stale_version_is_a_conflict(branch):
    v1 = svc.category_create(actor="test", code="X1", fields=leaf_fields(branch))
    svc.category_change(actor="test", category=v1, fields={"name": "新名"})
    with pytest.raises(Conflict):
        svc.category_change(actor="test", category=v1, fields={"name": "再改"})


def test_validation_names_every_field(branch):
    with pytest.raises(ActionError) as info:
        svc.category_create(
            actor="test",
            code="X2",
            fields=leaf_fields(branch, handle_limit=5, max_handle_limit=3, matter_code="NOPE"),
        )
    assert set(info.value.fields) >= {"max_handle_limit", "matter_code"}


def test_retire_and_restore(branch):
    v1 = svc.category_create(actor="test", code="X3", fields=leaf_fields(branch))
    svc.category_retire(actor="test", category=v1)
    assert sel.leaf_in_force("X3") is None
    restored = svc.category_restore(actor="test", code="X3")
    assert restored.version == 2 and sel.leaf_in_force("X3").pk == restored.pk


def _book(branch_rows, leaf_rows, leaf_header=None) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = category_io.BRANCH_SHEET
    ws.append(category_io.BRANCH_COLUMNS)
    for row in branch_rows:
        ws.append(row)
    ws2 = book.create_sheet(category_io.LEAF_SHEET)
    ws2.append(leaf_header or category_io.LEAF_COLUMNS)
    for row in leaf_rows:
        ws2.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_LEAF = [
    "CSGL01",
    "CSGL",
    "占道经营",
    "一般",
    "工作日",
    1,
    1,
    3,
    5,
    "是",
    "是",
    "",
    200,
    14,
    "已受理",
    "已办结",
    1,
]


def test_import_reports_every_problem_and_writes_nothing():
    bad = _book(
        [["CSGL", "城市管理", "生态环境与城乡管理", 1], ["AQSC", "安全生产", "不存在的网络", 2]],
        [
            GOOD_LEAF,
            [
                "CSGL01",
                "CSGL",
                "重复编码",
                "一般",
                "工作日",
                1,
                1,
                3,
                5,
                "是",
                "否",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "CSGL02",
                "NOPE",
                "",
                "很急",
                "分钟",
                0,
                1,
                3,
                2,
                "也许",
                "否",
                "XB-NONE",
                5,
                0,
                "",
                "",
                "",
            ],
        ],
    )
    result = category_io.import_catalogue(bad, actor="test")
    text = "\n".join(str(p) for p in result.problems)
    assert "所属网络" in text
    assert "重复" in text
    for column in (
        "大类编码",
        "小类名称",
        "紧急程度",
        "时限单位",
        "核实时限",
        "延期后最长处置时限",
        "网格可自行处置",
        "关联事项编码",
        "疑似重复半径（米）",
        "疑似重复天数",
    ):
        assert column in text, column
    assert len(result.problems) >= 11
    assert not CategoryBranch.objects.exists() and not Category.objects.exists()


def test_import_preview_apply_and_idempotent_round_trip():
    content = _book([["CSGL", "城市管理", "生态环境与城乡管理", 1]], [GOOD_LEAF])
    preview = category_io.import_catalogue(content, actor="test", dry_run=True)
    assert [e["code"] for e in preview.plan.created] == ["CSGL01"]
    assert not Category.objects.exists()
    applied = category_io.import_catalogue(content, actor="test")
    assert applied.applied and Category.objects.get().handle_limit == 3
    again = category_io.import_catalogue(content, actor="test")
    assert not again.applied and again.plan.unchanged == 1
    # Export, then re-import: nothing changes.
    exported = category_io.export_catalogue()
    assert category_io.import_catalogue(exported, actor="test").plan.empty
    changed = _book(
        [["CSGL", "城市管理", "生态环境与城乡管理", 1]], [GOOD_LEAF[:7] + [4] + GOOD_LEAF[8:]]
    )
    result = category_io.import_catalogue(changed, actor="test")
    assert result.plan.changed[0]["fields"] == ["handle_limit"]
    assert Category.objects.filter(code="CSGL01").count() == 2


def test_export_is_formula_safe():
    svc.branch_save(
        actor="t", code="B1", fields={"name": "=HYPERLINK(1)", "network": "environment"}
    )
    content = category_io.export_catalogue()
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(content))[category_io.BRANCH_SHEET]
    assert ws["B2"].data_type == "s" and ws["B2"].value == "=HYPERLINK(1)"


def test_demo_catalogue(tmp_path):
    from grid.demo import categories

    categories.seed()
    leaves = list(sel.in_force())
    assert 40 <= len(leaves) <= 60
    assert {c.branch.network for c in leaves} == {
        "work_safety",
        "public_order",
        "environment",
        "civil_affairs",
        "resident_contact",
    }
    assert any(c.limit_unit == "hours" for c in leaves)
    categories.seed()  # idempotent
    assert Category.objects.count() == len(leaves)
    path = tmp_path / "c.xlsx"
    call_command("incident_categories", "export", str(path))
    call_command("incident_categories", "import", str(path), "--dry-run")
