"""The command centre in a real browser: the board (panels polled, the map with Leaflet), the
lists, the figures, the duty roster and the call-outs, as a dispatcher — the pages run every
script they load under the Content-Security-Policy (the fixture fails the journey on any
violation in Chromium's console)."""

import pytest
from selenium.webdriver.common.by import By

from tests.centre.town import Town
from tests.e2e.helpers import axe_violations, login, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_dispatcher_walks_through_the_centre(browser, live_server):
    from portal.roles import sync_roles

    sync_roles()
    town = Town()
    login(browser, live_server, town.dispatcher.username, password="Secret#2026")
    browser.get(f"{live_server.url}/centre/")
    wait_for(browser, "#centre-panels")
    wait_for(browser, ".c-map .leaflet-container", timeout=20)
    assert axe_violations(browser) == []
    for path, css in (
        ("/centre/late/", "main h1"),
        ("/centre/forecast/", "main h1"),
        ("/centre/figures/", "main h1"),
        ("/centre/duty/", "main h1"),
        ("/centre/callouts/", "main h1"),
        ("/centre/callouts/new/", "main h1"),
    ):
        browser.get(f"{live_server.url}{path}")
        wait_for(browser, css)
        assert browser.find_element(By.CSS_SELECTOR, css).text, path
