"""portal.middleware.client_ip: only the declared proxies are believed, and every limit (status
lookup page and API, log-in lock-out) counts the same address."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from portal import roles
from portal.middleware import client_ip


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _request(remote="10.0.0.9", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_ip(_request("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


def test_only_the_declared_hops_are_believed(settings):
    settings.TRUSTED_PROXIES = 1
    # the client wrote 1.2.3.4 itself; nginx appended the address it saw
    assert client_ip(_request("10.0.0.9", "1.2.3.4, 198.51.100.20")) == "198.51.100.20"
    assert client_ip(_request("10.0.0.9", "198.51.100.20")) == "198.51.100.20"
    assert client_ip(_request("10.0.0.9")) == "10.0.0.9"
    settings.TRUSTED_PROXIES = 2
    assert client_ip(_request("10.0.0.9", "1.2.3.4, 198.51.100.20, 10.0.0.5")) == "198.51.100.20"


def test_garbage_and_ports_in_the_header(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(_request("10.0.0.9", "not-an-address")) == "10.0.0.9"
    assert client_ip(_request("10.0.0.9", "198.51.100.20:5123")) == "198.51.100.20"
    assert client_ip(_request("10.0.0.9", "[2001:db8::1]:443")) == "2001:db8::1"
    assert client_ip(_request("10.0.0.9", "2001:db8::1")) == "2001:db8::1"


def _limit(settings) -> int:
    return int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["status_lookup"].split("/")[0])


@pytest.mark.django_db
def test_a_forged_address_per_request_does_not_get_round_the_api_limit(client, settings):
    settings.TRUSTED_PROXIES = 1
    limit = _limit(settings)
    codes = [
        client.get(
            "/api/v1/status/",
            {"number": "1234567", "mobile_last4": "1234"},
            HTTP_X_FORWARDED_FOR=f"172.16.{n}.1, 198.51.100.20",
        ).status_code
        for n in range(limit + 2)
    ]
    assert codes[:limit] == [404] * limit
    assert codes[limit:] == [429, 429]
    # another real client behind the same proxy is not held back
    other = client.get(
        "/api/v1/status/",
        {"number": "1234567", "mobile_last4": "1234"},
        HTTP_X_FORWARDED_FOR="198.51.100.21",
    )
    assert other.status_code == 404


@pytest.mark.django_db
def test_a_forged_address_per_request_does_not_get_round_the_page_limit(client, settings):
    settings.TRUSTED_PROXIES = 1
    limit = _limit(settings)
    codes = [
        client.post(
            "/status/",
            {"number": "1234567", "mobile_last4": "1234"},
            HTTP_X_FORWARDED_FOR=f"172.16.{n}.1, 198.51.100.20",
        ).status_code
        for n in range(limit + 1)
    ]
    assert codes[-1] == 429


@pytest.mark.django_db
def test_the_lock_out_counts_the_client_behind_the_proxy(client, make_user, settings):
    settings.TRUSTED_PROXIES = 1
    make_user(roles.CITIZEN, username="lockme")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "lockme", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"172.16.{n}.1, 198.51.100.20",
        )
    locked = client.post(
        "/accounts/login/",
        {"username": "lockme", "password": "Secret#2026"},
        HTTP_X_FORWARDED_FOR="172.16.99.1, 198.51.100.20",
    )
    assert locked.status_code == 429
    # the same person from another address (behind the same proxy) may still sign in
    elsewhere = client.post(
        "/accounts/login/",
        {"username": "lockme", "password": "Secret#2026"},
        HTTP_X_FORWARDED_FOR="198.51.100.30",
    )
    assert elsewhere.status_code == 302
