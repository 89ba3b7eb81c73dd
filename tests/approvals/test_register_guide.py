# ruff: noqa: F811 -- pytest fixtures imported from register_support
"""The public service guide: search (Chinese partial names, codes, filters), the page of a
matter, and access (only published versions in force are public, drafts never)."""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from approvals.models import BusinessCategory, Material
from approvals.selectors import register as sel
from approvals.services import register as services
from tests.approvals.register_support import make_matter, new_version, township  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(township):
    make_matter(township, "XB-XK-001", valid_from=date(2024, 1, 1), name="个体工商户设立登记")
    make_matter(
        township,
        "XB-XK-013",
        valid_from=date(2024, 1, 1),
        name="农村村民宅基地建房审批",
        handling_department=township["GHJSB"],
        delegating_department=township["QZRZYJ"],
        channel_online=False,
        channel_proxy=True,
        category=BusinessCategory.objects.get(code="GHJS"),
    )
    make_matter(
        township,
        "XB-QR-003",
        valid_from=date(2024, 1, 1),
        name="城乡居民基本养老保险参保登记",
        kind="confirmation",
        delegation_mode="forward",
        delegating_department=township["QRSJ"],
        handling_department=township["SHSWB"],
        extension_allowed=False,
        max_extension_days=0,
    )
    make_matter(township, "XB-XK-900", name="尚未发布的宅基地事项")  # a draft only
    later = timezone.localdate() + timedelta(days=30)
    make_matter(township, "XB-XK-901", valid_from=later, name="下月施行的宅基地事项")
    gone = make_matter(
        township, "XB-XK-902", valid_from=date(2020, 1, 1), name="已收回的宅基地事项"
    )
    services.matter_retire(actor="test", matter=gone, effective=date(2023, 1, 1), reason="收回")
    return township


def codes(qs) -> list[str]:
    return list(qs.values_list("code", flat=True))


def test_search_finds_a_matter_by_part_of_its_chinese_name(catalogue):
    assert codes(sel.guide_search(q="宅基地")) == ["XB-XK-013"]
    assert codes(sel.guide_search(q="养老")) == ["XB-QR-003"]
    assert codes(sel.guide_search(q="居民 登记")) == ["XB-QR-003"]  # every word must match
    assert codes(sel.guide_search(q="不存在的事项")) == []


def test_search_by_code_exact_or_prefix(catalogue):
    assert codes(sel.guide_search(q="XB-QR-003")) == ["XB-QR-003"]
    assert codes(sel.guide_search(q="xb-xk")) == ["XB-XK-001", "XB-XK-013"]


def test_filters_by_department_kind_and_channel(catalogue):
    assert codes(sel.guide_search(department="GHJSB")) == ["XB-XK-013"]
    assert codes(sel.guide_search(department="QRSJ")) == ["XB-QR-003"]  # the source department
    assert codes(sel.guide_search(kind="confirmation")) == ["XB-QR-003"]
    assert codes(sel.guide_search(channel="proxy")) == ["XB-XK-013"]
    assert set(codes(sel.guide_search(channel="online"))) == {"XB-XK-001", "XB-QR-003"}


def test_drafts_future_and_retired_versions_are_not_public(catalogue, client):
    assert codes(sel.guide_search(q="XB-XK-9")) == []
    for code in ("XB-XK-900", "XB-XK-901"):
        assert client.get(reverse("approvals:guide-matter", args=[code])).status_code == 404
    # a withdrawn matter says since when it is no longer handled here (issue 16)
    withdrawn = client.get(reverse("approvals:guide-matter", args=["XB-XK-902"]))
    assert "自 2023-01-01 起不再在本中心办理" in withdrawn.content.decode()
    response = client.get(reverse("approvals:guide"), {"q": "宅基地"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "农村村民宅基地建房审批" in body
    assert "尚未发布" not in body and "下月施行" not in body and "已收回" not in body


def test_a_new_draft_beside_the_version_in_force_stays_private(catalogue, client):
    v1 = sel.matter_in_force("XB-XK-001")
    new_version(v1, name="个体工商户设立登记（草稿改名）")
    page = client.get(reverse("approvals:guide-matter", args=["XB-XK-001"])).content.decode()
    assert "个体工商户设立登记" in page and "草稿改名" not in page


def test_the_catalogue_page_searches_and_htmx_gets_only_the_results(catalogue, client):
    url = reverse("approvals:guide")
    page = client.get(url, {"q": "宅基地"}).content.decode()
    assert "<form" in page and "找到 1 个事项" in page
    partial = client.get(url, {"q": "宅基地"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<form" not in partial and "农村村民宅基地建房审批" in partial
    assert client.get(url, {"kind": "no-such-kind"}).status_code == 200  # bad filter: no 500


def test_the_guide_page_has_everything_one_needs_before_coming(catalogue, client):
    matter = sel.matter_in_force("XB-XK-013")
    material = matter.materials.get(name="申请书")
    material.blank_form.save("宅基地申请表.pdf", ContentFile(b"%PDF-1.4 blank"), save=True)
    response = client.get(reverse("approvals:guide-matter", args=["XB-XK-013"]))
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        "农村村民宅基地建房审批",
        "5 个工作日",  # committed
        "15 个工作日",  # statutory
        "不收费",
        "《促进个体工商户发展条例》",
        "申请书",
        "身份证",
        "空白表格",
        "规划建设窗口",  # the window, through the business category
        "办理流程",
        "打印指南",
        "可以，村（社区）帮代办员可代为提交",
        "不可以，请到窗口办理",
    ):
        assert expected in page, expected
    download = client.get(
        reverse("approvals:guide-material-form", args=["XB-XK-013", material.pk, "blank"])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 blank"
    assert "attachment" in download["Content-Disposition"]


def test_forms_of_a_draft_cannot_be_downloaded(catalogue, client):
    draft_material = Material.objects.get(matter__code="XB-XK-900", name="申请书")
    draft_material.blank_form.save("草稿.pdf", ContentFile(b"secret"), save=True)
    url = reverse("approvals:guide-material-form", args=["XB-XK-900", draft_material.pk, "blank"])
    assert client.get(url).status_code == 404
    # nor through the code of a public matter
    url = reverse("approvals:guide-material-form", args=["XB-XK-013", draft_material.pk, "blank"])
    assert client.get(url).status_code == 404


def test_the_guide_page_offers_online_application_only_when_that_page_exists(catalogue, client):
    page = client.get(reverse("approvals:guide-matter", args=["XB-XK-001"])).content.decode()
    from django.urls import NoReverseMatch

    try:
        reverse("approvals:apply", kwargs={"code": "XB-XK-001"})
        exists = True
    except NoReverseMatch:
        try:
            reverse("approvals:apply")
            exists = True
        except NoReverseMatch:
            exists = False
    assert ("在线申请" in page) == exists


def test_the_catalogue_costs_a_fixed_number_of_queries(
    catalogue, client, django_assert_max_num_queries
):
    for i in range(30):
        make_matter(catalogue, f"XB-GG-{i:03d}", valid_from=date(2024, 1, 1), name=f"公共服务{i}")
    with django_assert_max_num_queries(8):
        client.get(reverse("approvals:guide"), {"q": "公共服务"})
    with django_assert_max_num_queries(10):
        client.get(reverse("approvals:guide-matter", args=["XB-GG-001"]))


def test_a_penalty_is_explained_not_offered_as_something_to_apply_for(catalogue, client):
    make_matter(
        catalogue,
        "XB-CF-001",
        valid_from=date(2024, 1, 1),
        name="对擅自设置户外广告设施的处罚",
        kind="penalty",
        handling_department=catalogue["ZHZFJ"],
        delegating_department=catalogue["QCGJ"],
        extension_allowed=False,
        max_extension_days=0,
        materials=[],
    )
    page = client.get(reverse("approvals:guide-matter", args=["XB-CF-001"])).content.decode()
    assert "无需申请" in page and "调查取证" in page
    assert "申请材料</h2>" not in page, page[page.find("申请材料</h2>") - 300 :][:400]
    assert "在线申请" not in page
