"""The work-order list read with only the columns its cards show (issue 19: the orders' and
incidents' wide rows) is byte for byte the page it was, for the department's staff and head and
the centre, every tab, both languages, with the same number of queries."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from grid.models.dispatch import WorkOrder
from grid.services import dispatch as svc
from grid.views import dispatch as views
from tests.grid.dispatch_fixtures import DispatchWorld, at

pytestmark = pytest.mark.django_db
MON = at(2026, 9, 14, 10, 0)
RANDOM = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')


def old_list_rows(qs):
    return list(qs[: views.LIST_SIZE])


def page(monkeypatch, user, language, url, old):
    with monkeypatch.context() as m:
        if old:
            m.setattr(views, "_list_rows", old_list_rows)
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with translation.override(translation.get_language()):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
    return response.status_code, RANDOM.sub(b"random", response.content), len(ctx)


def test_the_work_order_list_is_the_page_it_was(monkeypatch):
    w = DispatchWorld()
    w.rule(10, "道路破损", category_code="DSP", handler_kind="department", department_code="GHJSB")
    orders = []
    for n in range(6):
        incident = w.to_route(when=MON if n % 2 else None)
        orders.append(
            svc.incident_dispatch(actor=w.dispatcher, incident=incident).work_orders.get()
        )
    svc.work_order_sign_for(actor=w.roads_staff, work_order=orders[0])
    orders[1] = svc.work_order_sign_for(actor=w.roads_staff, work_order=orders[1])
    svc.work_order_feedback(actor=w.roads_staff, work_order=orders[1], note="已修复。")
    svc.work_order_return(actor=w.roads_staff, work_order=orders[2], reason="不属于本部门职责")
    WorkOrder.objects.filter(pk=orders[3].pk).update(is_hotline=True, is_district=True)
    base = reverse("grid:work-orders")
    seen = set()
    for user in (w.roads_staff, w.roads_head, w.dispatcher, w.social_staff):
        for tab in ("open", "done", "returned", "all"):
            url = f"{base}?tab={tab}"
            for language in ("zh-hans", "en"):
                page(monkeypatch, user, language, url, old=False)  # the person's caches warm
                old = page(monkeypatch, user, language, url, old=True)
                new = page(monkeypatch, user, language, url, old=False)
                assert new[0] == 200
                assert new == old, (user, tab, language)
                seen.add(new[1].count(b'class="incident-card order-card'))
    assert {0, 1, 4, 6} <= seen
