"""`make run` serves the product as its users see it: friendly error pages and a favicon; the
debug page only when a developer asks for it (DEBUG=1)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import path

from portal import urls as portal_urls

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _local_debug(extra_env: dict) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings.local", **extra_env})
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
         " print(settings.DEBUG)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_make_run_settings_show_the_debug_page_only_when_asked():
    assert _local_debug({}) == "False"
    assert _local_debug({"DEBUG": "1"}) == "True"


def test_a_missing_page_is_friendly(client):
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "没有找到这个页面" in body and 'role="search"' in body and "/guide/" in body
    assert "URLconf" not in body and "Traceback" not in body


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url.endswith("favicon.ico")
    assert 'rel="icon"' in client.get("/").content.decode()


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), *portal_urls.urlpatterns]
handler500 = portal_urls.handler500


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_friendly_and_needs_no_database():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "系统暂时出了问题" in body and "Traceback" not in body
