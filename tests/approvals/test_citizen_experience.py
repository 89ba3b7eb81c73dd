"""What a new user hesitated over, applying and following up: step 1 asks only what the
matter's applicants need, pre-filled; uploads show what arrived and a wrong one can be taken
back out of a draft; missing materials are named; the words after submitting and in my
applications say what happens next and when, in the matter's own terms; the proxy agent's
wizard speaks of 帮代办 and starts with a search."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals import next_steps
from approvals.models import Application, MaterialFile, Matter, Notice
from approvals.services import applications as svc
from portal import workdays
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import AuditEntry
from tests.approvals import citizen_journey as j
from tests.approvals.app_fixtures import PDF, PNG, make_matter

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_client(client, world):
    client.force_login(world.citizen)
    return client


def _html(response) -> str:
    return response.content.decode()


# --- step 1 ------------------------------------------------------------------------------------


def test_a_matter_for_persons_asks_no_organisation(citizen_client, world):
    html = _html(citizen_client.get(reverse("approvals:apply", args=[world.matter.code])))
    assert "单位名称" not in html and "统一社会信用代码" not in html
    assert 'name="applicant_kind" value="person"' in html and 'type="radio"' not in html


def test_a_matter_for_organisations_always_asks_the_organisation(citizen_client, world):
    Matter.objects.filter(pk=world.matter.pk).update(audience=Matter.Audience.ORGANISATION)
    url = reverse("approvals:apply", args=[world.matter.code])
    html = _html(citizen_client.get(url))
    assert "单位名称" in html and "经办人" in html and 'type="radio"' not in html
    response = citizen_client.post(
        url, {"applicant_kind": "person", "applicant_mobile": "13812345678", "address": "某路1号"}
    )
    assert response.status_code == 400  # "person" posted by hand is overridden, then refused
    assert "以单位名义申请须填写单位名称" in _html(response)


def test_a_matter_for_both_lets_the_applicant_choose(citizen_client, world):
    Matter.objects.filter(pk=world.matter.pk).update(audience=Matter.Audience.BOTH)
    html = _html(citizen_client.get(reverse("approvals:apply", args=[world.matter.code])))
    assert 'type="radio"' in html and 'data-when-kind="organisation"' in html


def test_the_service_refuses_an_organisation_for_a_matter_for_persons(world):
    app = j.online_draft(world)
    with pytest.raises(ActionError) as error:
        svc.application_update_draft(
            application=app, actor=world.citizen, applicant_kind="organisation"
        )
    assert error.value.fields["applicant_kind"]


def test_step_one_is_prefilled_from_the_profile_and_stays_editable(citizen_client, world):
    earlier = j.online_draft(world)
    svc.application_update_draft(
        application=earlier, actor=world.citizen, address="下埠镇解放路18号"
    )
    html = _html(citizen_client.get(reverse("approvals:apply", args=[world.matter.code])))
    assert 'value="下埠镇解放路18号"' in html and f'value="{world.citizen.mobile}"' in html
    response = citizen_client.post(
        reverse("approvals:apply", args=[world.matter.code]),
        {"applicant_kind": "person", "applicant_mobile": "13911112222", "address": "新地址9号"},
    )
    assert response.status_code == 302
    newest = Application.objects.exclude(pk=earlier.pk).get()
    assert (newest.address, newest.applicant_mobile) == ("新地址9号", "13911112222")


# --- materials ---------------------------------------------------------------------------------


def _materials_url(app):
    return reverse("approvals:apply-step", args=[app.reference, "materials"])


def test_each_upload_shows_its_name_size_and_thumbnail(citizen_client, world):
    app = j.online_draft(world)
    first, second = app.materials.all()[:2]
    citizen_client.post(
        _materials_url(app),
        {
            f"file_{first.pk}": SimpleUploadedFile("身份证正面.png", PNG, content_type="image/png"),
            f"file_{second.pk}": SimpleUploadedFile(
                "申请表.pdf", PDF, content_type="application/pdf"
            ),
            "action": "save",
        },
    )
    html = _html(citizen_client.get(_materials_url(app)))
    png = MaterialFile.objects.get(original_name="身份证正面.png")
    assert "身份证正面.png" in html and "申请表.pdf" in html
    assert f'<img src="{reverse("approvals:material-file", args=[app.reference, png.pk])}"' in html
    assert 'class="thumb-pdf"' in html
    assert "72\xa0字节" in html or "72 bytes" in html or "72\xa0bytes" in html


def test_a_wrong_upload_is_removed_from_a_draft(citizen_client, world):
    app = j.online_draft(world)
    item = app.materials.get(name="身份证明")
    svc.material_upload(
        application=app,
        actor=world.citizen,
        application_material=item,
        uploaded=SimpleUploadedFile("错的照片.png", PNG, content_type="image/png"),
    )
    wrong = MaterialFile.objects.get()
    path = wrong.file.name
    storage = wrong.file.storage
    with django_capture_on_commit():
        response = citizen_client.post(_materials_url(app), {"remove": str(wrong.pk)})
    assert response.status_code == 302
    assert not MaterialFile.objects.exists() and not storage.exists(path)
    assert AuditEntry.objects.filter(action="application.file_remove").count() == 1
    page = _html(citizen_client.get(_materials_url(app)))
    assert "已删除“错的照片.png”" in page and "还缺 2 项必需材料" in page


def django_capture_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_nothing_is_removed_once_submitted(world):
    app = j.submitted(world)
    stored = MaterialFile.objects.filter(application_material__application=app).first()
    with pytest.raises(Conflict):
        svc.material_file_remove(application=app, actor=world.citizen, file_id=stored.pk)
    other = j.online_draft(world, citizen=world.other_citizen)
    with pytest.raises(Forbidden):
        svc.material_file_remove(application=other, actor=world.citizen, file_id=stored.pk)
    assert MaterialFile.objects.filter(pk=stored.pk).exists()


def test_moving_on_names_the_missing_required_materials(citizen_client, world):
    app = j.online_draft(world)
    response = citizen_client.post(_materials_url(app), {"action": "next"})
    html = _html(response)
    assert response.status_code == 400
    assert "还缺 2 项必需材料" in html and "身份证明" in html and "申请表" in html
    assert "上传这些材料后才能进入下一步" in html
    assert "场所证明" not in html.split("还缺")[1].split("</ul>")[0]  # tolerated: may come later
    j.upload_all(app, world.citizen)
    response = citizen_client.post(_materials_url(app), {"action": "next"})
    assert response.status_code == 302 and response["Location"].endswith("/declaration/")


# --- what happens next -------------------------------------------------------------------------


def test_after_submitting_the_words_follow_the_matters_commitment(citizen_client, world):
    quick = make_matter(code="M-QUICK", department=world.dept, committed=1, materials=())
    app = j.online_draft(world, matter=quick, today=date.today())
    response = citizen_client.post(
        reverse("approvals:apply-step", args=[app.reference, "review"]), follow=True
    )
    html = _html(response)
    app.refresh_from_db()
    expected = next_steps.day_label(workdays.add_working_days(app.received_on, 1))
    assert f"窗口将在{expected}前审核材料" in html and "受理后1个工作日内办结" in html
    assert "5个工作日" not in html and "逾期视为受理" not in html
    note = app.applicant.notifications.get(kind="application.submitted")
    assert "5个工作日" not in note.body


def test_every_state_says_what_happens_next(world):
    window = world.release_window
    draft = j.online_draft(world)
    assert "还没有提交" in next_steps.next_step(draft).text
    app = j.submitted(world)
    assert "前审核材料" in next_steps.next_step(app).text
    app = j.accepted(world)
    assert "正在审查，承诺" in next_steps.next_step(app).text
    app = j.decided(world)
    step = next_steps.next_step(app, window=window)
    assert step.text.startswith("请于") and "9号窗口领取，带上身份证" in step.text
    app = j.completed(world)
    assert "领取" in next_steps.next_step(app).text
    mailed = svc.application_release(
        application=j.decided(world),
        actor=world.release_clerk,
        method="mail",
        tracking_number="SF1234567890",
        today=j.DAY,
    )
    assert "SF1234567890" in next_steps.next_step(mailed).text


def test_a_finished_case_leads_with_its_result(citizen_client, world):
    app = j.completed(world)
    decision = Notice.objects.get(application=app, kind=Notice.Kind.DECISION_GRANT)
    result_url = reverse("approvals:notice-pdf", args=[app.reference, decision.pk])
    listing = _html(citizen_client.get(reverse("approvals:my-applications")))
    card = listing[listing.index(app.number) :]
    assert card.index(result_url) < card.index("查看进度")
    assert "查看决定书" in listing
    detail = _html(
        citizen_client.get(reverse("approvals:application-detail", args=[app.reference]))
    )
    assert f'class="button" href="{result_url}"' in detail
    assert "打印受理通知书" not in detail


def test_my_applications_say_when_to_collect(citizen_client, world):
    app = j.decided(world)
    html = _html(citizen_client.get(reverse("approvals:my-applications")))
    ready = next_steps.day_label(workdays.add_working_days(app.decided_on, 1))
    assert f"请于{ready}起到9号窗口领取，带上身份证" in html


def test_the_citizen_reads_no_legal_mechanics(citizen_client, world):
    app = j.submitted(world)
    html = _html(citizen_client.get(reverse("approvals:application-detail", args=[app.reference])))
    assert "逾期视为受理" not in html and "法定办结日期" not in html


# --- the proxy agent ---------------------------------------------------------------------------


@pytest.fixture
def proxy_client(client, world):
    client.force_login(world.proxy)
    return client


def test_the_proxy_wizard_speaks_of_proxy_service(proxy_client, world):
    app = j.proxy_draft(world)
    html = _html(
        proxy_client.get(reverse("approvals:apply-step", args=[app.reference, "applicant"]))
    )
    assert "可随时在“帮代办”中继续" in html and "我的办件" not in html


def test_the_proxy_agent_finds_the_matter_by_search(proxy_client, world):
    for n in range(30):
        make_matter(code=f"P-{n:03d}", department=world.dept, name=f"其他事项{n}", materials=())
    make_matter(code="P-GL", department=world.dept, name="高龄津贴发放", materials=())
    url = reverse("approvals:proxy-file")
    first = _html(proxy_client.get(url, {"id_number": world.citizen.id_number}))
    assert first.index('type="search"') < first.index('type="radio"')
    assert first.count('name="matter" value=') <= 8  # a short list, not every matter
    found = _html(proxy_client.get(url, {"id_number": world.citizen.id_number, "q": "gljt"}))
    assert found.count('name="matter" value=') == 1 and "高龄津贴发放" in found


def test_continue_from_my_applications_resumes_where_the_draft_was_left(citizen_client, world):
    app = svc.application_create(actor=world.citizen, matter=world.matter, channel="online")
    listing = _html(citizen_client.get(reverse("approvals:my-applications")))
    resume = reverse("approvals:apply-step", args=[app.reference, "resume"])
    assert resume in listing
    response = citizen_client.get(resume)
    assert response["Location"] == reverse(
        "approvals:apply-step", args=[app.reference, "materials"]
    )
    materials = _html(citizen_client.get(response["Location"]))
    assert "原件拍照或扫描" in materials  # what to upload, not the register's 原件/复印件
