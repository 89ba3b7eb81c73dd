"""Issue 18's journeys on a phone, in a real headless Chromium: finding a service from the home
page by a pinyin abbreviation and by a life event; applying with a wrong upload removed;
following an application to collection with the words that say what happens next."""

from datetime import date

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from approvals.models import Application, LifeEvent, State
from approvals.next_steps import day_label
from approvals.services import applications as svc
from portal import workdays
from tests.approvals.app_fixtures import World, make_matter
from tests.e2e.helpers import fill, login, screenshot, submit_and_wait, wait_for, wait_text
from tests.e2e.test_citizen_journeys import (
    PASSWORD,
    body_text,
    click_submit,
    make_pdf,
    make_png,
    no_serious_violations,
    slot_input,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def town():
    world = World()
    make_matter(code="XB-GG-006", department=world.dept, name="老年人优待证办理", materials=())
    make_matter(code="XB-GG-007", department=world.dept, name="生育登记", materials=())
    make_matter(code="XB-QR-010", department=world.dept, name="出生登记", materials=())
    LifeEvent.objects.create(
        code="birth",
        name="生育",
        summary="生育登记、出生登记，一次提交材料。",
        matter_codes=["XB-GG-007", "XB-QR-010"],
        order=1,
    )
    LifeEvent.objects.create(code="old-age", name="退休养老", matter_codes=["XB-GG-006"], order=2)
    return world


def test_finding_a_service_from_the_home_page(phone, live_server, town):
    phone.get(f"{live_server.url}/")
    search = wait_for(phone, "#home-q")
    # the search box is the first thing on the first screen of a phone
    assert phone.execute_script("return arguments[0].getBoundingClientRect().bottom", search) < 400
    for text in ("个人办事", "法人办事", "一件事一次办", "办公时间", "登录办事"):
        assert text in body_text(phone)
    no_serious_violations(phone, "home before log-in")
    screenshot(phone, "citizen-home")

    # by a pinyin abbreviation
    search.send_keys("lnr")
    submit_and_wait(
        phone, phone.find_element(By.CSS_SELECTOR, ".home-search button"), "找到 1 个事项"
    )
    results = phone.find_element(By.ID, "guide-results")
    assert phone.execute_script("return arguments[0].getBoundingClientRect().top", results) < 500
    assert "老年人优待证办理" in results.text and "生育登记" not in results.text
    assert not phone.find_element(By.CSS_SELECTOR, "details.guide-filters").get_attribute("open")
    no_serious_violations(phone, "guide searched by pinyin")
    screenshot(phone, "citizen-guide-pinyin")
    results.find_element(By.PARTIAL_LINK_TEXT, "老年人优待证办理").click()
    wait_text(phone, "办理须知")
    assert "监督投诉电话" in body_text(phone)
    no_serious_violations(phone, "guide page with the national fields")

    # by a life event
    phone.get(f"{live_server.url}/")
    phone.find_element(By.LINK_TEXT, "生育").click()
    wait_text(phone, "这件事需要办理 2 个事项")
    text = body_text(phone)
    assert text.index("生育登记") < text.index("出生登记")
    no_serious_violations(phone, "life event")
    screenshot(phone, "citizen-life-event")
    phone.find_element(By.PARTIAL_LINK_TEXT, "出生登记").click()
    wait_text(phone, "办理流程")

    # a mistyped address: a page that helps, not a debug page
    phone.get(f"{live_server.url}/guide/lnr/")
    wait_text(phone, "没有找到")
    phone.get(f"{live_server.url}/no-such-page/")
    wait_text(phone, "没有找到这个页面")
    no_serious_violations(phone, "404")


def test_applying_with_a_wrong_upload_removed(phone, live_server, town, tmp_path):
    world = town
    wrong = make_png(tmp_path / "拍错的照片.png")
    identity = make_pdf(tmp_path / "身份证.pdf", "ID card copy")
    form_pdf = make_pdf(tmp_path / "申请表.pdf", "Application form")
    login(phone, live_server, world.citizen.username, PASSWORD)
    phone.get(f"{live_server.url}/apply/{world.matter.code}/")
    wait_text(phone, "网上申请")
    assert "单位名称" not in body_text(phone)  # a matter for persons
    fill(phone, "address", "下埠镇解放路18号")
    click_submit(phone)
    wait_text(phone, "还缺 2 项必需材料")
    application = Application.objects.get(applicant=world.citizen)

    field, item = slot_input(phone, application, "身份证明")
    field.send_keys(str(wrong))
    submit_and_wait(
        phone,
        phone.find_element(By.CSS_SELECTOR, "button[name=action][value=save]"),
        "已上传 1 个文件",
    )
    slot = phone.find_element(By.ID, f"slot-{item.pk}")
    assert "拍错的照片.png" in slot.text
    thumb = slot.find_element(By.CSS_SELECTOR, ".thumb img")
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'});", thumb)
    WebDriverWait(phone, 10).until(
        lambda d: d.execute_script("return arguments[0].naturalWidth", thumb) == 2
    )
    no_serious_violations(phone, "materials with an upload")
    screenshot(phone, "citizen-apply-materials")

    # the wrong photo comes out; moving on names what is still missing
    submit_and_wait(phone, slot.find_element(By.CSS_SELECTOR, "button[name=remove]"), "已删除")
    assert "拍错的照片.png" not in phone.find_element(By.ID, f"slot-{item.pk}").text
    click_submit(phone, "button[name=action][value=next]")
    wait_text(phone, "上传这些材料后才能进入下一步")
    assert "身份证明" in phone.find_element(By.CSS_SELECTOR, ".error-summary").text
    no_serious_violations(phone, "materials missing")
    field, _ = slot_input(phone, application, "身份证明")
    field.send_keys(str(identity))
    field, _ = slot_input(phone, application, "申请表")
    field.send_keys(str(form_pdf))
    submit_and_wait(
        phone,
        phone.find_element(By.CSS_SELECTOR, "button[name=action][value=next]"),
        "本人郑重承诺",
    )
    phone.find_element(By.CSS_SELECTOR, "label[for=id_declaration_accepted]").click()
    submit_and_wait(
        phone, phone.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"), "提交申请"
    )
    wait_for(phone, "form.actions button[type=submit]")
    click_submit(phone, "form.actions button[type=submit]")
    wait_text(phone, "申请已提交")
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert [f.original_name for f in application.materials.get(pk=item.pk).files.all()] == [
        "身份证.pdf"
    ]
    text = body_text(phone)
    assert "窗口将在" in text and "前审核材料" in text and "逾期视为受理" not in text
    screenshot(phone, "citizen-submitted")


def test_following_an_application_to_collection(phone, live_server, town):
    world = town
    application = svc.application_create(actor=world.citizen, matter=world.matter, channel="online")
    svc.application_update_draft(
        application=application, actor=world.citizen, declaration_accepted=True
    )
    for item in application.materials.all():
        from tests.approvals.app_fixtures import pdf_upload

        svc.material_upload(
            application=application,
            actor=world.citizen,
            application_material=item,
            uploaded=pdf_upload(),
        )
    application = svc.application_submit(application=application, actor=world.citizen)
    login(phone, live_server, world.citizen.username, PASSWORD)
    phone.get(f"{live_server.url}/my/applications/")
    wait_text(phone, "前审核材料")

    application = svc.application_accept(
        application=application,
        actor=world.clerk,
        checks=[{"id": m.pk, "status": "received"} for m in application.materials.all()],
    )
    application = svc.application_claim(application=application, actor=world.reviewer)
    phone.get(f"{live_server.url}/my/applications/")
    wait_text(phone, f"承诺{day_label(application.due_date)}前办结")

    application = svc.application_decide(
        application=application, actor=world.reviewer, outcome="grant"
    )
    ready = day_label(workdays.add_working_days(application.decided_on or date.today(), 1))
    phone.get(f"{live_server.url}/my/applications/")
    wait_text(phone, f"请于{ready}起到9号窗口领取，带上身份证")
    no_serious_violations(phone, "my applications, ready to collect")
    screenshot(phone, "citizen-my-applications")

    svc.application_release(application=application, actor=world.release_clerk, method="hand")
    phone.get(f"{live_server.url}/my/applications/")
    wait_text(phone, "已办结")
    card = phone.find_element(By.CSS_SELECTOR, ".app-card")
    first_button = card.find_element(By.CSS_SELECTOR, ".card-actions a")
    assert first_button.text.startswith("查看决定书")
    phone.get(f"{live_server.url}/applications/{application.number}/")
    wait_text(phone, "结果已于")
    primary = phone.find_element(By.CSS_SELECTOR, ".panel .actions a.button:not(.button-secondary)")
    assert primary.text == "查看决定书"
    no_serious_violations(phone, "finished application")
    screenshot(phone, "citizen-application-detail")


def test_an_unattended_kiosk_ticket(phone, live_server):
    """A standing kiosk (portrait), registered once with its one-time token: nobody logs in, a
    resident taps a category and gets a slip that counts what the windows will call first."""
    from approvals.models import HallDevice, Ticket
    from approvals.services import hall as hall_services
    from tests.approvals.hall_helpers import make_hall, take

    hall = make_hall()
    take(hall.b)  # window 2 serves both: this B ticket is called before a new A ticket
    phone.get(f"{live_server.url}/hall/kiosk/")
    wait_text(phone, "这台取号机还没有登记")
    no_serious_violations(phone, "kiosk not registered")
    _device, token = hall_services.hall_device_register(
        name="大厅取号机", kind=HallDevice.Kind.KIOSK, actor=None
    )
    phone.get(f"{live_server.url}/hall/device/?token={token}")
    wait_text(phone, "请选择要办理的业务")
    assert not phone.find_elements(By.CSS_SELECTOR, "a.who")  # nobody is logged in
    buttons = phone.find_elements(By.CSS_SELECTOR, ".kiosk-button")
    assert len(buttons) == 2 and "1 人等候" in buttons[1].text
    scanner = phone.find_element(By.CSS_SELECTOR, "input[data-scanner]")
    assert phone.execute_script("return document.activeElement === arguments[0]", scanner)
    no_serious_violations(phone, "kiosk")
    screenshot(phone, "hall-kiosk-unattended")
    submit_and_wait(phone, buttons[0], "前面还有 1 人")
    ticket = Ticket.objects.get(category=hall.a)
    assert ticket.number in body_text(phone) and ticket.source == Ticket.Source.KIOSK
    screenshot(phone, "hall-kiosk-slip")
