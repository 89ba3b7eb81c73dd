"""Citizen pages: apply online step by step, my applications, the timeline, notices,
corrections, withdrawal, and the scope of every page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.models import Application, MaterialFile, Matter, Notice, State
from approvals.services import applications as svc
from portal.models import AuditEntry
from tests.approvals import citizen_journey as j
from tests.approvals.app_fixtures import PDF, PNG

pytestmark = pytest.mark.django_db


def _pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _png(name="照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _text(name="伪装.pdf"):
    return SimpleUploadedFile(name, b"just some text, not a pdf", content_type="application/pdf")


def _html(response) -> str:
    return response.content.decode()


def _slot_error(html: str, material_id: int) -> str:
    """The HTML of one upload slot."""
    start = html.find(f'id="slot-{material_id}"')
    assert start >= 0, f"slot {material_id} not on the page"
    ends = [
        i for i in (html.find('class="slot', start), html.find("</ul>\n    <div", start)) if i > 0
    ]
    return html[start : min(ends)]


@pytest.fixture
def citizen_client(client, world):
    client.force_login(world.citizen)
    return client


# --- apply online ----------------------------------------------------------------------------


def test_step_one_is_prefilled_from_the_account(citizen_client, world):
    response = citizen_client.get(reverse("approvals:apply", args=[world.matter.code]))
    html = _html(response)
    assert response.status_code == 200
    assert world.citizen.real_name in html
    assert world.citizen.id_number_masked in html and world.citizen.id_number not in html
    assert f'value="{world.citizen.mobile}"' in html
    assert 'aria-current="step"' in html


def test_step_one_errors_on_the_field_and_keeps_what_was_typed(citizen_client, world):
    Matter.objects.filter(pk=world.matter.pk).update(audience=Matter.Audience.BOTH)
    url = reverse("approvals:apply", args=[world.matter.code])
    response = citizen_client.post(
        url,
        {
            "applicant_kind": "organisation",
            "organisation_name": "下埠镇好味小吃店",
            "credit_code": "91360313MA35XXXX0Y",
            "applicant_mobile": "12345",
            "address": "下埠镇解放路18号",
            "description": "新开一家小吃店",
        },
    )
    html = _html(response)
    assert response.status_code == 400
    assert not Application.objects.exists()
    assert 'id="id_credit_code_error"' in html and "统一社会信用代码格式或校验位不正确" in html
    assert 'id="id_applicant_mobile_error"' in html
    assert 'aria-invalid="true"' in html
    # nothing typed is lost
    for typed in ("下埠镇好味小吃店", "下埠镇解放路18号", "新开一家小吃店", "91360313MA35XXXX0Y"):
        assert typed in html


def test_step_one_creates_the_draft_and_moves_on(citizen_client, world):
    response = citizen_client.post(
        reverse("approvals:apply", args=[world.matter.code]),
        {
            "applicant_kind": "person",
            "applicant_mobile": "13812345678",
            "address": "下埠镇解放路18号",
            "description": "个体经营",
        },
    )
    app = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "approvals:apply-step", args=[app.reference, "materials"]
    )
    assert app.state == State.DRAFT and app.channel == "online"
    assert app.applicant_mobile == "13812345678" and app.address == "下埠镇解放路18号"
    assert app.details == {"description": "个体经营"}


def test_organisation_with_a_valid_credit_code(citizen_client, world):
    from approvals.views.citizen_forms import credit_code_valid

    assert credit_code_valid("91350100M000100Y43")
    assert not credit_code_valid("91350100M000100Y44")
    Matter.objects.filter(pk=world.matter.pk).update(audience=Matter.Audience.BOTH)
    citizen_client.post(
        reverse("approvals:apply", args=[world.matter.code]),
        {
            "applicant_kind": "organisation",
            "organisation_name": "福州某某公司",
            "credit_code": "91350100m000100y43",
            "applicant_mobile": world.citizen.mobile,
            "address": "地址",
        },
    )
    app = Application.objects.get()
    assert app.credit_code == "91350100M000100Y43" and app.applicant_kind == "organisation"


def test_matter_not_online_or_not_in_force(citizen_client, world):
    assert citizen_client.get(reverse("approvals:apply", args=["NOPE"])).status_code == 404
    world.matter.channel_online = False
    world.matter.save()
    response = citizen_client.get(reverse("approvals:apply", args=[world.matter.code]))
    assert response.status_code == 400 and "暂不支持网上申请" in _html(response)


def test_staff_cannot_apply_online(client, world):
    client.force_login(world.clerk)
    assert client.get(reverse("approvals:apply", args=[world.matter.code])).status_code == 403


def test_a_failed_upload_shows_on_its_slot_and_keeps_the_others(citizen_client, world):
    app = svc.application_create(actor=world.citizen, matter=world.matter, channel="online")
    ids = list(app.materials.values_list("pk", flat=True))
    url = reverse("approvals:apply-step", args=[app.reference, "materials"])
    response = citizen_client.post(
        url,
        {
            f"file_{ids[0]}": _pdf("身份证.pdf"),
            f"file_{ids[1]}": _text(),
            f"file_{ids[2]}": _png(),
            "action": "next",
        },
    )
    html = _html(response)
    assert response.status_code == 400
    assert "只接受 PDF、JPEG 或 PNG 文件" in _slot_error(html, ids[1])
    assert 'aria-invalid="true"' in _slot_error(html, ids[1])
    assert "只接受" not in _slot_error(html, ids[0])
    # the other two files are stored and listed on their slots
    assert MaterialFile.objects.filter(application_material_id=ids[0]).count() == 1
    assert MaterialFile.objects.filter(application_material_id=ids[2]).count() == 1
    assert not MaterialFile.objects.filter(application_material_id=ids[1]).exists()
    assert "身份证.pdf" in _slot_error(html, ids[0])


def test_a_too_big_upload_is_refused_on_its_slot(citizen_client, world, settings):
    settings.ONEWINDOW = {**settings.ONEWINDOW, "MAX_UPLOAD_BYTES": 1024 * 1024}
    app = svc.application_create(actor=world.citizen, matter=world.matter, channel="online")
    item = app.materials.first()
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024 + 1), "application/pdf")
    response = citizen_client.post(
        reverse("approvals:apply-step", args=[app.reference, "materials"]),
        {f"file_{item.pk}": big, "action": "next"},
    )
    assert response.status_code == 400
    assert "文件过大" in _slot_error(_html(response), item.pk)
    assert not MaterialFile.objects.exists()


def test_material_rules_are_shown_on_each_slot(citizen_client, world):
    app = svc.application_create(actor=world.citizen, matter=world.matter, channel="online")
    html = _html(
        citizen_client.get(reverse("approvals:apply-step", args=[app.reference, "materials"]))
    )
    tolerated = app.materials.get(name="场所证明")
    assert "原件" in _slot_error(html, tolerated.pk)
    assert "可容缺后补" in _slot_error(html, tolerated.pk)
    assert "必需" in _slot_error(html, tolerated.pk)


def test_declaration_must_be_ticked(citizen_client, world):
    app = svc.application_create(actor=world.citizen, matter=world.matter, channel="online")
    url = reverse("approvals:apply-step", args=[app.reference, "declaration"])
    response = citizen_client.post(url, {})
    assert response.status_code == 400
    assert "请阅读并勾选承诺声明后再继续" in _html(response)
    response = citizen_client.post(url, {"declaration_accepted": "on"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.declaration_accepted


def test_review_blocks_missing_mandatory_materials_then_submits(citizen_client, world):
    app = j.online_draft(world)
    url = reverse("approvals:apply-step", args=[app.reference, "review"])
    response = citizen_client.post(url)
    assert response.status_code == 400
    assert "以下必需材料尚未上传：身份证明、申请表" in _html(response)  # 场所证明 may be missing
    for item in app.materials.exclude(name="场所证明"):
        svc.material_upload(
            application=app, actor=world.citizen, application_material=item, uploaded=_pdf()
        )
    response = citizen_client.post(url, follow=True)
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and app.number
    assert f"申请已提交，办件编号 {app.number}" in _html(response)
    # a submitted application is no longer edited through the steps
    again = citizen_client.get(url)
    assert again.status_code == 302
    assert again["Location"] == reverse("approvals:application-detail", args=[app.reference])


def test_drafts_are_resumed_where_they_were_left(citizen_client, world):
    app = svc.application_create(actor=world.citizen, matter=world.matter, channel="online")
    html = _html(citizen_client.get(reverse("approvals:my-applications")))
    assert "继续填写" in html
    detail = _html(
        citizen_client.get(reverse("approvals:application-detail", args=[app.reference]))
    )
    assert reverse("approvals:apply-step", args=[app.reference, "materials"]) in detail
    j.upload_all(app, world.citizen)
    detail = _html(
        citizen_client.get(reverse("approvals:application-detail", args=[app.reference]))
    )
    assert reverse("approvals:apply-step", args=[app.reference, "declaration"]) in detail
    svc.application_update_draft(application=app, actor=world.citizen, declaration_accepted=True)
    detail = _html(
        citizen_client.get(reverse("approvals:application-detail", args=[app.reference]))
    )
    assert reverse("approvals:apply-step", args=[app.reference, "review"]) in detail
    # the apply page of the same matter offers to continue the draft
    html = _html(citizen_client.get(reverse("approvals:apply", args=[world.matter.code])))
    assert reverse("approvals:apply-step", args=[app.reference, "materials"]) in html


# --- my applications, detail, timeline, notices ----------------------------------------------


def test_my_applications_show_state_due_date_and_clock(citizen_client, world):
    app = j.accepted(world)
    html = _html(citizen_client.get(reverse("approvals:my-applications")))
    assert app.number in html and "已受理" in html
    assert app.due_date.strftime("%Y-%m-%d") in html
    assert re.search(r'class="clock clock-(normal|warning|overdue)"', html)
    other = j.accepted(world, j.online_draft(world, citizen=world.other_citizen))
    assert other.number not in html


def test_my_applications_query_count_does_not_grow(citizen_client, world):
    for _ in range(3):
        j.accepted(world)
    url = reverse("approvals:my-applications")
    citizen_client.get(url)
    with CaptureQueriesContext(connection) as few:
        citizen_client.get(url)
    for _ in range(5):
        j.completed(world)
    citizen_client.get(url)  # the notifications changed the person's cached state: warm again
    with CaptureQueriesContext(connection) as many:
        response = citizen_client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few) <= 12


def test_timeline_in_plain_words(citizen_client, world):
    app = j.submitted(world)
    svc.application_request_correction(
        application=app,
        actor=world.clerk,
        checks=j.checks(app, 申请表="missing"),
        today=j.DAY,
    )
    app.refresh_from_db()
    item = app.materials.get(name="申请表")
    svc.material_upload(
        application=app, actor=world.citizen, application_material=item, uploaded=_pdf()
    )
    app = svc.application_submit(application=app, actor=world.citizen, today=j.DAY)
    svc.application_accept(application=app, actor=world.clerk, checks=j.checks(app), today=j.DAY)
    html = _html(citizen_client.get(reverse("approvals:application-detail", args=[app.reference])))
    assert f"提交申请，办件编号 {app.number}" in html
    assert "窗口一次性告知需补正1项材料" in html
    assert "补正材料后重新提交" in html
    # accepted 24 September 2026 with 5 committed working days: due 9 October
    assert "窗口受理，承诺10月9日前办结" in html


def test_every_notice_can_be_downloaded(citizen_client, world):
    app = j.accepted(world)
    notice = Notice.objects.get(application=app, kind=Notice.Kind.ACCEPTANCE)
    html = _html(citizen_client.get(reverse("approvals:application-detail", args=[app.reference])))
    url = reverse("approvals:notice-pdf", args=[app.reference, notice.pk])
    assert url in html and "受理通知书" in html
    response = citizen_client.get(url + "?download=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")


def test_own_files_are_served_and_the_read_audited(citizen_client, world):
    app = j.submitted(world)
    stored = MaterialFile.objects.filter(application_material__application=app).first()
    response = citizen_client.get(
        reverse("approvals:material-file", args=[app.reference, stored.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="application.file_read", actor=world.citizen).exists()


# --- corrections -----------------------------------------------------------------------------


def _in_correction(world):
    app = j.submitted(world)
    svc.application_request_correction(
        application=app,
        actor=world.clerk,
        checks=j.checks(app, 申请表="deficient"),
        extra_items=["请补充经营范围说明"],
        today=j.DAY,
    )
    app.refresh_from_db()
    return app


def test_correction_page_offers_only_the_listed_materials(citizen_client, world):
    app = _in_correction(world)
    listed = app.materials.get(name="申请表")
    unlisted = app.materials.get(name="身份证明")
    url = reverse("approvals:correction", args=[app.reference])
    html = _html(citizen_client.get(url))
    assert f'id="slot-{listed.pk}"' in html and f'id="slot-{unlisted.pk}"' not in html
    assert "复印件不清晰" in html and "请补充经营范围说明" in html
    before = MaterialFile.objects.filter(application_material=unlisted).count()
    citizen_client.post(url, {f"file_{unlisted.pk}": _pdf(), "action": "save"})
    assert MaterialFile.objects.filter(application_material=unlisted).count() == before


def test_correction_resubmits_only_with_the_listed_materials(citizen_client, world):
    app = _in_correction(world)
    listed = app.materials.get(name="申请表")
    url = reverse("approvals:correction", args=[app.reference])
    response = citizen_client.post(url, {"action": "submit"})
    assert response.status_code == 400
    assert "请上传补正后的“申请表”" in _slot_error(_html(response), listed.pk)
    response = citizen_client.post(url, {f"file_{listed.pk}": _text(), "action": "submit"})
    assert response.status_code == 400
    assert "只接受" in _slot_error(_html(response), listed.pk)
    response = citizen_client.post(
        url, {f"file_{listed.pk}": _pdf("新申请表.pdf"), "action": "submit"}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and app.submission_round == 2


# --- withdrawal ------------------------------------------------------------------------------


def test_withdraw_asks_for_confirmation_first(citizen_client, world):
    app = j.submitted(world)
    url = reverse("approvals:withdraw", args=[app.reference])
    response = citizen_client.get(url)
    assert response.status_code == 200 and "确认撤回" in _html(response)
    app.refresh_from_db()
    assert app.state == State.SUBMITTED
    response = citizen_client.post(url, {"reason": "不办了"}, follow=True)
    app.refresh_from_db()
    assert app.state == State.WITHDRAWN and app.withdrawal_reason == "不办了"
    assert "申请已撤回" in _html(response)


def test_withdraw_after_a_decision_is_refused(citizen_client, world):
    app = j.decided(world)
    response = citizen_client.post(reverse("approvals:withdraw", args=[app.reference]))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == State.READY_FOR_RELEASE


# --- scope -----------------------------------------------------------------------------------


def test_other_people_get_404_on_every_page(client, world):
    app = _in_correction(world)
    notice = app.notices.first()
    stored = MaterialFile.objects.filter(application_material__application=app).first()
    urls = [
        reverse("approvals:application-detail", args=[app.reference]),
        reverse("approvals:apply-step", args=[app.reference, "materials"]),
        reverse("approvals:correction", args=[app.reference]),
        reverse("approvals:withdraw", args=[app.reference]),
        reverse("approvals:notice-pdf", args=[app.reference, notice.pk]),
        reverse("approvals:material-file", args=[app.reference, stored.pk]),
        reverse("approvals:evaluate", args=[app.reference]),
    ]
    client.force_login(world.other_citizen)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(urls[3]).status_code == 404
    # staff in scope see the application, but never act for the applicant
    client.force_login(world.clerk)
    assert client.get(urls[0]).status_code == 200
    assert client.get(urls[2]).status_code == 404
    assert client.post(urls[3]).status_code == 404
    app.refresh_from_db()
    assert app.state == State.CORRECTION


def test_draft_reference_of_someone_else_is_404(client, world):
    app = svc.application_create(actor=world.citizen, matter=world.matter, channel="online")
    client.force_login(world.other_citizen)
    url = reverse("approvals:apply-step", args=[app.reference, "applicant"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("approvals:apply-step", args=["123", "nope"])).status_code == 404


def test_pages_need_a_log_in(client, world):
    app = j.submitted(world)
    response = client.get(reverse("approvals:application-detail", args=[app.reference]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.get(reverse("approvals:my-applications"))
    assert response.status_code == 302


# --- languages -------------------------------------------------------------------------------


def test_pages_in_english(citizen_client, world, settings):
    app = j.accepted(world)
    citizen_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _html(citizen_client.get(reverse("approvals:my-applications")))
    assert "My applications" in html and "View progress" in html
    html = _html(citizen_client.get(reverse("approvals:application-detail", args=[app.reference])))
    assert "Accepted at the window, to be completed by 9 Oct" in html
    assert f"Submitted, application number {app.number}" in html
    assert "Print the acceptance receipt" in html
    html = _html(citizen_client.get(reverse("approvals:apply", args=[world.matter.code])))
    assert "Save and continue" in html and "Apply online" in html
    html = _html(citizen_client.get("/status/"))
    assert "Last 4 digits of the applicant&#x27;s mobile" in html
