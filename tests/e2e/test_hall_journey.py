"""The hall in real browsers: a resident takes a ticket at the kiosk, a clerk calls it, the
hall TV (a registered device, nobody logged in) shows and reads the call within 2 seconds,
the clerk finishes it."""

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from approvals.models import HallDevice, Ticket
from approvals.services import hall as services
from tests.approvals.hall_helpers import make_hall
from tests.e2e.helpers import (
    axe_violations,
    login,
    screenshot,
    submit_and_wait,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The screen's htmx poll replaces its parts while the test reads them.
SWAPPED = (StaleElementReferenceException, WebDriverException)


def submit(driver, element, expected_text):
    submit_and_wait(driver, element, expected_text)


def _print_pdf(driver):
    import base64
    import io

    from pypdf import PdfReader

    result = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
    return PdfReader(io.BytesIO(base64.b64decode(result["data"])))


def test_kiosk_call_screen_finish(browser_factory, live_server):
    hall = make_hall()
    hall.clerk1.username = "window1"
    hall.clerk1.save()
    _device, token = services.hall_device_register(
        name="大厅电视", kind=HallDevice.Kind.SCREEN, actor=None
    )

    # The hall TV: registered once with its token, then no log-in.
    tv = browser_factory((1600, 900))
    tv.get(f"{live_server.url}/hall/device/?token={token}")
    wait_for(tv, "#hall-screen")
    assert "/hall/screen/" in tv.current_url
    tv.find_element(By.ID, "speech-toggle").click()
    assert tv.find_element(By.ID, "speech-toggle").get_attribute("aria-pressed") == "true"
    assert "欢迎光临" in tv.find_element(By.CSS_SELECTOR, ".screen-latest").text
    assert axe_violations(tv) == []

    # The kiosk, run by the clerk for a resident.
    clerk = browser_factory()
    login(clerk, live_server, "window1", password="Secret#2026")
    clerk.get(f"{live_server.url}/hall/kiosk/")
    wait_for(clerk, ".kiosk-button")
    assert axe_violations(clerk) == []
    screenshot(clerk, "hall-kiosk")
    clerk.find_element(By.CSS_SELECTOR, ".kiosk-button[data-category=SHBZ]").click()
    wait_for(clerk, ".slip-number")
    assert clerk.find_element(By.CSS_SELECTOR, ".slip-number").text == "A001"
    assert "前面还有 0 人" in clerk.find_element(By.CSS_SELECTOR, ".slip").text
    screenshot(clerk, "hall-slip")
    # Printed, the slip is one 80 mm wide receipt.
    pdf = _print_pdf(clerk)
    assert len(pdf.pages) == 1
    assert round(float(pdf.pages[0].mediabox.width) / 72 * 25.4) == 80
    assert "A001" in pdf.pages[0].extract_text()

    # The screen shows one person waiting for 社会保障.
    WebDriverWait(tv, 3, ignored_exceptions=SWAPPED).until(
        lambda d: "共 1 人等候" in d.find_element(By.ID, "screen-state").text
    )

    # The window calls the next ticket...
    clerk.get(f"{live_server.url}/hall/calling/")
    submit(clerk, wait_for(clerk, ".calling-next"), "已叫 A001 号")
    assert clerk.find_element(By.ID, "current-number").text == "A001"

    # ...and the TV shows it, and reads it, within 2 seconds, without a reload.
    WebDriverWait(tv, 2, ignored_exceptions=SWAPPED).until(
        lambda d: "请 A001 号到 1 号窗口" in d.find_element(By.CSS_SELECTOR, ".screen-latest").text
    )
    spoken = tv.execute_script("return window.hallSpoken;")
    assert spoken == ["请 A 0 0 1 号到 1 号窗口办理"]
    screenshot(tv, "hall-screen")
    screenshot(clerk, "hall-calling")

    # Recall: the TV announces again.
    submit(clerk, clerk.find_element(By.CSS_SELECTOR, "button[name=recall]"), "已重呼 A001 号")
    WebDriverWait(tv, 2, ignored_exceptions=SWAPPED).until(
        lambda d: len(d.execute_script("return window.hallSpoken;")) == 2
    )

    submit(clerk, clerk.find_element(By.CSS_SELECTOR, "button[name=finish]"), "A001 号已办结")
    assert Ticket.objects.get().status == Ticket.Status.FINISHED
    assert "叫下一位" in clerk.find_element(By.CSS_SELECTOR, ".calling-current").text


def test_citizen_books_an_appointment_on_a_phone(phone, live_server):
    from selenium.webdriver.support.ui import Select

    from approvals.models import Appointment
    from portal import roles
    from tests.factories import UserFactory

    make_hall()
    UserFactory.with_role(roles.CITIZEN, username="resident1")
    login(phone, live_server, "resident1", password="Secret#2026")
    phone.get(f"{live_server.url}/hall/appointments/")
    Select(phone.find_element(By.ID, "id_category")).select_by_visible_text("社会保障")
    day = Select(phone.find_element(By.ID, "id_day"))
    day.select_by_index(2)  # the second working day offered
    # htmx loads the slots of that day without a reload
    wait_for(phone, ".slot input[value='09:30']")
    assert axe_violations(phone) == []
    phone.find_element(By.CSS_SELECTOR, ".slot input[value='09:30']").click()
    submit(
        phone,
        phone.find_element(By.CSS_SELECTOR, "#booking-form > button[type=submit]"),
        "预约成功",
    )
    appointment = Appointment.objects.get()
    assert appointment.code in phone.find_element(By.CSS_SELECTOR, ".appointment-code").text
    screenshot(phone, "hall-appointments-phone")
