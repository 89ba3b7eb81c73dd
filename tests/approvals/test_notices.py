"""The printable notices: every kind renders, in Chinese, and says what the applicant must know.

Checked by reading the PDF back (pypdf), as someone holding the paper would: who, which
application, which dates, what to correct and what they can do against a refusal."""

import io
import json
import re
import threading
from dataclasses import replace
from datetime import date

import pytest
import qrcode
from django.utils import translation
from django.utils.translation import gettext_lazy
from pypdf import PdfReader

from approvals.notices import (
    KINDS,
    TITLES,
    UNCONFIRMED_NOTE,
    NoticeContext,
    NoticeError,
    NoticeItem,
    chinese_date,
    make_notice_number,
    render_notice,
    unprintable,
)

URL = "https://onewindow.example.gov.cn/status/?number=XB2026092400012"


def base(**overrides) -> NoticeContext:
    values = dict(
        town_name="下埠镇",
        department_name="下埠镇便民服务中心",
        application_number="XB2026092400012",
        matter_name="食品经营许可（仅销售预包装食品）",
        applicant_name="欧阳晓燕",
        applicant_id_masked="3603**********1234",
        issued_on=date(2026, 9, 24),
        received_on=date(2026, 9, 23),
        accepted_on=date(2026, 9, 24),
        due_date=date(2026, 10, 9),
        statutory_due_date=date(2026, 10, 28),
        status_url=URL,
    )
    values.update(overrides)
    return NoticeContext(**values)


CORRECTION_ITEMS = (
    NoticeItem("营业执照复印件", "复印件不清晰，请提供加盖公章的清晰复印件"),
    NoticeItem("经营场所平面图", "未标明“食品贮存区”的位置，请按1:100比例重新绘制"),
    NoticeItem("法定代表人身份证明", "缺少"),
)

CONTEXTS = {
    "acceptance": base(),
    "correction": base(
        accepted_on=None,
        due_date=None,
        statutory_due_date=None,
        items=CORRECTION_ITEMS,
        materials_due_date=date(2026, 9, 30),
    ),
    "refusal": base(
        accepted_on=None,
        due_date=None,
        statutory_due_date=None,
        reason="该申请事项依法不属于本机关职权范围",
        legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
        refer_to="湘东区市场监督管理局",
        review_body="萍乡市湘东区人民政府",
    ),
    "suspension": base(
        procedure_kind="expert_review",
        reason="申请项目涉及食品安全风险等级评定，需组织专家现场评审。",
        days=10,
        suspended_on=date(2026, 9, 28),
    ),
    "extension": base(
        reason="需征求区自然资源局意见。",
        days=10,
        previous_due_date=date(2026, 10, 9),
        due_date=date(2026, 10, 23),
        issued_on=date(2026, 10, 8),
    ),
    "decision_grant": base(
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        decided_on=date(2026, 10, 8),
        release_due_date=date(2026, 10, 22),
        issued_on=date(2026, 10, 8),
    ),
    "decision_deny": base(
        reason="经营场所与住宅未有效隔离，不符合食品经营许可审查要求。",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        decided_on=date(2026, 10, 8),
        issued_on=date(2026, 10, 8),
    ),
}

# The date each kind must announce, in Chinese form.
KEY_DATE = {
    "acceptance": "2026年10月9日",
    "correction": "2026年9月30日",
    "refusal": "2026年9月23日",
    "suspension": "2026年9月28日",
    "extension": "2026年10月23日",
    "decision_grant": "2026年10月22日",
    "decision_deny": "2026年10月8日",
}


def pages_text(pdf: bytes) -> list[str]:
    """The text of each page with all whitespace removed (lines wrap anywhere in Chinese)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]


def without_footers(pages: list[str], number: str) -> str:
    """The pages joined as one text, without the line "<number> 第 n 页 共 N 页" ending each."""
    footer = re.compile(re.escape(number) + r"第\d+页共\d+页$")
    return "".join(footer.sub("", page) for page in pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", KINDS)
def test_every_notice_names_applicant_application_title_and_date(kind):
    pdf = render_notice(kind, CONTEXTS[kind])
    assert pdf.startswith(b"%PDF-")
    text = "".join(pages_text(pdf))
    assert TITLES[kind] in text
    assert "欧阳晓燕" in text
    assert "XB2026092400012" in text
    assert "3603**********1234" in text
    assert "食品经营许可（仅销售预包装食品）" in text
    assert KEY_DATE[kind] in text
    assert "下埠镇便民服务中心" in text
    # the seal line: department, seal placeholder, date of issue
    issued = chinese_date(CONTEXTS[kind].issued_on)
    assert f"下埠镇便民服务中心（印章）{issued}" in text


@pytest.mark.parametrize("kind", KINDS)
def test_every_notice_carries_its_number_and_a_qr_code_to_the_status_page(kind):
    pdf = render_notice(kind, CONTEXTS[kind])
    text = "".join(pages_text(pdf))
    assert make_notice_number(kind, "XB2026092400012", town_name="下埠镇", year=2026) in text
    assert URL in text
    assert "扫码查询办理进度" in text
    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    images = [
        xobject.get_object()
        for xobject in page["/Resources"]["/XObject"].values()
        if xobject.get_object()["/Subtype"] == "/Image"
    ]
    assert len(images) == 1


def test_the_qr_code_encodes_the_status_url():
    """No QR decoder is installed: compare the embedded image, module by module, with the
    symbol that encodes exactly the status URL."""
    page = PdfReader(io.BytesIO(render_notice("acceptance", CONTEXTS["acceptance"]))).pages[0]
    image = page.images[0].image.convert("L")
    expected = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    expected.add_data(URL)
    expected.make(fit=True)
    matrix = expected.get_matrix()
    box = image.width // len(matrix)
    assert image.width == image.height == box * len(matrix)
    seen = [
        [image.getpixel((x * box + box // 2, y * box + box // 2)) < 128 for x in range(len(matrix))]
        for y in range(len(matrix))
    ]
    assert seen == matrix
    other = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    other.add_data(URL.replace("00012", "00013"))
    other.make(fit=True)
    assert seen != other.get_matrix()


def test_acceptance_gives_committed_and_statutory_due_dates():
    text = "".join(pages_text(render_notice("acceptance", CONTEXTS["acceptance"])))
    assert "决定予以受理，受理日期为2026年9月24日" in text
    assert "本机关将于2026年10月9日前作出决定" in text
    assert "法定办理期限截止日为2026年10月28日" in text


def test_tolerated_missing_acceptance_lists_what_to_supply_and_by_when():
    ctx = replace(
        CONTEXTS["acceptance"],
        items=(NoticeItem("消防安全检查合格证明", "承诺10个工作日内补交"),),
        materials_due_date=date(2026, 10, 12),
    )
    text = "".join(pages_text(render_notice("acceptance", ctx)))
    assert "容缺受理" in text
    assert "2026年10月12日前补齐下列材料（共1项）" in text
    assert "消防安全检查合格证明" in text
    assert "承诺10个工作日内补交" in text


def test_correction_notice_lists_every_item_and_the_deadline():
    text = "".join(pages_text(render_notice("correction", CONTEXTS["correction"])))
    assert "一次性告知如下（共3项）" in text
    for number, item in enumerate(CORRECTION_ITEMS, start=1):
        assert f"{number}{flat(item.material)}{flat(item.problem)}" in text
    assert "请于2026年9月30日前一并补正上述全部材料" in text


def test_a_forty_item_correction_notice_flows_onto_a_second_page_with_every_item():
    items = tuple(
        NoticeItem(f"第{n}项证明材料", f"第{n}项问题：与登记信息不一致") for n in range(1, 41)
    )
    ctx = replace(CONTEXTS["correction"], items=items)
    pages = pages_text(render_notice("correction", ctx))
    assert len(pages) == 2
    text = "".join(pages)
    for n in range(1, 41):
        assert f"{n}第{n}项证明材料第{n}项问题：与登记信息不一致" in text
    # the list really continues on page 2, under a repeated header, and nothing is printed twice
    assert "第1项证明材料" in pages[0] and "第40项证明材料" in pages[1]
    assert pages[1].count("材料名称存在的问题及补正要求") == 1
    assert text.count("第40项问题") == 1
    assert "第1页共2页" in pages[0] and "第2页共2页" in pages[1]
    assert "请于2026年9月30日前一并补正上述全部材料" in pages[1]


def test_a_very_long_reason_wraps_and_continues_on_the_next_page():
    sentence = "申请人提交的经营场所证明与实际经营地址不符，现场核查发现该场所已被列入拆迁范围。"
    reason = sentence * 30 + "\n" + "另查明：申请人未取得消防验收合格意见。"
    ctx = replace(CONTEXTS["decision_deny"], reason=reason)
    pages = pages_text(render_notice("decision_deny", ctx))
    assert len(pages) == 2
    text = without_footers(pages, "下埠审不许〔2026〕092400012号")
    assert text.count(sentence) == 30
    assert "另查明：申请人未取得消防验收合格意见。" in text
    assert "本机关决定不予行政许可" in pages[1]


def test_refusal_gives_reason_basis_and_remedies():
    text = "".join(pages_text(render_notice("refusal", CONTEXTS["refusal"])))
    assert "该申请事项依法不属于本机关职权范围。" in text
    assert "根据《中华人民共和国行政许可法》第三十二条第一款第（二）项的规定" in text
    assert "本机关决定不予受理" in text
    assert "请向湘东区市场监督管理局提出申请" in text
    assert "六十日内向萍乡市湘东区人民政府申请行政复议" in text
    assert "六个月内向有管辖权的人民法院提起行政诉讼" in text


def test_deny_decision_gives_reason_basis_and_remedies_but_a_grant_does_not_need_them():
    deny = "".join(pages_text(render_notice("decision_deny", CONTEXTS["decision_deny"])))
    assert "经营场所与住宅未有效隔离，不符合食品经营许可审查要求。" in deny
    assert "根据《中华人民共和国食品安全法》第三十五条的规定，本机关决定不予行政许可" in deny
    assert "申请行政复议" in deny and "提起行政诉讼" in deny
    grant = "".join(pages_text(render_notice("decision_grant", CONTEXTS["decision_grant"])))
    assert "本机关决定准予行政许可" in grant
    assert "本机关将于2026年10月22日前向你（单位）颁发、送达行政许可证件" in grant
    assert "行政复议" not in grant


def test_suspension_says_what_procedure_for_how_long_and_that_it_does_not_count():
    text = "".join(pages_text(render_notice("suspension", CONTEXTS["suspension"])))
    assert "需要进行专家评审" in text
    assert "申请项目涉及食品安全风险等级评定" in text
    assert "专家评审所需时间不计算在办理期限内" in text
    assert "自2026年9月28日起，专家评审预计需要10个工作日" in text


def test_extension_gives_days_reason_and_new_due_date():
    text = "".join(pages_text(render_notice("extension", CONTEXTS["extension"])))
    assert "需征求区自然资源局意见。" in text
    assert "第四十二条第一款" in text
    assert "办理期限延长10个工作日，办结日期由2026年10月9日延至2026年10月23日" in text


def test_a_deadline_in_an_unconfirmed_year_is_marked_with_a_footnote():
    confirmed = "".join(pages_text(render_notice("acceptance", CONTEXTS["acceptance"])))
    assert flat(UNCONFIRMED_NOTE) not in confirmed
    ctx = replace(
        CONTEXTS["acceptance"],
        issued_on=date(2026, 12, 30),
        accepted_on=date(2026, 12, 30),
        due_date=date(2027, 1, 14),
        statutory_due_date=date(2027, 1, 28),
        unconfirmed_years=[2027],
    )
    text = "".join(pages_text(render_notice("acceptance", ctx)))
    assert "本机关将于2027年1月14日*前作出决定" in text
    assert "2027年1月28日*" in text
    # the acceptance date is a fact, not a counted deadline: never marked
    assert "受理日期为2026年12月30日。" in text
    assert f"*{flat(UNCONFIRMED_NOTE)}" in text


def test_notice_number_comes_from_the_application_number():
    assert (
        make_notice_number("acceptance", "XB2026092400012", town_name="下埠镇", year=2026)
        == "下埠审受〔2026〕092400012号"
    )
    # the application's own year wins (a notice issued in January for December's application)
    assert (
        make_notice_number("refusal", "XB2026123100003", town_name="下埠镇", year=2027)
        == "下埠审不受〔2026〕123100003号"
    )
    assert (
        make_notice_number(
            "correction", "XB2026092400012", town_name="永山乡", year=2026, sequence=2
        )
        == "永山审补〔2026〕092400012-2号"
    )
    # a configured format without the date falls back on the whole number and the given year
    assert (
        make_notice_number("extension", "YS-000042", town_name="永山镇", year=2026)
        == "永山审延〔2026〕YS000042号"
    )
    numbers = {
        make_notice_number(kind, "XB2026092400012", town_name="下埠镇", year=2026) for kind in KINDS
    }
    assert len(numbers) == len(KINDS)


def test_a_given_notice_number_is_printed_as_given():
    ctx = replace(CONTEXTS["acceptance"], notice_number="下埠审受〔2026〕1号")
    assert "下埠审受〔2026〕1号" in "".join(pages_text(render_notice("acceptance", ctx)))


def test_missing_content_is_refused_with_the_fields_named():
    with pytest.raises(NoticeError) as refused:
        render_notice("refusal", replace(CONTEXTS["refusal"], reason=" ", legal_basis=""))
    assert set(refused.value.fields) == {"reason", "legal_basis"}
    with pytest.raises(NoticeError) as empty:
        render_notice("correction", replace(CONTEXTS["correction"], items=()))
    assert set(empty.value.fields) == {"items"}
    with pytest.raises(NoticeError) as half:
        render_notice(
            "correction", replace(CONTEXTS["correction"], items=(NoticeItem("营业执照", ""),))
        )
    assert "第1项" in half.value.fields["items"]
    with pytest.raises(NoticeError) as days:
        render_notice("extension", replace(CONTEXTS["extension"], days=0))
    assert set(days.value.fields) == {"days"}
    with pytest.raises(ValueError):
        render_notice("licence", CONTEXTS["acceptance"])


def test_errors_follow_the_users_language_but_the_notice_stays_chinese():
    with translation.override("en"), pytest.raises(NoticeError) as refused:
        render_notice("refusal", replace(CONTEXTS["refusal"], legal_basis=""))
    message = refused.value.fields["legal_basis"]
    assert "legal basis" in message.lower()
    assert not re.search(r"[\u4e00-\u9fff]", message)
    with translation.override("en"):
        ctx = replace(
            CONTEXTS["acceptance"],
            items=[{"material": "消防证明", "problem": gettext_lazy("容缺后补")}],
            materials_due_date=date(2026, 10, 12),
        )
        text = "".join(pages_text(render_notice("acceptance", ctx)))
    assert "受理通知书" in text and "容缺后补" in text


def test_unmasked_id_number_is_masked_anyway():
    ctx = replace(CONTEXTS["acceptance"], applicant_id_masked="360313199001011234")
    text = "".join(pages_text(render_notice("acceptance", ctx)))
    assert "360313199001011234" not in text
    assert "3603**********1234" in text


def test_context_survives_json_and_renders_the_same_bytes():
    ctx = replace(CONTEXTS["correction"], unconfirmed_years={2027})
    stored = json.loads(json.dumps(ctx.to_json()))
    assert stored["items"][0] == {
        "material": "营业执照复印件",
        "problem": CORRECTION_ITEMS[0].problem,
    }
    again = NoticeContext.from_json({**stored, "written_by_a_later_version": 1})
    assert again == ctx
    assert render_notice("correction", again) == render_notice("correction", ctx)


def test_rare_characters_in_names_and_symbols_render_with_a_real_glyph():
    """Names outside GB2312 (堃, 喆, 昇) and punctuation that the CJK font lacks (“ ” — …)
    come out as themselves, not as missing-glyph boxes."""
    ctx = replace(
        CONTEXTS["acceptance"],
        applicant_name="王堃喆昇",
        matter_name="“两违”整治——临时占道许可…",
    )
    assert unprintable(ctx.applicant_name + ctx.matter_name + "0123456789ABCxyz№℃①") == ""
    text = "".join(pages_text(render_notice("acceptance", ctx)))
    assert "王堃喆昇" in text
    assert "“两违”整治——临时占道许可…" in text
    # what cannot be drawn is known, so a caller can warn before printing
    assert unprintable("张𠀾三") == "𠀾"


def test_renders_in_parallel_threads_without_mixing_notices():
    names = ["甲一", "乙二", "丙三", "丁四", "戊五", "己六"]
    results: dict[str, str] = {}

    def work(name):
        results[name] = "".join(pages_text(render_notice("acceptance", base(applicant_name=name))))

    threads = [threading.Thread(target=work, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in names:
        assert f"{name}：" in results[name]
        assert all(f"{other}：" not in results[name] for other in names if other != name)
