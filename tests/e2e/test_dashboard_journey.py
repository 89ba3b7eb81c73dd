"""A supervisor opens the time-limit dashboard, filters by department, follows a red card to the
list of overdue applications and opens one. The data: a small township from the generator
(approvals/generate.py) ending today, so the charts have a year of history to show."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.e2e.helpers import (
    axe_violations,
    login,
    page_replaced,
    screenshot,
    wait_for,
    wait_text,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def township():
    from django.db.models import Count

    from approvals.generate import Config, Generator
    from approvals.models import Application
    from approvals.models.applications import CLOCK_RUNNING

    Generator(
        Config(applications=4000, seed=8, years=1, citizens=600, vacuum=False),
        log=lambda message: None,
    ).run()
    from django.utils import timezone

    busiest = (
        Application.objects.filter(state__in=CLOCK_RUNNING, due_date__lt=timezone.localdate())
        .values("department_id", "department__short_name")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest, "the generated township has overdue work"
    return busiest


def test_a_supervisor_follows_a_red_card_to_an_overdue_application(browser, live_server, township):
    login(browser, live_server, "supervisor")
    browser.get(f"{live_server.url}/dashboard/")
    wait_for(browser, ".dash-kpis")
    wait_for(browser, "[data-chart='daily'] svg")  # ECharts drew the charts
    assert browser.find_element(By.TAG_NAME, "h1").text == "限时办结看板"
    assert axe_violations(browser) == []
    browser.set_window_size(1366, 2200)
    screenshot(browser, "dashboard")
    browser.set_window_size(1366, 900)

    # filter by the department with the most overdue work
    Select(browser.find_element(By.NAME, "department")).select_by_value(
        str(township["department_id"])
    )
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "form.dash-filters button[type=submit]").click()
    WebDriverWait(browser, 15).until(page_replaced(old))
    wait_for(browser, ".dash-kpis")
    assert f"department={township['department_id']}" in browser.current_url
    red = browser.find_element(By.CSS_SELECTOR, "a[data-card='red'] strong")
    assert int(red.text.replace(",", "")) == township["n"]

    # the red card leads to the list of that department's overdue applications
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "a[data-card='red']").click()
    WebDriverWait(browser, 15).until(page_replaced(old))
    wait_for(browser, "table.dash-list")
    assert "超期（红牌）" in browser.find_element(By.TAG_NAME, "h1").text
    rows = browser.find_elements(By.CSS_SELECTOR, "table.dash-list tbody tr")
    assert len(rows) == min(township["n"], 50)
    assert all("超期" in row.text for row in rows)
    assert axe_violations(browser) == []

    # and the list to the application
    link = rows[0].find_element(By.CSS_SELECTOR, "a")
    number = link.text
    link.click()
    wait_text(browser, number)
    assert "/staff/applications/" in browser.current_url


def test_the_big_screen_and_the_service_quality_view(browser, live_server, township):
    login(browser, live_server, "supervisor")
    browser.set_window_size(1920, 1080)
    browser.get(f"{live_server.url}/dashboard/?screen=1")
    wait_for(browser, "[data-chart='position'] svg")
    assert "每 60 秒自动刷新" in browser.find_element(By.TAG_NAME, "body").text
    assert not browser.find_elements(By.CSS_SELECTOR, ".topbar")[0].is_displayed()
    screenshot(browser, "dashboard-screen")
    browser.set_window_size(1366, 1800)
    browser.get(f"{live_server.url}/dashboard/quality/")
    wait_for(browser, "[data-chart='ratings'] svg")
    assert browser.find_element(By.TAG_NAME, "h1").text == "服务质量看板"
    assert axe_violations(browser) == []
    screenshot(browser, "dashboard-quality")
