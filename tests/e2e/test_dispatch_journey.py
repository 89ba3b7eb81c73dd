"""The dispatch journey in a real headless Chromium: a dispatcher routes an incident at a desk
(the suggested rule and why it matched), the department signs for the work order on a phone
and reports back with a photo through the offline outbox, and the grid member who reported it
checks the place and closes it."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from grid.models import Incident
from grid.models.dispatch import WorkOrder
from grid.models.incidents import State
from tests.e2e.helpers import (
    axe_violations,
    login,
    screenshot,
    submit_and_wait,
    wait_for,
    wait_text,
)
from tests.grid.dispatch_fixtures import DispatchWorld, jpeg

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secret#2026"  # tests.factories.UserFactory
PHONE = (390, 844)


@pytest.fixture
def w(transactional_db):
    return DispatchWorld()


def as_phone(driver):
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1, "mobile": True},
    )
    return driver


def test_dispatcher_routes_department_answers_on_a_phone_grid_member_closes(
    browser, browser_factory, live_server, w, tmp_path
):
    w.rule(10, "道路破损", category_code="DSP", handler_kind="department", department_code="GHJSB")
    w.rule(
        20, "城市管理兜底", category_code="CSGL", handler_kind="department", department_code="JJFZB"
    )
    incident = w.to_route()

    # 1. The dispatcher: the desk, then the routing page with the suggestion and its reasons.
    login(browser, live_server, w.dispatcher.username, PASSWORD)
    browser.get(f"{live_server.url}/grid/dispatch/")
    wait_text(browser, incident.number)
    wait_text(browser, "规则 #10 道路破损")
    screenshot(browser, "dispatch-desk")
    browser.find_element(By.LINK_TEXT, incident.number).click()
    wait_text(browser, "规则 #10“道路破损”（第1版）")
    wait_text(browser, "为何是这条")
    browser.find_element(By.CSS_SELECTOR, ".suggestion details summary").click()
    wait_text(browser, "也匹配（排在后面）")
    screenshot(browser, "dispatch-route")
    assert axe_violations(browser) == []
    submit_and_wait(
        browser,
        browser.find_element(By.CSS_SELECTOR, "form[data-dispatch-form] button[type=submit]"),
        "已派遣，工单已发给承办部门",
    )
    order = WorkOrder.objects.get(incident=incident)
    assert order.department.code == "GHJSB" and order.state == "sent"
    assert Incident.objects.get(pk=incident.pk).state == State.DISPATCHED

    # 2. The department on a phone: the queue, sign for, report back with a photo.
    phone = as_phone(browser_factory(PHONE))
    login(phone, live_server, w.roads_staff.username, PASSWORD)
    phone.get(f"{live_server.url}/grid/work-orders/")
    wait_text(phone, order.number)
    screenshot(phone, "dispatch-department-queue")
    phone.find_element(By.CSS_SELECTOR, f"a[href='/grid/work-orders/{order.pk}/']").click()
    details = wait_for(phone, "details[data-action=sign_for]")
    submit_and_wait(phone, details.find_element(By.CSS_SELECTOR, "button[type=submit]"), "已签收")
    order.refresh_from_db()
    assert order.state == "signed" and order.sign_for_on_time
    photo = tmp_path / "fixed.jpg"
    photo.write_bytes(jpeg((40, 160, 40)))
    form = wait_for(phone, "details[data-action=feedback] form[data-outbox]")
    form.find_element(By.NAME, "note").send_keys("已修复塌陷路面，现场已恢复通行。")
    form.find_element(By.CSS_SELECTOR, "[data-photo-picker] input[type=file]").send_keys(str(photo))
    wait_for(phone, "[data-photo-previews] img")
    screenshot(phone, "dispatch-feedback")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(phone, 40).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".outbox-item[data-status=sent]")
    )
    wait_text(phone, order.number)
    screenshot(phone, "dispatch-feedback-sent")
    order.refresh_from_db()
    assert order.state == "done" and order.photos.count() == 1
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.state == State.FEEDBACK and "已修复塌陷路面" in incident.feedback_note

    # 3. The grid member who reported it checks on site and closes it.
    member = as_phone(browser_factory(PHONE))
    login(member, live_server, w.member1.username, PASSWORD)
    member.get(f"{live_server.url}/grid/incidents/{incident.number}/")
    wait_text(member, "匹配规则 #10“道路破损”（第1版）")
    details = wait_for(member, "details[data-action=close]")
    details.find_element(By.TAG_NAME, "summary").click()
    Select(member.find_element(By.NAME, "close-outcome")).select_by_value("solved")
    submit_and_wait(member, details.find_element(By.CSS_SELECTOR, "button[type=submit]"), "已结案")
    screenshot(member, "dispatch-incident-closed")
    incident.refresh_from_db()
    assert incident.state == State.CLOSED and incident.outcome == "solved"
