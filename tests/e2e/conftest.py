"""Real headless Chromium (Debian's chromium + chromedriver) driven by selenium."""

import os
import shutil
import tempfile

import pytest

from tests.conftest import require_or_skip

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PHONE = (390, 844)
DESKTOP = (1366, 900)


def _make_driver(size):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=zh-CN",
        f"--window-size={size[0]},{size[1]}",
        f"--user-data-dir={tempfile.mkdtemp(prefix='onewindow-chrome-')}",
    ):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    # the console, so that a journey fails when the Content-Security-Policy blocked anything
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.implicitly_wait(0)
    return driver


@pytest.fixture
def browser_factory(live_server):
    require_or_skip(
        os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER),
        "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
    )
    drivers = []

    def make(size=DESKTOP):
        driver = _make_driver(size)
        drivers.append(driver)
        return driver

    yield make
    blocked = []
    for driver in drivers:
        try:
            blocked += csp_violations(driver)
        finally:
            driver.quit()
    assert blocked == [], "the Content-Security-Policy blocked something:\n" + "\n".join(blocked)


def csp_violations(driver) -> list[str]:
    """The console's Content-Security-Policy errors since the last call (Chromium logs one for
    every inline script, handler, eval or resource the policy refused)."""
    try:
        entries = driver.get_log("browser")
    except Exception:  # noqa: BLE001 - a driver that has gone away has nothing to tell
        return []
    return [e["message"] for e in entries if "Content Security Policy" in e.get("message", "")]


@pytest.fixture
def browser(browser_factory):
    return browser_factory()


@pytest.fixture
def phone(browser_factory):
    """A real 390x844 phone viewport (headless windows are never narrower than 500 px)."""
    driver = browser_factory(PHONE)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1, "mobile": True},
    )
    return driver
