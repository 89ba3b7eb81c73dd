# ruff: noqa: F811 -- pytest fixtures imported from other modules
"""Issue 16 in a real browser: a registrar imports a partial register file. By default nothing is
retired; asking to retire shows the count and share in a warning, the typed number is required
(a wrong one is refused, nothing written), the import then takes the matters out of the guide,
and one click undoes it. A real Celery worker runs the jobs."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from approvals import register_io as rio
from tests.e2e.helpers import (
    axe_violations,
    login,
    screenshot,
    submit_and_wait,
    wait_for,
    wait_text,
)
from tests.portal.test_celery_integration import celery_worker_process  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def register():
    from approvals.demo.register import seed
    from approvals.selectors import register as sel
    from portal.demo import seed_core

    seed_core()
    seed()
    return set(sel.matters_in_force().values_list("code", flat=True))


def _partial_file(tmp_path) -> str:
    """Two rows: one matter already in force (unchanged) and one new."""
    from approvals.models import Material
    from approvals.selectors import register as sel

    kept = sel.matter_in_force("XB-XK-001")
    new = {**rio.matter_to_row(kept), rio.C_CODE: "XB-SD-001", rio.C_NAME: "新增的试点事项"}
    materials = [rio.material_to_row(kept.code, m) for m in Material.objects.filter(matter=kept)]
    materials += [{**m, rio.M_CODE: "XB-SD-001"} for m in materials]
    path = tmp_path / "部分清单.xlsx"
    path.write_bytes(rio.build_workbook([rio.matter_to_row(kept), new], materials))
    return str(path)


def _upload(browser, live_server, path, *, retire: bool):
    browser.get(f"{live_server.url}/register/import/")
    box = browser.find_element(By.NAME, "retire_missing")
    assert not box.is_selected()  # unticked by default
    if retire:
        box.click()
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(path)
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait_for(browser, "#confirm-import", timeout=60)


def _wait_applied(browser):
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    # the panel is replaced by htmx every second while the job runs: tolerate a stale read
    WebDriverWait(
        browser, 90, ignored_exceptions=[StaleElementReferenceException, WebDriverException]
    ).until(lambda d: d.find_element(By.ID, "import-job").get_attribute("data-status") == "applied")
    wait_text(browser, "导入")


def test_a_partial_file_retires_nothing_unless_asked_and_then_can_be_undone(
    browser, live_server, register, celery_worker_process, settings, tmp_path
):
    from approvals.selectors import register as sel

    settings.REGISTER_IMPORT_QUEUE = celery_worker_process
    in_force = len(register)
    login(browser, live_server, "registrar")
    path = _partial_file(tmp_path)

    # 1. the defaults: one new matter, nothing retired, no warning
    _upload(browser, live_server, path, retire=False)
    summary = browser.find_element(By.ID, "import-summary").text
    summary = "".join(summary.split())
    assert "1项新增" in summary and "0项停用" in summary
    assert not browser.find_elements(By.ID, "retire-warning")
    screenshot(browser, "register-import-partial")
    browser.find_element(By.ID, "confirm-import").click()
    _wait_applied(browser)
    assert set(sel.matters_in_force().values_list("code", flat=True)) == register

    # 2. asked to retire: the warning with count and share, the number must be typed
    _upload(browser, live_server, path, retire=True)
    warning = browser.find_element(By.ID, "retire-warning").text
    retired = in_force - 1
    share = retired * 100 // in_force
    assert f"将停用 {retired} 项，占现行事项 {share}%" in warning
    assert axe_violations(browser) == []
    screenshot(browser, "register-import-retire-warning")
    box = browser.find_element(By.ID, "retire-count")
    box.send_keys(str(retired - 1))
    submit_and_wait(browser, browser.find_element(By.ID, "confirm-import"), "请输入将停用的事项数")
    assert set(sel.matters_in_force().values_list("code", flat=True)) == register
    screenshot(browser, "register-import-typed-number-refused")

    browser.find_element(By.ID, "retire-count").send_keys(str(retired))
    browser.find_element(By.ID, "confirm-import").click()
    _wait_applied(browser)
    assert set(sel.matters_in_force().values_list("code", flat=True)) == {"XB-XK-001"}

    # the public guide says the matter is no longer handled here, instead of a 404
    job_url = browser.current_url
    browser.get(f"{live_server.url}/guide/XB-GG-006/")
    wait_text(browser, "起不再在本中心办理")
    screenshot(browser, "guide-withdrawn")

    # 3. one step back: everything in force again, as new versions
    browser.get(job_url)
    undo = wait_for(browser, "#undo-retirements")
    submit_and_wait(browser, undo, "已撤销本次导入的停用")
    assert set(sel.matters_in_force().values_list("code", flat=True)) == register
    assert browser.find_element(By.ID, "undo-done").is_displayed()
    assert axe_violations(browser) == []
    screenshot(browser, "register-import-undone")
    browser.get(f"{live_server.url}/guide/XB-GG-006/")
    assert "不再在本中心办理" not in browser.find_element(By.TAG_NAME, "body").text
