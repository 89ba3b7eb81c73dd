"""A grid head opens the map on a phone, taps a grid and sees its members and this week's patrol
compliance; a grid member starts a patrol on the phone, records a finding and finishes. The
data: the demo town (12 villages, 48 grids, micro-grids) with its grid people and patrols."""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.e2e.helpers import axe_violations, login, screenshot, wait_for, wait_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_town():
    from grid.demo import people
    from portal import demo
    from portal.areas import demo as areas_demo

    demo.seed_core()
    areas_demo.seed()
    people.seed()


def wait_loaded(driver, timeout=20):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(
        lambda d: d.find_element(By.ID, "grid-map").get_attribute("data-loaded")
    )


def test_a_grid_head_taps_a_grid_on_the_phone_and_sees_its_people_and_patrols(
    phone, live_server, demo_town
):
    from grid.models import Assignment

    login(phone, live_server, "gridhead")
    phone.get(f"{live_server.url}/grid/map/")
    wait_loaded(phone)
    assert int(phone.find_element(By.ID, "grid-map").get_attribute("data-loaded")) > 300
    wait_text(phone, "石岭村")
    screenshot(phone, "grid-map-phone")
    # one thumb: tap the middle of the map, which opens on the head's own grid
    ActionChains(phone).move_to_element(phone.find_element(By.ID, "grid-map")).click().perform()
    card = wait_for(phone, "#area-card [data-area-code]")
    code = card.get_attribute("data-area-code")
    members = Assignment.objects.on().filter(area__code=code, role="member").select_related("user")
    assert members, code
    for member in members:
        wait_text(phone, member.user.display_name)
    wait_text(phone, "网格长")
    wait_text(phone, "本周巡查")
    assert phone.find_elements(By.CSS_SELECTOR, "#area-card .card-compliance tbody tr")
    screenshot(phone, "grid-map-card-phone")
    assert axe_violations(phone) == []
    # the card leads to the people and their history
    phone.find_element(By.CSS_SELECTOR, "#area-card .card-actions a.button-secondary").click()
    wait_text(phone, "任职记录")


def test_a_grid_member_patrols_on_the_phone(phone, live_server, demo_town):
    login(phone, live_server, "gridmember")
    phone.get(f"{live_server.url}/grid/patrol/")
    wait_text(phone, "开始巡查")
    from grid.models import Patrol

    Patrol.objects.filter(member__username="gridmember", status="walking").delete()
    phone.get(f"{live_server.url}/grid/patrol/")
    phone.find_element(By.CSS_SELECTOR, "form[action$='/grid/patrol/start/'] button").click()
    wait_text(phone, "正在巡查")
    phone.find_element(By.CSS_SELECTOR, "input[name=category][value=work_safety]").click()
    phone.find_element(By.NAME, "description").send_keys("一处民房外墙电线私拉乱接。")
    phone.find_element(By.CSS_SELECTOR, "[data-finding-form] button[type=submit]").click()
    wait_text(phone, "已记录发现")
    screenshot(phone, "grid-patrol-phone")
    households = phone.find_element(By.NAME, "households_visited")
    households.clear()
    households.send_keys("3")
    phone.find_element(By.CSS_SELECTOR, "[data-finish-form] button[type=submit]").click()
    wait_text(phone, "巡查已结束")
    wait_text(phone, "一处民房外墙电线私拉乱接")
    assert axe_violations(phone) == []


def test_a_supervisor_reads_the_map_and_the_compliance_table(browser, live_server, demo_town):
    login(browser, live_server, "supervisor")
    browser.get(f"{live_server.url}/grid/map/")
    wait_loaded(browser)
    browser.find_element(By.CSS_SELECTOR, "[data-level=village]").click()
    search = browser.find_element(By.ID, "map-search-input")
    search.send_keys("石岭村")
    browser.find_element(By.CSS_SELECTOR, "[data-map-search] button").click()
    wait_text(browser, "下设 4 个网格")
    screenshot(browser, "grid-map-desktop")
    browser.get(f"{live_server.url}/grid/compliance/")
    wait_text(browser, "按网格员")
    screenshot(browser, "grid-compliance")
    assert axe_violations(browser) == []
