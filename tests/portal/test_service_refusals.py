"""A service's NotFound or Forbidden that a page did not catch answers the 404 or 403 page, never
a 500 (portal.middleware.ServiceRefusalMiddleware); the API keeps its own JSON for them."""

import pytest
from django.test import Client, override_settings
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny

from portal import urls as portal_urls
from portal.errors import Forbidden, NotFound

pytestmark = pytest.mark.django_db


def _missing(request):
    raise NotFound("没有这个出动。")


def _refused(request):
    raise Forbidden("只有带班调度员可以确认交班。")


@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def _api_missing(request):
    raise NotFound("没有这个出动。", code="callout_not_found")


@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def _api_refused(request):
    raise Forbidden("只有带班调度员可以确认交班。")


urlpatterns = [
    path("refusals/missing/", _missing),
    path("refusals/refused/", _refused),
    path("api/v1/refusals/missing/", _api_missing),
    path("api/v1/refusals/refused/", _api_refused),
    *portal_urls.urlpatterns,
]
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500


@pytest.fixture
def client():
    # a refusal that is not turned into its page would answer the 500 page here, not raise
    return Client(raise_request_exception=False)


@override_settings(ROOT_URLCONF=__name__)
def test_a_services_not_found_on_a_page_is_the_404_page(client):
    response = client.get("/refusals/missing/")
    assert response.status_code == 404
    assert "没有找到这个页面" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_a_services_forbidden_on_a_page_is_the_403_page_with_its_reason(client):
    response = client.get("/refusals/refused/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "您没有访问该页面的权限。" in body and "只有带班调度员可以确认交班。" in body


@override_settings(ROOT_URLCONF=__name__)
def test_the_api_keeps_its_own_answer_for_them(client):
    missing = client.get("/api/v1/refusals/missing/")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "callout_not_found",
        "message": "没有这个出动。",
        "fields": {},
    }
    refused = client.get("/api/v1/refusals/refused/")
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "forbidden",
        "message": "只有带班调度员可以确认交班。",
        "fields": {},
    }
