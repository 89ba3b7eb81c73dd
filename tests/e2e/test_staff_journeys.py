"""Staff journeys in a real headless Chromium at desktop size, with real uploads.

(1) The staff side of the online flow: a citizen's submission (through the services) gets a
correction notice from the clerk in the browser, the citizen resubmits (services), the clerk
accepts, the reviewer claims, suspends, resumes and grants, and the release window completes it.
(2) A walk-in is registered and refused with a printed notice.
(3) The supervisor approves an extension and reassigns an overdue application."""

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from approvals.models import Application, Notice, State
from approvals.services import applications as svc
from tests.e2e.helpers import fill, login, screenshot, wait_for, wait_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secret#2026"  # tests.factories.UserFactory


def make_pdf(path, text: str):
    """A small real PDF file (one page with a line of text)."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return path


def pdf_upload(path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/pdf")


def content_type_of(driver, url: str) -> str:
    """What the server answers for ``url`` in the browser's own session."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'})"
        ".then(r => done(r.status + ' ' + r.headers.get('content-type')))"
        ".catch(e => done(String(e)));",
        url,
    )


def shot(driver, name, settle: float = 0.3):
    """A full-page screenshot at desktop width (docs/screenshots/<name>.png)."""
    import time

    driver.execute_script("window.scrollTo(0, 0)")
    time.sleep(settle)  # let the PDF viewer or htmx finish painting; nothing is asserted on it
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, max(900, min(height, 2200)))
    try:
        screenshot(driver, name)
    finally:
        driver.set_window_size(1366, 900)


def click(driver, css):
    element = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()
    return element


def body(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


@pytest.fixture
def world(transactional_db):
    from portal.roles import sync_roles
    from tests.approvals.app_fixtures import World

    sync_roles()
    return World()


def _online_submission(world, tmp_path):
    app = svc.application_create(actor=world.citizen, matter=world.matter, channel="online")
    svc.application_update_draft(application=app, actor=world.citizen, declaration_accepted=True)
    app.refresh_from_db()
    for item in app.materials.all():
        if item.name == "身份证明":
            continue  # forgotten: the clerk will ask for it
        path = make_pdf(tmp_path / f"online-{item.pk}.pdf", f"online upload {item.pk}")
        svc.material_upload(
            application=app,
            actor=world.citizen,
            application_material=item,
            uploaded=pdf_upload(path),
        )
    return svc.application_submit(application=app, actor=world.citizen)


def test_online_application_from_intake_to_release(browser, live_server, world, tmp_path):
    app = _online_submission(world, tmp_path)
    number = app.number
    identity = app.materials.get(name="身份证明")
    form = app.materials.get(name="申请表")

    # --- the clerk: intake queue -> intake screen -> one-time correction notice
    login(browser, live_server, world.clerk.username, PASSWORD)
    browser.get(f"{live_server.url}/staff/intake/")
    wait_text(browser, number)
    assert "剩5个工作日" in body(browser)
    shot(browser, "staff-intake-queue")
    click(browser, f"a[href$='/staff/applications/{number}/intake/']")
    wait_for(browser, "#intake-form")
    # keyboard: j selects the first material, 2 marks it missing
    ActionChains(browser).send_keys("j").send_keys("2").perform()
    assert browser.find_element(
        By.CSS_SELECTOR, f"input[name='status-{identity.pk}'][value='missing']"
    ).is_selected()
    # preview an uploaded file beside the checklist
    click(browser, f"#material-{form.pk} a[data-preview]")
    fill(browser, f"problem-{identity.pk}", "未提供身份证复印件")
    # the clerk also scans the application form handed over at the window (a real upload)
    scan = make_pdf(tmp_path / "scan.pdf", "scanned application form")
    browser.find_element(By.ID, f"file-{form.pk}").send_keys(str(scan))
    for item in app.materials.exclude(pk=identity.pk):
        click(browser, f"input[name='status-{item.pk}'][value='received']")
    shot(browser, "staff-intake", settle=1.5)
    click(browser, "#do-correction")
    wait_for(browser, "#notice-frame")
    assert "补正材料通知书" in body(browser)
    shot(browser, "staff-notice", settle=2)
    pdf_url = browser.find_element(By.ID, "notice-pdf").get_attribute("href")
    assert content_type_of(browser, pdf_url) == "200 application/pdf"
    app.refresh_from_db()
    assert app.state == State.CORRECTION
    assert form.files.filter(original_name="scan.pdf").exists()
    assert [i["material"] for i in app.correction_notices.get().items] == ["身份证明"]

    # --- the citizen supplies the missing material and resubmits (their pages are elsewhere)
    path = make_pdf(tmp_path / "id.pdf", "identity card copy")
    svc.material_upload(
        application=app,
        actor=world.citizen,
        application_material=identity,
        uploaded=pdf_upload(path),
    )
    svc.application_submit(application=app, actor=world.citizen)

    # --- the clerk accepts: "mark all received" then accept, the receipt printed in one step
    browser.get(f"{live_server.url}/staff/intake/")
    wait_text(browser, number)
    assert "补正后重交" in body(browser)
    click(browser, f"a[href$='/staff/applications/{number}/intake/']")
    wait_for(browser, "#intake-form")
    assert "此前的补正通知" in body(browser)
    click(browser, "[data-all-received]")
    click(browser, "#do-accept")
    wait_for(browser, "#notice-frame")
    assert "受理通知书" in body(browser)
    app.refresh_from_db()
    assert app.state == State.ACCEPTED and app.accepted_by == world.clerk

    # --- the reviewer: claim from the queue, suspend, resume, grant
    browser.delete_all_cookies()
    login(browser, live_server, world.reviewer.username, PASSWORD)
    browser.get(f"{live_server.url}/staff/review/")
    wait_text(browser, number)
    assert "未认领" in body(browser)
    shot(browser, "staff-review-queue")
    click(browser, "button[name=action][value=claim]")
    wait_text(browser, "已认领办件")
    Select(browser.find_element(By.NAME, "suspend-kind")).select_by_value("testing")
    fill(browser, "suspend-reason", "送检验机构检测")
    fill(browser, "suspend-expected_days", "3")
    click(browser, "#do-suspend")
    wait_text(browser, "特别程序进行中")
    assert "暂停计时" in body(browser)
    click(browser, "#do-resume")
    wait_text(browser, "恢复审查")
    shot(browser, "staff-review")
    click(browser, "input[name='decide-outcome'][value='grant']")
    click(browser, "#do-decide")
    wait_text(browser, "已作出决定")
    app.refresh_from_db()
    assert app.state == State.READY_FOR_RELEASE and app.outcome == "grant"
    assert app.suspensions.get().ended_on is not None

    # --- the release window hands it over
    browser.delete_all_cookies()
    login(browser, live_server, world.release_clerk.username, PASSWORD)
    browser.get(f"{live_server.url}/staff/release/")
    wait_text(browser, number)
    shot(browser, "staff-release-queue")
    # keyboard: j selects the first row, Enter opens it
    ActionChains(browser).send_keys("j").send_keys(Keys.ENTER).perform()
    wait_for(browser, "#release-form")
    assert "准予行政许可决定书" in body(browser)
    click(browser, "input[name=method][value=hand]")
    click(browser, "#do-release")
    wait_text(browser, "已办结")
    app.refresh_from_db()
    assert app.state == State.COMPLETED and app.release_method == "hand"
    assert [h.action for h in app.history.all()] == [
        "submit",
        "request_correction",
        "submit",
        "accept",
        "claim",
        "suspend",
        "resume",
        "decide",
        "release",
    ]


def test_walk_in_registered_and_refused_with_a_printed_notice(
    browser, live_server, world, tmp_path
):
    from tests.factories import valid_id_number

    new_id = valid_id_number(777)
    login(browser, live_server, world.clerk.username, PASSWORD)
    browser.get(f"{live_server.url}/staff/walk-in/")
    fill(browser, "id_number", new_id)
    click(browser, "form.toolbar button[type=submit]")
    wait_text(browser, "没有找到该身份证号码的群众")
    # a typo in the mobile number is shown on the field; the name typed stays
    fill(browser, "real_name", "黄阿婆")
    fill(browser, "mobile", "1380000")
    click(browser, "form.resident-form button[type=submit]")
    wait_for(browser, ".field-error")
    assert browser.find_element(By.NAME, "real_name").get_attribute("value") == "黄阿婆"
    fill(browser, "mobile", "13800008888")
    click(browser, "form.resident-form button[type=submit]")
    wait_text(browser, "已登记群众")
    wait_for(browser, "#resident-card")

    # choose the matter with the search (htmx)
    fill(browser, "q", "个体工商户")
    wait_text(browser, "“个体工商户”的搜索结果")
    click(browser, f"#matter-results input[value='{world.matter.pk}']")
    fill(browser, "address", "下埠镇新街8号")
    shot(browser, "staff-walk-in")
    click(browser, "form.walk-in-form button[type=submit]")
    wait_for(browser, ".draft-form")
    app = Application.objects.get(applicant__id_number=new_id)
    assert app.channel == "hall" and app.first_contact == world.clerk

    item = app.materials.get(name="申请表")
    scan = make_pdf(tmp_path / "walk-in-form.pdf", "walk-in application form")
    browser.find_element(By.ID, f"file-{item.pk}").send_keys(str(scan))
    shot(browser, "staff-walk-in-materials")
    click(browser, "#submit-walk-in")
    wait_for(browser, "#intake-form")
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and item.files.count() == 1

    # refuse: the basis is forgotten first — the reason typed stays
    fill(browser, "reason", "该事项须由企业法定代表人本人申请")
    click(browser, "#do-refuse")
    wait_text(browser, "请填写不予受理的法律依据")
    assert "该事项须由企业法定代表人本人申请" in browser.find_element(
        By.NAME, "reason"
    ).get_attribute("value")
    fill(browser, "basis", "《市场主体登记管理条例》第十七条")
    click(browser, "#do-refuse")
    wait_for(browser, "#notice-frame")
    assert "不予受理通知书" in body(browser)
    notice = Notice.objects.get(application=app, kind="refusal")
    pdf_url = browser.find_element(By.ID, "notice-pdf").get_attribute("href")
    assert pdf_url.endswith(f"/notices/{notice.pk}/pdf/")
    assert content_type_of(browser, pdf_url) == "200 application/pdf"
    app.refresh_from_db()
    assert app.state == State.REFUSED


def test_supervisor_approves_an_extension_and_reassigns_an_overdue_application(
    browser, live_server, world
):
    from tests.approvals.staff_fixtures import accepted, in_review

    asking = in_review(world, upload=False)
    svc.extension_request(application=asking, actor=world.reviewer, days=5, reason="需组织专家评审")
    late = accepted(world, upload=False)
    today = timezone.localdate()
    Application.objects.filter(pk=late.pk).update(
        due_date=today - timedelta(days=2), warning_date=today - timedelta(days=5)
    )
    login(browser, live_server, world.supervisor.username, PASSWORD)
    browser.get(f"{live_server.url}/staff/supervision/")
    wait_text(browser, asking.number)
    shot(browser, "staff-supervision")
    fill(browser, "note", "同意延期")
    click(browser, f"#extension-{asking.extensions.get().pk} button[value=approve]")
    wait_text(browser, "已批准办件")
    asking.refresh_from_db()
    assert asking.extension_days == 5

    click(browser, "nav.tabs a[href*='tab=overdue']")
    wait_text(browser, late.number)
    assert "未认领" in body(browser)
    click(browser, f"a[href*='/staff/applications/{late.number}/reassign/']")
    wait_for(browser, "#do-reassign")
    Select(browser.find_element(By.NAME, "reviewer")).select_by_value(str(world.reviewer2.pk))
    click(browser, "#do-reassign")
    wait_text(browser, "已改派给")
    late.refresh_from_db()
    assert late.handler == world.reviewer2 and late.state == State.IN_REVIEW
