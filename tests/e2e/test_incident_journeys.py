"""Incident journeys in a real headless Chromium on a phone viewport: a grid member reports with
a photo while the browser is offline (DevTools network emulation), comes back online and sees it
sent once; the grid head accepts, assigns and closes it; a resident is shown a nearby
duplicate and joins it instead of reporting again."""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from grid.models import Incident, IncidentFollower
from grid.models.incidents import Source, State
from grid.services import incidents as svc
from tests.e2e.helpers import (
    axe_violations,
    fill,
    login,
    screenshot,
    wait_element_text,
    wait_for,
    wait_text,
)
from tests.grid.incident_fixtures import World, jpeg

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secret#2026"  # tests.factories.UserFactory


@pytest.fixture
def w(transactional_db):
    return World()


def set_offline(driver, offline: bool):
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def place_phone(driver, live_server, lat, lng):
    driver.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": live_server.url, "permissions": ["geolocation"]},
    )
    driver.execute_cdp_cmd(
        "Emulation.setGeolocationOverride", {"latitude": lat, "longitude": lng, "accuracy": 8}
    )


def service_worker_ready(driver):
    driver.set_script_timeout(20)
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.serviceWorker.ready.then(r => done(!!r.active)).catch(() => done(false));"
    )


def test_member_reports_offline_then_online_sent_once(phone, live_server, w, tmp_path):
    photo = tmp_path / "scene.jpg"
    photo.write_bytes(jpeg())
    login(phone, live_server, w.member1.username, PASSWORD)
    place_phone(phone, live_server, *World.V1G1)
    phone.get(f"{live_server.url}/grid/incidents/report/")
    assert service_worker_ready(phone)
    set_offline(phone, True)
    assert phone.execute_script("return navigator.onLine") is False
    Select(phone.find_element(By.NAME, "category")).select_by_value("ORD")
    phone.find_element(By.CSS_SELECTOR, "[data-locate-button]").click()
    wait_text(phone, "已定位")
    fill(phone, "description", "菜市场门口流动摊贩占道经营")
    phone.find_element(By.CSS_SELECTOR, "[data-photo-picker] input[type=file]").send_keys(
        str(photo)
    )
    wait_for(phone, "[data-photo-previews] img")
    phone.find_element(By.CSS_SELECTOR, "form[data-outbox] button[type=submit]").click()
    wait_element_text(phone, ".outbox-item[data-status=waiting]", "等待发送")
    wait_text(phone, "当前无信号")
    screenshot(phone, "grid-report-offline")
    assert not Incident.objects.exists()

    set_offline(phone, False)
    WebDriverWait(phone, 40).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".outbox-item[data-status=sent]")
    )
    incident = Incident.objects.get()
    wait_text(phone, incident.number)
    screenshot(phone, "grid-report-sent")
    assert incident.state == State.VERIFIED and incident.photos.count() == 1
    assert incident.reporter == w.member1 and incident.grid.code == "V1G1"
    # Anything that tries again (the timer, a reload, the service worker) sends nothing new.
    phone.execute_script("return window.OneWindowOutbox.flush()")
    phone.get(f"{live_server.url}/grid/incidents/report/")
    wait_for(phone, ".outbox-item[data-status=sent]")
    assert Incident.objects.count() == 1
    assert axe_violations(phone) == []


def test_grid_head_accepts_assigns_and_closes_on_a_phone(phone, live_server, w):
    incident = svc.incident_report(
        actor=w.member1,
        source=Source.GRID_MEMBER,
        category_code="ORD",
        description="楼道口堆放建筑垃圾",
        lat=World.V1G1[0],
        lng=World.V1G1[1],
        photo_files=[jpeg()],
    ).incident
    login(phone, live_server, w.head1.username, PASSWORD)
    phone.get(f"{live_server.url}/grid/incidents/")
    wait_text(phone, incident.number)
    phone.find_element(By.CSS_SELECTOR, "[data-incident-map-toggle]").click()
    wait_for(phone, "[data-incident-map] path.leaflet-interactive")  # the incident's marker
    screenshot(phone, "grid-my-grid")
    phone.find_element(By.PARTIAL_LINK_TEXT, "占道经营").click()
    details = wait_for(phone, "details[data-action=accept]")
    details.find_element(By.TAG_NAME, "summary").click()
    Select(phone.find_element(By.NAME, "accept-handler")).select_by_value(str(w.member2.pk))
    screenshot(phone, "grid-incident-accept")
    details.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_text(phone, "已受理")
    incident.refresh_from_db()
    assert incident.state == State.HANDLING and incident.handler == w.member2
    svc.incident_report_result(
        actor=w.member2, incident=incident, note="已清理干净", photo_files=[jpeg((40, 160, 40))]
    )
    phone.get(f"{live_server.url}/grid/incidents/{incident.number}/")
    details = wait_for(phone, "details[data-action=close]")
    details.find_element(By.TAG_NAME, "summary").click()
    Select(phone.find_element(By.NAME, "close-outcome")).select_by_value("solved")
    details.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_text(phone, "已结案")
    incident.refresh_from_db()
    assert incident.state == State.CLOSED and incident.outcome == "solved"
    screenshot(phone, "grid-incident-closed")


def test_resident_is_shown_a_nearby_duplicate_and_joins_it(phone, live_server, w):
    existing = svc.incident_report(
        actor=w.member1,
        source=Source.GRID_MEMBER,
        category_code="ORD",
        description="早点摊占用人行道",
        lat=World.V1G1[0] + 0.0005,
        lng=World.V1G1[1],
        photo_files=[jpeg()],
        address="老街12号",
    ).incident
    login(phone, live_server, w.citizen.username, PASSWORD)
    phone.get(f"{live_server.url}/incidents/report/")
    Select(phone.find_element(By.NAME, "category")).select_by_value("ORD")
    # no GPS permission here: the resident taps the place on the map
    phone.find_element(By.CSS_SELECTOR, "[data-pick-map-toggle]").click()
    picker = wait_for(phone, "[data-pick-map].leaflet-container")
    wait_for(phone, "[data-pick-map] path")  # the grids are drawn (the map has settled)
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", picker)

    def tapped(driver):
        # A tap during Leaflet's zoom animation is ignored, as on a real phone: tap again.
        ActionChains(driver).move_to_element(picker).click().perform()
        return "已在地图上选点" in driver.find_element(By.TAG_NAME, "body").text

    WebDriverWait(phone, 20, poll_frequency=1).until(tapped)
    # the map centres on the town; place the point where the test wants it
    phone.execute_script(
        "const f = document.querySelector('form[data-duplicates-url]');"
        "f.elements.lat.value = arguments[0]; f.elements.lng.value = arguments[1];"
        "f.dispatchEvent(new CustomEvent('incident:located'));",
        *World.V1G1,
    )
    offer = wait_for(phone, f"[data-duplicate='{existing.number}']", timeout=15)
    assert "相距约" in offer.text and "早点摊占用人行道" in offer.text
    screenshot(phone, "resident-duplicate-offer")
    join = offer.find_element(By.CSS_SELECTOR, "[data-join]")
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", join)
    join.click()
    wait_text(phone, "已加入关注")
    assert Incident.objects.count() == 1
    assert IncidentFollower.objects.filter(incident=existing, user=w.citizen).exists()
    phone.get(f"{live_server.url}/my/incidents/")
    wait_text(phone, existing.number)
    screenshot(phone, "resident-my-reports")
    assert axe_violations(phone) == []
