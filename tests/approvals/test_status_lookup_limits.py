"""The public status lookup's two limits: per client address (an X-Forwarded-For a client
writes itself does not get round it) and per application number (after
STATUS_LOOKUP_FAILURES_PER_NUMBER wrong tries a day the number's lookup pauses, whoever asks,
and the applicant is told so in plain words)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.approvals.test_applications_api import online_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _rate_limit(settings) -> int:
    return int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["status_lookup"].split("/")[0])


def test_without_trusted_proxies_a_new_forwarded_address_per_try_does_not_help(client, settings):
    settings.TRUSTED_PROXIES = 0
    limit = _rate_limit(settings)
    api = [
        client.get(
            "/api/v1/status/",
            {"number": "1234567", "mobile_last4": f"{n:04d}"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(limit + 2)
    ]
    assert api == [404] * limit + [429, 429]
    page = [
        Client()
        .post(
            "/status/",
            {"number": "7654321", "mobile_last4": f"{n:04d}"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        .status_code
        for n in range(limit + 1)
    ]
    assert page == [404] * limit + [429]


def _from_new_address(n: int):
    """Each try from another real client address (as a botnet would): only the per-number limit
    can stop it."""
    return {"REMOTE_ADDR": f"10.{n // 250}.{n % 250}.1"}


def test_a_number_pauses_after_its_daily_failures_whoever_asks(world, settings):
    settings.STATUS_LOOKUP_FAILURES_PER_NUMBER = 5
    number = online_submitted(world)["number"]
    right = world.citizen.mobile[-4:]
    wrong = [f"{n:04d}" for n in range(20) if f"{n:04d}" != right]
    api = APIClient()
    codes = [
        api.get(
            "/api/v1/status/", {"number": number, "mobile_last4": wrong[n]}, **_from_new_address(n)
        ).status_code
        for n in range(4)
    ]
    assert codes == [404] * 4
    fifth = api.get(
        "/api/v1/status/", {"number": number, "mobile_last4": wrong[4]}, **_from_new_address(4)
    )
    assert fifth.status_code == 429
    body = fifth.json()
    assert body["code"] == "lookup_paused"
    assert "暂停查询" in body["message"] and "明天" in body["message"]
    assert 0 < int(fifth["Retry-After"]) <= 86400
    # even the right digits wait until tomorrow, on the page too
    paused = api.get(
        "/api/v1/status/", {"number": number, "mobile_last4": right}, **_from_new_address(9)
    )
    assert paused.status_code == 429
    page = Client().post(
        "/status/", {"number": number, "mobile_last4": right}, **_from_new_address(10)
    )
    assert page.status_code == 429
    assert "今天暂停查询" in page.content.decode()
    # another application's lookup is not affected
    other = online_submitted(world)["number"]
    ok = api.get(
        "/api/v1/status/", {"number": other, "mobile_last4": right}, **_from_new_address(11)
    )
    assert ok.status_code == 200


def test_the_pause_ends_the_next_day(world, settings, monkeypatch):
    settings.STATUS_LOOKUP_FAILURES_PER_NUMBER = 2
    number = online_submitted(world)["number"]
    right = world.citizen.mobile[-4:]
    api = APIClient()
    for n in range(2):
        api.get(
            "/api/v1/status/",
            {"number": number, "mobile_last4": "0000" if right != "0000" else "1111"},
            **_from_new_address(n),
        )
    assert (
        api.get(
            "/api/v1/status/", {"number": number, "mobile_last4": right}, **_from_new_address(5)
        ).status_code
        == 429
    )
    tomorrow = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    assert (
        api.get(
            "/api/v1/status/", {"number": number, "mobile_last4": right}, **_from_new_address(6)
        ).status_code
        == 200
    )


def test_successful_lookups_do_not_count(world, settings):
    settings.STATUS_LOOKUP_FAILURES_PER_NUMBER = 2
    number = online_submitted(world)["number"]
    right = world.citizen.mobile[-4:]
    api = APIClient()
    codes = [
        api.get(
            "/api/v1/status/", {"number": number, "mobile_last4": right}, **_from_new_address(n)
        ).status_code
        for n in range(5)
    ]
    assert codes == [200] * 5


def test_the_page_limit_holds_across_a_window_edge(settings):
    """Tries just before a minute's end and just after it count together (a fixed window
    would let twice the limit through, and a test's burst across the edge would pass)."""
    limit = _rate_limit(settings)
    before = limit // 2 + 1
    client = Client()

    def tries(n):
        return [
            client.post("/status/", {"number": "1234567", "mobile_last4": "1234"}).status_code
            for _ in range(n)
        ]

    with time_machine.travel("2026-09-28 10:00:59.5 +0800", tick=False):
        first = tries(before)
    with time_machine.travel("2026-09-28 10:01:00.5 +0800", tick=False):
        second = tries(limit - before + 1)
        refused = client.post("/status/", {"number": "1234567", "mobile_last4": "1234"})
    assert first + second[:-1] == [404] * limit
    assert second[-1] == 429 and refused.status_code == 429
    # the wait told is when the earlier tries have slid out of the window, within the minute
    assert "查询过于频繁" in refused.content.decode()
    with time_machine.travel("2026-09-28 10:02:00.5 +0800", tick=False):
        assert tries(1) == [404]
