"""The offline outbox's service worker and its include: served from the site root with the
headers a service worker needs, no inline script in the page (the CSP forbids it)."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def test_service_worker_is_served_from_the_root(client):
    response = client.get("/outbox-sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert 'importScripts("/static/js/outbox-core.js")' in body
    assert "respondWith" in body and "onewindow-outbox" in body


def test_include_has_no_inline_script(make_user):
    request = RequestFactory().get("/")
    request.user = make_user("grid_member")
    html = Template('{% include "portal/_outbox.html" %}').render(Context({"request": request}))
    assert 'id="outbox-texts"' in html and 'type="application/json"' in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    for attrs, _body in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
    assert 'data-outbox-sw="/outbox-sw.js"' in html
