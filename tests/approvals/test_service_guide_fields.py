# ruff: noqa: F811 -- pytest fixtures imported from register_support
"""The national service-guide fields (受理条件, 办理对象, 咨询/监督投诉电话, 办理地点, 办公时间,
到现场次数, 常见问题) and the English names: in the register, through the spreadsheet both ways
(a column left out keeps the value, an export reads back unchanged), on the guide page, and in
English with the Chinese name as the fallback."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from approvals import register_io as rio
from approvals.models import BusinessCategory, Matter
from portal.models import Department
from tests.approvals.register_support import (  # noqa: F401
    demo_register,
    make_matter,
    matter_row,
    township,
    workbook,
)

pytestmark = pytest.mark.django_db

GUIDE = {
    rio.C_NAME_EN: "Approval to build a house on a homestead",
    rio.C_AUDIENCE: "自然人",
    rio.C_CONDITIONS: "本村集体经济组织成员，以户为单位。",
    rio.C_VISITS: 2,
    rio.C_OFFICE_ADDRESS: "便民服务中心6号窗口",
    rio.C_OFFICE_HOURS: "每周三上午联审",
    rio.C_ENQUIRY_PHONE: "0799-3721299",
    rio.C_COMPLAINT_PHONE: "0799-12345",
    rio.C_FAQ: "问：可以两户合建吗？\n答：不可以，一户一宅。",
}


def _columns():
    return [*rio.MATTER_COLUMNS, *rio.MATTER_OPTIONAL]


def test_guide_columns_are_imported(township):
    result = rio.import_register(
        workbook([matter_row("G-1", **GUIDE)], matter_columns=_columns()), actor="test"
    )
    assert result.applied
    matter = Matter.objects.get(code="G-1")
    assert matter.name_en == GUIDE[rio.C_NAME_EN] and matter.visits == 2
    assert matter.conditions.startswith("本村") and matter.enquiry_phone == "0799-3721299"
    assert matter.faq_items() == [{"q": "可以两户合建吗？", "a": "不可以，一户一宅。"}]


def test_a_file_without_the_guide_columns_keeps_them(township):
    matter = make_matter(
        township, "G-2", valid_from=date(2024, 1, 1), conditions="年满60周岁", visits=0
    )
    row = {c: v for c, v in rio.matter_to_row(matter).items() if c in rio.MATTER_COLUMNS}
    materials = [rio.material_to_row("G-2", m) for m in matter.materials.all()]
    file = workbook([row], materials, matter_columns=rio.MATTER_COLUMNS)
    result = rio.import_register(file, actor="test", dry_run=True)
    assert result.report["changed"] == 0, result.report["entries"]
    assert result.report["unchanged"] == 1
    with_column = dict(row, **{rio.C_CONDITIONS: "年满65周岁"})
    result = rio.import_register(
        workbook([with_column], materials, matter_columns=[*rio.MATTER_COLUMNS, rio.C_CONDITIONS]),
        actor="test",
        dry_run=True,
    )
    assert result.report["entries"][0]["fields"] == [rio.C_CONDITIONS]


def rio_material(code, name, form="原件"):
    from tests.approvals.register_support import material_row

    return material_row(code, name, **{rio.M_FORM: form})


def test_bad_guide_values_are_named(township):
    row = matter_row("G-3", **{**GUIDE, rio.C_AUDIENCE: "外国人", rio.C_VISITS: "很多"})
    result = rio.import_register(workbook([row], matter_columns=_columns()), actor="test")
    columns = {p.column for p in result.problems}
    assert {rio.C_AUDIENCE, rio.C_VISITS} <= columns and not result.applied


def test_english_names_sheet_round_trips(demo_register):
    exported = rio.export_register()
    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book[rio.NAMES_SHEET]
    rows = {(r[0].value, r[1].value): r[2].value for r in sheet.iter_rows(min_row=2)}
    assert rows[("部门", "下埠镇行政审批局")] == "Xiabu Administrative Approval Bureau"
    assert rows[("窗口", "9号窗口")] == "Collection of results"
    assert rows[("业务类别", "社会保障")] == "Social security"
    # an export reads back with nothing to change
    result = rio.import_register(exported, actor="test", dry_run=True)
    assert result.report["changed"] == 0 and result.report["names"] == 0
    # a changed English name is imported (and nothing else)
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "下埠镇社会事务办公室":
            row[2].value = "Social Affairs Office"
    sheet.append(["部门", "没有这个部门", "Nobody"])
    buffer = io.BytesIO()
    book.save(buffer)
    refused = rio.import_register(buffer.getvalue(), actor="test")
    assert not refused.applied
    assert any(p.sheet == rio.NAMES_SHEET and "没有这个部门" in p.message for p in refused.problems)
    sheet.delete_rows(sheet.max_row)
    buffer = io.BytesIO()
    book.save(buffer)
    result = rio.import_register(buffer.getvalue(), actor="test")
    assert result.applied and result.report["names"] == 1 and result.report["changed"] == 0
    assert Department.objects.get(code="SHSWB").name_en == "Social Affairs Office"


def test_the_guide_page_shows_the_national_fields_in_plain_words(client, demo_register):
    html = client.get(reverse("approvals:guide-matter", args=["XB-GG-006"])).content.decode()
    for text in ("办理须知", "办理对象", "年满60周岁", "0次：全程网上办理", "0799-3721235", "12345",
                 "常见问题", "可以由子女代办吗", "办公时间", "办理地点"):  # fmt: skip
        assert text in html, text
    assert "拍照或扫描后上传，不用交纸质件" in html  # not "原件或复印件：电子材料"
    assert "原件或复印件" not in html


def test_english_pages_use_english_names_and_fall_back_to_chinese(client, demo_register):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("approvals:guide-matter", args=["XB-GG-006"])).content.decode()
    assert "Senior citizen&#x27;s card" in html or "Senior citizen's card" in html
    assert "Xiabu Social Affairs Office" in html
    listing = client.get(reverse("approvals:guide"), {"q": "nyjs"}).content.decode()
    assert "农业技术咨询服务" in listing  # no English name: the Chinese one
    home = client.get("/").content.decode()
    assert "Xiabu Town" in home and "下埠镇" not in home.split("<main")[0]
    assert BusinessCategory.objects.get(code="SHBZ").name_en == "Social security"
