"""The public status lookup page at /status/ (the QR code on every notice points here)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.approvals import citizen_journey as j

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_page_lives_at_status_and_prefills_the_number(client, world):
    assert reverse("approvals:status-lookup") == "/status/"
    response = client.get("/status/?number=3603132026092400001")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="3603132026092400001"' in html
    assert 'name="mobile_last4"' in html


def test_the_home_page_links_to_it_for_everyone(client, world):
    html = client.get("/").content.decode()
    assert 'href="/status/"' in html


def test_lookup_with_number_and_last_four_digits(client, world):
    app = j.accepted(world)
    response = client.post(
        "/status/", {"number": app.number, "mobile_last4": world.citizen.mobile[-4:]}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "已受理" in html and world.matter.name in html
    assert app.due_date.strftime("%Y-%m-%d") in html
    assert world.citizen.real_name not in html  # no personal data on a public page


def test_wrong_digits_and_bad_input(client, world):
    app = j.accepted(world)
    wrong = "0000" if not world.citizen.mobile.endswith("0000") else "1111"
    response = client.post("/status/", {"number": app.number, "mobile_last4": wrong})
    assert response.status_code == 404
    html = response.content.decode()
    assert "没有找到与编号和手机号后四位相符的办件" in html
    assert f'value="{app.number}"' in html  # what was typed stays
    response = client.post("/status/", {"number": "abc", "mobile_last4": "12"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_number_error"' in html and 'id="id_mobile_last4_error"' in html


def test_the_page_is_rate_limited_like_the_api(client, world, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    limit = int(rates["status_lookup"].split("/")[0])
    codes = [
        client.post("/status/", {"number": "1234567", "mobile_last4": "1234"}).status_code
        for _ in range(limit + 2)
    ]
    assert codes[:limit] == [404] * limit
    assert codes[limit:] == [429, 429]
    response = client.post("/status/", {"number": "1234567", "mobile_last4": "1234"})
    assert "查询过于频繁" in response.content.decode()
    # the QR code link (a GET) still opens the page
    assert client.get("/status/?number=1234567").status_code == 200
