import os
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def wait_for(driver, css, timeout=10):
    return WebDriverWait(driver, timeout).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def wait_text(driver, text, timeout=15):
    """Wait for ``text`` in the page, tolerating the page being replaced while it looks (a stale
    element, or Chrome's "node does not belong to the document")."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    ignored = [StaleElementReferenceException, WebDriverException]
    WebDriverWait(driver, timeout, ignored_exceptions=ignored).until(
        lambda d: text in d.find_element(By.TAG_NAME, "body").text,
        message=f"text {text!r} did not appear",
    )


def wait_element_text(driver, css, text, timeout=15):
    """Wait until an element matching ``css`` holds ``text``, looking again when the page's
    script redraws the element between finding and reading it."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    ignored = [StaleElementReferenceException, WebDriverException]
    WebDriverWait(driver, timeout, ignored_exceptions=ignored).until(
        lambda d: any(text in e.text for e in d.find_elements(By.CSS_SELECTOR, css)),
        message=f"no {css} with {text!r}",
    )


def page_text(driver, attempts=20):
    """The body's text, read again when the page was replaced between finding and reading."""
    import time

    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    for attempt in range(attempts):
        try:
            return driver.find_element(By.TAG_NAME, "body").text
        except (StaleElementReferenceException, WebDriverException):
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)
    return ""


def fill(driver, name, value):
    element = driver.find_element(By.NAME, name)
    element.clear()
    element.send_keys(value)
    return element


def login(driver, live_server, username, password="Demo@2026"):
    driver.get(f"{live_server.url}/accounts/login/")
    fill(driver, "username", username)
    fill(driver, "password", password)
    driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait_for(driver, "a.who")


def screenshots_wanted() -> bool:
    """docs/screenshots/ is refreshed only when asked (ONEWINDOW_SCREENSHOTS=1), so that an
    ordinary test run leaves the working tree as it was."""
    return os.environ.get("ONEWINDOW_SCREENSHOTS") == "1"


def screenshot(driver, name):
    """Refresh docs/screenshots/NAME.png (the window), when asked."""
    if not screenshots_wanted():
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def axe_violations(driver, impacts=("serious", "critical")):
    """Run the vendored axe-core in the page; return the serious and critical violations."""
    script = (Path(__file__).resolve().parents[2] / "static" / "js" / "axe.min.js").read_text()
    driver.execute_script(script)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical', description: String(e)}]));"
    )
    return [v for v in result if v.get("impact") in impacts]


def page_replaced(old_html):
    """A wait condition: the page that held ``old_html`` has been replaced (Chrome reports the
    old node either as stale or as "not in the document")."""
    from selenium.common.exceptions import WebDriverException

    def gone(_driver):
        try:
            old_html.is_enabled()
        except WebDriverException:
            return True
        return False

    return gone


def submit_and_wait(driver, element, expected_text, timeout=15):
    """Click a button that submits a form, wait for the next page and for a text on it."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, timeout).until(page_replaced(old))
    wait_text(driver, expected_text, timeout)


def full_page_screenshot(driver, name, max_height=2400):
    """Refresh docs/screenshots/NAME.png with the whole page (up to ``max_height`` CSS pixels)
    at the window's width, when asked."""
    import base64

    if not screenshots_wanted():
        return
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    width = metrics["cssLayoutViewport"]["clientWidth"]
    height = min(metrics["cssContentSize"]["height"], max_height)
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
