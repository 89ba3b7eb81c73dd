# ruff: noqa: F811 -- pytest fixtures imported from other modules
"""Browser journeys of the register: a citizen finds a matter by part of its name on a phone;
a register administrator imports a spreadsheet with two bad rows, fixes it, previews and
applies it while the progress bar follows the background job (a real Celery worker)."""

import io

import openpyxl
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from approvals import register_io as rio
from tests.e2e.helpers import axe_violations, login, screenshot, wait_for, wait_text
from tests.portal.test_celery_integration import celery_worker_process  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def township():
    from approvals.demo.register import seed_categories
    from portal.demo import seed_core

    seed_core()
    seed_categories()


def test_citizen_finds_a_matter_by_part_of_its_name_on_a_phone(phone, live_server, township):
    from approvals.demo.register import seed

    seed()
    phone.get(f"{live_server.url}/guide/")
    assert phone.find_element(By.TAG_NAME, "h1").text == "办事指南"
    box = phone.find_element(By.NAME, "q")
    box.send_keys("宅基地")
    box.submit()
    wait_text(phone, "找到 1 个事项")
    results = phone.find_elements(By.CSS_SELECTOR, ".matter-list a")
    assert [r.find_element(By.CSS_SELECTOR, ".matter-name").text for r in results] == [
        "农村村民宅基地建房审批"
    ]
    assert axe_violations(phone) == []
    screenshot(phone, "guide-search-phone")

    results[0].click()
    wait_for(phone, "ol.flow")
    assert phone.find_element(By.TAG_NAME, "h1").text == "农村村民宅基地建房审批"
    body = phone.find_element(By.TAG_NAME, "body").text
    for expected in (
        "承诺时限",
        "法定时限",
        "申请材料",
        "宅基地使用承诺书",
        "规划建设窗口",
        "办理流程",
        "村民小组会议讨论",
    ):
        assert expected in body, expected
    # readable on a phone: nothing wider than the screen, the materials table stacks
    width = phone.execute_script("return document.documentElement.scrollWidth")
    assert width <= phone.execute_script("return window.innerWidth")
    assert phone.find_element(By.LINK_TEXT, "空白表格").is_displayed()
    assert axe_violations(phone) == []
    screenshot(phone, "guide-matter-phone")


def _register_file(tmp_path, name, *, bad: bool) -> str:
    content = rio.generate_register(matters=600, materials=5, seed=7)
    if bad:
        wb = openpyxl.load_workbook(io.BytesIO(content))
        ws = wb[rio.MATTER_SHEET]
        ws["H5"] = 999  # row 5: committed (999) over statutory
        ws["F9"] = "火星区农业局"  # row 9: unknown handling department
        buffer = io.BytesIO()
        wb.save(buffer)
        content = buffer.getvalue()
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_register_administrator_imports_fixes_previews_and_applies(
    browser, live_server, township, celery_worker_process, settings, tmp_path
):
    settings.REGISTER_IMPORT_QUEUE = celery_worker_process
    login(browser, live_server, "registrar")
    browser.get(f"{live_server.url}/register/import/")

    # 1. a file with two bad rows: both problems are shown at once, nothing is written
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(
        _register_file(tmp_path, "清单-有错.xlsx", bad=True)
    )
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait_text(browser, "发现 2 处问题", timeout=60)
    rows = [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in browser.find_elements(By.CSS_SELECTOR, "#import-problems tbody tr")
    ]
    assert [r[:3] for r in rows] == [["事项", "5", "承诺时限"], ["事项", "9", "办理部门"]]
    assert "不得超过法定时限" in rows[0][3] and "火星区农业局" in rows[1][3]
    screenshot(browser, "register-import-errors")

    # 2. the fixed file: preview, nothing written yet
    browser.find_element(By.LINK_TEXT, "重新上传").click()
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(
        _register_file(tmp_path, "清单-已改.xlsx", bad=False)
    )
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait_for(browser, "#confirm-import", timeout=60)
    summary = browser.find_element(By.ID, "import-summary").text
    assert "600" in summary and "项新增" in summary
    from approvals.models import Matter

    assert not Matter.objects.exists()
    screenshot(browser, "register-import-preview")

    # 3. apply: the progress bar follows the background job until it is done
    browser.find_element(By.ID, "confirm-import").click()
    bar = wait_for(browser, "progress#import-progress", timeout=10)
    assert bar.get_attribute("max") == "100"
    # the progress fragment is replaced by htmx while it is read: a stale element is retried
    WebDriverWait(browser, 90, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: d.find_element(By.ID, "import-job").get_attribute("data-status") == "applied"
    )
    wait_text(browser, "新增和变更的事项已生成草稿版本")
    assert Matter.objects.filter(status="draft").count() == 600
    assert axe_violations(browser) == []
    screenshot(browser, "register-import-applied")
