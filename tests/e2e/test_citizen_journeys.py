"""Citizen and proxy-agent journeys in a real headless Chromium, phone-sized, with real uploads.
The staff steps (intake, review, release) are driven through the services: their pages belong
to the staff area, which has its own browser journeys."""

import struct
import zlib
from pathlib import Path

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from approvals.models import Application, Evaluation, Rectification, State
from approvals.services import applications as svc
from tests.approvals.app_fixtures import World
from tests.e2e.helpers import (
    axe_violations,
    fill,
    full_page_screenshot,
    login,
    page_replaced,
    page_text,
    wait_for,
    wait_text,
)
from tests.factories import valid_id_number

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secret#2026"  # tests.factories.UserFactory


# --- small real files ------------------------------------------------------------------------


def make_pdf(path: Path, text: str) -> Path:
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path))
    canvas.drawString(72, 720, text)
    canvas.save()
    return path


def make_png(path: Path) -> Path:
    """A 2x2 red PNG, written by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


screenshot = full_page_screenshot


def no_serious_violations(driver, page: str):
    violations = axe_violations(driver)
    assert violations == [], (
        page,
        [
            (v["id"], v.get("impact"), [(n["target"], n.get("failureSummary")) for n in v["nodes"]])
            for v in violations
        ],
    )


def body_text(driver) -> str:
    return page_text(driver)


def slot_input(driver, application, name):
    item = application.materials.get(name=name)
    return driver.find_element(By.ID, f"file_{item.pk}"), item


def click_submit(driver, css="form.form button[type=submit]"):
    button = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    old = driver.find_element(By.TAG_NAME, "html")
    button.click()
    # A submit that loads the next page replaces the document; one that htmx answers in place
    # does not, so the wait is bounded and its end is not an error.
    try:
        WebDriverWait(driver, 5).until(page_replaced(old))
    except TimeoutException:
        pass


# --- journey 1: a citizen applies online ... and the supervisor closes the rectification -----


def test_citizen_applies_corrects_rates_and_supervisor_rectifies(
    phone, browser_factory, live_server, tmp_path
):
    world = World()
    citizen = world.citizen
    identity = make_pdf(tmp_path / "身份证.pdf", "ID card copy")
    form_pdf = make_pdf(tmp_path / "申请表.pdf", "Application form")
    premises = make_png(tmp_path / "场所照片.png")
    fake = tmp_path / "不是PDF.pdf"
    fake.write_text("this is only text pretending to be a PDF")

    login(phone, live_server, citizen.username, PASSWORD)
    phone.get(f"{live_server.url}/apply/{world.matter.code}/")
    wait_text(phone, "网上申请")
    assert citizen.real_name in body_text(phone)
    assert phone.find_element(By.NAME, "applicant_mobile").get_attribute("value") == citizen.mobile
    no_serious_violations(phone, "apply step 1")
    screenshot(phone, "citizen-apply-applicant")
    fill(phone, "address", "下埠镇解放路18号")
    fill(phone, "description", "开一家早餐店")
    click_submit(phone)

    # step 2: one slot per material; a wrong file is refused on its own slot
    wait_text(phone, "上传材料")
    application = Application.objects.get(applicant=citizen)
    assert application.state == State.DRAFT
    field, _identity_item = slot_input(phone, application, "身份证明")
    field.send_keys(str(identity))
    field, form_item = slot_input(phone, application, "申请表")
    field.send_keys(str(fake))
    no_serious_violations(phone, "apply step 2")
    click_submit(phone, "button[name=action][value=next]")
    wait_for(phone, f"#slot-{form_item.pk}.slot-error")
    slot = phone.find_element(By.ID, f"slot-{form_item.pk}")
    assert "只接受 PDF、JPEG 或 PNG 文件" in slot.text
    assert "身份证.pdf" in body_text(phone)  # the good file was kept
    no_serious_violations(phone, "apply step 2 with an upload error")
    screenshot(phone, "citizen-apply-materials-error")
    field, _ = slot_input(phone, application, "申请表")
    field.send_keys(str(form_pdf))
    click_submit(phone, "button[name=action][value=next]")

    # step 3: the declaration, then review and submit (场所证明 may be supplied later)
    wait_text(phone, "本人郑重承诺")
    phone.find_element(By.CSS_SELECTOR, "label[for=id_declaration_accepted]").click()
    no_serious_violations(phone, "apply step 3")
    click_submit(phone)
    wait_text(phone, "核对提交")
    assert "下埠镇解放路18号" in body_text(phone)
    no_serious_violations(phone, "apply step 4")
    screenshot(phone, "citizen-apply-review")
    click_submit(phone, "form.actions button[type=submit]")
    wait_text(phone, "申请已提交")
    application.refresh_from_db()
    assert application.state == State.SUBMITTED and application.number

    # the clerk sends a one-time correction notice (service)
    svc.application_request_correction(
        application=application,
        actor=world.clerk,
        checks=[
            {
                "id": m.pk,
                "status": "missing" if m.name == "场所证明" else "received",
            }
            for m in application.materials.all()
        ],
    )

    # the citizen sees it in "my applications" and uploads the missing material
    phone.get(f"{live_server.url}/my/applications/")
    wait_text(phone, "待补正")
    no_serious_violations(phone, "my applications")
    phone.find_element(By.CSS_SELECTOR, ".app-card a[href$='/correction/']").click()
    wait_text(phone, "一次性告知书")
    application.refresh_from_db()
    assert len(phone.find_elements(By.CSS_SELECTOR, "li.slot")) == 1  # only the listed material
    field, _ = slot_input(phone, application, "场所证明")
    field.send_keys(str(premises))
    no_serious_violations(phone, "correction")
    screenshot(phone, "citizen-correction")
    click_submit(phone, "button[name=action][value=submit]")
    wait_text(phone, "补正材料已提交")
    application.refresh_from_db()
    assert application.state == State.SUBMITTED and application.submission_round == 2

    # staff steps through the services: accept, claim, suspend and resume, grant, release
    application = svc.application_accept(
        application=application,
        actor=world.clerk,
        checks=[{"id": m.pk, "status": "received"} for m in application.materials.all()],
    )
    application = svc.application_claim(application=application, actor=world.reviewer)
    svc.application_suspend(
        application=application,
        actor=world.reviewer,
        kind="on_site",
        reason="现场核查经营场所",
        expected_days=2,
    )
    application.refresh_from_db()
    application = svc.application_resume(application=application, actor=world.reviewer)
    application = svc.application_decide(
        application=application, actor=world.reviewer, outcome="grant"
    )
    due_label = application.due_date
    svc.application_release(application=application, actor=world.release_clerk, method="hand")

    # the timeline in plain words and every notice
    phone.get(f"{live_server.url}/applications/{application.number}/")
    wait_text(phone, "办理进度")
    text = body_text(phone)
    assert "窗口受理，承诺" in text and "前办结" in text
    assert "窗口一次性告知需补正1项材料" in text
    assert "进入特别程序（现场核查）" in text
    assert "结果已在窗口领取，办结" in text
    assert due_label
    for label in ("受理通知书", "补正材料通知书", "特别程序告知书", "准予行政许可决定书"):
        assert label in text
    no_serious_violations(phone, "application detail")
    screenshot(phone, "citizen-application-detail")
    status, kind = phone.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const a = document.querySelector('.notice-list a');"
        "fetch(a.href).then(r => done([r.status, r.headers.get('content-type')]));"
    )
    assert status == 200 and kind == "application/pdf"

    # the citizen rates it 不满意
    label = phone.find_element(By.XPATH, "//label[normalize-space()='不满意']")
    label.click()
    fill(phone, "comment", "补正来回跑了两趟")
    no_serious_violations(phone, "rating form")
    screenshot(phone, "citizen-evaluate")
    click_submit(phone, "#evaluation form button[type=submit]")
    wait_text(phone, "感谢您的评价")
    evaluation = Evaluation.objects.get(application=application)
    assert evaluation.rating == 2 and not evaluation.on_behalf
    rectification = Rectification.objects.get(evaluation=evaluation)

    # a supervisor records the call-back and closes the rectification in the browser
    desk = browser_factory()
    login(desk, live_server, world.supervisor.username, PASSWORD)
    desk.get(f"{live_server.url}/rectifications/")
    wait_text(desk, application.number)
    no_serious_violations(desk, "rectifications list")
    desk.find_element(By.CSS_SELECTOR, f"a[href='/rectifications/{rectification.pk}/']").click()
    wait_text(desk, "记录回访")
    assert citizen.display_name in body_text(desk)  # the rater, for supervisors
    desk.find_element(By.XPATH, "//label[normalize-space()='电话回访']").click()
    fill(desk, "citizen_said", "希望补正能一次说清楚")
    click_submit(desk, "form[action$='/callbacks/'] button[type=submit]")
    wait_text(desk, "回访记录已保存")
    fill(desk, "action_taken", "窗口人员一次性告知培训")
    fill(desk, "result", "群众表示满意")
    desk.find_element(By.CSS_SELECTOR, "button[name=action][value=close]").click()
    wait_text(desk, "整改已办结")
    no_serious_violations(desk, "rectification closed")
    screenshot(desk, "citizen-rectification-supervisor")
    rectification = Rectification.objects.get(pk=rectification.pk)
    assert rectification.status == "closed" and rectification.callbacks.count() == 1

    # the citizen was told about the call-back and sees the result
    phone.get(f"{live_server.url}/notifications/")
    wait_text(phone, "的评价已回访")
    phone.get(f"{live_server.url}/applications/{application.number}/")
    wait_text(phone, "我们已完成整改：群众表示满意")


def test_status_lookup_from_the_notice_qr_code(phone, live_server):
    world = World()
    application = svc.application_create(actor=world.citizen, matter=world.matter, channel="online")
    svc.application_update_draft(
        application=application, actor=world.citizen, declaration_accepted=True
    )
    application = svc.application_submit(application=application, actor=world.citizen)
    phone.get(f"{live_server.url}/")
    phone.find_element(By.CSS_SELECTOR, "a[href='/status/']")
    phone.get(f"{live_server.url}/status/?number={application.number}")
    wait_text(phone, "办件查询")
    assert phone.find_element(By.NAME, "number").get_attribute("value") == application.number
    no_serious_violations(phone, "status lookup")
    fill(phone, "mobile_last4", world.citizen.mobile[-4:])
    click_submit(phone)
    wait_text(phone, "查询结果")
    assert "已提交" in body_text(phone)
    no_serious_violations(phone, "status result")
    screenshot(phone, "citizen-status-lookup")
    # and in English
    phone.find_element(By.CSS_SELECTOR, "button[name=language][value=en]").click()
    wait_text(phone, "Check an application")
    assert "Last 4 digits of the applicant's mobile" in body_text(phone)
    no_serious_violations(phone, "status lookup in English")


# --- journey 2: a proxy agent files for a resident -------------------------------------------


def test_proxy_agent_files_for_a_new_resident(phone, live_server, tmp_path):
    world = World()
    id_number = valid_id_number(321)
    scan = make_pdf(tmp_path / "委托材料.pdf", "scan")
    photo = make_png(tmp_path / "申请表.png")

    login(phone, live_server, world.proxy.username, PASSWORD)
    phone.get(f"{live_server.url}/proxy/")
    wait_text(phone, "帮代办")
    no_serious_violations(phone, "proxy home (empty)")
    phone.find_element(By.LINK_TEXT, "为村民代办").click()
    fill(phone, "id_number", id_number)
    click_submit(phone)
    wait_text(phone, "登记新村民")
    no_serious_violations(phone, "proxy resident not found")
    fill(phone, "real_name", "王阿婆")
    fill(phone, "mobile", "13900001111")
    click_submit(phone, "form[action$='/proxy/residents/'] button[type=submit]")
    wait_text(phone, "已登记村民：王阿婆")
    phone.find_element(
        By.XPATH, f"//label[contains(normalize-space(), '{world.matter.name}')]"
    ).click()
    phone.find_element(By.XPATH, "//label[normalize-space()='村民当面签署委托书']").click()
    fill(phone, "consent_note", "委托书已拍照存档")
    no_serious_violations(phone, "proxy filing")
    screenshot(phone, "citizen-proxy-filing")
    phone.find_element(By.CSS_SELECTOR, "label[for=id_consent_confirmed]").click()
    click_submit(phone, "form.form[method=post] button[type=submit]")
    wait_text(phone, "已为王阿婆创建代办草稿")
    fill(phone, "address", "下埠镇东村3组")
    click_submit(phone)
    wait_text(phone, "上传材料")
    application = Application.objects.get(proxy_agent=world.proxy)
    field, _ = slot_input(phone, application, "身份证明")
    field.send_keys(str(scan))
    field, _ = slot_input(phone, application, "申请表")
    field.send_keys(str(photo))
    click_submit(phone, "button[name=action][value=next]")
    wait_text(phone, "受 王阿婆 委托")
    phone.find_element(By.CSS_SELECTOR, "label[for=id_declaration_accepted]").click()
    click_submit(phone)
    wait_text(phone, "核对提交")
    click_submit(phone, "form.actions button[type=submit]")
    wait_text(phone, "申请已提交")
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.applicant.real_name == "王阿婆" and application.channel == "proxy"

    # the window accepts it; the agent prints the acceptance receipt for the resident
    svc.application_accept(
        application=application,
        actor=world.clerk,
        checks=[
            {
                "id": m.pk,
                "status": "tolerated" if m.name == "场所证明" else "received",
                "promised_on": "2099-01-01" if m.name == "场所证明" else None,
                "commitment": "承诺补交场所证明" if m.name == "场所证明" else "",
            }
            for m in application.materials.all()
        ],
    )
    phone.get(f"{live_server.url}/proxy/")
    wait_text(phone, application.number)
    assert "王阿婆" in body_text(phone)
    no_serious_violations(phone, "proxy home")
    screenshot(phone, "citizen-proxy-home")
    status, kind = phone.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const a = [...document.querySelectorAll('a')].find(x => x.textContent.includes('打印受理通知书'));"
        "fetch(a.href).then(r => done([r.status, r.headers.get('content-type')]));"
    )
    assert status == 200 and kind == "application/pdf"


def test_a_too_big_file_is_flagged_on_its_slot_before_upload(
    phone, live_server, tmp_path, settings
):
    settings.ONEWINDOW = {**settings.ONEWINDOW, "MAX_UPLOAD_BYTES": 2048}
    world = World()
    application = svc.application_create(actor=world.citizen, matter=world.matter, channel="online")
    big = tmp_path / "大文件.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * 4096)
    login(phone, live_server, world.citizen.username, PASSWORD)
    phone.get(f"{live_server.url}/applications/{application.reference}/apply/materials/")
    field, item = slot_input(phone, application, "申请表")
    field.send_keys(str(big))
    message = phone.find_element(By.ID, f"file_{item.pk}_client")
    assert message.is_displayed() and "文件过大" in message.text
    assert field.get_attribute("value") == ""  # not sent over the phone connection
    assert field.get_attribute("aria-invalid") == "true"
