"""Issue 16, in a real browser: right after the demo is seeded (what `make run` does), the
supervisor's dashboards have their period figures, the quality dashboard counts the ratings the
ratings page lists, and every bar of "在办办件：状态与时效" carries its label."""

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By

from tests.e2e.helpers import login, screenshot, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def test_the_dashboards_of_a_freshly_seeded_demo(browser, live_server, demo):
    from approvals.models import Evaluation
    from approvals.models.applications import OPEN_STATES, State

    login(browser, live_server, "supervisor")
    browser.set_window_size(1366, 1600)
    browser.get(f"{live_server.url}/dashboard/")
    wait_for(browser, "[data-chart='position'] svg")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "尚未汇总" not in body and "尚未生成" not in body
    chart = browser.find_element(By.CSS_SELECTOR, "[data-chart='position']")
    labels = {t.text for t in chart.find_elements(By.CSS_SELECTOR, "svg text")}
    states = {str(State(s).label) for s in OPEN_STATES}
    assert len(states) == 7
    assert states <= labels, states - labels  # every bar has its label
    screenshot(browser, "dashboard-first-minute")

    browser.get(f"{live_server.url}/dashboard/quality/")
    wait_for(browser, "[data-chart='ratings'] svg")
    total = Evaluation.objects.count()
    bad = Evaluation.objects.filter(rating__lte=2).count()
    assert total >= 3 and bad >= 2

    def kpi(label):
        return browser.find_element(By.XPATH, f"//li[span[text()='{label}']]/strong").text

    assert (kpi("期间评价"), kpi("差评")) == (str(total), str(bad))
    browser.get(f"{live_server.url}/evaluations/")
    assert browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
